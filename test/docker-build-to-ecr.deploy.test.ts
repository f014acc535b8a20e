import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DockerBuildToEcr, DockerBuildToEcrProps, FindingSeverity } from '../src';
import { imageConsumerFunction } from './support/image-consumer';
import { addNagChecks, cfnLint, nagErrors } from './support/template-checks';

/**
 * DockerBuildToEcr's deploy features (issue 12): buildOnDeploy and the digest members, the
 * scheduled rebuild, the badge and the alerts.
 */

const BUILD_TYPE = 'Custom::CdkEcrCodebuildImageBuild';

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function s3Source(stack: Stack, key = 'app/source.zip'): codebuild.ISource {
  const bucket =
    (stack.node.tryFindChild('Sources') as s3.IBucket | undefined) ??
    s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  return codebuild.Source.s3({ bucket, path: key });
}

function build(props: Partial<DockerBuildToEcrProps> = {}, stack = newStack()) {
  const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack), ...props });
  return { stack, image };
}

function buildResource(template: Template): any {
  const resources = Object.values(template.findResources(BUILD_TYPE));
  expect(resources).toHaveLength(1);
  return resources[0];
}

/** The one resource of `type` (for repositories: the image's; the cache repository is `…CacheRepository…`). */
function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => !id.includes('CacheRepository'));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('buildOnDeploy', () => {
  test('no deploy-time build by default', () => {
    const { stack } = build();
    const template = Template.fromStack(stack);
    template.resourceCountIs(BUILD_TYPE, 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a custom resource builds the project, with the timeouts of a deploy-time build', () => {
    // GIVEN / WHEN
    const { stack } = build({ buildOnDeploy: true });
    const template = Template.fromStack(stack);
    // THEN
    const projectId = logicalIdOf(template, 'AWS::CodeBuild::Project');
    const resource = buildResource(template);
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^CdkEcrCodebuildBuildOnDeployHandlerFunction/), 'Arn'] },
      ServiceTimeout: '3600',
      ProjectName: { Ref: projectId },
      BuildInputs: expect.stringMatching(/^[0-9a-f]{64}$/),
      DeployTimeInputs: {
        SourceLocation: 'my-sources/app/source.zip',
        Image: 'aws/codebuild/standard:8.0',
        Variables: expect.objectContaining({ IMAGE_REPO_NAME: { Ref: expect.stringMatching(/^ImageRepository/) } }),
      },
      TimeoutMinutes: 50,
      QueuedTimeoutMinutes: 5,
      PollSeconds: 30,
    });
    // the build runs after the project's role and its policy exist
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ImageRole[0-9A-F]{8}$/),
        expect.stringMatching(/^ImageRoleBuildPolicy/),
        expect.stringMatching(/^CdkEcrCodebuildBuildOnDeployHandlerRoleDefaultPolicy/),
        expect.stringMatching(/^CdkEcrCodebuildBuildOnDeployHandlerSelfInvoke/),
      ]),
    );
  });

  test('the deploy-time build uses the project timeout when it is shorter', () => {
    const { stack } = build({ buildOnDeploy: true, timeout: Duration.minutes(20) });
    const resource = buildResource(Template.fromStack(stack));
    expect(resource.Properties.TimeoutMinutes).toBe(20);
    // queued 5 + build 20 + waiter slack 3 + answer margin 2
    expect(resource.Properties.ServiceTimeout).toBe(String(30 * 60));
  });

  test('warns when the project timeout is longer than a deploy-time build may run', () => {
    const { stack } = build({ buildOnDeploy: true, timeout: Duration.hours(2) });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Image',
      Match.stringLikeRegexp(
        'deploy-time builds stop after 50 minutes.*\\[ack: cdk-ecr-codebuild:buildOnDeployTimeout\\]',
      ),
    );
    expect(buildResource(Template.fromStack(stack)).Properties.TimeoutMinutes).toBe(50);
  });

  test('does not warn with the default timeout', () => {
    const { stack } = build({ buildOnDeploy: true });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('passes buildOnDeploySourceVersion to the build', () => {
    const { stack } = build({
      buildOnDeploy: true,
      buildOnDeploySourceVersion: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(buildResource(Template.fromStack(stack)).Properties.SourceVersion).toBe(
      '0123456789abcdef0123456789abcdef01234567',
    );
  });

  test('a repository source at a given commit: the commit goes to the build and into the fingerprint', () => {
    // GIVEN a GitHub source on a branch, deploy-time builds pinned to a commit
    const props = (commit: string) => {
      const stack = newStack();
      new DockerBuildToEcr(stack, 'Image', {
        source: codebuild.Source.gitHub({ owner: 'example-org', repo: 'app', branchOrRef: 'main' }),
        buildOnDeploy: true,
        buildOnDeploySourceVersion: commit,
      });
      return buildResource(Template.fromStack(stack)).Properties;
    };
    const first = props('1111111111111111111111111111111111111111');
    const second = props('2222222222222222222222222222222222222222');
    // THEN the build gets the commit; the project definition is the same, the commit differs
    expect(first.SourceVersion).toBe('1111111111111111111111111111111111111111');
    expect(first.DeployTimeInputs.SourceLocation).toBe('https://github.com/example-org/app.git');
    expect(first.BuildInputs).toBe(second.BuildInputs);
    expect(first.SourceVersion).not.toBe(second.SourceVersion);
  });

  test('warns that a repository source without buildOnDeploySourceVersion builds on stack changes, not on new commits', () => {
    // CloudFormation updates a custom resource only when its properties change (custom resources:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html)
    const { stack } = build({ buildOnDeploy: true, source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }) });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Image',
      Match.stringLikeRegexp('not when the branch gets a new commit.*set buildOnDeploySourceVersion'),
    );
    // an S3 source (a new object key is a new input) and a pinned version: no warning
    for (const props of [
      { buildOnDeploy: true },
      {
        buildOnDeploy: true,
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
        buildOnDeploySourceVersion: 'a'.repeat(40),
      },
    ]) {
      const quiet = build(props).stack;
      expect(Annotations.fromStack(quiet).findWarning('*', Match.stringLikeRegexp('new commit'))).toEqual([]);
    }
  });

  test('fails when buildOnDeploySourceVersion is set without buildOnDeploy', () => {
    expect(() => build({ buildOnDeploySourceVersion: 'main' })).toThrow(
      /buildOnDeploySourceVersion "main" only applies to deploy-time builds, and buildOnDeploy is not set: set buildOnDeploy: true/,
    );
  });

  test('fails when environmentVariables sets the variable deploy-time builds record their inputs in', () => {
    expect(() =>
      build({ buildOnDeploy: true, environmentVariables: { CDK_ECR_CODEBUILD_BUILD_INPUTS: { value: 'x' } } }),
    ).toThrow(
      /environmentVariables "CDK_ECR_CODEBUILD_BUILD_INPUTS" is set by deploy-time builds \(buildOnDeploy\) to record their inputs: choose another name/,
    );
  });

  test('fails when buildOnDeploySourceVersion is not a source version', () => {
    expect(() => build({ buildOnDeploy: true, buildOnDeploySourceVersion: 'two words' })).toThrow(
      /buildOnDeploySourceVersion "two words" is not a source version: use a commit id/,
    );
  });

  test('one handler per stack, allowed to build each project, and nothing else', () => {
    // GIVEN two images with buildOnDeploy in one stack
    const stack = newStack();
    build({ buildOnDeploy: true }, stack);
    new DockerBuildToEcr(stack, 'Other', { source: s3Source(stack, 'other.zip'), buildOnDeploy: true });
    const template = Template.fromStack(stack);
    // THEN
    template.resourceCountIs(BUILD_TYPE, 2);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Timeout: 900 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    const projectIds = Object.keys(template.findResources('AWS::CodeBuild::Project'));
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CdkEcrCodebuildBuildOnDeployHandlerRole') }] },
    });
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(
      expect.arrayContaining(
        projectIds.map((id) => ({
          Effect: 'Allow',
          Action: [
            'codebuild:StartBuild',
            'codebuild:BatchGetBuilds',
            'codebuild:StopBuild',
            'codebuild:ListBuildsForProject',
          ],
          Resource: { 'Fn::GetAtt': [id, 'Arn'] },
        })),
      ),
    );
    const imageRepositoryIds = Object.keys(template.findResources('AWS::ECR::Repository')).filter(
      (id) => !id.includes('CacheRepository'),
    );
    expect(imageRepositoryIds).toHaveLength(2);
    for (const repositoryId of imageRepositoryIds) {
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: 'ecr:DescribeImages',
        Resource: { 'Fn::GetAtt': [repositoryId, 'Arn'] },
      });
    }
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CdkEcrCodebuildBuildOnDeployHandlerFunction/), 'Arn'] },
    });
    // no "*" resource, no other action
    for (const s of statements) {
      expect(JSON.stringify(s.Resource)).not.toBe('"*"');
      expect([s.Action].flat().every((a: string) => /^(codebuild|lambda|logs|ecr:DescribeImages$)/.test(a))).toBe(true);
    }
  });
});

