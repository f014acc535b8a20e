import { Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { CACHE_TAG_ROOM, CacheKind, DEFAULT_CACHE_TAG } from './cache';
import { BRANCH_PATTERN, CONTAINER_NAME_PATTERN } from './deploy-time-checks';
import { PlatformBuild } from './platforms';
import { gitBranchProblem } from './schedule';
import { BuildSecretInput, SECRET_ID, secretArnForEnvironment } from './secrets';
import type { DockerCache } from '../../docker-cache';
import { ImageCompression } from '../../image-compression';
import { ImagePlatform } from '../../image-platform';
import { defaultBuildImage } from '../shared/build-images';
import { article, propError } from '../shared/errors';
import { validateImageTag } from '../shared/validation';

/** Source types that have branches, pull requests and webhooks. */
/** Source types with branches and commits. */
export const REPOSITORY_SOURCES = ['CODECOMMIT', 'GITHUB', 'GITHUB_ENTERPRISE', 'BITBUCKET'];

/**
 * CodeBuild's Docker server. Source: CodeBuild API reference, API_DockerServer: the compute types
 * of a Docker server (BUILD_GENERAL1_SMALL to _2XLARGE), at most 5 security groups, which "should
 * allow ingress on port 9876" from the project's VPC.
 */
export const DOCKER_SERVER_COMPUTE_TYPES: readonly string[] = [
  codebuild.ComputeType.SMALL,
  codebuild.ComputeType.MEDIUM,
  codebuild.ComputeType.LARGE,
  codebuild.ComputeType.X_LARGE,
  codebuild.ComputeType.X2_LARGE,
];
/** The port a build reaches its Docker server on. */
export const DOCKER_SERVER_PORT = 9876;
/** Most security groups of a Docker server. */
export const MAX_DOCKER_SERVER_SECURITY_GROUPS = 5;

/** The Docker server of the project (`DockerCache.dockerServer()`), validated. */
export interface ResolvedDockerServer {
  /** Its compute type (a literal or a token). */
  readonly computeType: string;
  /** Its security groups, as given; with a VPC and none given, the construct creates one. */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The Docker server's settings: its compute type (the project's by default) must be one a Docker
 * server takes, its security groups (1-5) need the project's VPC, and one server (of one
 * architecture) cannot build several platforms.
 */
export function resolveDockerServer(
  scope: IConstruct | undefined,
  cache: DockerCache | undefined,
  project: { readonly computeType?: codebuild.ComputeType; readonly vpc?: ec2.IVpc; readonly platformCount: number },
): ResolvedDockerServer | undefined {
  if (cache === undefined || cache._kind !== CacheKind.DOCKER_SERVER) {
    return undefined;
  }
  const options = cache._dockerServer ?? {};
  const computeType: string = options.computeType ?? project.computeType ?? codebuild.ComputeType.SMALL;
  if (!Token.isUnresolved(computeType) && !DOCKER_SERVER_COMPUTE_TYPES.includes(computeType)) {
    throw propError(
      scope,
      'cache',
      `DockerCache.dockerServer() with compute type ${computeType}${options.computeType === undefined ? " (the project's)" : ''}`,
      'is not a compute type of a CodeBuild Docker server',
      'set DockerCache.dockerServer({ computeType }) to ComputeType.SMALL, MEDIUM, LARGE, X_LARGE or X2_LARGE',
    );
  }
  if (project.platformCount > 1) {
    throw propError(
      scope,
      'cache',
      'DockerCache.dockerServer()',
      `cannot build ${project.platformCount} platforms: a project has one Docker server, of one architecture, which all the builds of its batch would share (CodeBuild cannot emulate)`,
      'use DockerCache.registry() (every platform builds natively, with a cache of its own), or build one platform',
    );
  }
  const groups = options.securityGroups;
  if (groups !== undefined) {
    if (project.vpc === undefined) {
      throw propError(
        scope,
        'cache',
        'DockerCache.dockerServer({ securityGroups })',
        "sets security groups, which admit the build from the project's VPC, and the project has no vpc",
        'set vpc, or leave securityGroups unset',
      );
    }
    if (groups.length === 0 || groups.length > MAX_DOCKER_SERVER_SECURITY_GROUPS) {
      throw propError(
        scope,
        'cache',
        `DockerCache.dockerServer() with ${groups.length} security groups`,
        `is not 1-${MAX_DOCKER_SERVER_SECURITY_GROUPS} (a Docker server takes at most ${MAX_DOCKER_SERVER_SECURITY_GROUPS})`,
        `give 1-${MAX_DOCKER_SERVER_SECURITY_GROUPS} security groups, or leave securityGroups unset (one is created)`,
      );
    }
  }
  return { computeType, securityGroups: groups };
}

/**
 * The layer compression: gzip by default; zstd needs a buildx builder of the build's own (the
 * registry cache's, or one without a cache): CodeBuild's LOCAL cache keeps the Docker engine's
 * layers, and the engine (the host's, or the Docker server) pushes them gzip-compressed.
 */
