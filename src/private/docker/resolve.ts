import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { MAX_DEPLOY_BUILD_MINUTES } from './build-on-deploy';
import { DockerBuildSpecInput } from './buildspec';
import { CacheKind, CacheLifecycle, LifecyclePresets } from './cache';
import {
  REPOSITORY_SOURCES,
  resolveBuildSecrets,
  resolveCache,
  resolveCompression,
  resolveDockerServer,
  ResolvedDockerServer,
  resolvePlatforms,
  validateContainerName,
  validateMultiPlatformTag,
  validateReleaseBranch,
  validateSecretRegion,
} from './capabilities';
import { DockerBuildInputs } from './inputs';
import { secretArnForEnvironment } from './secrets';
import {
  validateBuildImage,
  validateDeployFeatures,
  validateDockerBuildInputs,
  validateDockerfile,
  validateRepositoryProps,
  validateTags,
  validateUserEnvironment,
} from './validation';
import { AccountRelation, compareAccounts } from '../shared/accounts';
import {
  MAX_TIMEOUT_MINUTES,
  MIN_TIMEOUT_MINUTES,
  validateComputeType,
  validateSubnetSelection,
} from '../shared/build-project';
import { Warning } from '../shared/errors';
import { ResolvedTagMutability, resolveTagMutability } from '../shared/tag-mutability';
import { validateMinutes } from '../shared/validation';

/** The repository DockerBuildToEcr creates when none is given. */
export interface NewRepositoryInputs {
  readonly repositoryName?: string;
  /** Tag mutability and its exclusion filters (`shared/tag-mutability.ts`). */
  readonly tagMutability: ResolvedTagMutability;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** The lifecycle presets (`cache.ts`). */
  readonly lifecycle: LifecyclePresets;
}

/** The repository of the registry cache. */
export interface CacheRepositoryInputs {
  /** The key of the image repository that is created, if any: the cache holds the same files. */
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly lifecycle: CacheLifecycle;
}

/** Untagged images of a repository DockerBuildToEcr creates expire this long after their push, unless kept. */
export const DEFAULT_UNTAGGED_IMAGE_EXPIRATION = Duration.days(14);

/** Retention of the build log group unless `logRetention` says otherwise. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.TWO_YEARS;

/**
 * DockerBuildToEcr's props, validated, with the defaults applied: everything the constructor needs
 * to create the resources and make the grants, and nothing it has to check again.
 */
export interface ResolvedDockerBuild {
  readonly source: codebuild.ISource;
  /** The repository given in the props; undefined when one is created ({@link newRepository}). */
  readonly repository?: ecr.IRepository;
  /** The repository to create, when none is given. */
  readonly newRepository?: NewRepositoryInputs;
  /**
   * The created repository is IMMUTABLE (with or without exclusion filters): a tag that no filter
   * matches, e.g. the commit tag, is never moved.
   */
  readonly immutable: boolean;
  /**
   * The tag that every build moves (`imageTag` when fixed, else the first of the additional tags),
   * for `imageUri`; undefined when every tag is computed at build time.
   */
  readonly fixedTag?: string;
  /** The value of the project's IMAGE_TAG variable: the fixed `imageTag`, or empty (computed by the build). */
  readonly imageTagVariable: string;
  /** The input of `dockerBuildSpec` (`buildspec.ts`). */
  readonly buildSpec: DockerBuildSpecInput;
  /** The props that `dockerBuildSpecContributions` weighs when the buildspec is too long. */
  readonly buildSpecSizeInput: DockerBuildSpecInput;
  readonly cache: { readonly kind: CacheKind; readonly tag?: string };
  /** The project's Docker server (`DockerCache.dockerServer()`). */
  readonly dockerServer?: ResolvedDockerServer;
  /**
   * The registry cache's repository (registry cache only): the build's own, so that who may pull the
   * image cannot read the cache.
   */
  readonly cacheRepository?: CacheRepositoryInputs;
  /** The build log group. */
  readonly logGroup: { readonly retention: logs.RetentionDays; readonly removalPolicy: RemovalPolicy };
  /** The project's build image (the platform builds' images are in {@link buildSpec}). */
  readonly projectImage: codebuild.IBuildImage;
  readonly computeType: codebuild.ComputeType;
  readonly timeout: Duration;
  /** The user's environment variables, checked against the ones the build sets. */
  readonly environmentVariables?: Record<string, codebuild.BuildEnvironmentVariable>;
  /** The secrets the role may read: build secrets, then Docker Hub credentials. */
  readonly readableSecrets: secretsmanager.ISecret[];
  readonly network: Pick<DockerBuildInputs, 'vpc' | 'subnetSelection' | 'securityGroups'>;
  readonly badge: boolean;
  readonly rebuildSchedule?: DockerBuildInputs['rebuildSchedule'];
  /** With `buildOnDeploy`: the project timeout a deploy-time build is capped from, and its source version. */
  readonly deployBuild?: { readonly projectTimeoutMinutes: number; readonly sourceVersion?: string };
  /** Warnings for the construct to emit, in order. */
  readonly warnings: Warning[];
}