describe('the build fingerprint', () => {
  function fingerprint(props: Partial<DockerBuildToEcrProps>, key?: string): string {
    const stack = newStack();
    new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack, key), buildOnDeploy: true, ...props });
    return buildResource(Template.fromStack(stack)).Properties.BuildInputs;
  }

  test('is the same for the same inputs', () => {
    expect(fingerprint({ buildArgs: { A: '1' } })).toBe(fingerprint({ buildArgs: { A: '1' } }));
  });

  test.each<[string, Partial<DockerBuildToEcrProps>]>([
    ['build args', { buildArgs: { A: '2' } }],
    ['Dockerfile', { dockerfile: 'docker/Dockerfile' }],
    ['target', { target: 'runtime' }],
    ['tags', { additionalTags: ['stable'] }],
    ['image tag', { imageTag: 'v1' }],
    ['build image', { buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5 }],
    ['environment', { environmentVariables: { MODE: { value: 'x' } } }],
  ])('changes with the %s', (_name, props) => {
    expect(fingerprint(props)).not.toBe(fingerprint({ buildArgs: { A: '1' } }));
  });

  test('changes with the source object (an asset zip carries its hash in the key)', () => {
    expect(fingerprint({}, 'a.zip')).not.toBe(fingerprint({}, 'b.zip'));
  });

  test('an asset source: a new zip gives a new fingerprint and a new source location', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asset-'));
    try {
      const props = (content: string) => {
        fs.writeFileSync(path.join(dir, 'Dockerfile'), content);
        const stack = newStack();
        const asset = new s3assets.Asset(stack, 'Source', { path: dir });
        new DockerBuildToEcr(stack, 'Image', {
          source: codebuild.Source.s3({ bucket: asset.bucket, path: asset.s3ObjectKey }),
          buildOnDeploy: true,
        });
        return buildResource(Template.fromStack(stack)).Properties;
      };
      const first = props('FROM scratch\n');
      const second = props('FROM busybox\n');
      expect(first.BuildInputs).not.toBe(second.BuildInputs);
      expect(JSON.stringify(first.DeployTimeInputs.SourceLocation)).not.toBe(
        JSON.stringify(second.DeployTimeInputs.SourceLocation),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('imageDigest and imageUriWithDigest', () => {
  test('resolve from the build resource', () => {
    const { stack, image } = build({ buildOnDeploy: true });
    const template = Template.fromStack(stack);
    const buildId = logicalIdOf(template, BUILD_TYPE);
    expect(stack.resolve(image.imageDigest)).toEqual({
      'Fn::Join': ['', ['sha256:', { 'Fn::GetAtt': [buildId, 'ImageDigestHex'] }]],
    });
    expect(JSON.stringify(stack.resolve(image.imageUriWithDigest))).toMatch(
      new RegExp(`"@sha256:",\\{"Fn::GetAtt":\\["${buildId}","ImageDigestHex"\\]\\}`),
    );
  });

  test.each(['imageDigest', 'imageUriWithDigest'] as const)('%s fails without buildOnDeploy', (member) => {
    const { image } = build();
    // the message names the member that was read
    expect(() => image[member]).toThrow(
      new RegExp(
        `^\\[Stack/Image\\] DockerBuildToEcr: buildOnDeploy false means no image digest is known at deploy time \\(${member} of Stack/Image\\): set buildOnDeploy: true`,
      ),
    );
  });

  test('a Lambda function from the digest deploys after the build, pinned to the digest', () => {
    // GIVEN a consumer stack
    const { stack, image } = build({ buildOnDeploy: true });
    // WHEN
    new lambda.DockerImageFunction(stack, 'Fn', {
      code: lambda.DockerImageCode.fromEcr(image.repository, { tagOrDigest: image.imageDigest }),
    });
    // THEN the image URI is <repo>@sha256:<hex from the build>, so CloudFormation orders the function after it
    const template = Template.fromStack(stack);
    const buildId = logicalIdOf(template, BUILD_TYPE);
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }));
    expect(fn).toHaveLength(1);
    const uri = JSON.stringify((fn[0] as any).Properties.Code.ImageUri);
    expect(uri).toContain('"@sha256:"');
    expect(uri).toContain(`{"Fn::GetAtt":["${buildId}","ImageDigestHex"]}`);
    expect(uri).not.toContain(':latest');
  });
});

