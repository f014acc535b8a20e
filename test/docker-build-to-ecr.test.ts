import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  CrossAccountPullPolicy,
  DockerBuildToEcr,
  DockerBuildToEcrProps,
  DockerCache,
  ImageCompression,
  ImagePlatform,
} from '../src';
import { addNagChecks, cfnLint, nagErrors } from './support/template-checks';

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

/** The image repository (the construct also creates the cache repository, `ImageCacheRepository…`). */
function imageRepositoryOf(template: Template): any {
  const repositories = template.findResources('AWS::ECR::Repository');
  const ids = Object.keys(repositories).filter((id) => /^ImageRepository[0-9A-F]{8}$/.test(id));
  expect(ids).toHaveLength(1);
  return repositories[ids[0]];
}

function cacheRepositoryOf(template: Template): any {
  const repositories = template.findResources('AWS::ECR::Repository');
  const ids = Object.keys(repositories).filter((id) => /^ImageCacheRepository[0-9A-F]{8}$/.test(id));
  expect(ids).toHaveLength(1);
  return repositories[ids[0]];
}

function lifecycleOf(repository: any): any[] {
  return JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
}

function commands(template: Template, phase: string): string[] {
  return buildSpecOf(template).phases[phase]?.commands ?? [];
}

describe('DockerBuildToEcr: repository', () => {
  test('creates a repository scanned on push, mutable, retained, whose untagged images expire after 14 days', () => {
    // GIVEN / WHEN
    const { template } = build();
    // THEN the image repository and the cache's (DockerCache.registry() is the default)
    template.resourceCountIs('AWS::ECR::Repository', 2);
    const repository = imageRepositoryOf(template);
    expect(repository).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(repository.Properties).toMatchObject({
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'MUTABLE',
    });
    expect(repository.Properties.EncryptionConfiguration).toBeUndefined();
    expect(repository.Properties.RepositoryName).toBeUndefined();
    // Lean and bounded: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
    expect(lifecycleOf(repository)).toEqual([
      {
        rulePriority: 1,
        description: 'Expire untagged images 14 days after push',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
        action: { type: 'expire' },
      },
    ]);
  });

  test('keepUntaggedImages: no untagged rule (and no lifecycle policy without maxImageCount)', () => {
    const { template } = build({ keepUntaggedImages: true });
    expect(imageRepositoryOf(template).Properties.LifecyclePolicy).toBeUndefined();
    const counted = build({ keepUntaggedImages: true, maxImageCount: 3 });
    expect(lifecycleOf(imageRepositoryOf(counted.template)).map((r) => r.selection.tagStatus)).toEqual(['any']);
  });

  // Archive: ECR user guide, "Lifecycle policy properties" (action transition, targetStorageClass
  // archive, countType sinceImagePulled; a rule for any tag status has the highest priority) and
  // "Archiving an image" (archived images cannot be pulled; 90-day minimum).
  describe('archiveImagesNotPulledFor', () => {
    test('the default untagged rule, then the archive rule for any tag status (last)', () => {
      const { template } = build({ archiveImagesNotPulledFor: Duration.days(90) });
      expect(lifecycleOf(imageRepositoryOf(template))).toEqual([
        {
          rulePriority: 1,
          description: 'Expire untagged images 14 days after push',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Archive images not pulled for 90 days',
          selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
          action: { type: 'transition', targetStorageClass: 'archive' },
        },
      ]);
      // the cache repository is not archived: its images are superseded within a day
      expect(JSON.stringify(cacheRepositoryOf(template).Properties.LifecyclePolicy)).not.toContain('transition');
    });

    test('with keepUntaggedImages: the archive rule alone', () => {
      const { template } = build({ archiveImagesNotPulledFor: Duration.days(30), keepUntaggedImages: true });
      expect(lifecycleOf(imageRepositoryOf(template)).map((r) => r.action.type)).toEqual(['transition']);
    });

    test.each([
      [
        'with maxImageCount (whose rule would leave it no tagged image)',
        { archiveImagesNotPulledFor: Duration.days(30), maxImageCount: 10 },
        "archiveImagesNotPulledFor 30 days would archive no tagged image: maxImageCount's rule selects every tagged image",
      ],
      [
        'in hours',
        { archiveImagesNotPulledFor: Duration.hours(36) },
        'archiveImagesNotPulledFor 36 hours is not a whole number of days',
      ],
      [
        'zero days',
        { archiveImagesNotPulledFor: Duration.days(0) },
        'archiveImagesNotPulledFor 0 days is less than a day',
      ],
    ])('fails %s', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test('fails when it is a deploy-time value, or given with an existing repository', () => {
      const stack = newStack();
      const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
      expect(() => build({ archiveImagesNotPulledFor: Duration.days(days) }, stack)).toThrow(
        /archiveImagesNotPulledFor "\(a deploy-time value\)" cannot go into the repository's lifecycle policy/,
      );
      const other = newStack();
      const repository = ecr.Repository.fromRepositoryName(other, 'Existing', 'existing/app');
      expect(() => build({ repository, archiveImagesNotPulledFor: Duration.days(1) }, other)).toThrow(
        /archiveImagesNotPulledFor .* only applies to a repository this construct creates/,
      );
    });

    test('1 day is accepted (the least ECR counts)', () => {
      expect(() => build({ archiveImagesNotPulledFor: Duration.days(1) })).not.toThrow();
    });
  });

  test('fails when keepUntaggedImages is set with untaggedImageExpiration', () => {
    expect(() => build({ keepUntaggedImages: true, untaggedImageExpiration: Duration.days(3) })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: untaggedImageExpiration 3 days expires untagged images, and keepUntaggedImages keeps them: set one of the two$/,
    );
  });

  test("the cache repository: the build's own, MUTABLE, not scanned, superseded cache images expire after a day", () => {
    // GIVEN an IMMUTABLE image repository
    const { template } = build({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
    // THEN the cache still has a repository of its own, whose tag can move
    const cache = cacheRepositoryOf(template);
    expect(cache).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(cache.Properties.ImageTagMutability).toBe('MUTABLE');
    expect(cache.Properties.ImageScanningConfiguration).toBeUndefined();
    expect(cache.Properties.RepositoryName).toBeUndefined();
    expect(cache.Properties.RepositoryPolicyText).toBeUndefined();
    expect(lifecycleOf(cache)).toEqual([
      {
        rulePriority: 1,
        description: 'Expire superseded cache images 1 day after push',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep the newest 10 cache images',
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 10 },
        action: { type: 'expire' },
      },
    ]);
    expect(envOf(template).CACHE_REPOSITORY_URI).toEqual({
      'Fn::Join': [
        '',
        [
          {
            'Fn::Select': [
              4,
              { 'Fn::Split': [':', { 'Fn::GetAtt': [expect.stringMatching(/^ImageCacheRepository/), 'Arn'] }] },
            ],
          },
          '.dkr.ecr.',
          {
            'Fn::Select': [
              3,
              { 'Fn::Split': [':', { 'Fn::GetAtt': [expect.stringMatching(/^ImageCacheRepository/), 'Arn'] }] },
            ],
          },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: expect.stringMatching(/^ImageCacheRepository/) },
        ],
      ],
    });
  });

  test('who may pull the image cannot read the cache: CrossAccountPullPolicy and grantPull reach the image repository only', () => {
    // GIVEN a build whose image another account may pull, and a role of this account granted pull
    const stack = newStack();
    const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack) });
    new CrossAccountPullPolicy(stack, 'Pull', { repository: image.repository, accountIds: ['222222222222'] });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    image.grantPull(consumer);
    const template = Template.fromStack(stack);
    // THEN the image repository's policy names the account, the cache repository has none
    expect(imageRepositoryOf(template).Properties.RepositoryPolicyText).toBeDefined();
    expect(cacheRepositoryOf(template).Properties.RepositoryPolicyText).toBeUndefined();
    // and only the build role's policy names the cache repository
    const cacheArn = JSON.stringify({
      'Fn::GetAtt': [
        Object.keys(template.findResources('AWS::ECR::Repository')).find((id) => id.startsWith('ImageCacheRepository')),
        'Arn',
      ],
    });
    const naming = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes(cacheArn))
      .map(([id]) => id);
    expect(naming).toEqual([expect.stringMatching(/^ImageRoleBuildPolicy/)]);
  });

  test('no cache repository without the registry cache', () => {
    for (const cache of [DockerCache.none(), DockerCache.local()]) {
      const { template, image } = build({ cache });
      template.resourceCountIs('AWS::ECR::Repository', 1);
      expect(image.cacheRepository).toBeUndefined();
      expect(envOf(template).CACHE_REPOSITORY_URI).toBeUndefined();
    }
  });

  test("the cache repository is encrypted with the image repository's key, and follows removalPolicy", () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const { template } = build({ encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY }, stack);
    expect(cacheRepositoryOf(template)).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        EmptyOnDelete: true,
        EncryptionConfiguration: {
          EncryptionType: 'KMS',
          KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        },
      },
    });
  });

  test('logs to a log group of its own, kept two years and retained by default', () => {
    const { template, image } = build();
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 731, LogGroupName: Match.absent() },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      LogsConfig: {
        CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^ImageLogGroup') } },
      },
    });
    expect(image.logGroup).toBeDefined();
  });

  test('logRetention and removalPolicy shape the log group', () => {
    const { template } = build({ logRetention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
  });

  test('fails when maxImageCount is a deploy-time value (it would break the lifecycle policy text)', () => {
    const stack = newStack();
    const count = new CfnParameter(stack, 'Count', { type: 'Number' }).valueAsNumber;
    expect(() => build({ maxImageCount: count }, stack)).toThrow(
      /maxImageCount "\(a deploy-time value\)" cannot go into the repository's lifecycle policy.*: give maxImageCount as a literal/,
    );
  });

  test('fails when untaggedImageExpiration is a deploy-time value', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    expect(() => build({ untaggedImageExpiration: Duration.days(days) }, stack)).toThrow(
      /untaggedImageExpiration "\(a deploy-time value\)" cannot go into the repository's lifecycle policy/,
    );
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

  test('lifecycle presets: untagged expiration first, then the "any" rule counting builds (no cache image counted)', () => {
    const { template } = build({ untaggedImageExpiration: Duration.days(7), maxImageCount: 30 });
    expect(lifecycleOf(imageRepositoryOf(template))).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      }),
    ]);
  });

  test('lifecycle presets without the registry cache: the same rules', () => {
    const { template } = build({
      untaggedImageExpiration: Duration.days(7),
      maxImageCount: 30,
      cache: DockerCache.none(),
    });
    const rules = lifecycleOf(imageRepositoryOf(template));
    expect(rules.map((r: any) => [r.rulePriority, r.selection.tagStatus, r.selection.countNumber])).toEqual([
      [1, 'untagged', 7],
      [2, 'tagged', 30],
    ]);
  });

  test('lifecycle presets with two platforms: a build is an index and two images; the cache keeps two sets of tags', () => {
    const { template } = build({
      maxImageCount: 5,
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      imageTag: 'v1',
      additionalTags: [],
    });
    const rules = lifecycleOf(imageRepositoryOf(template));
    expect(rules.map((r: any) => [r.rulePriority, r.selection.tagStatus, r.selection.countNumber])).toEqual([
      [1, 'untagged', 14],
      [2, 'tagged', 5 * 3],
    ]);
    expect(lifecycleOf(cacheRepositoryOf(template))[1].selection.countNumber).toBe(2 * 10);
  });

  test('removalPolicy DESTROY deletes the repository and empties it', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    expect(imageRepositoryOf(template)).toMatchObject({
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
    // THEN only the cache repository is created
    template.resourceCountIs('AWS::ECR::Repository', 1);
    cacheRepositoryOf(template);
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
    ['keepUntaggedImages', { keepUntaggedImages: true }],
    ['imageTagMutabilityExclusionFilters', { imageTagMutabilityExclusionFilters: ['latest'] }],
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
  test('a privileged Linux project on the standard 8.0 image (the newest x86_64 one), 60 minutes, small', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        Type: 'LINUX_CONTAINER',
        Image: 'aws/codebuild/standard:8.0',
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

// CodeBuild's Docker server: CodeBuild API reference, API_DockerServer (compute types SMALL to
// 2XLARGE, at most 5 security groups, ingress on port 9876 from the project's VPC); CloudFormation:
// AWS::CodeBuild::Project Environment.DockerServer (ComputeType required, SecurityGroupIds).
describe('DockerBuildToEcr: DockerCache.dockerServer()', () => {
  test("the project's Docker server: its compute type (the project's by default), no registry cache, no LOCAL cache", () => {
    const { template, image } = build({ cache: DockerCache.dockerServer(), computeType: codebuild.ComputeType.MEDIUM });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        ComputeType: 'BUILD_GENERAL1_MEDIUM',
        PrivilegedMode: true,
        DockerServer: { ComputeType: 'BUILD_GENERAL1_MEDIUM', SecurityGroupIds: Match.absent() },
      },
      Cache: { Type: 'NO_CACHE' },
    });
    expect(image.cacheRepository).toBeUndefined();
    expect(envOf(template).CACHE_REPOSITORY_URI).toBeUndefined();
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    const [script] = commands(template, 'build');
    expect(script).toContain("Docker layer cache: CodeBuild's Docker server");
    expect(script).not.toContain('buildx create');
  });

  test('a compute type of its own, and SMALL when the project has none set', () => {
    const a = build({
      cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.X2_LARGE }),
      computeType: codebuild.ComputeType.SMALL,
    });
    a.template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { ComputeType: 'BUILD_GENERAL1_SMALL', DockerServer: { ComputeType: 'BUILD_GENERAL1_2XLARGE' } },
    });
    build({ cache: DockerCache.dockerServer() }).template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { DockerServer: { ComputeType: 'BUILD_GENERAL1_SMALL' } },
    });
  });

  test('in a VPC: a security group of its own that admits the build on TCP 9876 only', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const { template } = build({ vpc, cache: DockerCache.dockerServer() }, stack);
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const serverId = Object.keys(groups).find((id) => id.startsWith('ImageDockerServerSecurityGroup'))!;
    const projectId = Object.keys(groups).find((id) => id.startsWith('ImageProjectSecurityGroup'))!;
    expect(serverId).toBeDefined();
    expect(projectId).toBeDefined();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        DockerServer: {
          ComputeType: 'BUILD_GENERAL1_SMALL',
          SecurityGroupIds: [{ 'Fn::GetAtt': [serverId, 'GroupId'] }],
        },
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [serverId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [projectId, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 9876,
      ToPort: 9876,
    });
    expect(groups[serverId].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('in a VPC with security groups of yours: each admits the build on TCP 9876', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const mine = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const imported = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Imported', 'sg-0123456789abcdef0');
    const { template } = build({ vpc, cache: DockerCache.dockerServer({ securityGroups: [mine, imported] }) }, stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        DockerServer: {
          SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'GroupId'] }, 'sg-0123456789abcdef0'],
        },
      },
    });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r: any) => r.Properties,
    );
    expect(ingress.filter((r) => r.FromPort === 9876).map((r) => r.GroupId)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^Mine/), 'GroupId'] },
      'sg-0123456789abcdef0',
    ]);
    expect(
      Object.keys(template.findResources('AWS::EC2::SecurityGroup')).some((id) => id.includes('DockerServer')),
    ).toBe(false);
  });

  test('no unsuppressed AwsSolutions error and cfn-lint clean, in a VPC', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'docker-server-')) });
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-0123456789abcdef0'],
    });
    new DockerBuildToEcr(stack, 'Image', {
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      vpc,
      cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.LARGE }),
    });
    addNagChecks(app);
    const assembly = app.synth();
    try {
      expect(nagErrors(stack, assembly)).toEqual([]);
      const lint = cfnLint([assembly.getStackArtifact(stack.artifactId).templateFullPath]);
      expect(lint.output).toBe('');
      expect(lint.exitCode).toBe(0);
    } finally {
      fs.rmSync(assembly.directory, { recursive: true, force: true });
    }
  });

  test('a deploy-time compute type is written as given', () => {
    const stack = newStack();
    const type = new CfnParameter(stack, 'Type').valueAsString as codebuild.ComputeType;
    build({ cache: DockerCache.dockerServer({ computeType: type }) }, stack).template.hasResourceProperties(
      'AWS::CodeBuild::Project',
      { Environment: { DockerServer: { ComputeType: { Ref: 'Type' } } } },
    );
  });

  test.each([
    [
      'its compute type is not a Docker server one',
      () => ({ cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.LAMBDA_1GB }) }),
      'cache "DockerCache.dockerServer() with compute type BUILD_LAMBDA_1GB" is not a compute type of a CodeBuild Docker ' +
        'server: set DockerCache.dockerServer({ computeType }) to ComputeType.SMALL, MEDIUM, LARGE, X_LARGE or X2_LARGE',
    ],
    [
      "the project's compute type (its default) is not a Docker server one",
      () => ({ cache: DockerCache.dockerServer(), computeType: 'ATTRIBUTE_BASED_COMPUTE' as codebuild.ComputeType }),
      'cache "DockerCache.dockerServer() with compute type ATTRIBUTE_BASED_COMPUTE (the project\'s)" is not a compute type',
    ],
    [
      'it gets security groups and the project has no VPC',
      (stack: Stack) => ({
        cache: DockerCache.dockerServer({
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')],
        }),
      }),
      "sets security groups, which admit the build from the project's VPC, and the project has no vpc: set vpc, or leave securityGroups unset",
    ],
    [
      'it gets no security group',
      (stack: Stack) => ({
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }),
        cache: DockerCache.dockerServer({ securityGroups: [] }),
      }),
      'cache "DockerCache.dockerServer() with 0 security groups" is not 1-5',
    ],
    [
      'it gets 6 security groups',
      (stack: Stack) => ({
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }),
        cache: DockerCache.dockerServer({
          securityGroups: [1, 2, 3, 4, 5, 6].map((i) =>
            ec2.SecurityGroup.fromSecurityGroupId(stack, `Sg${i}`, `sg-0123456789abcdef${i}`),
          ),
        }),
      }),
      'cache "DockerCache.dockerServer() with 6 security groups" is not 1-5 (a Docker server takes at most 5)',
    ],
    [
      'it would build several platforms',
      () => ({
        cache: DockerCache.dockerServer(),
        imageTag: 'v1',
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      }),
      'cannot build 2 platforms: a project has one Docker server, of one architecture',
    ],
  ])('fails when %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => build(props(stack), stack)).toThrow(message);
  });

  test('5 security groups are accepted', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const securityGroups = [1, 2, 3, 4, 5].map((i) =>
      ec2.SecurityGroup.fromSecurityGroupId(stack, `Sg${i}`, `sg-0123456789abcdef${i}`),
    );
    expect(() => build({ vpc, cache: DockerCache.dockerServer({ securityGroups }) }, stack)).not.toThrow();
  });
});

