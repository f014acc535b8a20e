package consumer

// The facts the TypeScript tests (test/*.test.ts) assert, checked again through the generated Go module,
// with awscdk's own assertions package. Each test names the TypeScript test(s) it mirrors.

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"
	cdkecrcodebuild "github.com/cdk-ecr-codebuild/cdk-ecr-codebuild-go/cdkecrcodebuild"
)

// The actions of AccessLevel.PULL, in the order the policy lists them (src/private/pull-policy/statements.ts PULL_ACTIONS).
const pullActions = `["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]`

// The push actions AccessLevel.PULL_PUSH adds (src/private/pull-policy/statements.ts PUSH_ACTIONS).
var pushActions = []string{"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"}

// check runs an assertion of awscdk's assertions package (it panics when it fails) and turns its panic into
// a test error, so that one failed assertion does not stop the other tests.
func check(t *testing.T, what string, assertion func()) {
	t.Helper()
	if msg := panicMessage(assertion); msg != "" {
		t.Errorf("%s: %s", what, msg)
	}
}

func buildSpecOf(t *testing.T, project map[string]any) map[string]any {
	t.Helper()
	text, ok := dig(t, project, "Properties", "Source", "BuildSpec").(string)
	if !ok {
		t.Fatalf("BuildSpec is not a string: %#v", dig(t, project, "Properties", "Source", "BuildSpec"))
	}
	var spec map[string]any
	if err := json.Unmarshal([]byte(text), &spec); err != nil {
		t.Fatalf("BuildSpec is not JSON: %v\n%s", err, text)
	}
	return spec
}

