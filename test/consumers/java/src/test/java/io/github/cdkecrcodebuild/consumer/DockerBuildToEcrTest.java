package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.ACCOUNT;
import static io.github.cdkecrcodebuild.consumer.Support.REGION;
import static io.github.cdkecrcodebuild.consumer.Support.at;
import static io.github.cdkecrcodebuild.consumer.Support.buildSpecOf;
import static io.github.cdkecrcodebuild.consumer.Support.flat;
import static io.github.cdkecrcodebuild.consumer.Support.identityStatements;
import static io.github.cdkecrcodebuild.consumer.Support.list;
import static io.github.cdkecrcodebuild.consumer.Support.map;
import static io.github.cdkecrcodebuild.consumer.Support.messageOfFailure;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static io.github.cdkecrcodebuild.consumer.Support.onlyLogicalId;
import static io.github.cdkecrcodebuild.consumer.Support.onlyResourceProperties;
import static io.github.cdkecrcodebuild.consumer.Support.s3Source;
import static io.github.cdkecrcodebuild.consumer.Support.toJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.DockerBuildToEcr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** Mirrors test/docker-build-to-ecr.test.ts (common.md item 1). */
class DockerBuildToEcrTest {
    private static Stack stack;
    private static DockerBuildToEcr image;
    private static Template template;

    @BeforeAll
    static void synth() {
        stack = newStack();
        image = DockerBuildToEcr.Builder.create(stack, "Image").source(s3Source(stack)).build();
        template = Template.fromStack(stack);
    }

    /** The logical id of the image repository (the construct also creates the cache's). */
    static String imageRepositoryId() {
        return stack.getLogicalId((CfnResource) image.getRepository().getNode().getDefaultChild());
    }

    /**
     * Mirrors 'creates a repository scanned on push, mutable, retained, whose untagged images expire
     * after 14 days' and 'the cache repository: the build's own, MUTABLE, not scanned'.
     */
    @Test
    void oneRepositoryScannedOnPushAndRetained() {
        template.resourceCountIs("AWS::ECR::Repository", 2);
        Map<String, Object> repository = map(template.findResources("AWS::ECR::Repository").get(imageRepositoryId()));
        assertEquals(true, at(repository, "Properties", "ImageScanningConfiguration", "ScanOnPush"));
        assertEquals("MUTABLE", at(repository, "Properties", "ImageTagMutability"));
        assertEquals("Retain", repository.get("DeletionPolicy"));
        String lifecycle = (String) at(repository, "Properties", "LifecyclePolicy", "LifecyclePolicyText");
        assertTrue(lifecycle.contains("\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countNumber\":14"),
                () -> "lifecycle " + lifecycle);
        String cacheId = stack.getLogicalId((CfnResource) image.getCacheRepository().getNode().getDefaultChild());
        Map<String, Object> cache = map(template.findResources("AWS::ECR::Repository").get(cacheId));
        assertEquals("MUTABLE", at(cache, "Properties", "ImageTagMutability"));
        assertEquals(null, map(cache.get("Properties")).get("ImageScanningConfiguration"));
        template.resourceCountIs("AWS::Logs::LogGroup", 1);
    }

    /** Mirrors 'a privileged Linux project on the standard 7.0 image, 60 minutes, small'. */
    @Test
    void onePrivilegedProjectOnTheS3Source() {
        template.resourceCountIs("AWS::CodeBuild::Project", 1);
        Map<String, Object> project = onlyResourceProperties(template, "AWS::CodeBuild::Project");
        assertEquals(true, at(project, "Environment", "PrivilegedMode"));
        assertEquals("LINUX_CONTAINER", at(project, "Environment", "Type"));
        assertEquals("aws/codebuild/standard:8.0", at(project, "Environment", "Image"));
        assertEquals("S3", at(project, "Source", "Type"));
        assertEquals("my-sources/app/source.zip", at(project, "Source", "Location"));
        assertEquals(60, ((Number) project.get("TimeoutInMinutes")).intValue());
    }

