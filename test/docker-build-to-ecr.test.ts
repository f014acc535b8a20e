import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DockerBuildToEcr, DockerBuildToEcrProps } from '../src';
import { addNagChecks, nagErrors } from './support/template-checks';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function s3Source(stack: Stack): codebuild.ISource {
  const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  return codebuild.Source.s3({ bucket, path: 'app/source.zip' });
}

function build(props: Partial<DockerBuildToEcrProps> = {}, stack = newStack()) {
  const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack), ...props });
  return { stack, image, template: Template.fromStack(stack) };
}

function buildSpecOf(template: Template): any {
  const projects = template.findResources('AWS::CodeBuild::Project');
  const [project] = Object.values(projects);
  return JSON.parse(project.Properties.Source.BuildSpec);
}

function envOf(template: Template): Record<string, any> {
  const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
  const out: Record<string, any> = {};
  for (const v of project.Properties.Environment.EnvironmentVariables ?? []) {
    out[v.Name] = v.Value;
  }
  return out;
}

function commands(template: Template, phase: string): string[] {
  return buildSpecOf(template).phases[phase]?.commands ?? [];
}

describe('DockerBuildToEcr: repository', () => {
  test('creates a repository scanned on push, mutable, retained', () => {
    // GIVEN / WHEN
    const { template } = build();
    // THEN
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'MUTABLE',
        EncryptionConfiguration: Match.absent(),
        LifecyclePolicy: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('names the repository and sets tag mutability', () => {
    const { template } = build({ repositoryName: 'team/app-image', imageTagMutability: ecr.TagMutability.IMMUTABLE });
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'team/app-image',
      ImageTagMutability: 'IMMUTABLE',
    });
  });

  test('encrypts the repository with a given KMS key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const { template } = build({ encryptionKey: key }, stack);
    template.hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: {
        EncryptionType: 'KMS',
        KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
    });
  });

  test('lifecycle presets: untagged expiration and max image count, the "any" rule last', () => {
    const { template } = build({ untaggedImageExpiration: Duration.days(7), maxImageCount: 30 });
    const [repo] = Object.values(template.findResources('AWS::ECR::Repository'));
    const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      }),
    ]);
  });

  test('removalPolicy DESTROY deletes the repository and empties it', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::ECR::Repository', {
      Properties: { EmptyOnDelete: true },
      DeletionPolicy: 'Delete',
    });
  });

  test('uses an existing repository and creates none', () => {
    // GIVEN an imported repository
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Existing', 'existing/app');
    // WHEN
    const { image, template } = build({ repository }, stack);
    // THEN
    template.resourceCountIs('AWS::ECR::Repository', 0);
    expect(image.repository).toBe(repository);
    expect(envOf(template).IMAGE_REPO_NAME).toBe('existing/app');
    expect(envOf(template).ECR_REGISTRY).toEqual({
      'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }]],
    });
  });

  test.each([
    ['repositoryName', { repositoryName: 'other' }],
    ['imageTagMutability', { imageTagMutability: ecr.TagMutability.IMMUTABLE }],
    ['maxImageCount', { maxImageCount: 10 }],
    ['untaggedImageExpiration', { untaggedImageExpiration: Duration.days(1) }],
    ['removalPolicy', { removalPolicy: RemovalPolicy.DESTROY }],
  ])('fails when %s is set together with an existing repository', (prop, extra) => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Existing', 'existing/app');
    expect(() => build({ repository, ...extra }, stack)).toThrow(
      new RegExp(
        `^\\[Stack/Image\\] DockerBuildToEcr: ${prop} .* only applies to a repository this construct creates.*: configure the existing repository`,
      ),
    );
  });

  test('fails when encryptionKey is set together with an existing repository', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Existing', 'existing/app');
    const encryptionKey = new kms.Key(stack, 'Key');
    expect(() => build({ repository, encryptionKey }, stack)).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: encryptionKey "\(set\)" only applies/,
    );
  });

  test('warns when the existing repository is in another account', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryArn(
      stack,
      'Other',
      'arn:aws:ecr:eu-west-1:222222222222:repository/shared/app',
    );
    const { template } = build({ repository }, stack);
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Image',
      Match.stringLikeRegexp('account 222222222222: its repository policy must allow .* push'),
    );
    expect(envOf(template).AWS_ACCOUNT_ID).toBe('222222222222');
  });

  test('does not warn for a repository of its own account', () => {
    const { stack } = build();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-ecr-codebuild'))).toEqual([]);
  });

  test.each([
    ['a', 'has 1 characters: use 2-256 characters'],
    ['x'.repeat(257), 'has 257 characters: use 2-256 characters'],
    ['Upper/Case', 'is not a valid ECR repository name: use lowercase'],
    ['double//slash', 'is not a valid ECR repository name'],
    ['-leading', 'is not a valid ECR repository name'],
    ['trailing-', 'is not a valid ECR repository name'],
  ])('fails when repositoryName is %j', (name, message) => {
    expect(() => build({ repositoryName: name })).toThrow(`repositoryName ${JSON.stringify(name)} ${message}`);
  });

  test('accepts a repository name with namespaces and separators', () => {
    expect(() => build({ repositoryName: 'a1/b_2/c.3-d' })).not.toThrow();
  });

  test('does not validate a repository name that is a token', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'RepoName').valueAsString;
    expect(() => build({ repositoryName: name }, stack)).not.toThrow();
  });

  test.each([0, -1, 2.5])('fails when maxImageCount is %p', (count) => {
    expect(() => build({ maxImageCount: count })).toThrow(
      `maxImageCount ${count} is not a positive whole number: keep at least 1 image`,
    );
  });

  test.each([Duration.hours(12), Duration.hours(36)])(
    'fails when untaggedImageExpiration is not whole days (%s)',
    (d) => {
      expect(() => build({ untaggedImageExpiration: d })).toThrow(
        /^\[Stack\/Image\] DockerBuildToEcr: untaggedImageExpiration \d+ hours is not a whole number of days: use Duration.days\(n\)/,
      );
    },
  );
});