// Mirrors docker-build-to-ecr.test.ts: 'creates a repository scanned on push, mutable, retained',
// 'a privileged Linux project on the standard 7.0 image, 60 minutes, small', 'sets the seed environment
// variables and ECR_REGISTRY from the repository', 'logs in with get-login-password, never the removed
// get-login', 'pull and push on the repository ARN; GetAuthorizationToken alone on "*"', 'no identity
// statement other than GetAuthorizationToken uses a "*" resource or action', 'imageUri uses the fixed
// imageTag, else the first additional tag', and that the construct's members are usable from Go.
func TestDockerBuildToEcr(t *testing.T) {
	stack := newStack()
	image := cdkecrcodebuild.NewDockerBuildToEcr(stack, jsii.String("Image"), &cdkecrcodebuild.DockerBuildToEcrProps{
		Source: s3Source(stack, "Sources", "my-sources", "app/source.zip"),
	})
	template := assertions.Template_FromStack(stack, nil)

	// the repositories: the image's, and the cache's (the build's own)
	check(t, "two repositories", func() { template.ResourceCountIs(jsii.String("AWS::ECR::Repository"), jsii.Number(2)) })
	check(t, "repository scanned on push, mutable, retained", func() {
		template.HasResource(jsii.String("AWS::ECR::Repository"), map[string]any{
			"Properties": map[string]any{
				"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
				"ImageTagMutability":         "MUTABLE",
				"EncryptionConfiguration":    assertions.Match_Absent(),
			},
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
		})
	})
	repositoryID, cacheID := "", ""
	for id := range *template.FindResources(jsii.String("AWS::ECR::Repository"), nil) {
		if strings.HasPrefix(id, "ImageCacheRepository") {
			cacheID = id
		} else {
			repositoryID = id
		}
	}
	if repositoryID == "" || cacheID == "" {
		t.Fatalf("want the image and the cache repository, got %q and %q", repositoryID, cacheID)
	}
	equalJSON(t, "image.cacheRepository", stack.Resolve(image.CacheRepository().RepositoryName()), `{"Ref":"`+cacheID+`"}`)
	check(t, "one log group", func() { template.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(1)) })

	// the project
	projectID, project := onlyResource(t, template, "AWS::CodeBuild::Project")
	check(t, "privileged standard:8.0 project building my-sources/app/source.zip", func() {
		template.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
			"Environment": map[string]any{
				"Type":           "LINUX_CONTAINER",
				"Image":          "aws/codebuild/standard:8.0",
				"ComputeType":    "BUILD_GENERAL1_SMALL",
				"PrivilegedMode": true,
			},
			"TimeoutInMinutes": 60,
			"Source":           map[string]any{"Type": "S3", "Location": "my-sources/app/source.zip"},
		})
	})
	if got := dig(t, project, "Properties", "Environment", "PrivilegedMode"); got != true {
		t.Errorf("PrivilegedMode = %#v, want true", got)
	}
	env := map[string]any{}
	for _, v := range list(dig(t, project, "Properties", "Environment", "EnvironmentVariables")) {
		m := v.(map[string]any)
		env[m["Name"].(string)] = m["Value"]
	}
	for _, name := range []string{"AWS_DEFAULT_REGION", "AWS_ACCOUNT_ID", "IMAGE_REPO_NAME", "IMAGE_TAG"} {
		if _, ok := env[name]; !ok {
			t.Errorf("environment variable %s missing; have %v", name, sortedKeys(env))
		}
	}
	if env["AWS_DEFAULT_REGION"] != region {
		t.Errorf("AWS_DEFAULT_REGION = %#v, want %q", env["AWS_DEFAULT_REGION"], region)
	}
	if env["AWS_ACCOUNT_ID"] != account {
		t.Errorf("AWS_ACCOUNT_ID = %#v, want %q", env["AWS_ACCOUNT_ID"], account)
	}
	equalJSON(t, "IMAGE_REPO_NAME", env["IMAGE_REPO_NAME"], `{"Ref":"`+repositoryID+`"}`)
	if env["IMAGE_TAG"] != "" {
		t.Errorf("IMAGE_TAG = %#v, want \"\" (the tag comes from the commit)", env["IMAGE_TAG"])
	}

	// the buildspec (a JSON string)
	rawSpec := dig(t, project, "Properties", "Source", "BuildSpec").(string)
	if !strings.Contains(rawSpec, "aws ecr get-login-password") {
		t.Errorf("BuildSpec does not contain `aws ecr get-login-password`:\n%s", rawSpec)
	}
	if regexp.MustCompile(`get-login[^-]`).MatchString(rawSpec) {
		t.Errorf("BuildSpec uses the removed `aws ecr get-login`:\n%s", rawSpec)
	}
	spec := buildSpecOf(t, project)
	login := `aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"`
	found := false
	for _, c := range list(dig(t, spec, "phases", "pre_build", "commands")) {
		found = found || c == login
	}
	if !found {
		t.Errorf("pre_build commands lack %q: %s", login, asJSON(t, dig(t, spec, "phases", "pre_build", "commands")))
	}

	// IAM: across all AWS::IAM::Policy resources and the roles' inline policies, the only statement
	// on Resource "*" is ecr:GetAuthorizationToken
	var statements []any
	for _, p := range resources(t, template, "AWS::IAM::Policy") {
		statements = append(statements, list(dig(t, p, "Properties", "PolicyDocument", "Statement"))...)
	}
	for _, r := range resources(t, template, "AWS::IAM::Role") {
		props := r["Properties"].(map[string]any)
		for _, p := range list(props["Policies"]) {
			if p != nil {
				statements = append(statements, list(dig(t, p, "PolicyDocument", "Statement"))...)
			}
		}
	}
	if len(statements) == 0 {
		t.Fatalf("no identity-policy statement at all")
	}
	var star []any
	for _, s := range statements {
		for _, r := range list(s.(map[string]any)["Resource"]) {
			if r == "*" {
				star = append(star, s)
				break
			}
		}
		for _, a := range list(s.(map[string]any)["Action"]) {
			if a == "*" || a == "ecr:*" {
				t.Errorf("a statement allows a wildcard action: %s", asJSON(t, s))
			}
		}
	}
	equalJSON(t, `the statements on Resource "*"`, star,
		`[{"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*"}]`)
	pushPull := false
	for _, s := range statements {
		m := s.(map[string]any)
		if asJSON(t, m["Resource"]) == `{"Fn::GetAtt":["`+repositoryID+`","Arn"]}` &&
			asJSON(t, m["Action"]) == `["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage",`+
				`"ecr:CompleteLayerUpload","ecr:UploadLayerPart","ecr:InitiateLayerUpload","ecr:PutImage"]` {
			pushPull = true
		}
	}
	if !pushPull {
		t.Errorf("no statement grants pull and push on the repository ARN: %s", asJSON(t, statements))
	}

	// the construct's members, from Go
	if image.ImageUri() == nil || image.Repository() == nil || image.Project() == nil || image.Role() == nil {
		t.Fatalf("a member is nil: imageUri %v repository %v project %v role %v",
			image.ImageUri(), image.Repository(), image.Project(), image.Role())
	}
	uri := asJSON(t, stack.Resolve(image.ImageUri()))
	if !strings.Contains(uri, `{"Ref":"`+repositoryID+`"}`) || !strings.Contains(uri, `":latest"`) {
		t.Errorf("imageUri resolves to %s, want the repository %s and the tag :latest", uri, repositoryID)
	}
	equalJSON(t, "repository.repositoryName", stack.Resolve(image.Repository().RepositoryName()), `{"Ref":"`+repositoryID+`"}`)
	equalJSON(t, "project.projectName", stack.Resolve(image.Project().ProjectName()), `{"Ref":"`+projectID+`"}`)
	roleArn := stack.Resolve(image.Role().RoleArn())
	equalJSON(t, "the project's ServiceRole is role.roleArn", dig(t, project, "Properties", "ServiceRole"), asJSON(t, roleArn))
	if !regexp.MustCompile(`^\{"Fn::GetAtt":\["ImageRole[0-9A-F]{8}","Arn"\]\}$`).MatchString(asJSON(t, roleArn)) {
		t.Errorf("role.roleArn resolves to %s, want the GetAtt of ImageRole…", asJSON(t, roleArn))
	}
}