// Layer compression: Docker docs, "Image and registry exporters" (compression=zstd needs buildx's
// image exporter; the docker driver cannot write it without the containerd image store).
describe('DockerBuildToEcr: compression', () => {
  test('gzip by default: docker push, no zstd output', () => {
    const [script] = commands(build().template, 'build');
    expect(script).not.toContain('compression=zstd');
    expect(script).toContain('docker push "$REPOSITORY_URI:$1"');
  });

  test('ZSTD on the registry cache and without a cache: pushed by buildx with zstd layers', () => {
    for (const cache of [undefined, DockerCache.none()]) {
      const [script] = commands(build({ compression: ImageCompression.ZSTD, cache }).template, 'build');
      expect(script).toContain('push=true,compression=zstd,force-compression=true,oci-mediatypes=true');
      expect(script).not.toContain('docker push "$REPOSITORY_URI:$1"');
    }
  });

  test.each([
    [
      DockerCache.local(),
      'compression "ImageCompression.ZSTD" needs a buildx builder of the build\'s own, and DockerCache.local() keeps the ' +
        "layers of the host's Docker engine, which pushes them gzip-compressed: use DockerCache.registry() (the default) or " +
        'DockerCache.none() with zstd, or ImageCompression.GZIP',
    ],
    [DockerCache.dockerServer(), "and DockerCache.dockerServer() builds on the Docker server's engine"],
  ])('fails when ZSTD meets a cache that cannot write it (%#)', (cache, message) => {
    expect(() => build({ compression: ImageCompression.ZSTD, cache })).toThrow(message);
  });

  test('fails on a compression that is not an ImageCompression (untyped JavaScript)', () => {
    expect(() => build({ compression: 'brotli' as ImageCompression })).toThrow(
      '[Stack/Image] DockerBuildToEcr: compression "brotli" is not an ImageCompression: use ImageCompression.GZIP or ImageCompression.ZSTD',
    );
  });
});