describe('imageUriForTag', () => {
  test('is the repository URI with the tag', () => {
    const { stack, image } = build();
    expect(JSON.stringify(stack.resolve(image.imageUriForTag('v1.2')))).toMatch(/":v1\.2"\]/);
  });

  test('fails when the tag is not a valid tag', () => {
    const { image } = build();
    expect(() => image.imageUriForTag('no/slash')).toThrow(/tag "no\/slash"/);
  });
});

describe('rebuildSchedule', () => {
  test('a scheduled rule starts the project through a role that may start only it', () => {
    const { stack } = build({ rebuildSchedule: events.Schedule.cron({ weekDay: 'MON', hour: '3', minute: '0' }) });
    const template = Template.fromStack(stack);
    const projectId = logicalIdOf(template, 'AWS::CodeBuild::Project');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [projectId, 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } },
        ],
      },
    });
  });

  test('no rule without a schedule', () => {
    Template.fromStack(build().stack).resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('badge', () => {
  test('enables the badge of a repository source', () => {
    const stack = newStack();
    const repo = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
    new DockerBuildToEcr(stack, 'Image', { source: codebuild.Source.codeCommit({ repository: repo }), badge: true });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { BadgeEnabled: true });
  });

  test('no badge by default', () => {
    Template.fromStack(build().stack).hasResourceProperties('AWS::CodeBuild::Project', {
      BadgeEnabled: Match.absent(),
    });
  });

  test('fails when the source is S3', () => {
    expect(() => build({ badge: true })).toThrow(
      /badge true is not supported for an S3 source: CodeBuild shows badges for GitHub.*: remove badge, or build from a repository source/,
    );
  });
});

describe('alerts', () => {
  test('onBuildFailed: a rule on failed builds of the project', () => {
    const { stack, image } = build();
    const topic = new sns.Topic(stack, 'Topic');
    image.onBuildFailed('Failed', { target: new targets.SnsTopic(topic) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        detail: {
          'project-name': [{ Ref: logicalIdOf(template, 'AWS::CodeBuild::Project') }],
          'build-status': ['FAILED'],
        },
      },
    });
  });

  test('notifyOnBuildFailed: a notification rule to the target', () => {
    const { stack, image } = build();
    const topic = new sns.Topic(stack, 'Topic');
    image.notifyOnBuildFailed('Notify', topic);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codebuild-project-build-state-failed'],
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('^Topic') } }],
    });
  });

  test('onImageScanFindings: ECR basic-scan counts and Inspector findings at HIGH or above by default', () => {
    const { stack, image } = build();
    image.onImageScanFindings('Findings');
    const template = Template.fromStack(stack);
    const repo = { Ref: logicalIdOf(template, 'AWS::ECR::Repository') };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr', 'aws.inspector2'],
        'detail-type': ['ECR Image Scan', 'Inspector2 Finding'],
        detail: {
          $or: [
            {
              'repository-name': [repo],
              'scan-status': ['COMPLETE'],
              'finding-severity-counts': { HIGH: [{ numeric: ['>', 0] }] },
            },
            {
              'repository-name': [repo],
              'scan-status': ['COMPLETE'],
              'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] },
            },
            {
              severity: ['HIGH', 'CRITICAL'],
              status: ['ACTIVE'],
              resources: { details: { awsEcrContainerImage: { repositoryName: [repo] } } },
            },
          ],
        },
      },
    });
  });

  test.each(['critical', 'SEVERE', ''])(
    'onImageScanFindings fails when minSeverity is %j (untyped JavaScript)',
    (value) => {
      const { image } = build();
      expect(() => image.onImageScanFindings('Findings', { minSeverity: value as FindingSeverity })).toThrow(
        new RegExp(
          `^\\[Stack/Image\\] DockerBuildToEcr: minSeverity "${value}" is not a FindingSeverity: use one of FindingSeverity\\.INFORMATIONAL, .*FindingSeverity\\.CRITICAL$`,
        ),
      );
    },
  );

  test('onImageScanFindings: a target, a minimum severity and an extra pattern', () => {
    const { stack, image } = build({ repository: ecr.Repository.fromRepositoryName(newStack(), 'R', 'team/app') });
    const topic = new sns.Topic(stack, 'Topic');
    image.onImageScanFindings('Findings', {
      minSeverity: FindingSeverity.CRITICAL,
      target: new targets.SnsTopic(topic),
      eventPattern: { account: ['111111111111'] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        account: ['111111111111'],
        detail: {
          $or: [
            Match.objectLike({ 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } }),
            Match.objectLike({ severity: ['CRITICAL'] }),
          ],
        },
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Topic') } })],
    });
  });
});