    /** Mirrors 'sets the seed environment variables and ECR_REGISTRY from the repository'. */
    @Test
    void seedEnvironmentVariables() {
        Map<String, Object> project = onlyResourceProperties(template, "AWS::CodeBuild::Project");
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object v : list(at(project, "Environment", "EnvironmentVariables"))) {
            env.put((String) map(v).get("Name"), map(v).get("Value"));
        }
        assertTrue(env.keySet().containsAll(List.of("AWS_DEFAULT_REGION", "AWS_ACCOUNT_ID", "IMAGE_REPO_NAME", "IMAGE_TAG")),
                () -> "environment variables: " + env.keySet());
        assertEquals(REGION, env.get("AWS_DEFAULT_REGION"));
        assertEquals(ACCOUNT, env.get("AWS_ACCOUNT_ID"));
        assertEquals(Map.of("Ref", imageRepositoryId()), env.get("IMAGE_REPO_NAME"));
        assertEquals("", env.get("IMAGE_TAG"));
        assertTrue(toJson(env.get("ECR_REGISTRY")).contains(".dkr.ecr."), () -> "ECR_REGISTRY " + env.get("ECR_REGISTRY"));
    }

    /** Mirrors 'logs in with get-login-password, never the removed get-login'. */
    @Test
    void buildSpecLogsInWithGetLoginPassword() {
        Map<String, Object> spec = buildSpecOf(template);
        List<Object> preBuild = list(at(spec, "phases", "pre_build", "commands"));
        assertTrue(preBuild.contains("aws ecr get-login-password --region \"$AWS_DEFAULT_REGION\""
                        + " | docker login --username AWS --password-stdin \"$ECR_REGISTRY\""),
                () -> "pre_build commands: " + preBuild);
        String text = toJson(spec);
        assertTrue(text.contains("aws ecr get-login-password"));
        assertFalse(text.replace("get-login-password", "").contains("get-login"), "the removed get-login is never used");
    }

    /**
     * Mirrors 'pull and push on the repository ARN; GetAuthorizationToken alone on "*"' and 'no
     * identity statement other than GetAuthorizationToken uses a "*" resource or action' (over
     * AWS::IAM::Policy documents and the roles' inline policies).
     */
    @Test
    void onlyGetAuthorizationTokenUsesAStarResource() {
        List<Map<String, Object>> statements = identityStatements(template);
        List<Map<String, Object>> star = statements.stream()
                .filter(s -> flat(s.get("Resource")).contains("*"))
                .collect(Collectors.toList());
        assertEquals(List.of(Map.of("Action", "ecr:GetAuthorizationToken", "Effect", "Allow", "Resource", "*")), star);
        for (Map<String, Object> s : statements) {
            assertFalse(flat(s.get("Action")).contains("ecr:*"), () -> "ecr:* in " + s);
        }
        String repositoryId = imageRepositoryId();
        assertTrue(statements.contains(Map.of(
                        "Action", List.of("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                                "ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload", "ecr:PutImage"),
                        "Effect", "Allow",
                        "Resource", Map.of("Fn::GetAtt", List.of(repositoryId, "Arn")))),
                () -> "no pull+push statement on the repository in " + statements);
    }

    /**
     * Mirrors 'imageUri uses the fixed imageTag, else the first additional tag' and 'the role is
     * assumed by CodeBuild only; the construct is grantable': imageUri, repository, project and
     * role are usable from Java and are the resources of the template.
     */
    @Test
    void membersAreUsable() {
        String repositoryId = imageRepositoryId();
        String projectId = onlyLogicalId(template, "AWS::CodeBuild::Project");
        String roleId = stack.getLogicalId((CfnResource) image.getRole().getNode().getDefaultChild());

        String uri = toJson(stack.resolve(image.getImageUri()));
        assertTrue(uri.contains("\":latest\""), () -> "imageUri " + uri);
        assertTrue(uri.contains("{\"Ref\":\"" + repositoryId + "\"}"), () -> "imageUri " + uri);
        assertEquals(Map.of("Ref", repositoryId), stack.resolve(image.getRepository().getRepositoryName()));
        assertEquals(Map.of("Ref", projectId), stack.resolve(image.getProject().getProjectName()));
        assertEquals(Map.of("Fn::GetAtt", List.of(roleId, "Arn")),
                at(onlyResourceProperties(template, "AWS::CodeBuild::Project"), "ServiceRole"));
        assertEquals(Map.of("Fn::GetAtt", List.of(roleId, "Arn")), stack.resolve(image.getRole().getRoleArn()));
        assertSame(image.getRole(), image.getGrantPrincipal(), "grantPrincipal is the role");
        assertEquals(List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                        "Principal", Map.of("Service", "codebuild.amazonaws.com"))),
                at(template.findResources("AWS::IAM::Role").get(roleId), "Properties", "AssumeRolePolicyDocument", "Statement"));
    }

    /** Mirrors "fails when imageTag is %j" (DockerBuildToEcr: tags): the library's message reaches Java. */
    @Test
    void badImageTagThrowsTheLibraryMessage() {
        Stack s = newStack();
        String message = messageOfFailure(() -> DockerBuildToEcr.Builder.create(s, "Image")
                .source(s3Source(s))
                .imageTag("bad tag!")
                .build());
        assertTrue(message.startsWith("[Stack/Image] DockerBuildToEcr: imageTag \"bad tag!\" is not a valid tag:"
                        + " use 1-128 of [A-Za-z0-9_.-], not starting with . or -"),
                () -> "message: " + message);
    }
}