// Mirrors docker-build-to-ecr.test.ts 'fails when imageTag is %j' and cross-account-pull-policy.test.ts
// 'fails when an account id is not 12 digits': the library's error reaches Go as a panic, with the message
// format `[<construct path>] <Class>: <prop> <value> <problem>: <fix>`.
func TestBadInputPanicsWithTheLibraryMessage(t *testing.T) {
	t.Run("DockerBuildToEcr imageTag", func(t *testing.T) {
		stack := newStack()
		msg := panicMessage(func() {
			cdkecrcodebuild.NewDockerBuildToEcr(stack, jsii.String("Image"), &cdkecrcodebuild.DockerBuildToEcrProps{
				Source:   s3Source(stack, "Sources", "my-sources", "app/source.zip"),
				ImageTag: jsii.String("bad tag!"),
			})
		})
		want := `[Stack/Image] DockerBuildToEcr: imageTag "bad tag!" is not a valid tag: ` +
			`use 1-128 of [A-Za-z0-9_.-], not starting with . or -`
		t.Logf("panic: %s", msg)
		if msg != want {
			t.Errorf("panic message:\n got  %q\n want %q", msg, want)
		}
	})
	t.Run("CrossAccountPullPolicy accountIds", func(t *testing.T) {
		stack := newStack()
		repository := awsecr.NewRepository(stack, jsii.String("Repository"), nil)
		msg := panicMessage(func() {
			cdkecrcodebuild.NewCrossAccountPullPolicy(stack, jsii.String("Pull"), &cdkecrcodebuild.CrossAccountPullPolicyProps{
				Repository: repository,
				AccountIds: jsii.Strings("123"),
			})
		})
		want := `[Stack/Pull] CrossAccountPullPolicy: accountIds "123" is not an AWS account id: ` +
			`use the 12 digits of the account, e.g. "123456789012"`
		t.Logf("panic: %s", msg)
		if msg != want {
			t.Errorf("panic message:\n got  %q\n want %q", msg, want)
		}
	})
}

