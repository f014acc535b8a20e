import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';
import { BUILD_INPUTS_VARIABLE } from './build-on-deploy';
import { ENV, RESERVED_BUILD_VARIABLES } from './buildspec';
import { DockerBuildInputs } from './inputs';
import { scheduleExpressionProblem } from './schedule';
import { validateArchiveAfter } from '../registry/lifecycle';
import { isSecretValue } from '../shared/build-project';
import { article, propError, Warning } from '../shared/errors';
import { ResolvedTagMutability } from '../shared/tag-mutability';
import {
  validateEnvVarName,
  validateImageTag,
  validateNotBlank,
  validatePositiveInteger,
  validateProjectEnvName,
  validateRelativePath,
  validateRepositoryName,
} from '../shared/validation';

/**
 * Input checks of DockerBuildToEcr, called in order by its resolve step (`resolve.ts`). Each error
 * names the construct, the prop, the value and the fix.
 */

export function validateRepositoryProps(scope: IConstruct, props: DockerBuildInputs): void {
  if (props.repository !== undefined) {
    const createOnly: Array<[string, unknown]> = [
      ['repositoryName', props.repositoryName],
      ['imageTagMutability', props.imageTagMutability],
      ['imageTagMutabilityExclusionFilters', props.imageTagMutabilityExclusionFilters],
      ['encryptionKey', props.encryptionKey],
      ['maxImageCount', props.maxImageCount],
      ['untaggedImageExpiration', props.untaggedImageExpiration],
      ['keepUntaggedImages', props.keepUntaggedImages],
      ['archiveImagesNotPulledFor', props.archiveImagesNotPulledFor],
    ];
    for (const [name, value] of createOnly) {
      if (value !== undefined) {
        throw propError(
          scope,
          name,
          typeof value === 'object' ? '(set)' : value,
          'only applies to a repository this construct creates, and repository is given',
          `configure the existing repository itself, or remove ${name}`,
        );
      }
    }
    return;
  }
  validateRepositoryName(scope, 'repositoryName', props.repositoryName);
  // The lifecycle policy is one JSON string that ecr.Repository renders at synth: a deploy-time
  // value would land in it as an unresolved reference (a broken policy), so these must be literals.
  const deployTime: Array<[string, boolean]> = [
    ['maxImageCount', props.maxImageCount !== undefined && Token.isUnresolved(props.maxImageCount)],
    ['untaggedImageExpiration', props.untaggedImageExpiration?.isUnresolved() ?? false],
    ['archiveImagesNotPulledFor', props.archiveImagesNotPulledFor?.isUnresolved() ?? false],
  ];
  for (const [name, unresolved] of deployTime) {
    if (unresolved) {
      throw propError(
        scope,
        name,
        '(a deploy-time value)',
        "cannot go into the repository's lifecycle policy, which is written as one JSON text at synth",
        `give ${name} as a literal, or pass a repository whose lifecycle policy you manage yourself`,
      );
    }
  }
  validatePositiveInteger(
    scope,
    'maxImageCount',
    props.maxImageCount,
    'keep at least 1 image (e.g. maxImageCount: 30)',
  );
  const expiration = props.untaggedImageExpiration;
  if (props.keepUntaggedImages && expiration !== undefined) {
    throw propError(
      scope,
      'untaggedImageExpiration',
      expiration,
      'expires untagged images, and keepUntaggedImages keeps them',
      'set one of the two',
    );
  }
  if (expiration !== undefined && !expiration.isUnresolved()) {
    const days = expiration.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw propError(
        scope,
        'untaggedImageExpiration',
        expiration,
        'is not a whole number of days',
        'use Duration.days(n) with n >= 1 (ECR lifecycle rules count in days)',
      );
    }
  }
  validateArchiveAfter(scope, 'archiveImagesNotPulledFor', props.archiveImagesNotPulledFor);
  if (props.archiveImagesNotPulledFor !== undefined && props.maxImageCount !== undefined) {
    // "An image that matches the tagging requirements of a rule cannot be expired by a rule with a
    // lower priority" (ECR user guide, lifecycle policy evaluation rules), and the archive rule, for
    // any tag status, must come last: after maxImageCount's rule, which selects every tagged image.
    throw propError(
      scope,
      'archiveImagesNotPulledFor',
      props.archiveImagesNotPulledFor,
      "would archive no tagged image: maxImageCount's rule selects every tagged image, and ECR lets no later rule act on an image an earlier rule selected (the archive rule, for any tag status, must be the last)",
      'archive images (archiveImagesNotPulledFor) or expire them by count (maxImageCount), not both',
    );
  }
}

