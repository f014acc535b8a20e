import { Token } from 'aws-cdk-lib';
import { shellQuote, ShellWords } from './shell';

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
}

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
 * Builds the buildspec of DockerBuildToEcr: log in, build, tag and push every tag in the build phase
 * (a failed build never reaches a push), and report the pushed URIs in post_build.
 */
export function dockerBuildSpec(input: DockerBuildSpecInput): DockerBuildSpec {
  const words = new ShellWords();

  // The Dockerfile path is relative to the context for users, to the source root for docker. (A token
  // has no "/" or "." segment of its own, so joining keeps it whole.)
  const dockerfilePath = joinPosix(input.buildContext, input.dockerfile);

  const build: string[] = ['docker build', `--file ${words.word(dockerfilePath, 'DOCKERFILE_PATH')}`];
  if (input.target !== undefined) {
    build.push(`--target ${words.word(input.target, 'DOCKER_TARGET')}`);
  }
  for (const [name, value] of Object.entries(input.buildArgs)) {
    if (Token.isUnresolved(value)) {
      build.push(`--build-arg ${shellQuote(`${name}=`)}${words.word(value, `DOCKER_BUILD_ARG_${name}`)}`);
    } else {
      build.push(`--build-arg ${shellQuote(`${name}=${value}`)}`);
    }
  }
  build.push(`--tag ${REPOSITORY_URI}:"$IMAGE_TAG"`);
  build.push(words.word(input.buildContext, 'DOCKER_BUILD_CONTEXT'));

  const extraTags = input.additionalTags.map((tag, i) => words.word(tag, `ADDITIONAL_IMAGE_TAG_${i + 1}`));
  const allTags = ['"$IMAGE_TAG"', ...extraTags];

  const report = [
    'if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ]; then',
    ...allTags.map((t) => `  echo "Pushed image: $ECR_REGISTRY/$IMAGE_REPO_NAME:"${t}`),
    'else',
    '  echo "Build failed: no image was pushed by this phase"',
    'fi',
  ].join('\n');

  const buildSpec = {
    // A number: CodeBuild batch builds refuse the string "0.2".
    version: 0.2,
    env: { shell: 'bash' },
    phases: {
      pre_build: {
        commands: [IMAGE_TAG_COMMAND, 'echo "Logging in to $ECR_REGISTRY"', LOGIN_COMMAND],
      },
      build: {
        commands: [
          'echo "Building $ECR_REGISTRY/$IMAGE_REPO_NAME:$IMAGE_TAG"',
          build.join(' '),
          ...extraTags.map((t) => `docker tag ${REPOSITORY_URI}:"$IMAGE_TAG" ${REPOSITORY_URI}:${t}`),
          ...allTags.map((t) => `docker push ${REPOSITORY_URI}:${t}`),
        ],
      },
      post_build: {
        commands: [report],
      },
    },
  };
  return { buildSpec, environmentVariables: words.environment };
}

/** Joins two relative POSIX paths, dropping `.` segments: ('.', 'Dockerfile') -> 'Dockerfile'. */
export function joinPosix(base: string, rel: string): string {
  const parts = [...base.split('/'), ...rel.split('/')].filter((p) => p !== '' && p !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}