/** Whether `repository` is known to be in the account and region of `stack` (its registry). */
function sameEnvironment(repository: ecr.IRepository, stack: Stack): boolean {
  const sameRegion =
    !Token.isUnresolved(repository.env.region) &&
    !Token.isUnresolved(stack.region) &&
    repository.env.region === stack.region;
  return sameRegion && compareAccounts(repository.env.account, stack.account) === AccountRelation.SAME;
}

/**
 * The one validation path of DockerBuildToEcr: every check of its props, in the order their errors
 * are reported (repository, Dockerfile, tags, project, capabilities, deployment), the defaults, and
 * which values are tokens (skipped by the checks, passed to the build through variables). Creates
 * nothing: the constructor builds the resources from what this returns.
 */
export function resolveDockerBuild(scope: IConstruct, props: DockerBuildInputs): ResolvedDockerBuild {
  const warnings: Warning[] = [];

  // Repository
  const createsRepository = props.repository === undefined;
  validateRepositoryProps(scope, props);
  const tagMutability = resolveTagMutability(scope, createsRepository ? props : {});
  const immutable = createsRepository && tagMutability.immutableByDefault;
  const isImmutable = (tag: string): boolean | undefined =>
    createsRepository ? tagMutability.isImmutable(tag) : false;

  // Dockerfile
  const dockerfile = props.dockerfile ?? 'Dockerfile';
  const buildContext = props.buildContext ?? '.';
  const buildArgs = props.buildArgs ?? {};
  validateDockerfile(scope, dockerfile, buildContext, props.target, buildArgs);

  // Tags
  // `latest` by default, unless the repository would refuse to move it (IMMUTABLE, and no filter matches it).
  const additionalTags = props.additionalTags ?? (isImmutable('latest') === true ? [] : ['latest']);
  validateTags(scope, props.imageTag, additionalTags, { ...tagMutability, isImmutable });

  // Project
  validateMinutes(scope, 'timeout', props.timeout, MIN_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES);
  validateBuildImage(scope, props.buildImage);
  validateUserEnvironment(scope, props.environmentVariables);
  warnings.push(...validateDockerBuildInputs(scope, props, immutable));
  validateComputeType(scope, props.computeType, 'has no Docker daemon (docker build needs privileged mode)');
  validateSubnetSelection(scope, props.vpc, props.subnetSelection, props.securityGroups);

  // Build capabilities (cache.ts, platforms.ts, secrets.ts, outputs.ts)
  const cache = resolveCache(scope, props.cache);
  const platforms = resolvePlatforms(scope, props.platforms, props.buildImage);
  const dockerServer = resolveDockerServer(scope, props.cache, {
    computeType: props.computeType,
    vpc: props.vpc,
    platformCount: platforms.builds.length,
  });
  const compression = resolveCompression(scope, props.compression, cache.kind);
  validateMultiPlatformTag(scope, platforms.builds.length, props.source, props.imageTag, isImmutable, platforms.builds);
  const secrets = resolveBuildSecrets(scope, props.buildSecrets);
  if (props.dockerHubCredentials !== undefined) {
    validateSecretRegion(scope, 'dockerHubCredentials', props.dockerHubCredentials);
  }
  validateReleaseBranch(scope, props.releaseBranch, props.source);
  validateContainerName(scope, props.imageDefinitionsContainerName);

  // Deployment: badge, deploy-time build
  validateDeployFeatures(scope, props);
  const repositoryAccount = props.repository?.env.account;
  if (
    repositoryAccount !== undefined &&
    compareAccounts(repositoryAccount, Stack.of(scope).account) === AccountRelation.DIFFERENT
  ) {
    warnings.push({
      id: 'crossAccountRepository',
      message:
        `The repository belongs to account ${repositoryAccount}: its repository policy must allow ` +
        "this project's role to push (e.g. CrossAccountPullPolicy with AccessLevel.PULL_PUSH in that account).",
    });
  }
  const timeout = props.timeout ?? Duration.hours(1);
  let deployBuild: ResolvedDockerBuild['deployBuild'];
  if (props.buildOnDeploy) {
    const projectMinutes = timeout.isUnresolved() ? MAX_DEPLOY_BUILD_MINUTES : timeout.toMinutes();
    if (props.timeout !== undefined && !timeout.isUnresolved() && projectMinutes > MAX_DEPLOY_BUILD_MINUTES) {
      warnings.push({
        id: 'buildOnDeployTimeout',
        message:
          `timeout is ${timeout.toHumanString()}, but deploy-time builds stop after ${MAX_DEPLOY_BUILD_MINUTES} minutes ` +
          '(CloudFormation waits at most one hour for a custom resource); other builds keep the full timeout.',
      });
    }
    if (props.buildOnDeploySourceVersion === undefined && REPOSITORY_SOURCES.includes(props.source.type)) {
      // CloudFormation updates a custom resource only when one of its properties changes.
      warnings.push({
        id: 'buildOnDeployNewCommits',
        message:
          'buildOnDeploy builds the head of the source branch when the stack changes, not when the branch gets a ' +
          'new commit (CloudFormation only updates the build when one of its inputs changes): set ' +
          'buildOnDeploySourceVersion to the commit to build (e.g. from your pipeline), or build on commits with ' +
          'a webhook or a pipeline.',
      });
    }
    deployBuild = { projectTimeoutMinutes: projectMinutes, sourceVersion: props.buildOnDeploySourceVersion };
  }

  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const platformCount = Math.max(platforms.builds.length, 1);
  const buildSpecSizeInput: DockerBuildSpecInput = {
    dockerfile,
    buildContext,
    target: props.target,
    buildArgs,
    additionalTags,
  };
  return {
    source: props.source,
    repository: props.repository,
    newRepository: createsRepository
      ? {
          repositoryName: props.repositoryName,
          tagMutability,
          encryptionKey: props.encryptionKey,
          removalPolicy,
          lifecycle: {
            maxImageCount: props.maxImageCount,
            untaggedImageExpiration: props.keepUntaggedImages
              ? undefined
              : (props.untaggedImageExpiration ?? DEFAULT_UNTAGGED_IMAGE_EXPIRATION),
            platformCount,
            archiveImagesNotPulledFor: props.archiveImagesNotPulledFor,
          },
        }
      : undefined,
    immutable,
    fixedTag: props.imageTag ?? additionalTags[0],
    imageTagVariable: props.imageTag ?? '',
    buildSpec: {
      ...buildSpecSizeInput,
      cache,
      compression,
      platforms: platforms.builds,
      secrets,
      dockerHubSecretArn: props.dockerHubCredentials && secretArnForEnvironment(props.dockerHubCredentials),
      imageTagFixed: props.imageTag !== undefined,
      releaseBranch: props.releaseBranch,
      immutable,
      mayKeepExistingImage: !createsRepository || tagMutability.filters.length > 0,
      imageDefinitionsContainerName: props.imageDefinitionsContainerName,
      constructPath: scope.node.path,
      cacheInOtherRegistry: props.repository !== undefined && !sameEnvironment(props.repository, Stack.of(scope)),
    },
    buildSpecSizeInput,
    cache,
    dockerServer,
    cacheRepository:
      cache.kind === CacheKind.REGISTRY
        ? {
            encryptionKey: createsRepository ? props.encryptionKey : undefined,
            removalPolicy,
            lifecycle: { platformCount },
          }
        : undefined,
    logGroup: { retention: props.logRetention ?? DEFAULT_LOG_RETENTION, removalPolicy },
    projectImage: platforms.projectImage,
    computeType: props.computeType ?? codebuild.ComputeType.SMALL,
    timeout,
    environmentVariables: props.environmentVariables,
    readableSecrets: [
      ...secrets.map(({ secret }) => secret),
      ...(props.dockerHubCredentials ? [props.dockerHubCredentials] : []),
    ],
    network: { vpc: props.vpc, subnetSelection: props.subnetSelection, securityGroups: props.securityGroups },
    badge: props.badge ?? false,
    rebuildSchedule: props.rebuildSchedule,
    deployBuild,
    warnings,
  };
}
