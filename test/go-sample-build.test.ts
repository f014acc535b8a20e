import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuilderImage, GoSampleBuild, GoSampleBuildProps } from '../src';
import { addNagChecks, cfnLint, nagErrors } from './support/template-checks';
import { GO_OUTPUT_DIR } from '../src/private/go/buildspec';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';

function newStack(env?: { account: string; region: string }): Stack {
  return new Stack(new App(), 'Stack', { env });
}

function source(stack: Stack): codebuild.ISource {
  const bucket = s3.Bucket.fromBucketName(stack, 'SourceBucket', 'input-bucket');
  return codebuild.Source.s3({ bucket, path: 'GoSample.zip' });
}

/** The UUID at the end of the stack id: differs for every creation of the stack. */
const STACK_UUID = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };

function build(stack: Stack, props: Partial<GoSampleBuildProps> = {}, id = 'Go'): GoSampleBuild {
  return new GoSampleBuild(stack, id, { source: source(stack), ...props });
}

/** The buildspec object of the (only) CodeBuild project of a template. */
function buildSpecOf(template: Template): any {
  const projects = template.findResources('AWS::CodeBuild::Project');
  const [project] = Object.values(projects);
  return JSON.parse(project.Properties.Source.BuildSpec);
}

/** Every identity-policy statement of a template. */
function identityStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p: any) => p.Properties.PolicyDocument.Statement,
  );
}

/** Logical ids a resource depends on (Ref, Fn::GetAtt, DependsOn). */
function dependencies(resource: any): Set<string> {
  const out = new Set<string>(resource.DependsOn ?? []);
  const walk = (value: any): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      if (typeof value.Ref === 'string') {
        out.add(value.Ref);
      }
      if (Array.isArray(value['Fn::GetAtt'])) {
        out.add(value['Fn::GetAtt'][0]);
      }
      Object.values(value).forEach(walk);
    }
  };
  walk(resource.Properties ?? {});
  return out;
}

