import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { buildImageLines, CacheKind, CACHE_TAG_ROOM, DEFAULT_CACHE_TAG, ZSTD_PUSH_FUNCTION } from './cache';
import { BRANCH_PATTERN, CONTAINER_NAME_PATTERN, deployTimeCheckLines, IMAGE_TAG_PATTERN } from './deploy-time-checks';
import {
  EXPORTED_VARIABLES,
  IMAGE_DEFINITIONS_FILES,
  imageDefinitionsCommand,
  pushFunctions,
  pushLines,
  refsGuardCommand,
  REPORT_COMMAND,
} from './outputs';
import { batchBuildGraph, manifestStepLines, MANIFEST_STEP_ENV, PLATFORM_ENV, PlatformBuild } from './platforms';
import { BuildSecretInput, buildSecretsFragment, DOCKERHUB_ENV, dockerHubLoginFragment } from './secrets';
import { ImageCompression } from '../../image-compression';
import { shellQuote, ShellWords } from '../shared/shell';

/**
 * Names of the environment variables the generated buildspec reads. The first four are the ones
 * the AWS samples use; the others are this library's.
 */
export const ENV = {
  region: 'AWS_DEFAULT_REGION',
  account: 'AWS_ACCOUNT_ID',
  repoName: 'IMAGE_REPO_NAME',
  imageTag: 'IMAGE_TAG',
  registry: 'ECR_REGISTRY',
  /** URI of the registry cache's repository (registry cache only). */
  cacheRepository: 'CACHE_REPOSITORY_URI',
} as const;

/** What the buildspec builder needs; values are literals or tokens (tokens go through env vars). */
export interface DockerBuildSpecInput {
  /** Dockerfile path relative to the build context. */
  readonly dockerfile: string;
  /** Build context, relative to the source root. */
  readonly buildContext: string;
  readonly target?: string;
  readonly buildArgs: Record<string, string>;
  /** Tags pushed in addition to `$IMAGE_TAG`. */
  readonly additionalTags: string[];
  /** The layer cache. @default - none */
  readonly cache?: { readonly kind: CacheKind; readonly tag?: string };
  /** Layer compression of the pushed image. @default ImageCompression.GZIP */
  readonly compression?: ImageCompression;
  /**
   * Platforms: none for the build image's own; one for `--platform`; several for a batch build graph
   * (one build per platform, then the manifest step). @default []
   */
  readonly platforms?: PlatformBuild[];
  /** BuildKit secrets. @default [] */
  readonly secrets?: BuildSecretInput[];
  /** Secret with Docker Hub's `username` and `password`. @default - no Docker Hub login */
  readonly dockerHubSecretArn?: string;
  /** True when `$IMAGE_TAG` is a fixed tag (the `imageTag` prop), which pull requests may not move. @default false */
  readonly imageTagFixed?: boolean;
  /** The only branch whose builds move the fixed tags. @default - any build that is not of a pull request */
  readonly releaseBranch?: string;
  /** The repository refuses to move tags. @default false */
  readonly immutable?: boolean;
  /**
   * The repository may refuse to move a tag although `immutable` is false (exclusion filters of a
   * MUTABLE repository, or a repository this construct did not create). @default false
   */
  readonly mayKeepExistingImage?: boolean;
  /** Container name of `imagedefinitions.json`; the artifact is written when set. @default - no artifact */
  readonly imageDefinitionsContainerName?: string;
  /**
   * The registry cache's repository may be in another registry than the image's (an imported image
   * repository of another, or an unknown, account or region): the build logs in there too.
   * @default false
   */
  readonly cacheInOtherRegistry?: boolean;
  /** The construct's path, for the messages of the deploy-time value checks. @default 'DockerBuildToEcr' */
  readonly constructPath?: string;
}

