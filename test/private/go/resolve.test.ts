import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BuilderImage } from '../../../src/builder-image';
import { cgoWarnings } from '../../../src/private/go/cgo';
import { GoSampleBuildInputs, resolveGoSampleBuild } from '../../../src/private/go/resolve';

/** The construct whose props are resolved: only its path and class name reach the messages. */
class Go extends Construct {}

function resolve(props: Partial<GoSampleBuildInputs> = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const scope = new Go(stack, 'Go');
  const source = codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Sources', 'sources'), path: 'a.zip' });
  return { stack, inputs: resolveGoSampleBuild(scope, { source, ...props }) };
}

describe('resolveGoSampleBuild', () => {
  test('applies the defaults: the default curated Go, go vet and tests, hello, two years of logs', () => {
    const { inputs } = resolve();
    expect(inputs.buildSpec).toEqual({
      goVersion: BuilderImage.DEFAULT_GO_VERSION,
      runGoVet: true,
      runGoTests: true,
      mainPackage: '.',
      binaryName: 'hello',
      cgoEnabled: false,
      goos: undefined,
      goarch: undefined,
    });
    expect(inputs.artifactName).toBe('GoOutputArtifact.zip');
    expect(inputs.image.pull).toBe(codebuild.ImagePullPrincipalType.CODEBUILD);
    expect(inputs.image.repository).toBeUndefined();
    expect(inputs.logRetention).toBe(logs.RetentionDays.TWO_YEARS);
    expect(inputs.timeout.toMinutes()).toBe(60);
    expect(inputs.warnings).toEqual([]);
  });

  test('a repository of this stack is pulled with CODEBUILD credentials, another account with the role', () => {
    const { stack } = resolve();
    const own = new ecr.Repository(stack, 'Own');
    const other = ecr.Repository.fromRepositoryArn(stack, 'Other', 'arn:aws:ecr:eu-west-1:222222222222:repository/go');
    const scope = new Go(stack, 'Go2');
    const source = codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(stack, 'S2', 'sources'), path: 'a.zip' });
    const pullOf = (repository: ecr.IRepository) =>
      resolveGoSampleBuild(scope, { source, builderImage: BuilderImage.fromEcrRepository(repository, 'v1') }).image;
    expect(pullOf(own).pull).toBe(codebuild.ImagePullPrincipalType.CODEBUILD);
    expect(pullOf(own).repository).toBe(own);
    expect(pullOf(other).pull).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
  });

  test('fails with the construct path and class in the message', () => {
    expect(() => resolve({ binaryName: 'bin/hello' })).toThrow(
      /^\[Stack\/Go\] Go: binaryName "bin\/hello" contains a path separator/,
    );
  });
});

describe('cgoWarnings', () => {
  test('returns the warnings without a construct', () => {
    expect(cgoWarnings(true, 'windows', undefined, 'amd64').map((w) => w.id)).toEqual(['cgoCrossCompile']);
    expect(cgoWarnings(false, 'ios', 'arm64', 'amd64').map((w) => w.id)).toEqual(['cgoRequired']);
    expect(cgoWarnings(false, undefined, undefined, 'amd64')).toEqual([]);
  });
});
