import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantCacheRepositories } from './private/registry/grants';
import {
  MAX_PULL_THROUGH_CACHE_RULES,
  MAX_REPLICATION_DESTINATIONS,
  MAX_REPLICATION_RULES,
  ResolvedCacheRule,
  resolvePullThroughCacheGrant,
  resolvePullThroughCacheRule,
  resolveRegistrySettings,
} from './private/registry/resolve';
import { Warning, warn } from './private/shared/errors';
import { PullThroughCacheRule } from './pull-through-cache-rule';
import { RegistryScanning } from './registry-scanning';
import { RegistrySigning } from './registry-signing';

/** What ECR creates repositories for with a repository creation template. */
export enum RepositoryCreationTrigger {
  /** Cache repositories that a pull through a pull-through cache rule creates. */
  PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE',
  /** Destination repositories that replication creates. */
  REPLICATION = 'REPLICATION',
  /**
   * Repositories that ECR creates when an image is pushed to a repository that does not exist yet.
   *
   * ECR creates one only when a template with this trigger matches the name, and the pusher needs
   * `ecr:CreateRepository` on it.
   */
  CREATE_ON_PUSH = 'CREATE_ON_PUSH',
}

/** A registry that replication copies images to. */
export interface ReplicationDestination {
  /** The region of the destination registry, e.g. `eu-west-1`. */
  readonly region: string;

  /**
   * The account of the destination registry (12 digits). Another account must allow this one in
   * its registry policy (`replicationSourceAccountIds` of its RegistrySettings).
   *
   * @default - the account of the stack (cross-region replication)
   */
  readonly accountId?: string;
}

/** One replication rule: which repositories go where. */
export interface ReplicationRule {
  /**
   * Where the images are copied to.
   *
   * 1-100 destinations, each region and account once in a rule (another rule may name the same
   * destination).
   */
  readonly destinations: ReplicationDestination[];

  /**
   * Repository name prefixes (`PREFIX_MATCH`, no wildcards) of the repositories replicated, e.g.
   * `prod/`.
   *
   * 1-100 distinct prefixes of 2-256 characters. An empty list is an error (ECR takes no empty
   * filter list, and a rule without filters replicates every repository): leave the prop out to
   * replicate every repository.
   *
   * @default - every repository
   */
  readonly repositoryPrefixes?: string[];
}

/**
 * Settings ECR applies to the repositories it creates itself: cache repositories of pull-through
 * cache rules, destination repositories of replication and repositories created on push
 * (`AWS::ECR::RepositoryCreationTemplate`).
 */
export interface RepositoryCreationTemplate {
  /**
   * The repository name prefix the template applies to, e.g. `docker-hub` (the prefix of a
   * pull-through cache rule), or `ROOT` for every repository no other template matches.
   */
  readonly prefix: string;

  /** What the template applies to. */
  readonly appliedFor: RepositoryCreationTrigger[];

  /**
   * A description (at most 256 characters).
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Tag mutability of the repositories. Besides `MUTABLE` and `IMMUTABLE`, the values of newer
   * aws-cdk-lib versions `IMMUTABLE_WITH_EXCLUSION` and `MUTABLE_WITH_EXCLUSION` are accepted; they
   * need `imageTagMutabilityExclusionFilters`.
   *
   * @default ecr.TagMutability.MUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * ECR wildcard filters (`*` matches any run of characters) of the tags that are the exception to
   * `imageTagMutability`: with `IMMUTABLE`, the matching tags stay mutable (e.g. `['latest']`); with
   * `MUTABLE`, they are immutable (e.g. `['v*']`). Rendered as `IMMUTABLE_WITH_EXCLUSION` or
   * `MUTABLE_WITH_EXCLUSION` with `ImageTagMutabilityExclusionFilters`.
   *
   * 1-5 distinct filters of 1-128 letters, digits, `.`, `_`, `-` and `*`.
   *
   * @default - no exception: every tag follows imageTagMutability
   */
  readonly imageTagMutabilityExclusionFilters?: string[];

  /**
   * A KMS key that encrypts the repositories. ECR uses `customRole` to apply it.
   *
   * @default - AES-256 (ECR's default encryption)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Lifecycle rules of the repositories.
   *
   * They are checked as `ecr.Repository` checks its own (one of `tagPrefixList` and
   * `tagPatternList`, a non-empty one for tagged rules, at most 4 `*` in a pattern, one rule for any
   * tag status and that one last) and as ECR does (`rulePriority` a whole number from 1, the policy
   * at most 30720 characters). For a template that applies to pull-through cache repositories, only
   * rules on tagged images (`TagStatus.TAGGED`) are accepted: the platform images of a cached
   * multi-architecture image are untagged, and expiring them breaks pulls of the tag that refers to
   * them.
   *
   * @default - no lifecycle policy
   */
  readonly lifecycleRules?: ecr.LifecycleRule[];