/** The Dockerfile, its context and stage, and the names of the build arguments. */
export function validateDockerfile(
  scope: IConstruct,
  dockerfile: string,
  buildContext: string,
  target: string | undefined,
  buildArgs: Record<string, string>,
): void {
  validateRelativePath(scope, 'buildContext', buildContext, 'the source root');
  validateNotBlank(scope, 'dockerfile', dockerfile, 'give the path of the Dockerfile, e.g. "Dockerfile"');
  validateRelativePath(scope, 'dockerfile', dockerfile, 'the build context');
  if (target !== undefined && !Token.isUnresolved(target) && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(target)) {
    throw propError(
      scope,
      'target',
      target,
      'is not a valid stage name',
      'use the name after "AS" in a FROM line of the Dockerfile',
    );
  }
  for (const name of Object.keys(buildArgs)) {
    validateEnvVarName(scope, 'buildArgs', name, 'build argument');
  }
}

/**
 * The tags of the build: valid, each once, and every fixed one movable. `mutability.isImmutable`
 * tells whether the repository refuses to move a tag (true), lets it move (false), or cannot tell at
 * synth (undefined: a token, checked by nobody but ECR).
 */
export function validateTags(
  scope: IConstruct,
  imageTag: string | undefined,
  additionalTags: string[],
  mutability: Pick<ResolvedTagMutability, 'isImmutable' | 'filters' | 'immutableByDefault'>,
): void {
  if (imageTag !== undefined) {
    validateImageTag(scope, 'imageTag', imageTag);
  }
  additionalTags.forEach((tag) => validateImageTag(scope, 'additionalTags', tag));
  const seen = new Set<string>();
  for (const tag of [...(imageTag !== undefined ? [imageTag] : []), ...additionalTags]) {
    if (Token.isUnresolved(tag)) {
      continue;
    }
    if (seen.has(tag)) {
      throw propError(
        scope,
        'additionalTags',
        tag,
        'is given twice (in imageTag or additionalTags)',
        'list each tag once',
      );
    }
    seen.add(tag);
  }
  const frozen = [...(imageTag !== undefined ? [imageTag] : []), ...additionalTags].find(
    (t) => mutability.isImmutable(t) === true,
  );
  if (frozen !== undefined) {
    const prop = imageTag !== undefined && frozen === imageTag ? 'imageTag' : 'additionalTags';
    const filters = mutability.filters;
    // A tag a MUTABLE repository refuses to move is one of its filters' (the shared isImmutable says so).
    const byFilter = !mutability.immutableByDefault;
    throw propError(
      scope,
      prop,
      frozen,
      filters.length === 0
        ? 'is a fixed tag that every build pushes again, which an IMMUTABLE repository refuses after the first build'
        : byFilter
          ? `is a fixed tag that every build pushes again, and the imageTagMutabilityExclusionFilters ${JSON.stringify(filters)} make it immutable, so ECR refuses it after the first build`
          : `is a fixed tag that every build pushes again, and no imageTagMutabilityExclusionFilters filter (${JSON.stringify(filters)}) keeps it movable in this IMMUTABLE repository`,
      byFilter
        ? 'remove the filter that matches it, or leave the tag out'
        : `leave imageTag unset (a tag per commit) and additionalTags empty, add a filter that matches it (imageTagMutabilityExclusionFilters: [${JSON.stringify(frozen)}]), or use TagMutability.MUTABLE`,
    );
  }
}

export function validateBuildImage(scope: IConstruct, image: codebuild.IBuildImage | undefined): void {
  if (image === undefined) {
    return;
  }
  const dockerCapable = ['LINUX_CONTAINER', 'ARM_CONTAINER', 'LINUX_GPU_CONTAINER'];
  if (!dockerCapable.includes(image.type)) {
    throw propError(
      scope,
      'buildImage',
      image.imageId,
      `is ${article(image.type)} ${image.type} image, which cannot run Docker in privileged mode`,
      "use a Linux container image with Docker, e.g. LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0') or LinuxArmBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-aarch64-standard:4.0')",
    );
  }
}

const RESERVED_ENV = new Set<string>([...Object.values(ENV), ...RESERVED_BUILD_VARIABLES]);