describe('DockerBuildToEcr: project', () => {
  test('a privileged Linux project on the standard 7.0 image, 60 minutes, small', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        Type: 'LINUX_CONTAINER',
        Image: 'aws/codebuild/standard:7.0',
        ComputeType: 'BUILD_GENERAL1_SMALL',
        PrivilegedMode: true,
      },
      TimeoutInMinutes: 60,
      Source: { Type: 'S3', Location: 'my-sources/app/source.zip' },
      ServiceRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImageRole'), 'Arn'] },
    });
  });

  test('sets the seed environment variables and ECR_REGISTRY from the repository', () => {
    const { template } = build();
    const env = envOf(template);
    expect(env.AWS_DEFAULT_REGION).toBe('eu-west-1');
    expect(env.AWS_ACCOUNT_ID).toBe('111111111111');
    expect(env.IMAGE_REPO_NAME.Ref).toMatch(/^ImageRepository/);
    expect(env.IMAGE_TAG).toBe('');
    expect(JSON.stringify(env.ECR_REGISTRY)).toContain('.dkr.ecr.');
  });

  test('a fixed imageTag goes into IMAGE_TAG', () => {
    const { template } = build({ imageTag: 'v1.2.3' });
    expect(envOf(template).IMAGE_TAG).toBe('v1.2.3');
  });

  test('passes user environment variables through', () => {
    const { template } = build({
      environmentVariables: {
        APP_ENV: { value: 'prod' },
        TOKEN: { value: '/app/token', type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE },
      },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        EnvironmentVariables: Match.arrayWith([
          { Name: 'APP_ENV', Type: 'PLAINTEXT', Value: 'prod' },
          { Name: 'TOKEN', Type: 'PARAMETER_STORE', Value: '/app/token' },
        ]),
      },
    });
  });

  test.each(['AWS_DEFAULT_REGION', 'AWS_ACCOUNT_ID', 'IMAGE_REPO_NAME', 'ECR_REGISTRY'])(
    'fails when environmentVariables sets %s',
    (name) => {
      expect(() => build({ environmentVariables: { [name]: { value: 'x' } } })).toThrow(
        `environmentVariables "${name}" is set by DockerBuildToEcr: remove it`,
      );
    },
  );

  test('fails when environmentVariables sets IMAGE_TAG', () => {
    expect(() => build({ environmentVariables: { IMAGE_TAG: { value: 'x' } } })).toThrow(
      'environmentVariables "IMAGE_TAG" is set by DockerBuildToEcr: use the imageTag prop',
    );
  });

  test.each([
    'DOCKER_BUILD_ARG_X',
    'ADDITIONAL_IMAGE_TAG_1',
    'DOCKERFILE_PATH',
    'DOCKER_TARGET',
    'DOCKER_BUILD_CONTEXT',
  ])('fails when environmentVariables sets the reserved %s', (name) => {
    expect(() => build({ environmentVariables: { [name]: { value: 'x' } } })).toThrow(
      `environmentVariables "${name}" is reserved for values DockerBuildToEcr passes to docker: choose another name`,
    );
  });

  test('compute type, build image, timeout', () => {
    const { template } = build({
      computeType: codebuild.ComputeType.LARGE,
      buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
      timeout: Duration.minutes(90),
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        Type: 'ARM_CONTAINER',
        Image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0',
        ComputeType: 'BUILD_GENERAL1_LARGE',
        PrivilegedMode: true,
      },
      TimeoutInMinutes: 90,
    });
  });

  test.each([Duration.minutes(4), Duration.minutes(2161), Duration.seconds(330)])('fails when timeout is %s', (t) => {
    expect(() => build({ timeout: t })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: timeout \d+ (minutes|seconds) is outside CodeBuild's limits: use a whole number of minutes from 5 to 2160/,
    );
  });

  test.each([Duration.minutes(5), Duration.minutes(2160)])('accepts timeout at the limit %s', (t) => {
    expect(() => build({ timeout: t })).not.toThrow();
  });

  test('fails when buildImage cannot run Docker in privileged mode', () => {
    expect(() => build({ buildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: buildImage ".*" is a WINDOWS_SERVER_2019_CONTAINER image, which cannot run Docker in privileged mode: use a Linux container image/,
    );
  });

  test('runs in a VPC with given subnets and security groups', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const { template } = build(
      { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [sg] },
      stack,
    );
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      VpcConfig: {
        VpcId: { Ref: Match.stringLikeRegexp('^Vpc') },
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Sg'), 'GroupId'] }],
        Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }]),
      },
    });
  });

  test('records cdk-nag suppressions with reasons on the project', () => {
    const { template } = build();
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    const rules = project.Metadata.cdk_nag.rules_to_suppress;
    expect(rules.map((r: any) => r.id)).toEqual(['AwsSolutions-CB3', 'AwsSolutions-CB4']);
    expect(rules[0].reason).toMatch(/privileged mode/);
  });
});

