import { Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { GoBuildSpecInput } from './buildspec';
import { cgoWarnings } from './cgo';
import { validateFileName, validateMainPackage, validateTarget } from './validation';
import { BuilderImage } from '../../builder-image';
import { AccountRelation, compareAccounts } from '../shared/accounts';
import { MAX_TIMEOUT_MINUTES, MIN_TIMEOUT_MINUTES, validateComputeType } from '../shared/build-project';
import { propError, Warning } from '../shared/errors';
import { validateMinutes } from '../shared/validation';

/**
 * What GoSampleBuild's props hold, as {@link resolveGoSampleBuild} reads them. `GoSampleBuildProps`
 * satisfies this structurally, so that no private module imports the construct's file.
 */
export interface GoSampleBuildInputs {
  readonly source: codebuild.ISource;
  readonly builderImage?: BuilderImage;
  readonly runGoVet?: boolean;
  readonly runGoTests?: boolean;
  readonly mainPackage?: string;
  readonly binaryName?: string;
  readonly cgoEnabled?: boolean;
  readonly goos?: string;
  readonly goarch?: string;
  readonly artifactName?: string;
  readonly artifactsBucket?: s3.IBucket;
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  readonly computeType?: codebuild.ComputeType;
  readonly timeout?: Duration;
}

/** GoSampleBuild's props, validated, with the defaults applied. */
export interface ResolvedGoSampleBuild {
  readonly source: codebuild.ISource;
  /** The input of `goBuildSpec` (`buildspec.ts`). */
  readonly buildSpec: GoBuildSpecInput;
  readonly artifactName: string;
  /** The build image and who pulls it; `repository` for a custom image (`BuilderImage.fromEcrRepository`). */
  readonly image: {
    readonly buildImage: codebuild.IBuildImage;
    readonly pull: codebuild.ImagePullPrincipalType;
    readonly repository?: ecr.IRepository;
  };
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly artifactsBucket?: s3.IBucket;
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly computeType: codebuild.ComputeType;
  readonly timeout: Duration;
  /** Warnings for the construct to emit, in order. */
  readonly warnings: Warning[];
}

/**
 * The one validation path of GoSampleBuild: every check of its props in the order their errors are
 * reported (program, target, project, artifacts, builder image), the defaults, and the build image
 * with its pull credentials. Creates nothing.
 */
export function resolveGoSampleBuild(scope: IConstruct, props: GoSampleBuildInputs): ResolvedGoSampleBuild {
  const builderImage = props.builderImage ?? BuilderImage.curated(BuilderImage.DEFAULT_GO_VERSION);
  const mainPackage = props.mainPackage ?? '.';
  const binaryName = props.binaryName ?? 'hello';
  const artifactName = props.artifactName ?? 'GoOutputArtifact.zip';
  const cgoEnabled = props.cgoEnabled ?? false;
  validateMainPackage(scope, mainPackage);
  validateFileName(scope, 'binaryName', binaryName, 'the binary', 'e.g. "hello"');
  validateFileName(scope, 'artifactName', artifactName, 'the ZIP artifact', 'e.g. "GoOutputArtifact.zip"');
  validateTarget(scope, props.goos, props.goarch, builderArch(builderImage));
  validateMinutes(scope, 'timeout', props.timeout, MIN_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES);
  validateComputeType(scope, props.computeType, 'runs no CodeBuild standard image and no runtime-versions');
  const warnings = cgoWarnings(cgoEnabled, props.goos, props.goarch, builderArch(builderImage));
  if (props.artifactsBucket !== undefined && props.serverAccessLogsBucket !== undefined) {
    throw propError(
      scope,
      'serverAccessLogsBucket',
      '(set)',
      'only applies to the artifacts bucket this construct creates, and artifactsBucket is given',
      'configure access logging on your bucket itself, or remove serverAccessLogsBucket',
    );
  }
  return {
    source: props.source,
    buildSpec: {
      goVersion: builderImage.goVersion,
      runGoVet: props.runGoVet ?? true,
      runGoTests: props.runGoTests ?? true,
      mainPackage,
      binaryName,
      cgoEnabled,
      goos: props.goos,
      goarch: props.goarch,
    },
    artifactName,
    image: resolveImage(scope, builderImage),
    encryptionKey: props.encryptionKey,
    logRetention: props.logRetention ?? logs.RetentionDays.TWO_YEARS,
    artifactsBucket: props.artifactsBucket,
    serverAccessLogsBucket: props.serverAccessLogsBucket,
    computeType: props.computeType ?? codebuild.ComputeType.SMALL,
    timeout: props.timeout ?? Duration.hours(1),
    warnings,
  };
}

/** The GOARCH the builder image runs on. */
function builderArch(image: BuilderImage): string {
  return image.curatedImage?.type === 'ARM_CONTAINER' ? 'arm64' : 'amd64';
}

/**
 * The build image with the pull credentials. aws-cdk-lib's `LinuxBuildImage.fromEcrRepository`
 * is not used: with CODEBUILD credentials it adds a repository-policy statement for
 * `codebuild.amazonaws.com` with no condition (any project of any account could pull). This one
 * carries no repository, and GoSampleBuild makes the grants itself.
 */
function resolveImage(scope: IConstruct, builderImage: BuilderImage): ResolvedGoSampleBuild['image'] {
  if (builderImage.curatedImage !== undefined) {
    // Curated images are always pulled by CodeBuild itself.
    return { buildImage: builderImage.curatedImage, pull: codebuild.ImagePullPrincipalType.CODEBUILD };
  }
  const repository = builderImage.repository!;
  const account = compareAccounts(repository.env.account, Stack.of(scope).account);
  const sameAccount = account === AccountRelation.SAME;
  const ownPolicy = repository instanceof ecr.Repository;
  const requested = builderImage.imagePullCredentials;
  if (requested === codebuild.ImagePullPrincipalType.CODEBUILD && account === AccountRelation.DIFFERENT) {
    throw propError(
      scope,
      'imagePullCredentials',
      requested,
      `cannot pull from repository ${repository.node.path} of account ${repository.env.account}: CodeBuild ` +
        "credentials only pull images of the project's own account (CodeBuild rejects the project)",
      'use ImagePullPrincipalType.SERVICE_ROLE, or leave imagePullCredentials unset (chosen automatically)',
    );
  }
  const pull =
    requested ??
    (ownPolicy && sameAccount
      ? codebuild.ImagePullPrincipalType.CODEBUILD
      : codebuild.ImagePullPrincipalType.SERVICE_ROLE);
  const base = codebuild.LinuxBuildImage.fromDockerRegistry(
    repository.repositoryUriForTagOrDigest(builderImage.tag ?? 'latest'),
  );
  if (pull === codebuild.ImagePullPrincipalType.SERVICE_ROLE) {
    return { buildImage: base, pull, repository };
  }
  const buildImage: codebuild.IBuildImage = {
    type: base.type,
    imageId: base.imageId,
    defaultComputeType: base.defaultComputeType,
    imagePullPrincipalType: codebuild.ImagePullPrincipalType.CODEBUILD,
    validate: (env) => base.validate(env),
    runScriptBuildspec: (entrypoint) => base.runScriptBuildspec(entrypoint),
  };
  return { buildImage, pull, repository };
}