export function validateUserEnvironment(
  scope: IConstruct,
  env: Record<string, codebuild.BuildEnvironmentVariable> | undefined,
): void {
  for (const name of Object.keys(env ?? {})) {
    if (RESERVED_ENV.has(name)) {
      throw propError(
        scope,
        'environmentVariables',
        name,
        'is set by DockerBuildToEcr',
        name === ENV.imageTag ? 'use the imageTag prop' : 'remove it (it is derived from the repository)',
      );
    }
    if (
      name.startsWith('DOCKER_BUILD_ARG_') ||
      name.startsWith('ADDITIONAL_IMAGE_TAG_') ||
      name.startsWith('BUILD_SECRET_') ||
      ['DOCKERFILE_PATH', 'DOCKER_TARGET', 'DOCKER_BUILD_CONTEXT'].includes(name)
    ) {
      throw propError(
        scope,
        'environmentVariables',
        name,
        'is reserved for values DockerBuildToEcr passes to docker',
        'choose another name',
      );
    }
  }
}

/**
 * Checks of the props added by the hardening review: build arguments that hold secrets, names of
 * the user's environment variables, a deploy-time tag on an IMMUTABLE repository (a warning,
 * returned).
 */
export function validateDockerBuildInputs(scope: IConstruct, props: DockerBuildInputs, immutable: boolean): Warning[] {
  for (const [name, value] of Object.entries(props.buildArgs ?? {})) {
    if (isSecretValue(scope, value)) {
      throw propError(
        scope,
        'buildArgs',
        name,
        'holds a secret (a SecretValue or a {{resolve:secretsmanager:...}} / {{resolve:ssm-secure:...}} reference), ' +
          'which a build argument would put into a PLAINTEXT environment variable and into the image history',
        'pass it with the buildSecrets prop (docker build --secret) instead',
      );
    }
  }
  for (const name of Object.keys(props.environmentVariables ?? {})) {
    validateProjectEnvName(scope, 'environmentVariables', name);
  }
  if (immutable && props.imageTag !== undefined && Token.isUnresolved(props.imageTag)) {
    return [
      {
        id: 'deployTimeTagOnImmutableRepository',
        message:
          'imageTag is only known at deploy time and the repository is IMMUTABLE: every build pushes that same tag, ' +
          'and ECR refuses it after the first build (unless an imageTagMutabilityExclusionFilters filter matches it); ' +
          'leave imageTag unset (a tag per commit), or give each build its own ' +
          'IMAGE_TAG (start-build --environment-variables-override)',
      },
    ];
  }
  return [];
}

/**
 * The props of what follows a build into deployment: the badge (repository sources only), and the
 * deploy-time build's source version and its environment variable.
 */
export function validateDeployFeatures(scope: IConstruct, props: DockerBuildInputs): void {
  const expression = props.rebuildSchedule?.expressionString;
  const scheduleProblem = expression === undefined ? undefined : scheduleExpressionProblem(expression);
  if (scheduleProblem !== undefined) {
    throw propError(
      scope,
      'rebuildSchedule',
      expression,
      `${scheduleProblem}, which EventBridge refuses`,
      'use events.Schedule.rate(Duration.days(1)) or events.Schedule.cron({ hour: "3", minute: "0" }) (EventBridge schedule expressions)',
    );
  }
  if (props.badge && !props.source.badgeSupported) {
    throw propError(
      scope,
      'badge',
      true,
      `is not supported for ${article(props.source.type)} ${props.source.type} source: CodeBuild shows badges for GitHub, GitHub Enterprise, Bitbucket and CodeCommit sources`,
      'remove badge, or build from a repository source',
    );
  }
  const version = props.buildOnDeploySourceVersion;
  if (!props.buildOnDeploy) {
    if (version !== undefined) {
      throw propError(
        scope,
        'buildOnDeploySourceVersion',
        version,
        'only applies to deploy-time builds, and buildOnDeploy is not set',
        'set buildOnDeploy: true, or remove buildOnDeploySourceVersion',
      );
    }
    return;
  }
  if (version !== undefined && !Token.isUnresolved(version) && !/^\S{1,255}$/.test(version)) {
    throw propError(
      scope,
      'buildOnDeploySourceVersion',
      version,
      'is not a source version',
      'use a commit id, a branch or tag name (e.g. "refs/heads/main"), or pr/<number>',
    );
  }
  if (props.environmentVariables?.[BUILD_INPUTS_VARIABLE] !== undefined) {
    throw propError(
      scope,
      'environmentVariables',
      BUILD_INPUTS_VARIABLE,
      'is set by deploy-time builds (buildOnDeploy) to record their inputs',
      'choose another name',
    );
  }
}