describe('DockerBuildToEcr: IAM', () => {
  function statements(template: Template): any[] {
    const policies = template.findResources('AWS::IAM::Policy');
    return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  }

  test('pull and push on the repository ARN; GetAuthorizationToken alone on "*"', () => {
    const { template } = build();
    const all = statements(template);
    const star = all.filter((s) => s.Resource === '*');
    expect(star).toEqual([{ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' }]);
    expect(all).toContainEqual({
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
      ],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ImageRepository/), 'Arn'] },
    });
  });

  test('no identity statement other than GetAuthorizationToken uses a "*" resource or action', () => {
    const { template } = build();
    for (const s of statements(template)) {
      const resources = [s.Resource].flat();
      if (resources.includes('*')) {
        expect(s.Action).toBe('ecr:GetAuthorizationToken');
      }
      expect([s.Action].flat()).not.toContain('ecr:*');
    }
  });

  test("logs only in the project's own log group", () => {
    const { template } = build();
    const logs = statements(template).find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
    const text = JSON.stringify(logs.Resource);
    expect(text).toContain(':log-group:/aws/codebuild/');
    expect(text).toMatch(/"Ref":"ImageProject[A-Z0-9]+"/);
  });

  test('the role is assumed by CodeBuild only; the construct is grantable', () => {
    const { image, template } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } }],
      },
    });
    expect(image.grantPrincipal).toBe(image.role);
  });

  test('grantPull gives a grantee pull on this repository only', () => {
    const stack = newStack();
    const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack) });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    image.grantPull(consumer);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Consumer') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImageRepository'), 'Arn'] },
          },
          { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        ]),
      },
    });
  });
});