// crossAccountPolicy synthesizes a CrossAccountPullPolicy for two accounts and a CodeBuild project on a new
// repository, and returns the repository's RepositoryPolicyText statements and the project's logical id.
func crossAccountPolicy(t *testing.T, level cdkecrcodebuild.AccessLevel) ([]any, string, cdkecrcodebuild.CrossAccountPullPolicy) {
	t.Helper()
	stack := newStack()
	repository := awsecr.NewRepository(stack, jsii.String("Repository"), nil)
	project := awscodebuild.NewProject(stack, jsii.String("Project"), &awscodebuild.ProjectProps{
		BuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{"version": "0.2"}),
	})
	policy := cdkecrcodebuild.NewCrossAccountPullPolicy(stack, jsii.String("Pull"), &cdkecrcodebuild.CrossAccountPullPolicyProps{
		Repository:        repository,
		AccountIds:        jsii.Strings("222222222222", "333333333333"),
		CodeBuildProjects: &[]awscodebuild.IProject{project},
		AccessLevel:       level,
	})
	template := assertions.Template_FromStack(stack, nil)
	_, repo := onlyResource(t, template, "AWS::ECR::Repository")
	projectID, _ := onlyResource(t, template, "AWS::CodeBuild::Project")
	return list(dig(t, repo, "Properties", "RepositoryPolicyText", "Statement")), projectID, policy
}

// Mirrors cross-account-pull-policy.test.ts 'adds one statement per kind of grantee to the
// RepositoryPolicyText, without Resource', 'accounts and projects added after construction are rendered'
// (the CodeBuild statement), 'PULL: … may pull but not push' and 'PULL_PUSH: push actions appear, for the
// granted principals only' / 'CodeBuild may pull only for the project, from its account, and never push'.
func TestCrossAccountPullPolicy(t *testing.T) {
	for _, tc := range []struct {
		name          string
		level         cdkecrcodebuild.AccessLevel
		accountAction string
	}{
		{"PULL", cdkecrcodebuild.AccessLevel_PULL, pullActions},
		{"PULL_PUSH", cdkecrcodebuild.AccessLevel_PULL_PUSH, strings.TrimSuffix(pullActions, "]") +
			`,"ecr:PutImage","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"]`},
		{"default (PULL)", "", pullActions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			statements, projectID, policy := crossAccountPolicy(t, tc.level)
			wantLevel := tc.level
			if wantLevel == "" {
				wantLevel = cdkecrcodebuild.AccessLevel_PULL
			}
			if policy.AccessLevel() != wantLevel {
				t.Errorf("policy.AccessLevel() = %q, want %q", policy.AccessLevel(), wantLevel)
			}
			sid := *policy.SidPrefix()
			if !regexp.MustCompile(`^CdkEcrCodebuild[0-9A-F]{8}$`).MatchString(sid) {
				t.Errorf("sidPrefix %q", sid)
			}
			equalJSON(t, "the repository policy", statements, `[
				{"Sid":"`+sid+`Accounts","Effect":"Allow","Principal":{"AWS":"*"},"Action":`+tc.accountAction+`,
				 "Condition":{"StringEquals":{"aws:PrincipalAccount":["222222222222","333333333333"]}}},
				{"Sid":"`+sid+`CodeBuild","Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":`+pullActions+`,
				 "Condition":{"StringEquals":{"aws:SourceAccount":["`+account+`"]},
				              "ArnLike":{"aws:SourceArn":[{"Fn::GetAtt":["`+projectID+`","Arn"]}]}}}
			]`)
			for _, s := range statements {
				m := s.(map[string]any)
				if _, has := m["Resource"]; has {
					t.Errorf("a repository-policy statement has a Resource element: %s", asJSON(t, m))
				}
				actions := asJSON(t, m["Action"])
				for _, push := range pushActions {
					pushes := strings.Contains(actions, `"`+push+`"`)
					isAccounts := m["Sid"] == sid+"Accounts"
					if pushes && !(isAccounts && wantLevel == cdkecrcodebuild.AccessLevel_PULL_PUSH) {
						t.Errorf("%s allows push action %s at %s: %s", m["Sid"], push, wantLevel, actions)
					}
					if !pushes && isAccounts && wantLevel == cdkecrcodebuild.AccessLevel_PULL_PUSH {
						t.Errorf("the accounts statement lacks push action %s at PULL_PUSH: %s", push, actions)
					}
				}
			}
		})
	}
}