  /**
   * Moves the images of the repositories that were not pulled for this long (or, never pulled,
   * pushed this long ago) to ECR's archive storage class instead of keeping them in standard
   * storage: a lifecycle rule after `lifecycleRules` (`sinceImagePulled`, action `transition` to
   * `archive`).
   *
   * A whole number of days, at least 1. The rule is for any tag status, which ECR evaluates last
   * and takes once: `lifecycleRules` may then hold no rule for any tag status, and images that the
   * tag selection of one of them matches are not archived (ECR acts on an image by one rule at
   * most). Archived images cannot be pulled until they are restored (or pushed again), are billed
   * for at least 90 days, and are kept until deleted: `lifecycleRules` select images in standard
   * storage only ("Archiving an image" and "Lifecycle policy properties", Amazon ECR User Guide).
   *
   * @default - images are not archived
   */
  readonly archiveImagesNotPulledFor?: Duration;

  /**
   * The repository policy of the repositories.
   *
   * @default - no repository policy
   */
  readonly repositoryPolicy?: iam.PolicyDocument;

  /**
   * Tags of the repositories.
   *
   * At most 50, with keys of 1-128 characters that do not start with `aws:` and values of at most
   * 256 characters. ECR uses `customRole` to apply them.
   *
   * @default - no tags
   */
  readonly resourceTags?: Record<string, string>;

  /**
   * The role ECR assumes to create the repositories with `encryptionKey` or `resourceTags`.
   *
   * @default - none (ECR's service-linked role)
   */
  readonly customRole?: iam.IRole;
}

/**
 * Properties of RegistrySettings.
 */
export interface RegistrySettingsProps {
  /**
   * Replication rules (at most 10): images pushed to matching repositories are copied to other
   * regions and accounts. Replication does not copy images pushed before the rule existed.
   *
   * @default - no replication configuration is managed
   */
  readonly replicationRules?: ReplicationRule[];

  /**
   * Accounts that may replicate images into this registry (the registry policy allows them
   * `ecr:CreateRepository` and `ecr:ReplicateImage`). Needed in the destination account of
   * cross-account replication.
   *
   * @default - no registry policy is managed
   */
  readonly replicationSourceAccountIds?: string[];

  /**
   * Pull-through cache rules (at most 50 per registry). Add more with `addPullThroughCacheRule`.
   *
   * @default - none
   */
  readonly pullThroughCacheRules?: PullThroughCacheRule[];

  /**
   * The registry scanning configuration.
   *
   * @default - no scanning configuration is managed (ECR's default is basic scanning, with scan on
   * push set per repository)
   */
  readonly scanning?: RegistryScanning;

  /**
   * Repository creation templates: settings of the repositories ECR creates for pull-through cache
   * rules and replication.
   *
   * @default - none
   */
  readonly repositoryCreationTemplates?: RepositoryCreationTemplate[];

  /**
   * The registry's image signing configuration: ECR managed signing with AWS Signer
   * (`RegistrySigning.managed(rules)`).
   *
   * @default - no signing configuration is managed (ECR signs nothing on push)
   */
  readonly signing?: RegistrySigning;
}

/**
 * The registry-wide settings of ECR in one account and region: replication, the registry policy,
 * pull-through cache rules, registry scanning, managed signing and repository creation templates.
 *
 * The replication configuration, the registry policy and the scanning and signing configurations
 * exist once per account and region: an app may hold one RegistrySettings per environment (a second is a synth
 * error), and one in an environment-agnostic stack only when it is the app's only one.
 *
 * @example
 * import * as codebuild from 'aws-cdk-lib/aws-codebuild';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { DockerBuildToEcr, PullThroughCacheRule, RegistryScanning, RegistrySettings, Upstream } from 'cdk-ecr-codebuild';
 *
 * declare const source: codebuild.ISource;
 * const token = secretsmanager.Secret.fromSecretNameV2(this, 'DockerHubToken', 'ecr-pullthroughcache/docker-hub');
 * const dockerHub = new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(token) });
 * const registry = new RegistrySettings(this, 'Registry', {
 *   pullThroughCacheRules: [dockerHub],
 *   scanning: RegistryScanning.enhanced({ continuousScanFilters: ['prod-*'], scanOnPushFilters: ['*'] }),
 *   replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['prod-'] }],
 * });
 *
 * // A Dockerfile with `ARG BASE_REGISTRY` and `FROM ${BASE_REGISTRY}/library/node:20`
 * const image = new DockerBuildToEcr(this, 'Image', {
 *   source,
 *   buildArgs: { BASE_REGISTRY: dockerHub.registryPrefix },
 * });
 * registry.grantPullThroughCache(image, 'docker-hub');
 */
export class RegistrySettings extends Construct {
  /** Most replication rules in a registry (ECR's limit, 10). */
  public static readonly MAX_REPLICATION_RULES = MAX_REPLICATION_RULES;
  /**
   * Most destinations in one replication rule (ECR's limit, 100).
   *
   * The limit is per rule: the configuration as a whole has none of its own besides its 10 rules.
   */
  public static readonly MAX_REPLICATION_DESTINATIONS = MAX_REPLICATION_DESTINATIONS;
  /** Most pull-through cache rules in a registry (ECR's limit). */
  public static readonly MAX_PULL_THROUGH_CACHE_RULES = MAX_PULL_THROUGH_CACHE_RULES;

