import { CfnOutput, Duration, Fn } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { parameter, PARAMETER_RULES } from './parameters';
import { AccessLevel } from '../../access-level';
import { BuilderImage } from '../../builder-image';
import { CrossAccountPullPolicy } from '../../cross-account-pull-policy';
import { DockerBuildToEcr } from '../../docker-build-to-ecr';
import { GoSampleBuild } from '../../go-sample-build';
import { grantCacheRepositories, ownRegistryPrefix } from '../registry/grants';

/** An S3 zip source from two parameters (bucket and key), the way the seeds pass sources. */
function s3Source(scope: Construct, what: string): codebuild.ISource {
  const bucket = parameter(scope, 'SourceBucket', PARAMETER_RULES.bucketName, `S3 bucket of the ${what} source zip`);
  const key = parameter(scope, 'SourceKey', PARAMETER_RULES.objectKey, `S3 object key of the ${what} source zip`);
  return codebuild.Source.s3({
    bucket: s3.Bucket.fromBucketName(scope, 'SourceBucketRef', bucket.valueAsString),
    path: key.valueAsString,
  });
}

/** The DockerBuildToEcr product: a repository and a CodeBuild project that builds the zip's Dockerfile. */
export function buildDockerBuildToEcrProduct(
  scope: Construct,
  lifecycle: { maxImageCount: number; untaggedImageExpiration: Duration },
  pullThroughCachePrefix: string | undefined,
): void {
  const source = s3Source(scope, 'Docker build');
  const repositoryName = parameter(
    scope,
    'RepositoryName',
    PARAMETER_RULES.repositoryName,
    'Name of the ECR repository created for the image (retained when the product is terminated)',
  );
  const dockerfile = parameter(
    scope,
    'Dockerfile',
    PARAMETER_RULES.relativePath,
    'Dockerfile path, relative to the build context',
    'Dockerfile',
  );
  const buildContext = parameter(
    scope,
    'BuildContext',
    PARAMETER_RULES.relativePath,
    'Build context, relative to the root of the source zip',
    '.',
  );
  const build = new DockerBuildToEcr(scope, 'Build', {
    source,
    repositoryName: repositoryName.valueAsString,
    dockerfile: dockerfile.valueAsString,
    buildContext: buildContext.valueAsString,
    // Literals, not parameters: ecr.Repository writes lifecycle rules into the policy text at synth,
    // and a parameter in them would be written as the text of a reference.
    maxImageCount: lifecycle.maxImageCount,
    untaggedImageExpiration: lifecycle.untaggedImageExpiration,
    // The cache of the account the product is launched in (same account and region as the build).
    buildArgs: pullThroughCachePrefix ? { BASE_REGISTRY: ownRegistryPrefix(pullThroughCachePrefix) } : undefined,
  });
  if (pullThroughCachePrefix) {
    grantCacheRepositories(build, pullThroughCachePrefix);
  }
  new CfnOutput(scope, 'RepositoryUri', {
    value: build.repository.repositoryUri,
    description: 'ECR repository of the image',
  });
  new CfnOutput(scope, 'ProjectName', {
    value: build.project.projectName,
    description: 'CodeBuild project that builds the image',
  });
}

/** The CrossAccountPullPolicy product: statements in the policy of an existing repository. */
export function buildCrossAccountPullPolicyProduct(scope: Construct, accessLevel: AccessLevel): void {
  const repositoryName = parameter(
    scope,
    'RepositoryName',
    PARAMETER_RULES.repositoryName,
    'Name of an existing ECR repository in this account and region',
  );
  const accountIds = parameter(
    scope,
    'AccountIds',
    PARAMETER_RULES.accountIds,
    `Accounts that may ${accessLevel === AccessLevel.PULL_PUSH ? 'pull and push' : 'pull'} the images (12 digits each, separated by commas)`,
  );
  const repository = ecr.Repository.fromRepositoryName(scope, 'Repository', repositoryName.valueAsString);
  // Each launch is a stack of its own: the handler owns its statements by stack id and logical id,
  // so several launches can share one repository.
  new CrossAccountPullPolicy(scope, 'Sharing', {
    repository,
    accountIds: accountIds.valueAsList,
    accessLevel,
  });
  new CfnOutput(scope, 'RepositoryArn', {
    value: repository.repositoryArn,
    description: 'The repository whose policy lets the accounts in',
  });
}

/** The GoSampleBuild product: a CodeBuild project that builds the Go module of the zip. */
export function buildGoSampleBuildProduct(scope: Construct, goVersion: string): void {
  const source = s3Source(scope, 'Go module');
  const mainPackage = parameter(
    scope,
    'MainPackage',
    PARAMETER_RULES.mainPackage,
    'Main package directory, relative to the root of the module',
    '.',
  );
  const binaryName = parameter(scope, 'BinaryName', PARAMETER_RULES.fileName, 'File name of the binary', 'hello');
  const platform = parameter(
    scope,
    'TargetPlatform',
    PARAMETER_RULES.goPlatform,
    'GOOS/GOARCH the binary is built for',
    'linux/amd64',
  );
  const build = new GoSampleBuild(scope, 'Build', {
    source,
    builderImage: BuilderImage.curated(goVersion),
    mainPackage: mainPackage.valueAsString,
    binaryName: binaryName.valueAsString,
    goos: Fn.select(0, Fn.split('/', platform.valueAsString)),
    goarch: Fn.select(1, Fn.split('/', platform.valueAsString)),
  });
  new CfnOutput(scope, 'ArtifactsBucketName', {
    value: build.artifactsBucket.bucketName,
    description: 'Bucket that receives the zipped binary',
  });
  new CfnOutput(scope, 'ProjectName', {
    value: build.project.projectName,
    description: 'CodeBuild project of the Go build',
  });
}