// Mirrors go-sample-build.test.ts 'a curated image with Go 1.26 selected by runtime-versions' (here with
// BuilderImage.curated('1.24')), builder-image.test.ts 'picks the newest curated image that carries the Go
// version' and "goVersionsOf lists an image's versions", and go-sample-build.test.ts 'a repository of the
// same stack: CODEBUILD, …' (a custom image from ECR: no runtime-versions).
func TestGoSampleBuild(t *testing.T) {
	t.Run("curated 1.24", func(t *testing.T) {
		image := cdkecrcodebuild.BuilderImage_Curated(jsii.String("1.24"), nil)
		if got := *image.GoVersion(); got != "1.24" {
			t.Errorf("goVersion = %q", got)
		}
		if got := *image.CuratedImage().ImageId(); got != "aws/codebuild/standard:8.0" {
			t.Errorf("curatedImage.imageId = %q, want aws/codebuild/standard:8.0", got)
		}
		versions := cdkecrcodebuild.BuilderImage_GoVersionsOf(awscodebuild.LinuxBuildImage_STANDARD_7_0())
		equalJSON(t, "goVersionsOf(STANDARD_7_0)", versions, `["1.20","1.21","1.22","1.23","1.24","1.25","1.26"]`)

		stack := newStack()
		cdkecrcodebuild.NewGoSampleBuild(stack, jsii.String("Go"), &cdkecrcodebuild.GoSampleBuildProps{
			Source:       s3Source(stack, "SourceBucket", "input-bucket", "GoSample.zip"),
			BuilderImage: image,
		})
		template := assertions.Template_FromStack(stack, nil)
		_, project := onlyResource(t, template, "AWS::CodeBuild::Project")
		check(t, "curated project", func() {
			template.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
				"Environment": map[string]any{
					"Image":                    "aws/codebuild/standard:8.0",
					"ImagePullCredentialsType": "CODEBUILD",
					"PrivilegedMode":           false,
				},
			})
		})
		equalJSON(t, "install runtime-versions", dig(t, buildSpecOf(t, project), "phases", "install", "runtime-versions"),
			`{"golang":"1.24"}`)
	})
	t.Run("custom image from ECR", func(t *testing.T) {
		stack := newStack()
		repo := awsecr.NewRepository(stack, jsii.String("Builder"), nil)
		cdkecrcodebuild.NewGoSampleBuild(stack, jsii.String("Go"), &cdkecrcodebuild.GoSampleBuildProps{
			Source:       s3Source(stack, "SourceBucket", "input-bucket", "GoSample.zip"),
			BuilderImage: cdkecrcodebuild.BuilderImage_FromEcrRepository(repo, jsii.String("go1.22"), ""),
		})
		template := assertions.Template_FromStack(stack, nil)
		_, project := onlyResource(t, template, "AWS::CodeBuild::Project")
		if got := dig(t, project, "Properties", "Environment", "ImagePullCredentialsType"); got != "CODEBUILD" {
			t.Errorf("ImagePullCredentialsType = %#v, want CODEBUILD", got)
		}
		if img := asJSON(t, dig(t, project, "Properties", "Environment", "Image")); !strings.Contains(img, `:go1.22"`) {
			t.Errorf("Image = %s, want the tag go1.22", img)
		}
		install, _ := buildSpecOf(t, project)["phases"].(map[string]any)["install"].(map[string]any)
		if _, has := install["runtime-versions"]; has {
			t.Errorf("a custom image got runtime-versions: %s", asJSON(t, install))
		}
		if strings.Contains(asJSON(t, buildSpecOf(t, project)), "runtime-versions") {
			t.Errorf("runtime-versions somewhere in the buildspec of a custom image")
		}
	})
}

