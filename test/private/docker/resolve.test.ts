import { App, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CacheKind } from '../../../src/private/docker/cache';
import { DockerBuildInputs } from '../../../src/private/docker/inputs';
import { resolveDockerBuild } from '../../../src/private/docker/resolve';

/** The construct whose props are resolved: only its path and class name reach the messages. */
class Image extends Construct {}

function resolve(props: Partial<DockerBuildInputs> = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const scope = new Image(stack, 'Image');
  const source = codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Sources', 'sources'), path: 'a.zip' });
  return { stack, inputs: resolveDockerBuild(scope, { source, ...props }) };
}

describe('resolveDockerBuild', () => {
  test('applies the defaults: a new retained MUTABLE repository, latest, the registry cache, 1 hour', () => {
    const { inputs } = resolve();
    expect(inputs.repository).toBeUndefined();
    expect(inputs.newRepository).toEqual({
      repositoryName: undefined,
      tagMutability: expect.objectContaining({ mutability: 'MUTABLE', immutableByDefault: false, filters: [] }),
      encryptionKey: undefined,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycle: {
        maxImageCount: undefined,
        untaggedImageExpiration: Duration.days(14),
        platformCount: 1,
      },
    });
    expect(inputs.cacheRepository).toEqual({
      encryptionKey: undefined,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycle: { platformCount: 1 },
    });
    expect(inputs.logGroup).toEqual({ retention: logs.RetentionDays.TWO_YEARS, removalPolicy: RemovalPolicy.RETAIN });
    expect(inputs.buildSpec).toMatchObject({
      dockerfile: 'Dockerfile',
      buildContext: '.',
      buildArgs: {},
      additionalTags: ['latest'],
      cache: { kind: CacheKind.REGISTRY, tag: 'buildcache' },
      imageTagFixed: false,
      immutable: false,
    });
    expect(inputs.fixedTag).toBe('latest');
    expect(inputs.imageTagVariable).toBe('');
    expect(inputs.timeout.toMinutes()).toBe(60);
    expect(inputs.computeType).toBe(codebuild.ComputeType.SMALL);
    expect(inputs.projectImage.imageId).toBe('aws/codebuild/standard:8.0');
    expect(inputs.deployBuild).toBeUndefined();
    expect(inputs.warnings).toEqual([]);
  });

  test('an IMMUTABLE repository: no additional tag, still the registry cache (in its own, MUTABLE repository)', () => {
    const { inputs } = resolve({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
    expect(inputs.immutable).toBe(true);
    expect(inputs.buildSpec.additionalTags).toEqual([]);
    expect(inputs.cache).toEqual({ kind: CacheKind.REGISTRY, tag: 'buildcache' });
    expect(inputs.cacheRepository).toBeDefined();
    expect(inputs.fixedTag).toBeUndefined();
  });

  test('returns the warnings in order instead of emitting them', () => {
    const { stack, inputs } = resolve({
      repository: ecr.Repository.fromRepositoryArn(
        new Construct(new Stack(), 'Other'),
        'Repo',
        'arn:aws:ecr:eu-west-1:222222222222:repository/shared/app',
      ),
      buildOnDeploy: true,
      timeout: Duration.hours(2),
    });
    expect(inputs.warnings.map((w) => w.id)).toEqual(['crossAccountRepository', 'buildOnDeployTimeout']);
    expect(inputs.deployBuild).toEqual({ projectTimeoutMinutes: 120, sourceVersion: undefined });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('skips tokens and passes them on', () => {
    const tag = Token.asString({ Ref: 'Tag' });
    const { inputs } = resolve({ imageTag: tag, additionalTags: [] });
    expect(inputs.imageTagVariable).toBe(tag);
    expect(inputs.fixedTag).toBe(tag);
    expect(inputs.buildSpec.imageTagFixed).toBe(true);
  });

  test('fails with the construct path and class in the message', () => {
    expect(() => resolve({ target: 'not a stage' })).toThrow(
      '[Stack/Image] Image: target "not a stage" is not a valid stage name: use the name after "AS" in a FROM line of the Dockerfile',
    );
  });
});