  /** The replication configuration. Undefined without `replicationRules`. */
  public readonly replicationConfiguration?: ecr.CfnReplicationConfiguration;
  /** The registry policy. Undefined without `replicationSourceAccountIds`. */
  public readonly registryPolicy?: ecr.CfnRegistryPolicy;
  /** The `AWS::ECR::RegistryScanningConfiguration` resource. Undefined without `scanning`. */
  public readonly scanningConfiguration?: CfnResource;
  /** The `AWS::ECR::SigningConfiguration` resource. Undefined without `signing`. */
  public readonly signingConfiguration?: CfnResource;

  private readonly rules: PullThroughCacheRule[] = [];

  constructor(scope: Construct, id: string, props: RegistrySettingsProps = {}) {
    super(scope, id);
    const inputs = resolveRegistrySettings(this, props);
    this.emit(inputs.warnings);

    if (inputs.replicationRules !== undefined) {
      this.replicationConfiguration = new ecr.CfnReplicationConfiguration(this, 'Replication', {
        replicationConfiguration: { rules: inputs.replicationRules },
      });
    }
    if (inputs.registryPolicyAccountIds !== undefined) {
      this.registryPolicy = this.createRegistryPolicy(inputs.registryPolicyAccountIds);
    }
    if (inputs.scanning !== undefined) {
      this.scanningConfiguration = new CfnResource(this, 'Scanning', {
        // aws-cdk-lib 2.177 has no L1 for this type.
        type: 'AWS::ECR::RegistryScanningConfiguration',
        properties: inputs.scanning,
      });
    }
    if (inputs.signing !== undefined) {
      this.signingConfiguration = new CfnResource(this, 'Signing', {
        // aws-cdk-lib has an L1 for this type (CfnSigningConfiguration) from 2.230 only; the floor is 2.177.
        type: 'AWS::ECR::SigningConfiguration',
        properties: inputs.signing,
      });
    }
    inputs.pullThroughCacheRules.forEach((rule) => this.createPullThroughCacheRule(rule));
    inputs.creationTemplates.forEach((template, i) => {
      const resource = new ecr.CfnRepositoryCreationTemplate(this, `CreationTemplate+${template.prefix}`, template);
      // ImageTagMutabilityExclusionFilters is newer than aws-cdk-lib 2.177's L1.
      for (const [name, value] of Object.entries(inputs.creationTemplateOverrides?.[i] ?? {})) {
        resource.addPropertyOverride(name, value);
      }
    });
  }

  /** The pull-through cache rules of the registry. */
  public get pullThroughCacheRules(): PullThroughCacheRule[] {
    return [...this.rules];
  }

  /** Adds a pull-through cache rule (`AWS::ECR::PullThroughCacheRule`). */
  public addPullThroughCacheRule(rule: PullThroughCacheRule): void {
    const resolved = resolvePullThroughCacheRule(this, rule, this.rules);
    if (resolved === undefined) {
      return;
    }
    this.emit(resolved.warnings);
    this.createPullThroughCacheRule(resolved);
  }

  /**
   * Grants what a build needs to pull images through the pull-through cache rule of
   * `ecrRepositoryPrefix`: `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository` (the first pull
   * of an image creates its cache repository) and the pull actions, on
   * `repository/<ecrRepositoryPrefix>/*` of this registry, plus `ecr:GetAuthorizationToken`.
   *
   * Works on DockerBuildToEcr, GoSampleBuild (their roles) and any other grantable.
   *
   * @param grantee the principal that pulls (e.g. a DockerBuildToEcr)
   * @param ecrRepositoryPrefix the prefix of a pull-through cache rule
   */
  public grantPullThroughCache(grantee: iam.IGrantable, ecrRepositoryPrefix: string): iam.Grant {
    this.emit(resolvePullThroughCacheGrant(this, ecrRepositoryPrefix, this.rules));
    return grantCacheRepositories(grantee, ecrRepositoryPrefix, this);
  }

  private emit(warnings: Warning[]): void {
    warnings.forEach((w) => warn(this, w.id, w.message));
  }

  private createPullThroughCacheRule(resolved: ResolvedCacheRule<PullThroughCacheRule>): void {
    resolved.rule._bind(this);
    this.rules.push(resolved.rule);
    const rule = new ecr.CfnPullThroughCacheRule(
      this,
      `PullThroughCache+${resolved.rule.ecrRepositoryPrefix}`,
      resolved.properties,
    );
    // CustomRoleArn and UpstreamRepositoryPrefix (ECR to ECR) are newer than aws-cdk-lib 2.177's L1.
    for (const [name, value] of Object.entries(resolved.overrides)) {
      rule.addPropertyOverride(name, value);
    }
  }

  private createRegistryPolicy(accountIds: string[]): ecr.CfnRegistryPolicy {
    const stack = Stack.of(this);
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'CdkEcrCodebuildReplication',
          principals: accountIds.map((a) => new iam.AccountPrincipal(a)),
          actions: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
          resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })],
        }),
      ],
    });
    return new ecr.CfnRegistryPolicy(this, 'RegistryPolicy', { policyText: policy });
  }
}