export interface DockerBuildSpec {
  /** The buildspec object, for `BuildSpec.fromObject`. */
  readonly buildSpec: Record<string, unknown>;
  /**
   * Environment variables that carry values only known at deploy time (tokens). Literals are
   * written into the commands, quoted; tokens cannot be quoted at synth time, so the commands
   * read them from the environment inside double quotes, where nothing is re-evaluated.
   */
  readonly environmentVariables: Record<string, string>;
  /** SECRETS_MANAGER environment variables (build secrets, Docker Hub credentials). */
  readonly secretEnvironmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
  /** True when the project runs batch builds (several platforms). */
  readonly batch: boolean;
}

/**
 * Variables the generated commands set or read besides ENV (project, batch or exported ones): a
 * user's environment variable of the same name would break the build.
 */
export const RESERVED_BUILD_VARIABLES = [
  ...EXPORTED_VARIABLES,
  PLATFORM_ENV,
  MANIFEST_STEP_ENV,
  DOCKERHUB_ENV.username,
  DOCKERHUB_ENV.password,
  'DOCKER_CACHE_TAG',
  'RELEASE_BRANCH_NAME',
  'IMAGE_DEFINITIONS_CONTAINER',
  'MOVE_FIXED_TAGS',
  'WRITE_CACHE',
  'PUSH_IMAGE',
  'PUSHED_IMAGES',
  'PUSH_OUTPUT',
  'DOCKER_BUILDKIT',
  'CACHE_REGISTRY',
  'CACHE_REGION',
];

/** Shell word for the repository URI without tag. */
const REPOSITORY_URI = '"$ECR_REGISTRY/$IMAGE_REPO_NAME"';

/**
 * Computes `$IMAGE_TAG` when the project leaves it empty: the short commit from
 * `CODEBUILD_RESOLVED_SOURCE_VERSION` when that is a git commit id, otherwise `build-<number>`
 * (S3 sources have no commit).
 */
export const IMAGE_TAG_COMMAND = [
  'if [ -z "${IMAGE_TAG:-}" ]; then',
  '  SOURCE_VERSION="${CODEBUILD_RESOLVED_SOURCE_VERSION:-}"',
  '  if [[ "$SOURCE_VERSION" =~ ^[0-9a-f]{7,40}$ ]]; then',
  '    IMAGE_TAG="${SOURCE_VERSION:0:7}"',
  '  else',
  '    IMAGE_TAG="build-${CODEBUILD_BUILD_NUMBER:-0}"',
  '  fi',
  'fi',
  'export IMAGE_TAG',
  'echo "Image tag: $IMAGE_TAG"',
].join('\n');

/** Login with the AWS CLI v2 command (`aws ecr get-login` no longer exists). */
export const LOGIN_COMMAND =
  'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "$ECR_REGISTRY"';

/**
 * Login to the registry of the cache repository when it is not the image's (an image repository of
 * another account or region: the cache repository is in the project's own). Its region is the one
 * in its URI (`<account>.dkr.ecr.<region>.<domain>/<name>`).
 */
export const CACHE_LOGIN_COMMAND = [
  'CACHE_REGISTRY="${CACHE_REPOSITORY_URI%%/*}"',
  'if [ "$CACHE_REGISTRY" != "$ECR_REGISTRY" ]; then',
  '  CACHE_REGION="${CACHE_REGISTRY#*.dkr.ecr.}"',
  '  CACHE_REGION="${CACHE_REGION%%.*}"',
  '  echo "Logging in to $CACHE_REGISTRY (the build cache)"',
  '  aws ecr get-login-password --region "$CACHE_REGION" | docker login --username AWS --password-stdin "$CACHE_REGISTRY"',
  'fi',
].join('\n');

/**
 * Builds the buildspec of DockerBuildToEcr from the fragments of each capability:
 * - pre_build: the image tag, which tags this build may move (`outputs.ts`), ECR login, Docker Hub
 *   login (`secrets.ts`);
 * - build: one function that builds with the cache's form (`cache.ts`) and pushes, reporting the
 *   registry's digest (`outputs.ts`); with several platforms, the same per platform, or the
 *   manifest step (`platforms.ts`), chosen by the batch build's variables. A failed build never
 *   reaches a push;
 * - post_build: the report, the exported variables, the optional image definitions artifact.
 */