describe('DockerBuildToEcr: buildspec', () => {
  test('logs in with get-login-password, never the removed get-login', () => {
    const { template } = build();
    const text = JSON.stringify(buildSpecOf(template));
    expect(commands(template, 'pre_build')).toContain(
      'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"',
    );
    expect(text).not.toMatch(/get-login(?!-password)/);
  });

  test('builds the default Dockerfile in the source root, tags latest, pushes both tags', () => {
    const { template } = build();
    expect(commands(template, 'build')).toEqual([
      'echo "Building $ECR_REGISTRY/$IMAGE_REPO_NAME:$IMAGE_TAG"',
      'docker build --file \'Dockerfile\' --tag "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG" \'.\'',
      'docker tag "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG" "$ECR_REGISTRY/$IMAGE_REPO_NAME":\'latest\'',
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG"',
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":\'latest\'',
    ]);
  });

  test('dockerfile is relative to the build context; target and build args are quoted', () => {
    const { template } = build({
      buildContext: 'services/api',
      dockerfile: 'docker/Dockerfile.prod',
      target: 'runtime',
      buildArgs: { GO_VERSION: '1.22', NOTE: "it's $(id)" },
    });
    expect(commands(template, 'build')[1]).toBe(
      "docker build --file 'services/api/docker/Dockerfile.prod' --target 'runtime' " +
        "--build-arg 'GO_VERSION=1.22' --build-arg 'NOTE=it'\\''s $(id)' " +
        '--tag "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG" \'services/api\'',
    );
  });

  test('no additional tags: only $IMAGE_TAG is pushed', () => {
    const { template } = build({ additionalTags: [] });
    const buildCommands = commands(template, 'build');
    expect(buildCommands.filter((c) => c.startsWith('docker tag'))).toEqual([]);
    expect(buildCommands.filter((c) => c.startsWith('docker push'))).toEqual([
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG"',
    ]);
  });

  test('several additional tags are each tagged and pushed', () => {
    const { template } = build({ imageTag: 'v2', additionalTags: ['stable', 'prod'] });
    const pushes = commands(template, 'build').filter((c) => c.startsWith('docker push'));
    expect(pushes).toEqual([
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG"',
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":\'stable\'',
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":\'prod\'',
    ]);
  });

  test('token values reach docker through environment variables, not the command text', () => {
    const stack = newStack();
    const version = new CfnParameter(stack, 'Version').valueAsString;
    const channel = new CfnParameter(stack, 'Channel').valueAsString;
    const { template } = build({ buildArgs: { VERSION: version }, additionalTags: [channel] }, stack);
    const [buildCommand] = commands(template, 'build').filter((c) => c.startsWith('docker build'));
    expect(buildCommand).toContain('--build-arg \'VERSION=\'"$DOCKER_BUILD_ARG_VERSION"');
    expect(commands(template, 'build')).toContain(
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$ADDITIONAL_IMAGE_TAG_1"',
    );
    expect(envOf(template).DOCKER_BUILD_ARG_VERSION).toEqual({ Ref: 'Version' });
    expect(envOf(template).ADDITIONAL_IMAGE_TAG_1).toEqual({ Ref: 'Channel' });
  });

  test('post_build reports the pushed URIs only when the build succeeded', () => {
    const { template } = build();
    const [report] = commands(template, 'post_build');
    expect(report).toContain('if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ]; then');
    expect(report).toContain('echo "Pushed image: $ECR_REGISTRY/$IMAGE_REPO_NAME:""$IMAGE_TAG"');
    expect(report).toContain('echo "Pushed image: $ECR_REGISTRY/$IMAGE_REPO_NAME:"\'latest\'');
  });

  test('runs with bash; version is the number 0.2 (batch builds refuse the string)', () => {
    const { template } = build();
    expect(buildSpecOf(template).env).toEqual({ shell: 'bash' });
    expect(buildSpecOf(template).version).toBe(0.2);
    const raw = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(raw.Properties.Source.BuildSpec).toMatch(/"version": 0\.2,/);
  });

  test.each([
    ['dockerfile', { dockerfile: '/abs/Dockerfile' }, 'is absolute: give a path relative to the build context'],
    [
      'dockerfile',
      { dockerfile: '../Dockerfile' },
      'leaves the build context with "..": give a path inside the build context',
    ],
    ['dockerfile', { dockerfile: 'a/../../Dockerfile' }, 'leaves the build context with ".."'],
    ['dockerfile', { dockerfile: '' }, 'is empty: give a path relative to the build context'],
    ['buildContext', { buildContext: '/src' }, 'is absolute: give a path relative to the source root'],
    ['buildContext', { buildContext: '..' }, 'leaves the source root with ".."'],
  ])('fails when %s is %j', (prop, props, message) => {
    const value = (props as any)[prop];
    expect(() => build(props)).toThrow(`${prop} ${JSON.stringify(value)} ${message}`);
  });

  test('accepts a dockerfile path that goes up but stays inside the context', () => {
    const { template } = build({ dockerfile: 'docker/../Dockerfile' });
    expect(commands(template, 'build')[1]).toContain("--file 'docker/../Dockerfile'");
  });

  test.each(['1ARG', 'MY-ARG', 'A B', ''])('fails when a build-arg name is %j', (name) => {
    expect(() => build({ buildArgs: { [name]: 'x' } })).toThrow(
      `buildArgs ${JSON.stringify(name)} is not a valid build argument name: use letters, digits and underscores`,
    );
  });

  test.each(['run time', 'x;rm', '-x'])('fails when target is %j', (target) => {
    expect(() => build({ target })).toThrow(
      `target ${JSON.stringify(target)} is not a valid stage name: use the name after "AS"`,
    );
  });
});