/** A dependency cycle among the resources of a template, or undefined. */
function findCycle(template: any): string[] | undefined {
  const resources = template.Resources as Record<string, any>;
  const state = new Map<string, 'visiting' | 'done'>();
  const stackPath: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stackPath.slice(stackPath.indexOf(id)), id];
    state.set(id, 'visiting');
    stackPath.push(id);
    for (const dep of dependencies(resources[id])) {
      if (dep in resources) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    stackPath.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of Object.keys(resources)) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('GoSampleBuild defaults', () => {
  const stack = newStack();
  const construct = build(stack);
  const template = Template.fromStack(stack);
  const spec = buildSpecOf(template);

  test('footprint: 9 resources, one IAM policy (BuildPolicy) with every grant; no statement for the default log group', () => {
    const types = Object.values<any>(template.toJSON().Resources)
      .map((r) => r.Type)
      .sort();
    expect(types).toEqual([
      'AWS::CodeBuild::Project',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::S3::BucketPolicy',
    ]);
    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(policyId).toMatch(/^GoRoleBuildPolicy[0-9A-F]{8}$/);
    expect(JSON.stringify(identityStatements(template))).not.toContain('/aws/codebuild/');
    expect(construct.role.node.tryFindChild('DefaultPolicy')).toBeUndefined();
  });

  test('a curated image with Go 1.26 selected by runtime-versions, pulled with CODEBUILD credentials', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        Image: 'aws/codebuild/standard:8.0',
        ImagePullCredentialsType: 'CODEBUILD',
        ComputeType: 'BUILD_GENERAL1_SMALL',
        PrivilegedMode: false,
      },
      TimeoutInMinutes: 60,
    });
    expect(spec.phases.install['runtime-versions']).toEqual({ golang: '1.26' });
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.CODEBUILD);
  });

  test('vet, test and a static build of . into hello', () => {
    expect(spec.phases.pre_build.commands).toContain('export CGO_ENABLED=0');
    expect(spec.phases.build.commands).toEqual([
      'go vet ./...',
      'go test ./...',
      `go build -trimpath -o '${GO_OUTPUT_DIR}/hello' '.'`,
    ]);
  });

  test('the artifact: hello, zipped as GoOutputArtifact.zip at the root of the artifacts bucket', () => {
    expect(spec.artifacts).toEqual({ files: ['hello'], 'base-directory': GO_OUTPUT_DIR, 'discard-paths': 'no' });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Artifacts: {
        Type: 'S3',
        Packaging: 'ZIP',
        Name: 'GoOutputArtifact.zip',
        NamespaceType: 'NONE',
        Location: { Ref: Match.stringLikeRegexp('^GoArtifactsBucket') },
        EncryptionDisabled: Match.absent(),
      },
    });
  });

  test('a KMS key with rotation, retained, encrypts the project', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GoKey'), 'Arn'] },
    });
    expect(construct.encryptionKey).toBeInstanceOf(kms.Key);
  });

  test('the artifacts bucket: KMS with the key, public access blocked, SSL only, versioned, logged, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GoKey'), 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^GoAccessLogsBucket') },
          LogFilePrefix: 'artifacts/',
        },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^GoArtifactsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the access-log bucket: no ACL, a policy for logging.s3 scoped to the artifacts bucket, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        AccessControl: Match.absent(),
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^GoAccessLogsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^GoArtifactsBucket'), 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  test('build logs go to a retained log group encrypted with the key', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: {
          'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/codebuild/StackGo[A-F0-9]{8}/$'), STACK_UUID]],
        },
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GoKey'), 'Arn'] },
        RetentionInDays: 731,
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^GoLogGroup') } } },
    });
  });

  test('the key policy lets CloudWatch Logs of this region use the key for this log group only', () => {
    const logGroup = Object.values(template.findResources('AWS::Logs::LogGroup'))[0] as any;
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Action: Match.arrayWith(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':logs:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      `:log-group:${logGroup.Properties.LogGroupName['Fn::Join'][1][0]}`,
                      STACK_UUID,
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('the project has a fixed name, which names its log group with the UUID of the stack (new per deployment)', () => {
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;
    const logGroup = Object.values(template.findResources('AWS::Logs::LogGroup'))[0] as any;
    expect(project.Properties.Name).toMatch(/^StackGo[A-F0-9]{8}$/);
    expect(logGroup.Properties.LogGroupName).toEqual({
      'Fn::Join': ['', [`/aws/codebuild/${project.Properties.Name}/`, STACK_UUID]],
    });
  });

  test('members', () => {
    expect(construct.project).toBeInstanceOf(codebuild.Project);
    expect(construct.role).toBeInstanceOf(iam.Role);
    expect(construct.artifactsBucket).toBeInstanceOf(s3.Bucket);
    expect(construct.logGroup).toBeInstanceOf(logs.LogGroup);
    expect(construct.grantPrincipal).toBe(construct.role);
  });

  test('least privilege: no identity statement on Resource "*" (no ECR pull with curated images)', () => {
    const star = identityStatements(template).filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(star).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })],
      },
    });
  });

  test('logical ids of the main resources are stable', () => {
    const ids = Object.keys(template.toJSON().Resources);
    expect(ids).toEqual(
      expect.arrayContaining([
        'GoKey6F87571E',
        'GoLogGroupD1D5C3F8',
        'GoAccessLogsBucket28816609',
        'GoArtifactsBucketAA689321',
        'GoRoleDCD5FDD1',
        'GoProject17FFC726',
      ]),
    );
  });
});