describe('DockerBuildToEcr: IAM', () => {
  /** Every identity statement: the policies' and the roles' inline policies. */
  function statements(template: Template): any[] {
    const policies = template.findResources('AWS::IAM::Policy');
    const roles = template.findResources('AWS::IAM::Role');
    return [
      ...Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement),
      ...Object.values(roles).flatMap((r: any) =>
        (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
      ),
    ];
  }

  test("one IAM policy: the construct's (BuildPolicy) holds every grant; the role's default policy only what a user adds", () => {
    // GIVEN a default build
    const stack = newStack();
    const image = new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack) });
    // WHEN the user grants the role more, after the construct
    image.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    image.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    const template = Template.fromStack(stack);
    // THEN the construct's policy and, for the user's statements, the default policy
    const policies = template.findResources('AWS::IAM::Policy');
    expect(Object.keys(policies).sort()).toEqual([
      expect.stringMatching(/^ImageRoleBuildPolicy[0-9A-F]{8}$/),
      expect.stringMatching(/^ImageRoleDefaultPolicy[0-9A-F]{8}$/),
    ]);
    const [ownId, defaultId] = Object.keys(policies).sort();
    expect(policies[defaultId].Properties.PolicyDocument.Statement).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: '*' },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: '*' },
    ]);
    // the construct's suppressions are on its policy, none on the default policy
    expect(policies[defaultId].Metadata).toBeUndefined();
    expect(policies[ownId].Metadata.cdk_nag).toBeDefined();
    // the project waits for the construct's policy
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(project.DependsOn).toEqual([ownId]);
  });

  test('a default build has one policy resource (no default policy until a user adds to it)', () => {
    const { template } = build();
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('a build secret with a key of this stack: no dependency cycle (its key policy names the role)', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SecretKey');
    const secret = new secretsmanager.Secret(stack, 'Npm', { encryptionKey: key });
    expect(() => build({ buildSecrets: { npm_token: secret } }, stack)).not.toThrow();
  });

  test('pull and push on the image and cache repository ARNs; GetAuthorizationToken alone on "*"', () => {
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
    expect(all).toContainEqual(
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ImageCacheRepository/), 'Arn'] },
      }),
    );
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

  test("logs only in the construct's own log group: no statement for CodeBuild's default group", () => {
    const { template } = build();
    const logStatements = statements(template).filter((s) => JSON.stringify(s.Action).includes('logs:'));
    expect(logStatements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ImageLogGroup/), 'Arn'] },
      },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('/aws/codebuild/');
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
    const [script] = commands(template, 'build');
    expect(commands(template, 'build')).toHaveLength(1);
    expect(script).toContain(`  docker "$@" --file 'Dockerfile' '.'\n`);
    expect(script).toContain('  local target_args=()\n');
    expect(script).toContain(`    local fixed_tags=('latest') tag\n`);
    expect(script).toContain('  elif push_tag "$BUILD_IMAGE_TAG"; then\n');
    expect(script.endsWith('\nbuild_image')).toBe(true);
  });

  test('dockerfile is relative to the build context; target and build args are quoted', () => {
    const { template } = build({
      buildContext: 'services/api',
      dockerfile: 'docker/Dockerfile.prod',
      target: 'runtime',
      buildArgs: { GO_VERSION: '1.22', NOTE: "it's $(id)" },
    });
    const [script] = commands(template, 'build');
    expect(script).toContain(
      '  docker "$@" --file \'services/api/docker/Dockerfile.prod\' ' +
        "--build-arg 'GO_VERSION=1.22' --build-arg 'NOTE=it'\\''s $(id)' 'services/api'\n",
    );
    expect(script).toContain("  local target_args=(--target 'runtime')\n");
  });

  test('no additional tags: only $IMAGE_TAG is pushed', () => {
    const { template } = build({ additionalTags: [] });
    const [script] = commands(template, 'build');
    expect(script).not.toContain('fixed_tags');
    expect(script).toContain('push_tag "$BUILD_IMAGE_TAG"');
  });

  test('several additional tags are each tagged and pushed', () => {
    const { template } = build({ imageTag: 'v2', additionalTags: ['stable', 'prod'] });
    expect(commands(template, 'build')[0]).toContain(`    local fixed_tags=('stable' 'prod') tag\n`);
  });

  test('token values reach docker through environment variables, not the command text', () => {
    const stack = newStack();
    const version = new CfnParameter(stack, 'Version').valueAsString;
    const channel = new CfnParameter(stack, 'Channel').valueAsString;
    const { template } = build({ buildArgs: { VERSION: version }, additionalTags: [channel] }, stack);
    const [script] = commands(template, 'build');
    expect(script).toContain('--build-arg \'VERSION=\'"$DOCKER_BUILD_ARG_VERSION"');
    expect(script).toContain('    local fixed_tags=("$ADDITIONAL_IMAGE_TAG_1") tag\n');
    expect(envOf(template).DOCKER_BUILD_ARG_VERSION).toEqual({ Ref: 'Version' });
    expect(envOf(template).ADDITIONAL_IMAGE_TAG_1).toEqual({ Ref: 'Channel' });
  });

  test('post_build reports the pushed URIs only when the build succeeded', () => {
    const { template } = build();
    const [report] = commands(template, 'post_build');
    expect(report).toContain('if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ]; then');
    expect(report).toContain('echo "Pushed image: $pushed"');
    expect(report).toContain('echo "Build failed: no image was pushed by this phase"');
  });

  test('runs with bash, buildspec version 0.2 as a number, and exports IMAGE_URI, IMAGE_TAG and IMAGE_DIGEST', () => {
    const { template } = build();
    expect(buildSpecOf(template).env).toEqual({
      shell: 'bash',
      'exported-variables': ['IMAGE_URI', 'IMAGE_TAG', 'IMAGE_DIGEST'],
    });
    expect(buildSpecOf(template).version).toBe(0.2);
    expect(buildSpecOf(template).artifacts).toBeUndefined();
    expect(buildSpecOf(template).batch).toBeUndefined();
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
    expect(commands(template, 'build')[0]).toContain("--file 'docker/../Dockerfile'");
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

  test('IMMUTABLE repository: no latest tag, and still the registry cache (its tag moves in the cache repository)', () => {
    const { template } = build({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
    const [script] = commands(template, 'build');
    expect(script).not.toContain('fixed_tags');
    expect(script).toContain(`CACHE_REF="$CACHE_REPOSITORY_URI:"'buildcache'`);
    expect(script).toContain('already exists in this IMMUTABLE repository');
    template.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'NO_CACHE' } });
    expect(cacheRepositoryOf(template).Properties.ImageTagMutability).toBe('MUTABLE');
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

  // Tag mutability exclusion filters: ECR API reference, API_ImageTagMutabilityExclusionFilter and
  // the AWS::ECR::Repository schema (ImageTagMutability *_WITH_EXCLUSION, 1-5 WILDCARD filters).
  describe('tag mutability exclusion filters', () => {
    test('IMMUTABLE with latest excluded: commit tags immutable, latest moves again (the default tag)', () => {
      const { template } = build({
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageTagMutabilityExclusionFilters: ['latest'],
      });
      expect(imageRepositoryOf(template).Properties).toEqual(
        expect.objectContaining({
          ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          ImageTagMutabilityExclusionFilters: [
            { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
          ],
        }),
      );
      const [script] = commands(template, 'build');
      expect(script).toContain(`local fixed_tags=('latest') tag`);
      // latest follows a kept image of its commit (the ECR API), only where the repository can keep one
      expect(script).toContain('retag_existing() {');
      expect(commands(build().template, 'build')[0]).not.toContain('retag_existing');
      // the commit tag is never moved: a rebuild of the same commit keeps its image
      expect(script).toContain('already exists in this IMMUTABLE repository');
      // and the registry cache, in its own MUTABLE repository
      expect(script).toContain(`CACHE_REF="$CACHE_REPOSITORY_URI:"'buildcache'`);
      expect(cacheRepositoryOf(template).Properties.ImageTagMutability).toBe('MUTABLE');
    });

    test('IMMUTABLE with wildcard filters: additional tags and a fixed imageTag they cover are accepted', () => {
      const { template } = build({
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageTagMutabilityExclusionFilters: ['latest', 'stable-*', 'nightly'],
        imageTag: 'nightly',
        additionalTags: ['latest', 'stable-eu'],
      });
      expect(imageRepositoryOf(template).Properties.ImageTagMutabilityExclusionFilters).toHaveLength(3);
    });

    test('MUTABLE with filters: MUTABLE_WITH_EXCLUSION, matching tags immutable', () => {
      const { template } = build({ imageTagMutabilityExclusionFilters: ['v*'] });
      expect(imageRepositoryOf(template).Properties.ImageTagMutability).toBe('MUTABLE_WITH_EXCLUSION');
      // commit tags stay movable: no IMMUTABLE branch in the push
      expect(commands(template, 'build')[0]).not.toContain('already exists in this IMMUTABLE repository');
    });

    test('without filters the repository has no exclusion property', () => {
      const { template } = build({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
      expect(imageRepositoryOf(template).Properties.ImageTagMutabilityExclusionFilters).toBeUndefined();
      expect(imageRepositoryOf(template).Properties.ImageTagMutability).toBe('IMMUTABLE');
    });

    test('fails when an additional tag is not covered by a filter of an IMMUTABLE repository', () => {
      expect(() =>
        build({
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageTagMutabilityExclusionFilters: ['latest'],
          additionalTags: ['latest', 'stable'],
        }),
      ).toThrow(
        '[Stack/Image] DockerBuildToEcr: additionalTags "stable" is a fixed tag that every build pushes again, and no ' +
          'imageTagMutabilityExclusionFilters filter (["latest"]) keeps it movable in this IMMUTABLE repository: leave ' +
          'imageTag unset (a tag per commit) and additionalTags empty, add a filter that matches it ' +
          '(imageTagMutabilityExclusionFilters: ["stable"]), or use TagMutability.MUTABLE',
      );
    });

    test('a filter of a MUTABLE repository that makes latest immutable: no default latest; asked for, an error', () => {
      const { template } = build({ imageTagMutabilityExclusionFilters: ['lat*'] });
      expect(commands(template, 'build')[0]).not.toContain('fixed_tags');
      expect(() => build({ imageTagMutabilityExclusionFilters: ['lat*'], additionalTags: ['latest'] })).toThrow(
        'additionalTags "latest" is a fixed tag that every build pushes again, and the imageTagMutabilityExclusionFilters ' +
          '["lat*"] make it immutable, so ECR refuses it after the first build: remove the filter that matches it, or leave the tag out',
      );
    });

    test('fails when a fixed multi-platform imageTag is covered but its per-platform tags are not', () => {
      expect(() =>
        build({
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageTagMutabilityExclusionFilters: ['edge'],
          imageTag: 'edge',
          additionalTags: [],
          platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        }),
      ).toThrow(
        'imageTag "edge" is fixed, so every build pushes the per-platform tag "edge-amd64" again, which this ' +
          "repository's tag mutability refuses after the first build: add an imageTagMutabilityExclusionFilters filter " +
          'that covers the per-platform tags too (e.g. "edge*"), or leave imageTag unset',
      );
      expect(() =>
        build({
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageTagMutabilityExclusionFilters: ['edge*'],
          imageTag: 'edge',
          additionalTags: [],
          platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        }),
      ).not.toThrow();
    });

    test('fails on a filter ECR refuses (the shared validation, with the construct path)', () => {
      expect(() => build({ imageTagMutabilityExclusionFilters: ['release/*'] })).toThrow(
        '[Stack/Image] DockerBuildToEcr: imageTagMutabilityExclusionFilters "release/*" is not an ECR tag filter',
      );
    });

    test('tokens: a filter given at deploy time is written, and fixed tags it might cover are not refused', () => {
      const stack = newStack();
      const filter = new CfnParameter(stack, 'Filter').valueAsString;
      const { template } = build(
        {
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageTagMutabilityExclusionFilters: [filter],
          additionalTags: ['latest'],
        },
        stack,
      );
      expect(imageRepositoryOf(template).Properties.ImageTagMutabilityExclusionFilters).toEqual([
        {
          ImageTagMutabilityExclusionFilterType: 'WILDCARD',
          ImageTagMutabilityExclusionFilterValue: { Ref: 'Filter' },
        },
      ]);
    });
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
      'AWS::ECR::Repository ImageCacheRepository0477EF3A',
      'AWS::ECR::Repository ImageRepositoryD8036990',
      'AWS::IAM::Policy ImageRoleBuildPolicyBA907C9E',
      'AWS::IAM::Role ImageRole1BFBDE6E',
      'AWS::Logs::LogGroup ImageLogGroup6EB105D4',
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

describe('DockerBuildToEcr: cache, platforms, secrets (issue 11)', () => {
  const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;

  /** The statements of every policy attached to the build role (its default policy, EcrPolicy, SourcePolicy). */
  /** The statements of the build role: its inline policy and any policy attached to it. */
  function policyStatements(template: Template): any[] {
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ImageRole') }] },
      }),
    );
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('ImageRole'));
    return [
      ...policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement),
      ...roles.flatMap(([, role]) => (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
    ];
  }

  test('DockerCache.local() turns on CodeBuild LOCAL Docker layer cache; registry and none do not', () => {
    build({ cache: DockerCache.local() }).template.hasResourceProperties('AWS::CodeBuild::Project', {
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
    });
    for (const cache of [undefined, DockerCache.none(), DockerCache.registry()]) {
      build({ cache }).template.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'NO_CACHE' } });
    }
  });

  test('DockerCache.registry({ tag }) names the cache tag, in the cache repository; the image repository counts no cache image', () => {
    const { template } = build({ cache: DockerCache.registry({ tag: 'layers' }), maxImageCount: 10 });
    expect(commands(template, 'build')[0]).toContain(`CACHE_REF="$CACHE_REPOSITORY_URI:"'layers'`);
    expect(JSON.stringify(lifecycleOf(imageRepositoryOf(template)))).not.toContain('layers');
    expect(lifecycleOf(imageRepositoryOf(template))[1].selection.countNumber).toBe(10);
  });

  test('an image tag may start with the cache tag: they are in different repositories', () => {
    expect(() => build({ additionalTags: ['buildcache-x'] })).not.toThrow();
  });

  test('buildSecrets: SECRETS_MANAGER variables, read on those secrets only (and decrypt with their key)', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SecretKey');
    const npm = new secretsmanager.Secret(stack, 'Npm', { encryptionKey: key });
    const pip = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Pip', secretArn('pip'));
    const { template } = build({ buildSecrets: { npm_token: npm, 'pip.conf': pip } }, stack);
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    const vars = project.Properties.Environment.EnvironmentVariables.filter((v: any) =>
      v.Name.startsWith('BUILD_SECRET_'),
    );
    expect(vars).toEqual(
      [
        { Name: 'BUILD_SECRET_1', Type: 'SECRETS_MANAGER', Value: { Ref: Match.anyValue() } },
        { Name: 'BUILD_SECRET_2', Type: 'SECRETS_MANAGER', Value: secretArn('pip') },
      ].map((v) => expect.objectContaining({ Name: v.Name, Type: v.Type })),
    );
    expect(commands(template, 'build')[0]).toContain(
      `--secret 'id=npm_token,env=BUILD_SECRET_1' --secret 'id=pip.conf,env=BUILD_SECRET_2'`,
    );
    const statements = policyStatements(template);
    const secretActions = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    for (const statement of secretActions) {
      expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
    }
    const resources = JSON.stringify(secretActions.map((s) => s.Resource));
    expect(resources).toContain(stack.resolve(npm.secretArn).Ref);
    expect(resources).toContain('secret:pip');
    // the secret's own key lets the role decrypt (a grant in the key policy of this stack's key)
    const [keyResource] = Object.values(template.findResources('AWS::KMS::Key'));
    const keyStatements = JSON.stringify(keyResource.Properties.KeyPolicy.Statement);
    expect(keyStatements).toMatch(/"kms:Decrypt".*ImageRole|ImageRole.*"kms:Decrypt"/);
  });

  test('buildSecrets and dockerHubCredentials imported by ARN, of this or another account: read on exactly those secrets, no wildcard', () => {
    // Secrets Manager user guide, "Resource-based policies / ARN": a secret's full ARN ends with a
    // 6-character suffix; `<full ARN>*` also matches every secret whose name starts with that ARN's name.
    const stack = newStack();
    const own = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Own', secretArn('npm'));
    const other = secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Other',
      'arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared/token-AbCdEf',
    );
    const hub = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hub', secretArn('hub'));
    const { template } = build({ buildSecrets: { npm_token: own, shared: other }, dockerHubCredentials: hub }, stack);
    const statements = policyStatements(template);
    const secretResources = statements
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'))
      .flatMap((s) => [s.Resource].flat());
    expect(new Set(secretResources.map((r) => JSON.stringify(r)))).toEqual(
      new Set(
        [
          secretArn('npm'),
          'arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared/token-AbCdEf',
          secretArn('hub'),
        ].map((r) => JSON.stringify(r)),
      ),
    );
    // aws-cdk-lib's Project would add kms:Decrypt on key/* of the other account for a literal ARN.
    expect(JSON.stringify(statements)).not.toContain('key/*');
    // The variables still carry the ARNs (and the Docker Hub JSON keys).
    const env = envOf(template);
    expect(Object.values(env)).toEqual(
      expect.arrayContaining([secretArn('npm'), `${secretArn('hub')}:username`, `${secretArn('hub')}:password`]),
    );
  });

  // Secrets Manager is regional; CodeBuild reads SECRETS_MANAGER variables in the project's region.
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
  test.each([
    [
      'buildSecrets.npm_token',
      (s: Stack) => ({
        buildSecrets: {
          npm_token: secretsmanager.Secret.fromSecretCompleteArn(
            s,
            'X',
            'arn:aws:secretsmanager:us-east-1:111111111111:secret:npm-AbCdEf',
          ),
        },
      }),
    ],
    [
      'dockerHubCredentials',
      (s: Stack) => ({
        dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(
          s,
          'X',
          'arn:aws:secretsmanager:us-east-1:111111111111:secret:hub-AbCdEf',
        ),
      }),
    ],
  ])('fails when %s is a secret of another region', (prop, props) => {
    const stack = newStack();
    expect(() => build(props(stack), stack)).toThrow(
      new RegExp(
        `^\\[Stack/Image\\] DockerBuildToEcr: ${prop.replace('.', '\\.')} "arn:aws:secretsmanager:us-east-1:111111111111:secret:\\w+-AbCdEf" is a secret of region us-east-1, and CodeBuild reads build secrets in the project's region eu-west-1: replicate the secret to eu-west-1`,
      ),
    );
  });

  test('a secret imported by name: read on that secret only (name-??????, no name*)', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'team/token');
    const { template } = build({ buildSecrets: { token: secret } }, stack);
    const resources = JSON.stringify(
      policyStatements(template)
        .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'))
        .map((s) => s.Resource),
    );
    expect(resources).toContain('secret:team/token-??????');
    expect(resources).not.toContain('team/token*');
    expect(resources).not.toMatch(/secret:team\/token\*|key\/\*/);
  });

  test('dockerHubCredentials: username and password from the secret JSON, login before the build', () => {
    const { template } = build({
      dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(newStack(), 'Hub', secretArn('hub')),
    });
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    const vars = project.Properties.Environment.EnvironmentVariables;
    expect(vars).toEqual(
      expect.arrayContaining([
        { Name: 'DOCKERHUB_USERNAME', Type: 'SECRETS_MANAGER', Value: `${secretArn('hub')}:username` },
        { Name: 'DOCKERHUB_PASSWORD', Type: 'SECRETS_MANAGER', Value: `${secretArn('hub')}:password` },
      ]),
    );
    expect(commands(template, 'pre_build').pop()).toContain(
      `printf '%s' "$DOCKERHUB_PASSWORD" | docker login --username "$DOCKERHUB_USERNAME" --password-stdin`,
    );
  });

  test('one platform: built with --platform on an image of that architecture', () => {
    const { template } = build({ platforms: [ImagePlatform.LINUX_ARM64] });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux-aarch64-standard:4.0' },
      BuildBatchConfig: Match.absent(),
    });
    expect(commands(template, 'build')[0]).toContain("--platform 'linux/arm64'");
  });

  test('several platforms: a batch build project (service role of its own) with the build graph', () => {
    const { template } = build({ platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64], imageTag: 'v1' });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:8.0' },
      BuildBatchConfig: { ServiceRole: Match.anyValue() },
    });
    expect(buildSpecOf(template).batch['build-graph'].map((b: any) => b.identifier)).toEqual([
      'image_linux_amd64',
      'image_linux_arm64',
      'manifest',
    ]);
  });

  test('several platforms on an ARM project image: amd64 gets the standard x86-64 image', () => {
    const { template } = build({
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      imageTag: 'v1',
      buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
    });
    const graph = buildSpecOf(template).batch['build-graph'];
    expect(graph[0].env).toEqual(
      expect.objectContaining({ type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:8.0' }),
    );
    expect(graph[1].env.image).toBeUndefined();
  });

  test('several platforms, IMMUTABLE: the role may describe images of this repository only', () => {
    const { template } = build({
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
    });
    const describe = policyStatements(template).find((s) => JSON.stringify(s.Action).includes('ecr:DescribeImages'));
    expect(describe.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ImageRepository/), 'Arn'] });
  });

  test('releaseBranch and imageDefinitionsContainerName reach the buildspec', () => {
    const { template } = build({
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      releaseBranch: 'release/2.x',
      imageDefinitionsContainerName: 'web',
    });
    expect(commands(template, 'pre_build')[1]).toContain(`RELEASE_BRANCH='release/2.x'`);
    expect(commands(template, 'post_build')[1]).toContain(
      `printf '[{"name":"%s","imageUri":"%s"}]\\n' 'web' "$IMAGE_URI"`,
    );
    expect(buildSpecOf(template).artifacts).toEqual({ files: ['imagedefinitions.json', 'imageDetail.json'] });
  });

  test.each<[string, () => Partial<DockerBuildToEcrProps>, string]>([
    [
      'the cache tag is not a tag',
      () => ({ cache: DockerCache.registry({ tag: 'no good' }) }),
      'cache "no good" is not a valid tag',
    ],
    [
      'the cache tag is too long',
      () => ({ cache: DockerCache.registry({ tag: 'c'.repeat(120) }) }),
      'is too long for a cache tag',
    ],
    ['platforms is empty', () => ({ platforms: [] }), 'platforms [] is empty: leave platforms unset'],
    [
      'a platform is listed twice',
      () => ({ platforms: [ImagePlatform.LINUX_ARM64, ImagePlatform.LINUX_ARM64], imageTag: 'v1' }),
      'platforms "linux/arm64" is listed twice',
    ],
    [
      'one platform does not match the build image',
      () => ({ platforms: [ImagePlatform.LINUX_ARM64], buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 }),
      'needs a build image of that architecture',
    ],
    [
      'several platforms build an S3 source without imageTag',
      () => ({ platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64] }),
      'platforms "(2 platforms)" build as a batch, whose builds need a tag they all compute alike, and an S3 source has no commit',
    ],
    [
      'several platforms leave no room for the arch suffix',
      () => ({ platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64], imageTag: 'v'.repeat(125) }),
      'leaves no room for the "-<arch>" suffix',
    ],
    [
      'a build secret id is not valid',
      () => ({ buildSecrets: { 'a,b': secretsmanager.Secret.fromSecretCompleteArn(newStack(), 'S', secretArn('s')) } }),
      'buildSecrets "a,b" is not a valid secret id',
    ],
    [
      'releaseBranch is given for an S3 source',
      () => ({ releaseBranch: 'main' }),
      'releaseBranch "main" needs a repository source',
    ],
    [
      'releaseBranch is a ref, not a branch name',
      () => ({ releaseBranch: 'refs/heads/main', source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }) }),
      'releaseBranch "refs/heads/main" is not a branch name',
    ],
    [
      'the container name is not valid',
      () => ({ imageDefinitionsContainerName: 'my container' }),
      'imageDefinitionsContainerName "my container" is not a valid ECS container name',
    ],
    [
      'an environment variable the build exports is set',
      () => ({ environmentVariables: { IMAGE_DIGEST: { value: 'x' } } }),
      'environmentVariables "IMAGE_DIGEST" is set by DockerBuildToEcr',
    ],
    [
      'an environment variable of the build secrets is set',
      () => ({ environmentVariables: { BUILD_SECRET_1: { value: 'x' } } }),
      'environmentVariables "BUILD_SECRET_1" is reserved',
    ],
  ])('fails when %s', (_name, props, message) => {
    expect(() => build(props())).toThrow(message);
  });

  test('no unsuppressed AwsSolutions error and cfn-lint clean with every capability', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'caps-')) });
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DockerBuildToEcr(stack, 'Image', {
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      cache: DockerCache.registry(),
      buildSecrets: { npm_token: new secretsmanager.Secret(stack, 'Npm') },
      dockerHubCredentials: new secretsmanager.Secret(stack, 'Hub'),
      releaseBranch: 'main',
      imageDefinitionsContainerName: 'web',
      maxImageCount: 20,
      untaggedImageExpiration: Duration.days(7),
      // commit tags immutable, latest moves (IMMUTABLE_WITH_EXCLUSION)
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest'],
      compression: ImageCompression.ZSTD,
      // a batch project: an EventBridge Scheduler schedule and its role
      rebuildSchedule: events.Schedule.rate(Duration.days(7)),
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    addNagChecks(app);
    const assembly = app.synth();
    try {
      // (the two secrets are the test's own: their rotation finding is not the library's)
      expect(nagErrors(stack, assembly).filter((e) => !/\/(Npm|Hub)\//.test(e))).toEqual([]);
      const lint = cfnLint([assembly.getStackArtifact(stack.artifactId).templateFullPath]);
      expect(lint.output).toBe('');
      expect(lint.exitCode).toBe(0);
    } finally {
      fs.rmSync(assembly.directory, { recursive: true, force: true });
    }
  });
});