describe('DockerBuildToEcr: tags', () => {
  test.each(['latest!', '.hidden', '-dash', 'x'.repeat(129), 'with space', ''])('fails when imageTag is %j', (tag) => {
    expect(() => build({ imageTag: tag })).toThrow(
      `imageTag ${JSON.stringify(tag)} is not a valid tag: use 1-128 of [A-Za-z0-9_.-], not starting with . or -`,
    );
  });

  test('fails when an additional tag is not valid', () => {
    expect(() => build({ additionalTags: ['ok', 'not ok'] })).toThrow(
      'additionalTags "not ok" is not a valid tag: use 1-128 of [A-Za-z0-9_.-]',
    );
  });

  test.each([[{ additionalTags: ['latest', 'latest'] }], [{ imageTag: 'v1', additionalTags: ['v1'] }]])(
    'fails when a tag is given twice (%j)',
    (props) => {
      expect(() => build(props)).toThrow(
        /^\[Stack\/Image\] DockerBuildToEcr: additionalTags "(latest|v1)" is given twice \(in imageTag or additionalTags\): list each tag once/,
      );
    },
  );

  test('accepts 128-character tags starting with a digit or underscore', () => {
    expect(() => build({ imageTag: '_' + 'a'.repeat(127), additionalTags: ['1.0'] })).not.toThrow();
  });

  test('IMMUTABLE repository: no latest tag by default', () => {
    const { template } = build({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
    expect(commands(template, 'build').filter((c) => c.startsWith('docker push'))).toEqual([
      'docker push "$ECR_REGISTRY/$IMAGE_REPO_NAME":"$IMAGE_TAG"',
    ]);
  });

  test('fails when an IMMUTABLE repository would get latest pushed again', () => {
    expect(() => build({ imageTagMutability: ecr.TagMutability.IMMUTABLE, additionalTags: ['latest'] })).toThrow(
      'additionalTags "latest" is a fixed tag that every build pushes again, which an IMMUTABLE repository refuses ' +
        'after the first build: leave imageTag unset',
    );
  });

  test('fails when an IMMUTABLE repository gets a fixed imageTag', () => {
    expect(() => build({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTag: 'v1' })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: imageTag "v1" is a fixed tag that every build pushes again/,
    );
  });

  test('an imported repository of unknown mutability is not checked', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Existing', 'existing/app');
    expect(() => build({ repository, imageTag: 'v1' }, stack)).not.toThrow();
  });

  test('does not validate tags that are tokens', () => {
    const stack = newStack();
    const tag = new CfnParameter(stack, 'Tag').valueAsString;
    expect(() =>
      build({ imageTag: tag, additionalTags: [tag], imageTagMutability: ecr.TagMutability.IMMUTABLE }, stack),
    ).not.toThrow();
  });

  test('imageUri uses the fixed imageTag, else the first additional tag', () => {
    const a = build();
    expect(a.stack.resolve(a.image.imageUri)).toEqual({
      'Fn::Join': ['', expect.arrayContaining([':latest'])],
    });
    const b = build({ imageTag: 'v3' });
    expect(JSON.stringify(b.stack.resolve(b.image.imageUri))).toMatch(
      /\/",\{"Ref":"ImageRepository[A-Z0-9]+"\},":v3"\]/,
    );
  });

  test('fails when imageUri is read but no tag is known before the build', () => {
    const { image } = build({ additionalTags: [] });
    expect(() => image.imageUri).toThrow(
      'additionalTags [] leaves no tag that is known before the build (imageTag is computed from the commit): ' +
        'set imageTag or additionalTags to use imageUri',
    );
  });
});

describe('DockerBuildToEcr: metrics', () => {
  test('forwards the project metrics', () => {
    const { image, stack } = build();
    const projectName = stack.resolve(image.project.projectName);
    for (const [metric, name] of [
      [image.metricFailedBuilds(), 'FailedBuilds'],
      [image.metricSucceededBuilds(), 'SucceededBuilds'],
      [image.metricBuilds(), 'Builds'],
      [image.metricDuration(), 'Duration'],
    ] as const) {
      expect(metric.namespace).toBe('AWS/CodeBuild');
      expect(metric.metricName).toBe(name);
      expect(stack.resolve(metric.dimensions)).toEqual({ ProjectName: projectName });
    }
  });
});

describe('DockerBuildToEcr: logical ids', () => {
  test('the main resources keep their logical ids', () => {
    const { template } = build();
    const ids = Object.entries(template.toJSON().Resources)
      .map(([id, r]: [string, any]) => `${r.Type} ${id}`)
      .sort();
    expect(ids).toEqual([
      'AWS::CodeBuild::Project ImageProject1544FA78',
      'AWS::ECR::Repository ImageRepositoryD8036990',
      'AWS::IAM::Policy ImageEcrPolicy9C88AE4D',
      'AWS::IAM::Policy ImageRoleDefaultPolicyA10B2E65',
      'AWS::IAM::Policy ImageSourcePolicyC8ED5898',
      'AWS::IAM::Role ImageRole1BFBDE6E',
    ]);
  });
});

describe('DockerBuildToEcr: cdk-nag', () => {
  function nag(configure: (stack: Stack) => void): string[] {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    configure(stack);
    addNagChecks(app);
    return nagErrors(stack, app.synth());
  }

  test.each([
    ['an S3 source', (stack: Stack) => s3Source(stack)],
    ['a GitHub source', () => codebuild.Source.gitHub({ owner: 'o', repo: 'r' })],
  ])('no unsuppressed AwsSolutions error with %s', (_name, source) => {
    expect(nag((stack) => new DockerBuildToEcr(stack, 'Image', { source: source(stack) }))).toEqual([]);
  });

  test('an action wildcard added to the role later is still reported', () => {
    const errors = nag((stack) => {
      const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack) });
      image.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['arn:aws:sqs:eu-west-1:111111111111:q'] }),
      );
    });
    expect(errors.join('\n')).toMatch(/AwsSolutions-IAM5/);
  });
});