// Mirrors registry-settings.test.ts 'pull-through cache rules › renders each upstream' (the ecr-public row).
func TestRegistrySettingsPullThroughCache(t *testing.T) {
	stack := newStack()
	rule := cdkecrcodebuild.NewPullThroughCacheRule(&cdkecrcodebuild.PullThroughCacheRuleProps{
		EcrRepositoryPrefix: jsii.String("ecr-public"),
		Upstream:            cdkecrcodebuild.Upstream_EcrPublic(),
	})
	registry := cdkecrcodebuild.NewRegistrySettings(stack, jsii.String("Registry"), &cdkecrcodebuild.RegistrySettingsProps{
		PullThroughCacheRules: &[]cdkecrcodebuild.PullThroughCacheRule{rule},
	})
	if n := len(*registry.PullThroughCacheRules()); n != 1 {
		t.Errorf("registry.pullThroughCacheRules has %d rules, want 1", n)
	}
	template := assertions.Template_FromStack(stack, nil)
	_, r := onlyResource(t, template, "AWS::ECR::PullThroughCacheRule")
	equalJSON(t, "the pull-through cache rule", r["Properties"],
		`{"EcrRepositoryPrefix":"ecr-public","UpstreamRegistry":"ecr-public","UpstreamRegistryUrl":"public.ecr.aws"}`)
	check(t, "HasResourceProperties", func() {
		template.HasResourceProperties(jsii.String("AWS::ECR::PullThroughCacheRule"), map[string]any{
			"UpstreamRegistryUrl": "public.ecr.aws",
			"CredentialArn":       assertions.Match_Absent(),
		})
	})
}

// Mirrors platform-catalog.test.ts 'creates a portfolio with the three products by default'.
func TestPlatformCatalog(t *testing.T) {
	stack := newStack()
	catalog := cdkecrcodebuild.NewPlatformCatalog(stack, jsii.String("Catalog"), &cdkecrcodebuild.PlatformCatalogProps{
		PortfolioName: jsii.String("Container builds"),
		ProviderName:  jsii.String("Platform team"),
	})
	template := assertions.Template_FromStack(stack, nil)
	check(t, "one portfolio", func() {
		template.ResourceCountIs(jsii.String("AWS::ServiceCatalog::Portfolio"), jsii.Number(1))
	})
	check(t, "the portfolio", func() {
		template.HasResourceProperties(jsii.String("AWS::ServiceCatalog::Portfolio"), map[string]any{
			"DisplayName":  "Container builds",
			"ProviderName": "Platform team",
		})
	})
	check(t, "3 products", func() {
		template.ResourceCountIs(jsii.String("AWS::ServiceCatalog::CloudFormationProduct"), jsii.Number(3))
	})
	check(t, "3 associations", func() {
		template.ResourceCountIs(jsii.String("AWS::ServiceCatalog::PortfolioProductAssociation"), jsii.Number(3))
	})
	for _, name := range []string{"Docker image build to ECR", "Share an ECR repository with other accounts", "Go build in CodeBuild"} {
		check(t, "product "+name, func() {
			template.HasResourceProperties(jsii.String("AWS::ServiceCatalog::CloudFormationProduct"), map[string]any{
				"Name":  name,
				"Owner": "Platform team",
				"ProvisioningArtifactParameters": []any{
					assertions.Match_ObjectLike(&map[string]any{
						"Name": "v1",
						"Info": map[string]any{"LoadTemplateFromURL": assertions.Match_AnyValue()},
					}),
				},
			})
		})
	}
	equalJSON(t, "catalog.products keys", sortedKeys(*catalog.Products()),
		`["CrossAccountPullPolicy","DockerBuildToEcr","GoSampleBuild"]`)
	if catalog.AssetBucket() == nil {
		t.Errorf("catalog.assetBucket is nil")
	}
}