describe('template checks: a consumer stack (Lambda function from the deploy-time digest)', () => {
  test('passes cfn-lint and cdk-nag AwsSolutions', () => {
    // GIVEN an app whose function runs the image built on deploy, with alerts and a schedule
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-consumer-'));
    try {
      const app = new App({ outdir });
      const stack = newStack(app);
      const dir = path.join(__dirname, '..', 'examples', 'docker-app');
      const asset = new s3assets.Asset(stack, 'Source', { path: dir });
      const image = new DockerBuildToEcr(stack, 'Image', {
        source: codebuild.Source.s3({ bucket: asset.bucket, path: asset.s3ObjectKey }),
        buildOnDeploy: true,
        rebuildSchedule: events.Schedule.rate(Duration.days(7)),
      });
      const key = new kms.Key(stack, 'AlertsKey', { enableKeyRotation: true });
      const topic = new sns.Topic(stack, 'Alerts', { masterKey: key, enforceSSL: true });
      image.notifyOnBuildFailed('NotifyFailed', topic);
      image.onImageScanFindings('Findings', { target: new targets.SnsTopic(topic) });
      imageConsumerFunction(stack, 'Fn', {
        repository: image.repository,
        tagOrDigest: image.imageDigest,
        retention: logs.RetentionDays.ONE_MONTH,
      });
      addNagChecks(app);
      // WHEN
      const assembly = app.synth();
      // THEN
      const result = cfnLint([assembly.getStackArtifact(stack.artifactId).templateFullPath]);
      expect(result.output).toBe('');
      expect(result.exitCode).toBe(0);
      expect(nagErrors(stack, assembly)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