describe('GoSampleBuild props', () => {
  test('runGoVet and runGoTests false', () => {
    const stack = newStack();
    build(stack, { runGoVet: false, runGoTests: false });
    expect(buildSpecOf(Template.fromStack(stack)).phases.build.commands).toEqual([
      `go build -trimpath -o '${GO_OUTPUT_DIR}/hello' '.'`,
    ]);
  });

  test('mainPackage, binaryName, cgoEnabled, goos and goarch', () => {
    const stack = newStack();
    build(stack, { mainPackage: 'cmd/server', binaryName: 'server', cgoEnabled: true, goos: 'linux', goarch: 'arm64' });
    const spec = buildSpecOf(Template.fromStack(stack));
    expect(spec.phases.pre_build.commands).toContain('export CGO_ENABLED=1');
    expect(spec.phases.build.commands[2]).toBe(
      `GOOS='linux' GOARCH='arm64' go build -trimpath -o '${GO_OUTPUT_DIR}/server' './cmd/server'`,
    );
    expect(spec.artifacts.files).toEqual(['server']);
  });

  test("goos alone is checked against the builder's architecture", () => {
    const stack = newStack();
    build(stack, { goos: 'windows' });
    expect(buildSpecOf(Template.fromStack(stack)).phases.build.commands[2]).toMatch(/^GOOS='windows' go build /);
  });

  test('artifactName, artifactsBucket and encryptionKey', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'MyArtifacts');
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const construct = build(stack, { artifactName: 'hello-linux.zip', artifactsBucket: bucket, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Artifacts: { Name: 'hello-linux.zip', Location: { Ref: Match.stringLikeRegexp('^MyArtifacts') } },
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] },
    });
    // no bucket or key of its own
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(construct.artifactsBucket).toBe(bucket);
    expect(construct.encryptionKey).toBe(key);
    // the key defined in the app gets the CloudWatch Logs statement
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForTheBuildLogGroup' })]) },
    });
  });

  test('serverAccessLogsBucket replaces the access-log bucket', () => {
    const stack = newStack();
    const logsBucket = new s3.Bucket(stack, 'Logs');
    build(stack, { serverAccessLogsBucket: logsBucket });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Logs') },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]),
      },
    });
  });

  test('warns when the key or the access-log bucket is imported (their policies cannot be changed)', () => {
    const stack = newStack();
    build(stack, {
      encryptionKey: kms.Key.fromKeyArn(
        stack,
        'Imported',
        `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      ),
      serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'ImportedLogs', 'access-logs'),
    });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Stack/Go', Match.stringLikeRegexp('key policy of encryptionKey cannot be changed'));
    annotations.hasWarning('/Stack/Go', Match.stringLikeRegexp('policy of serverAccessLogsBucket cannot be changed'));
  });

  test('logRetention, computeType and timeout', () => {
    const stack = newStack();
    build(stack, {
      logRetention: logs.RetentionDays.ONE_MONTH,
      computeType: codebuild.ComputeType.MEDIUM,
      timeout: Duration.minutes(20),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { ComputeType: 'BUILD_GENERAL1_MEDIUM' },
      TimeoutInMinutes: 20,
    });
  });

  test('an explicit curated image and Go version', () => {
    const stack = newStack();
    build(stack, { builderImage: BuilderImage.curated('1.22', codebuild.LinuxBuildImage.STANDARD_7_0) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/standard:7.0', ImagePullCredentialsType: 'CODEBUILD' },
    });
    expect(buildSpecOf(template).phases.install['runtime-versions']).toEqual({ golang: '1.22' });
  });

  test('token values are passed as environment variables', () => {
    const stack = newStack();
    build(stack, { binaryName: Lazy.string({ produce: () => 'late' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { EnvironmentVariables: [{ Name: 'GO_BINARY_NAME', Type: 'PLAINTEXT', Value: 'late' }] },
    });
  });

  test('forwards metrics and grants', () => {
    const stack = newStack();
    const construct = build(stack);
    const metrics: cloudwatch.Metric[] = [
      construct.metricFailedBuilds(),
      construct.metricSucceededBuilds(),
      construct.metricBuilds(),
      construct.metricDuration(),
    ];
    expect(metrics.map((m) => m.metricName)).toEqual(['FailedBuilds', 'SucceededBuilds', 'Builds', 'Duration']);
    expect(metrics.every((m) => m.namespace === 'AWS/CodeBuild')).toBe(true);
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    construct.grantReadArtifacts(reader);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })]),
      },
    });
  });
});

describe('custom builder image in ECR: pull credentials', () => {
  test('a repository of the same stack: CODEBUILD, and a repository-policy statement for this project only', () => {
    // GIVEN
    const stack = newStack();
    const repo = new ecr.Repository(stack, 'Builder');
    // WHEN
    const construct = build(stack, { builderImage: BuilderImage.fromEcrRepository(repo, 'go1.22') });
    // THEN
    const template = Template.fromStack(stack);
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.CODEBUILD);
    expect(project.Properties.Environment.ImagePullCredentialsType).toBe('CODEBUILD');
    expect(JSON.stringify(project.Properties.Environment.Image)).toMatch(/:go1\.22"/);
    expect(buildSpecOf(template).phases.install).not.toHaveProperty('runtime-versions');
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [
          {
            Sid: Match.stringLikeRegexp('^CodeBuildPull'),
            Effect: 'Allow',
            Principal: { Service: 'codebuild.amazonaws.com' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':codebuild:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      `:project/${project.Properties.Name}`,
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
    // the role gets no ECR permission: CodeBuild pulls, not the role
    expect(JSON.stringify(identityStatements(template))).not.toMatch(/ecr:/);
  });

  test('a same-stack repository and GoSampleBuild have no dependency cycle', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'go-cycle-')) });
    const stack = new Stack(app, 'Stack');
    const repo = new ecr.Repository(stack, 'Builder');
    build(stack, { builderImage: BuilderImage.fromEcrRepository(repo) });
    // WHEN
    const assembly = app.synth();
    const template = assembly.getStackByName('Stack').template;
    // THEN the repository does not depend on the project, and no cycle exists
    const repoId = Object.keys(template.Resources).find(
      (id) => template.Resources[id].Type === 'AWS::ECR::Repository',
    )!;
    const projectId = Object.keys(template.Resources).find(
      (id) => template.Resources[id].Type === 'AWS::CodeBuild::Project',
    )!;
    expect(dependencies(template.Resources[repoId]).has(projectId)).toBe(false);
    expect(dependencies(template.Resources[projectId]).has(repoId)).toBe(true);
    expect(findCycle(template)).toBeUndefined();
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });

  test('the cycle check finds a cycle (it can fail)', () => {
    expect(
      findCycle({
        Resources: {
          A: { Type: 'X', Properties: { P: { Ref: 'B' } } },
          B: { Type: 'X', Properties: { P: { 'Fn::GetAtt': ['A', 'Arn'] } } },
        },
      }),
    ).toEqual(['A', 'B', 'A']);
  });

  test('a repository in another stack of the same account: CODEBUILD, statement in that stack, no cycle', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'go-xstack-')) });
    const env = { account: ACCOUNT, region: 'eu-west-1' };
    const imageStack = new Stack(app, 'Images', { env });
    const buildStack = new Stack(app, 'Builds', { env });
    const repo = new ecr.Repository(imageStack, 'Builder');
    // WHEN
    const construct = build(buildStack, { builderImage: BuilderImage.fromEcrRepository(repo) });
    const assembly = app.synth();
    // THEN
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.CODEBUILD);
    const images = Template.fromJSON(assembly.getStackByName('Images').template);
    images.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'codebuild.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      Match.stringLikeRegexp(`^:codebuild:eu-west-1:${ACCOUNT}:project/BuildsGo`),
                    ],
                  ],
                },
              },
            },
          }),
        ],
      },
    });
    // the image stack does not import anything from the build stack
    expect(JSON.stringify(assembly.getStackByName('Images').template)).not.toMatch(/Fn::ImportValue/);
    expect(assembly.getStackByName('Builds').dependencies.map((d) => d.id)).toContain('Images');
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });

  test('an imported repository of the same account: SERVICE_ROLE, pull granted to the role on that repository', () => {
    // GIVEN
    const stack = newStack({ account: ACCOUNT, region: 'us-east-1' });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/go-builder');
    // WHEN
    const construct = build(stack, { builderImage: BuilderImage.fromEcrRepository(repo) });
    // THEN
    const template = Template.fromStack(stack);
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        ImagePullCredentialsType: 'SERVICE_ROLE',
        Image: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/team/go-builder:latest$')])],
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:ecr:us-east-1:${ACCOUNT}:repository/team/go-builder`],
              ],
            },
          }),
          Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
        ]),
      },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a cross-account repository (fromRepositoryArn): SERVICE_ROLE, a warning about its policy', () => {
    // GIVEN
    const stack = newStack({ account: ACCOUNT, region: 'us-east-1' });
    const repo = ecr.Repository.fromRepositoryArn(
      stack,
      'Shared',
      `arn:aws:ecr:us-east-1:${OTHER_ACCOUNT}:repository/shared/go-builder`,
    );
    // WHEN
    const construct = build(stack, { builderImage: BuilderImage.fromEcrRepository(repo) });
    // THEN
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
    const template = Template.fromStack(stack);
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(project.Properties.Environment.ImagePullCredentialsType).toBe('SERVICE_ROLE');
    expect(JSON.stringify(project.Properties.Environment.Image)).toMatch(
      new RegExp(
        `^\\{"Fn::Join":\\["",\\["${OTHER_ACCOUNT}\\.dkr\\.ecr\\.us-east-1\\.",\\{"Ref":"AWS::URLSuffix"\\},"/shared/go-builder:latest"\\]\\]\\}$`,
      ),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: `arn:aws:ecr:us-east-1:${OTHER_ACCOUNT}:repository/shared/go-builder` }),
        ]),
      },
    });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Go',
      Match.stringLikeRegexp(`belongs to account ${OTHER_ACCOUNT}: its repository policy must allow`),
    );
  });

  test('override SERVICE_ROLE on a same-stack repository: pull granted to the role, no repository statement', () => {
    const stack = newStack();
    const repo = new ecr.Repository(stack, 'Builder');
    const construct = build(stack, {
      builderImage: BuilderImage.fromEcrRepository(repo, 'latest', codebuild.ImagePullPrincipalType.SERVICE_ROLE),
    });
    const template = Template.fromStack(stack);
    expect(construct.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Builder'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('override CODEBUILD on an imported same-account repository: warns that its policy must be changed by hand', () => {
    const stack = newStack({ account: ACCOUNT, region: 'us-east-1' });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/go-builder');
    build(stack, {
      builderImage: BuilderImage.fromEcrRepository(repo, 'latest', codebuild.ImagePullPrincipalType.CODEBUILD),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { ImagePullCredentialsType: 'CODEBUILD' },
    });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Go',
      Match.stringLikeRegexp('policy of the builder image repository cannot be changed from this app'),
    );
  });

  test('fails when CODEBUILD credentials are asked for a repository of another account', () => {
    const stack = newStack({ account: ACCOUNT, region: 'us-east-1' });
    const repo = ecr.Repository.fromRepositoryArn(
      stack,
      'Shared',
      `arn:aws:ecr:us-east-1:${OTHER_ACCOUNT}:repository/shared/go`,
    );
    expect(() =>
      build(stack, {
        builderImage: BuilderImage.fromEcrRepository(repo, 'latest', codebuild.ImagePullPrincipalType.CODEBUILD),
      }),
    ).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: imagePullCredentials "CODEBUILD" cannot pull from repository .* of account 222222222222: CodeBuild credentials only pull images of the project's own account .*: use ImagePullPrincipalType\.SERVICE_ROLE/,
    );
  });

  test('least privilege: only ecr:GetAuthorizationToken uses Resource "*"', () => {
    const stack = newStack({ account: ACCOUNT, region: 'us-east-1' });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/go-builder');
    build(stack, { builderImage: BuilderImage.fromEcrRepository(repo) });
    const star = identityStatements(Template.fromStack(stack)).filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(star).toEqual([{ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' }]);
  });
});

describe('bad input', () => {
  test('fails when binaryName contains a /', () => {
    expect(() => build(newStack(), { binaryName: 'bin/hello' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: binaryName "bin\/hello" contains a path separator: give a plain file name for the binary/,
    );
  });

  test('fails when binaryName is empty', () => {
    expect(() => build(newStack(), { binaryName: '' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: binaryName "" is empty: give a file name for the binary/,
    );
  });

  test('fails when binaryName is not a plain file name (glob, option, dot)', () => {
    for (const name of ['hel*lo', '-hello', '..', 'a b']) {
      expect(() => build(newStack(), { binaryName: name })).toThrow(
        /^\[Stack\/Go\] GoSampleBuild: binaryName ".*" is not a plain file name: use 1-255 of/,
      );
    }
  });

  test('fails when mainPackage is absolute', () => {
    expect(() => build(newStack(), { mainPackage: '/src/cmd' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: mainPackage "\/src\/cmd" is absolute: give a path relative to the source root/,
    );
  });

  test('fails when mainPackage leaves the source with ..', () => {
    expect(() => build(newStack(), { mainPackage: 'cmd/../../other' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: mainPackage "cmd\/\.\.\/\.\.\/other" leaves the source root with "\.\.": give a path inside the source root/,
    );
  });

  test('fails when mainPackage is a package pattern', () => {
    expect(() => build(newStack(), { mainPackage: './cmd/...' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: mainPackage "\.\/cmd\/\.\.\." is a package pattern/,
    );
  });

  test('fails when goos is unknown', () => {
    expect(() => build(newStack(), { goos: 'macos' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: goos "macos" is not a GOOS that Go supports: use one of aix, android/,
    );
  });

  test('fails when goarch is unknown', () => {
    expect(() => build(newStack(), { goarch: 'x86_64' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: goarch "x86_64" is not a GOARCH that Go supports/,
    );
  });

  test('fails when the GOOS/GOARCH pair is one Go does not support', () => {
    expect(() => build(newStack(), { goos: 'darwin', goarch: '386' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: goarch "386" makes darwin\/386, which Go cannot build for: for GOOS darwin set goarch to one of amd64, arm64/,
    );
    expect(() => build(newStack(), { goos: 'js' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: goos "js" makes js\/amd64, which Go cannot build for \(goarch defaults to the builder's amd64\): for GOOS js set goarch to one of wasm/,
    );
    expect(() => build(newStack(), { goarch: 'wasm' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: goarch "wasm" makes linux\/wasm, which Go cannot build for/,
    );
  });

  test('fails when artifactName is not a plain file name', () => {
    expect(() => build(newStack(), { artifactName: 'out/Go.zip' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: artifactName "out\/Go\.zip" contains a path separator: give a plain file name for the ZIP artifact/,
    );
    expect(() => build(newStack(), { artifactName: 'Go output?.zip' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: artifactName "Go output\?\.zip" is not a plain file name/,
    );
    expect(() => build(newStack(), { artifactName: '' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: artifactName "" is empty/,
    );
  });

  test('fails when the Go version is not on the image', () => {
    expect(() => build(newStack(), { builderImage: BuilderImage.curated('1.13') })).toThrow(
      /^BuilderImage\.curated: goVersion "1\.13" is not available on any CodeBuild curated image/,
    );
  });

  test("fails when the timeout is outside CodeBuild's limits", () => {
    expect(() => build(newStack(), { timeout: Duration.minutes(2) })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: timeout 2 minutes is outside CodeBuild's limits/,
    );
  });

  test('fails when serverAccessLogsBucket is given with artifactsBucket', () => {
    const stack = newStack();
    expect(() =>
      build(stack, { artifactsBucket: new s3.Bucket(stack, 'A'), serverAccessLogsBucket: new s3.Bucket(stack, 'L') }),
    ).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: serverAccessLogsBucket "\(set\)" only applies to the artifacts bucket this construct creates/,
    );
  });

  test('tokens are not validated', () => {
    const token = Lazy.string({ produce: () => '/not/checked' });
    expect(() =>
      build(newStack(), { binaryName: token, mainPackage: token, goos: token, goarch: token, artifactName: 'a.zip' }),
    ).not.toThrow();
  });
});

describe('template checks', () => {
  const cases: Array<[string, (stack: Stack) => void]> = [
    ['default GoSampleBuild', (stack) => build(stack)],
    [
      'fromEcrRepository, same stack (CODEBUILD)',
      (stack) => build(stack, { builderImage: BuilderImage.fromEcrRepository(new ecr.Repository(stack, 'Builder')) }),
    ],
    [
      'in an account and region (literal ARN parts in the findings)',
      (stack) =>
        build(new Stack(stack.node.scope as App, 'Pinned', { env: { account: '111111111111', region: 'eu-west-1' } })),
    ],
    [
      'fromEcrRepository, imported (SERVICE_ROLE)',
      (stack) =>
        build(stack, {
          builderImage: BuilderImage.fromEcrRepository(
            ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/go-builder'),
          ),
        }),
    ],
  ];

  test.each(cases)('cdk-nag AwsSolutions and cfn-lint are clean: %s', (_name, define) => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-checks-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Stack');
      define(stack);
      addNagChecks(app);
      // WHEN
      const assembly = app.synth();
      // THEN
      const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
      expect(stacks.flatMap((s) => nagErrors(s, assembly))).toEqual([]);
      const nonEmpty = stacks
        .map((s) => assembly.getStackArtifact(s.artifactId))
        .filter((a) => Object.keys(a.template.Resources ?? {}).length > 0);
      expect(nonEmpty.length).toBeGreaterThan(0);
      const result = cfnLint(nonEmpty.map((a) => a.templateFullPath));
      expect(result.output).toBe('');
      expect(result.exitCode).toBe(0);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