export function resolveCompression(
  scope: IConstruct | undefined,
  compression: ImageCompression | undefined,
  cacheKind: CacheKind,
): ImageCompression {
  const value = compression ?? ImageCompression.GZIP;
  if (!Object.values(ImageCompression).includes(value)) {
    // Only untyped JavaScript (or a cast) gets here.
    throw propError(
      scope,
      'compression',
      value,
      'is not an ImageCompression',
      'use ImageCompression.GZIP or ImageCompression.ZSTD',
    );
  }
  if (value === ImageCompression.ZSTD && (cacheKind === CacheKind.LOCAL || cacheKind === CacheKind.DOCKER_SERVER)) {
    throw propError(
      scope,
      'compression',
      'ImageCompression.ZSTD',
      cacheKind === CacheKind.LOCAL
        ? "needs a buildx builder of the build's own, and DockerCache.local() keeps the layers of the host's Docker engine, which pushes them gzip-compressed"
        : "needs a buildx builder of the build's own, and DockerCache.dockerServer() builds on the Docker server's engine, which pushes its layers gzip-compressed",
      'use DockerCache.registry() (the default) or DockerCache.none() with zstd, or ImageCompression.GZIP',
    );
  }
  return value;
}

/** Architecture a build image runs (by its environment type). */
export function imageArchitecture(image: codebuild.IBuildImage): string {
  return image.type === 'ARM_CONTAINER' ? 'arm64' : 'amd64';
}

/** The cache a build uses: the given one, else the registry cache (in a repository of its own, MUTABLE whatever the image repository is). */
export function resolveCache(
  scope: IConstruct | undefined,
  cache: DockerCache | undefined,
): { readonly kind: CacheKind; readonly tag?: string } {
  if (cache === undefined) {
    return { kind: CacheKind.REGISTRY, tag: DEFAULT_CACHE_TAG };
  }
  if (cache._kind !== CacheKind.REGISTRY) {
    return { kind: cache._kind };
  }
  const tag = cache._tag ?? DEFAULT_CACHE_TAG;
  validateImageTag(scope, 'cache', tag);
  if (!Token.isUnresolved(tag)) {
    const room = CACHE_TAG_ROOM; // "-<arch>-<stage>" must still fit
    if (tag.length > room) {
      throw propError(
        scope,
        'cache',
        tag,
        `is too long for a cache tag (stage and architecture suffixes follow it)`,
        `use at most ${room} characters`,
      );
    }
  }
  return { kind: CacheKind.REGISTRY, tag };
}

/**
 * The platform builds: none (the build image's own architecture), one (`--platform`, on an image of
 * that architecture), several (a batch build per platform; those whose architecture differs from
 * the project's image get a curated image of theirs). Also returns the project's build image.
 */
export function resolvePlatforms(
  scope: IConstruct | undefined,
  platforms: ImagePlatform[] | undefined,
  buildImage: codebuild.IBuildImage | undefined,
): { readonly builds: PlatformBuild[]; readonly projectImage: codebuild.IBuildImage } {
  const list = platforms ?? [];
  if (platforms !== undefined && list.length === 0) {
    throw propError(scope, 'platforms', [], 'is empty', 'leave platforms unset, or list at least one ImagePlatform');
  }
  const seen = new Set<string>();
  for (const p of list) {
    // Untyped JavaScript (or a cast) can pass any string.
    if (!Object.values(ImagePlatform).includes(p)) {
      throw propError(
        scope,
        'platforms',
        p,
        'is not an ImagePlatform',
        'use ImagePlatform.LINUX_AMD64 or ImagePlatform.LINUX_ARM64',
      );
    }
    if (seen.has(p)) {
      throw propError(scope, 'platforms', p, 'is listed twice', 'list each platform once');
    }
    seen.add(p);
  }
  if (list.length === 1) {
    const arch = architectureOf(list[0]);
    if (buildImage !== undefined && imageArchitecture(buildImage) !== arch) {
      throw propError(
        scope,
        'platforms',
        [list[0]],
        `needs a build image of that architecture (buildImage ${buildImage.imageId} is ${imageArchitecture(buildImage)}, and CodeBuild cannot emulate)`,
        arch === 'arm64'
          ? "use an ARM image (e.g. LinuxArmBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-aarch64-standard:4.0')), or leave buildImage unset"
          : "use an x86-64 image (e.g. LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0')), or leave buildImage unset",
      );
    }
    return {
      builds: [{ platform: list[0], architecture: arch }],
      projectImage: buildImage ?? defaultBuildImage(arch),
    };
  }
  const projectImage = buildImage ?? defaultBuildImage('amd64');
  const projectArch = imageArchitecture(projectImage);
  const builds = list.map((p): PlatformBuild => {
    const architecture = architectureOf(p);
    if (architecture === projectArch) {
      return { platform: p, architecture };
    }
    const native = defaultBuildImage(architecture);
    return {
      platform: p,
      architecture,
      environment: { type: native.type, image: native.imageId },
    };
  });
  return { builds, projectImage };
}