export function dockerBuildSpec(input: DockerBuildSpecInput): DockerBuildSpec {
  const words = new ShellWords();
  const platforms = input.platforms ?? [];
  const multiPlatform = platforms.length > 1;

  // The Dockerfile path is relative to the context for users, to the source root for docker. (A token
  // has no "/" or "." segment of its own, so joining keeps it whole.)
  const dockerfilePath = words.word(joinPosix(input.buildContext, input.dockerfile), 'DOCKERFILE_PATH');

  const buildArgs: string[] = ['--file', dockerfilePath];
  for (const [name, value] of Object.entries(input.buildArgs)) {
    if (Token.isUnresolved(value)) {
      buildArgs.push(`--build-arg ${shellQuote(`${name}=`)}${words.word(value, `DOCKER_BUILD_ARG_${name}`)}`);
    } else {
      buildArgs.push(`--build-arg ${shellQuote(`${name}=${value}`)}`);
    }
  }
  const secrets = buildSecretsFragment(input.secrets ?? []);
  buildArgs.push(...secrets.buildFlags);
  if (multiPlatform) {
    buildArgs.push(`--platform "$${PLATFORM_ENV}"`);
  } else if (platforms.length === 1) {
    buildArgs.push(`--platform ${shellQuote(platforms[0].platform)}`);
  }
  const targetWord = input.target !== undefined ? words.word(input.target, 'DOCKER_TARGET') : undefined;
  const contextWord = words.word(input.buildContext, 'DOCKER_BUILD_CONTEXT');
  const cache = input.cache ?? { kind: CacheKind.NONE };
  const cacheTagWord =
    cache.kind === CacheKind.REGISTRY ? words.word(cache.tag ?? DEFAULT_CACHE_TAG, 'DOCKER_CACHE_TAG') : undefined;
  const extraTags = input.additionalTags.map((tag, i) => words.word(tag, `ADDITIONAL_IMAGE_TAG_${i + 1}`));

  const zstd = input.compression === ImageCompression.ZSTD;
  // retag_existing: only where the build has fixed tags and the repository may keep an earlier image
  // of the commit (IMMUTABLE, exclusion filters, or a repository the construct did not create).
  const retag = extraTags.length > 0 && (input.immutable === true || input.mayKeepExistingImage === true);
  const push = pushFunctions(zstd ? ZSTD_PUSH_FUNCTION : undefined, retag);
  const buildFunction = [
    '# docker_build <build | buildx build> <flags>: docker with the flags of every build and the context.',
    'docker_build() {',
    `  docker "$@" ${buildArgs.join(' ')} ${contextWord}`,
    '}',
    'build_image() {',
    `  REPOSITORY_URI=${REPOSITORY_URI}`,
    multiPlatform ? `  BUILD_IMAGE_TAG="$IMAGE_TAG-\${${PLATFORM_ENV}#*/}"` : '  BUILD_IMAGE_TAG="$IMAGE_TAG"',
    `  local target_args=(${targetWord !== undefined ? `--target ${targetWord}` : ''})`,
    '  echo "Building $REPOSITORY_URI:$BUILD_IMAGE_TAG"',
    ...buildImageLines({
      kind: cache.kind,
      tagWord: cacheTagWord,
      dockerfileWord: dockerfilePath,
      targetWord,
      platformVariable: multiPlatform ? PLATFORM_ENV : undefined,
      compression: input.compression,
    }),
    ...pushLines(multiPlatform ? [] : extraTags, input.immutable ?? false, retag),
    '}',
  ];
  const buildCommand = multiPlatform
    ? [
        ...push,
        ...buildFunction,
        'manifest_step() {',
        `  REPOSITORY_URI=${REPOSITORY_URI}`,
        ...manifestStepLines(
          platforms.map((p) => p.architecture),
          extraTags,
          input.immutable ?? false,
          zstd,
        ),
        '}',
        `if [ -n "\${${MANIFEST_STEP_ENV}:-}" ]; then`,
        '  manifest_step',
        `elif [ -n "\${${PLATFORM_ENV}:-}" ]; then`,
        '  build_image',
        'else',
        '  echo "This project builds several platforms: start it as a batch build (aws codebuild start-build-batch)" >&2',
        '  false',
        'fi',
      ]
    : [...push, ...buildFunction, 'build_image'];

  const refsGuard = refsGuardCommand(
    input.releaseBranch !== undefined ? words.word(input.releaseBranch, 'RELEASE_BRANCH_NAME') : undefined,
    input.imageTagFixed ?? false,
  );
  const containerWord =
    input.imageDefinitionsContainerName !== undefined
      ? words.word(input.imageDefinitionsContainerName, 'IMAGE_DEFINITIONS_CONTAINER')
      : undefined;
  const checks = deployTimeCheckLines(
    input.constructPath ?? 'DockerBuildToEcr',
    [
      {
        prop: 'cache',
        variable: 'DOCKER_CACHE_TAG',
        pattern: IMAGE_TAG_PATTERN(CACHE_TAG_ROOM),
        problem: `is not an image tag of at most ${CACHE_TAG_ROOM} characters (stage and architecture suffixes follow it)`,
        fix: 'give DockerCache.registry({ tag }) letters, digits, ".", "_", "-"',
      },
      {
        prop: 'releaseBranch',
        variable: 'RELEASE_BRANCH_NAME',
        pattern: BRANCH_PATTERN,
        problem: 'is not a branch name',
        fix: 'give the short name of the branch (e.g. "main"): letters, digits, ".", "_", "-", "/"',
      },
      {
        prop: 'imageDefinitionsContainerName',
        variable: 'IMAGE_DEFINITIONS_CONTAINER',
        pattern: CONTAINER_NAME_PATTERN,
        problem: 'is not an ECS container name',
        fix: 'use 1-255 letters, digits, hyphens and underscores',
      },
    ].filter((check) => words.environment[check.variable] !== undefined),
    'RELEASE_BRANCH_NAME',
  );
  const preBuild = [
    ...(checks.length > 0 ? [checks.join('\n')] : []),
    IMAGE_TAG_COMMAND,
    refsGuard,
    'echo "Logging in to $ECR_REGISTRY"',
    LOGIN_COMMAND,
    ...(cache.kind === CacheKind.REGISTRY && input.cacheInOtherRegistry ? [CACHE_LOGIN_COMMAND] : []),
  ];
  let secretEnvironmentVariables = { ...secrets.environmentVariables };
  if (input.dockerHubSecretArn !== undefined) {
    const hub = dockerHubLoginFragment(input.dockerHubSecretArn);
    preBuild.push(hub.command);
    secretEnvironmentVariables = { ...secretEnvironmentVariables, ...hub.environmentVariables };
  }

  const postBuild = [REPORT_COMMAND];
  if (containerWord !== undefined) {
    postBuild.push(imageDefinitionsCommand(containerWord));
  }

  const buildSpec: Record<string, unknown> = {
    // A number: CodeBuild batch builds refuse the string "0.2".
    version: 0.2,
    env: { shell: 'bash', 'exported-variables': [...EXPORTED_VARIABLES] },
    ...(multiPlatform ? { batch: batchBuildGraph(platforms) } : {}),
    phases: {
      pre_build: { commands: preBuild },
      build: { commands: [buildCommand.join('\n')] },
      post_build: { commands: postBuild },
    },
    ...(input.imageDefinitionsContainerName !== undefined
      ? { artifacts: { files: [...IMAGE_DEFINITIONS_FILES] } }
      : {}),
  };
  return {
    buildSpec,
    environmentVariables: words.environment,
    secretEnvironmentVariables,
    batch: multiPlatform,
  };
}

/** Joins two relative POSIX paths, dropping `.` segments: ('.', 'Dockerfile') -> 'Dockerfile'. */
export function joinPosix(base: string, rel: string): string {
  const parts = [...base.split('/'), ...rel.split('/')].filter((p) => p !== '' && p !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}