// Mirrors the enum and value-type facts the TypeScript tests rely on (AccessLevel in
// cross-account-pull-policy.test.ts, FindingSeverity in registry-settings.test.ts, ImagePlatform in
// docker-build-to-ecr.test.ts 'several platforms: …'). In Go, jsii enums (all three) are string
// types with constants, compared with ==.
func TestValueTypes(t *testing.T) {
	pull := cdkecrcodebuild.AccessLevel_PULL
	if pull != cdkecrcodebuild.AccessLevel_PULL || pull == cdkecrcodebuild.AccessLevel_PULL_PUSH {
		t.Errorf("AccessLevel equality is broken")
	}
	if string(cdkecrcodebuild.AccessLevel_PULL) != "PULL" || string(cdkecrcodebuild.AccessLevel_PULL_PUSH) != "PULL_PUSH" {
		t.Errorf("AccessLevel values: %q %q", cdkecrcodebuild.AccessLevel_PULL, cdkecrcodebuild.AccessLevel_PULL_PUSH)
	}
	severities := []cdkecrcodebuild.FindingSeverity{
		cdkecrcodebuild.FindingSeverity_INFORMATIONAL, cdkecrcodebuild.FindingSeverity_LOW,
		cdkecrcodebuild.FindingSeverity_MEDIUM, cdkecrcodebuild.FindingSeverity_HIGH,
		cdkecrcodebuild.FindingSeverity_CRITICAL,
	}
	equalJSON(t, "FindingSeverity members", severities, `["INFORMATIONAL","LOW","MEDIUM","HIGH","CRITICAL"]`)
	if cdkecrcodebuild.FindingSeverity_HIGH == cdkecrcodebuild.FindingSeverity_CRITICAL {
		t.Errorf("FindingSeverity HIGH == CRITICAL")
	}

	amd64, arm64 := cdkecrcodebuild.ImagePlatform_LINUX_AMD64, cdkecrcodebuild.ImagePlatform_LINUX_ARM64
	if amd64 != cdkecrcodebuild.ImagePlatform_LINUX_AMD64 || amd64 == arm64 {
		t.Errorf("ImagePlatform equality is broken")
	}
	equalJSON(t, "ImagePlatform members", []cdkecrcodebuild.ImagePlatform{amd64, arm64}, `["LINUX_AMD64","LINUX_ARM64"]`)
	// the static members are usable as values of DockerBuildToEcr's platforms prop
	stack := newStack()
	cdkecrcodebuild.NewDockerBuildToEcr(stack, jsii.String("Image"), &cdkecrcodebuild.DockerBuildToEcrProps{
		Source:    s3Source(stack, "Sources", "my-sources", "app/source.zip"),
		Platforms: &[]cdkecrcodebuild.ImagePlatform{amd64, arm64},
		ImageTag:  jsii.String("v1"),
	})
	// (mirrors 'several platforms: a batch build project (service role of its own) with the build graph')
	_, project := onlyResource(t, assertions.Template_FromStack(stack, nil), "AWS::CodeBuild::Project")
	var ids []any
	for _, b := range list(dig(t, buildSpecOf(t, project), "batch", "build-graph")) {
		ids = append(ids, dig(t, b, "identifier"))
	}
	equalJSON(t, "batch build-graph identifiers", ids, `["image_linux_amd64","image_linux_arm64","manifest"]`)
}