/** Multi-platform builds of one batch must agree on the tag: it comes from the commit or from `imageTag`. */
export function validateMultiPlatformTag(
  scope: IConstruct | undefined,
  platformCount: number,
  source: codebuild.ISource,
  imageTag: string | undefined,
  isImmutable: (tag: string) => boolean | undefined = () => false,
  builds: readonly PlatformBuild[] = [],
): void {
  if (platformCount < 2) {
    return;
  }
  if (imageTag === undefined && !REPOSITORY_SOURCES.includes(source.type)) {
    throw propError(
      scope,
      'platforms',
      `(${platformCount} platforms)`,
      `build as a batch, whose builds need a tag they all compute alike, and ${article(source.type)} ${source.type} source has no commit (each build would tag build-<its own number>)`,
      'set imageTag (or use a repository source: the tag is then the commit)',
    );
  }
  if (imageTag !== undefined && !Token.isUnresolved(imageTag) && imageTag.length > 128 - '-arm64'.length) {
    throw propError(
      scope,
      'imageTag',
      imageTag,
      'leaves no room for the "-<arch>" suffix of the per-platform images',
      'use at most 122 characters',
    );
  }
  // A fixed imageTag: every build pushes "<imageTag>-<arch>" again, so those tags must move too.
  const frozen =
    imageTag === undefined
      ? undefined
      : builds.map((b) => `${imageTag}-${b.architecture}`).find((t) => isImmutable(t) === true);
  if (frozen !== undefined) {
    throw propError(
      scope,
      'imageTag',
      imageTag,
      `is fixed, so every build pushes the per-platform tag "${frozen}" again, which this repository's tag mutability refuses after the first build`,
      `add an imageTagMutabilityExclusionFilters filter that covers the per-platform tags too (e.g. "${imageTag}*"), or leave imageTag unset`,
    );
  }
}

/** The build secrets, validated. */
export function resolveBuildSecrets(
  scope: IConstruct | undefined,
  secrets: Record<string, secretsmanager.ISecret> | undefined,
): Array<BuildSecretInput & { readonly secret: secretsmanager.ISecret }> {
  return Object.entries(secrets ?? {}).map(([id, secret]) => {
    if (!SECRET_ID.test(id)) {
      throw propError(
        scope,
        'buildSecrets',
        id,
        'is not a valid secret id',
        'use 1-64 of [A-Za-z0-9_.-] (the id in RUN --mount=type=secret,id=<id>)',
      );
    }
    validateSecretRegion(scope, `buildSecrets.${id}`, secret);
    return { id, secretArn: secretArnForEnvironment(secret), secret };
  });
}

/**
 * CodeBuild reads a SECRETS_MANAGER variable from Secrets Manager in the project's region
 * (Secrets Manager is regional: a secret of another region is not found there). Fails when the
 * secret's region is known and is not the stack's.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
export function validateSecretRegion(
  scope: IConstruct | undefined,
  prop: string,
  secret: secretsmanager.ISecret,
): void {
  const region = secret.env.region;
  const stackRegion = scope !== undefined ? Stack.of(scope).region : undefined;
  if (
    stackRegion === undefined ||
    Token.isUnresolved(region) ||
    Token.isUnresolved(stackRegion) ||
    region === stackRegion
  ) {
    return;
  }
  throw propError(
    scope,
    prop,
    secret.secretArn,
    `is a secret of region ${region}, and CodeBuild reads build secrets in the project's region ${stackRegion}`,
    `replicate the secret to ${stackRegion} (a multi-Region secret) and pass the replica's ARN`,
  );
}

/** `releaseBranch` needs a source with branches. */
export function validateReleaseBranch(
  scope: IConstruct | undefined,
  branch: string | undefined,
  source: codebuild.ISource,
): void {
  if (branch === undefined) {
    return;
  }
  if (!REPOSITORY_SOURCES.includes(source.type)) {
    throw propError(
      scope,
      'releaseBranch',
      branch,
      `needs a repository source (CodeCommit, GitHub, GitHub Enterprise, Bitbucket), and the source is ${source.type}`,
      'remove releaseBranch',
    );
  }
  if (Token.isUnresolved(branch)) {
    return;
  }
  if (!new RegExp(BRANCH_PATTERN).test(branch) || branch.startsWith('refs/')) {
    throw propError(
      scope,
      'releaseBranch',
      branch,
      'is not a branch name',
      'give the short name of the branch (e.g. "main"): letters, digits, ".", "_", "-", "/"',
    );
  }
  const problem = gitBranchProblem(branch);
  if (problem !== undefined) {
    throw propError(
      scope,
      'releaseBranch',
      branch,
      `${problem}, which git refuses in a branch name (git check-ref-format)`,
      'give the name of an existing branch',
    );
  }
}

/** ECS container names: 1-255 letters, digits, hyphens and underscores. */
export function validateContainerName(scope: IConstruct | undefined, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (!new RegExp(CONTAINER_NAME_PATTERN).test(name)) {
    throw propError(
      scope,
      'imageDefinitionsContainerName',
      name,
      'is not a valid ECS container name',
      'use 1-255 letters, digits, hyphens and underscores (the container name of the task definition)',
    );
  }
}

/** The CPU architecture of a platform as Docker names it (`linux/arm64` -> `arm64`). */
function architectureOf(platform: ImagePlatform): string {
  return platform.split('/')[1];
}
