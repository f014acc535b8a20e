import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { grantCacheRepositories } from './private/registry/grants';
import { expiresUntagged, renderLifecyclePolicy } from './private/registry/lifecycle';
import { checkCredentialsSecret } from './private/registry/secrets';
import { registerRegistryWide, UNKNOWN_ENVIRONMENT, environmentKey } from './private/registry/singleton';
import {
  validateCachePrefix,
  validateRegion,
  validateReplicationFilter,
  validateTemplatePrefix,
} from './private/registry/validation';
import { AccountRelation, compareAccounts } from './private/shared/accounts';
import { propError, warn } from './private/shared/errors';
import { validateAccountId } from './private/shared/validation';
import { PullThroughCacheRule } from './pull-through-cache-rule';
import { RegistryScanning } from './registry-scanning';

/** What ECR creates repositories for with a repository creation template. */
export enum RepositoryCreationTrigger {
  /** Cache repositories that a pull through a pull-through cache rule creates. */
  PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE',
  /** Destination repositories that replication creates. */
  REPLICATION = 'REPLICATION',
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
  /** Where the images are copied to (1-25 distinct destinations over all rules). */
  readonly destinations: ReplicationDestination[];

  /**
   * Repository name prefixes (`PREFIX_MATCH`, no wildcards) of the repositories replicated, e.g.
   * `prod/`.
   *
   * @default - every repository
   */
  readonly repositoryPrefixes?: string[];
}

/**
 * Settings ECR applies to the repositories it creates itself: cache repositories of pull-through
 * cache rules and destination repositories of replication (`AWS::ECR::RepositoryCreationTemplate`).
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
   * Tag mutability of the repositories.
   *
   * @default ecr.TagMutability.MUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * A KMS key that encrypts the repositories. ECR uses `customRole` to apply it.
   *
   * @default - AES-256 (ECR's default encryption)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Lifecycle rules of the repositories. For a template that applies to pull-through cache
   * repositories, only rules on tagged images (`TagStatus.TAGGED`) are accepted: the platform
   * images of a cached multi-architecture image are untagged, and expiring them breaks pulls of
   * the tag that refers to them.
   *
   * @default - no lifecycle policy
   */
  readonly lifecycleRules?: ecr.LifecycleRule[];

  /**
   * The repository policy of the repositories.
   *
   * @default - no repository policy
   */
  readonly repositoryPolicy?: iam.PolicyDocument;

  /**
   * Tags of the repositories. ECR uses `customRole` to apply them.
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
}

/**
 * The registry-wide settings of ECR in one account and region: replication, the registry policy,
 * pull-through cache rules, registry scanning and repository creation templates.
 *
 * The replication configuration, the registry policy and the scanning configuration exist once per
 * account and region: an app may hold one RegistrySettings per environment (a second is a synth
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
  /** Most replication rules in a registry (ECR's limit). */
  public static readonly MAX_REPLICATION_RULES = 10;
  /** Most distinct replication destinations over all rules (ECR's limit). */
  public static readonly MAX_REPLICATION_DESTINATIONS = 25;
  /** Most pull-through cache rules in a registry (ECR's limit). */
  public static readonly MAX_PULL_THROUGH_CACHE_RULES = 50;

  /** The replication configuration. Undefined without `replicationRules`. */
  public readonly replicationConfiguration?: ecr.CfnReplicationConfiguration;
  /** The registry policy. Undefined without `replicationSourceAccountIds`. */
  public readonly registryPolicy?: ecr.CfnRegistryPolicy;
  /** The `AWS::ECR::RegistryScanningConfiguration` resource. Undefined without `scanning`. */
  public readonly scanningConfiguration?: CfnResource;

  private readonly rules: PullThroughCacheRule[] = [];

  constructor(scope: Construct, id: string, props: RegistrySettingsProps = {}) {
    super(scope, id);
    this.checkOnePerEnvironment();

    if (props.replicationRules !== undefined) {
      this.replicationConfiguration = new ecr.CfnReplicationConfiguration(this, 'Replication', {
        replicationConfiguration: { rules: this.renderReplicationRules(props.replicationRules) },
      });
    }
    if (props.replicationSourceAccountIds !== undefined) {
      this.registryPolicy = this.createRegistryPolicy(props.replicationSourceAccountIds);
    }
    if (props.scanning !== undefined) {
      this.scanningConfiguration = new CfnResource(this, 'Scanning', {
        // aws-cdk-lib 2.177 has no L1 for this type.
        type: 'AWS::ECR::RegistryScanningConfiguration',
        properties: {
          ScanType: props.scanning.scanType,
          Rules: props.scanning.rules.map((rule) => ({
            ScanFrequency: rule.scanFrequency,
            RepositoryFilters: rule.filters.map((filter) => ({ Filter: filter, FilterType: 'WILDCARD' })),
          })),
        },
      });
    }
    (props.pullThroughCacheRules ?? []).forEach((rule) => this.addPullThroughCacheRule(rule));
    const templates = props.repositoryCreationTemplates ?? [];
    checkDistinct(
      this,
      'repositoryCreationTemplates',
      templates.map((t) => t.prefix),
      'prefix',
    );
    templates.forEach((template) => this.addCreationTemplate(template));
  }

  /** The pull-through cache rules of the registry. */
  public get pullThroughCacheRules(): PullThroughCacheRule[] {
    return [...this.rules];
  }

  /** Adds a pull-through cache rule (`AWS::ECR::PullThroughCacheRule`). */
  public addPullThroughCacheRule(rule: PullThroughCacheRule): void {
    if (this.rules.includes(rule)) {
      return;
    }
    const prefix = rule.ecrRepositoryPrefix;
    if (this.rules.some((r) => r.ecrRepositoryPrefix === prefix)) {
      throw propError(
        this,
        'pullThroughCacheRules',
        prefix,
        'is the prefix of two rules',
        'give each rule its own ecrRepositoryPrefix',
      );
    }
    if (this.rules.length >= RegistrySettings.MAX_PULL_THROUGH_CACHE_RULES) {
      throw propError(
        this,
        'pullThroughCacheRules',
        `${this.rules.length + 1} rules`,
        `are more than ECR allows in one registry (${RegistrySettings.MAX_PULL_THROUGH_CACHE_RULES})`,
        'share one rule per upstream between teams',
      );
    }
    rule._bind(this);
    this.rules.push(rule);
    const credentials = rule.upstream.credentials;
    if (credentials !== undefined) {
      checkCredentialsSecret(this, prefix, credentials);
    }
    new ecr.CfnPullThroughCacheRule(this, `PullThroughCache+${prefix}`, {
      ecrRepositoryPrefix: prefix,
      upstreamRegistry: rule.upstream.registryType,
      upstreamRegistryUrl: rule.upstream.registryUrl,
      credentialArn: credentials?.secretArn,
    });
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
    validateCachePrefix(this, 'ecrRepositoryPrefix', ecrRepositoryPrefix);
    if (!this.rules.some((r) => r.ecrRepositoryPrefix === ecrRepositoryPrefix)) {
      warn(
        this,
        'unknownCachePrefix',
        `grantPullThroughCache: ecrRepositoryPrefix "${ecrRepositoryPrefix}" is not the prefix of a rule of ${this.node.path} ` +
          `(${this.rules.map((r) => r.ecrRepositoryPrefix).join(', ') || 'none'}): the grant works only if a rule with that prefix exists in the registry`,
      );
    }
    return grantCacheRepositories(grantee, ecrRepositoryPrefix, this);
  }

  private checkOnePerEnvironment(): void {
    const others = registerRegistryWide(this);
    if (others.length === 0) {
      return;
    }
    const key = environmentKey(this);
    const where =
      key === UNKNOWN_ENVIRONMENT
        ? 'this one is in an environment-agnostic stack, which can be deployed to the environment of any other'
        : `both are for account/region ${key} (or one is in an environment-agnostic stack)`;
    throw new Error(
      `${this.node.path}: RegistrySettings ${others.join(', ')} already exists in this app, and ${where}: ` +
        "the replication configuration, registry policy and scanning configuration exist once per account and region, so a second deployment would replace the first's. " +
        'Keep one RegistrySettings per account and region, and give stacks that hold one an explicit env (account and region)',
    );
  }

  private renderReplicationRules(rules: ReplicationRule[]): ecr.CfnReplicationConfiguration.ReplicationRuleProperty[] {
    if (rules.length > RegistrySettings.MAX_REPLICATION_RULES) {
      throw propError(
        this,
        'replicationRules',
        `${rules.length} rules`,
        `are more than ECR allows (${RegistrySettings.MAX_REPLICATION_RULES})`,
        'merge rules that share destinations',
      );
    }
    const stack = Stack.of(this);
    const destinations = new Set<string>();
    const rendered = rules.map((rule) => {
      if (rule.destinations.length === 0) {
        throw propError(
          this,
          'replicationRules',
          '[] destinations',
          'leave a rule without a destination',
          'give at least one destination',
        );
      }
      const prefixes = rule.repositoryPrefixes ?? [];
      prefixes.forEach((p) => validateReplicationFilter(this, 'repositoryPrefixes', p));
      if (prefixes.length > 100) {
        throw propError(
          this,
          'repositoryPrefixes',
          `${prefixes.length} prefixes`,
          'are more than ECR allows in one rule (100)',
          'use shorter, shared prefixes',
        );
      }
      return {
        destinations: rule.destinations.map((d) => {
          validateRegion(this, 'destinations.region', d.region);
          const account = d.accountId ?? stack.account;
          if (d.accountId !== undefined) {
            validateAccountId(this, 'destinations.accountId', d.accountId);
          }
          if (
            compareAccounts(account, stack.account) === AccountRelation.SAME &&
            !Token.isUnresolved(d.region) &&
            !Token.isUnresolved(stack.region) &&
            d.region === stack.region
          ) {
            throw propError(
              this,
              'destinations',
              `${d.region}`,
              `is the registry itself (account ${stack.account}, region ${stack.region})`,
              'replicate to another region or another account',
            );
          }
          destinations.add(JSON.stringify(stack.resolve([account, d.region])));
          return { region: d.region, registryId: account };
        }),
        ...(prefixes.length > 0
          ? { repositoryFilters: prefixes.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })) }
          : {}),
      };
    });
    if (destinations.size > RegistrySettings.MAX_REPLICATION_DESTINATIONS) {
      throw propError(
        this,
        'replicationRules',
        `${destinations.size} destinations`,
        `are more than ECR allows over all rules (${RegistrySettings.MAX_REPLICATION_DESTINATIONS})`,
        'replicate to fewer regions and accounts',
      );
    }
    return rendered;
  }

  private createRegistryPolicy(accountIds: string[]): ecr.CfnRegistryPolicy {
    if (accountIds.length === 0) {
      throw propError(
        this,
        'replicationSourceAccountIds',
        [],
        'is empty',
        'list the accounts that replicate into this registry, or leave the prop out',
      );
    }
    accountIds.forEach((a) => validateAccountId(this, 'replicationSourceAccountIds', a));
    checkDistinct(this, 'replicationSourceAccountIds', accountIds, 'account');
    const stack = Stack.of(this);
    const own = accountIds.find((a) => compareAccounts(a, stack.account) === AccountRelation.SAME);
    if (own !== undefined) {
      throw propError(
        this,
        'replicationSourceAccountIds',
        own,
        'is the account of the registry, which needs no registry policy to replicate into itself',
        'list only other accounts',
      );
    }
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

  private addCreationTemplate(template: RepositoryCreationTemplate): void {
    validateTemplatePrefix(this, 'prefix', template.prefix);
    if (template.appliedFor.length === 0) {
      throw propError(
        this,
        'appliedFor',
        [],
        'is empty',
        'use RepositoryCreationTrigger.PULL_THROUGH_CACHE and/or RepositoryCreationTrigger.REPLICATION',
      );
    }
    checkDistinct(this, 'appliedFor', template.appliedFor, 'trigger');
    if (
      template.description !== undefined &&
      !Token.isUnresolved(template.description) &&
      template.description.length > 256
    ) {
      throw propError(
        this,
        'description',
        `${template.description.length} characters`,
        'is longer than 256 characters',
        'shorten the description',
      );
    }
    const rules = template.lifecycleRules ?? [];
    if (template.appliedFor.includes(RepositoryCreationTrigger.PULL_THROUGH_CACHE)) {
      const untagged = rules.find(expiresUntagged);
      if (untagged !== undefined) {
        throw propError(
          this,
          'lifecycleRules',
          untagged.description ?? `tagStatus ${untagged.tagStatus ?? 'ANY'}`,
          `of the creation template for "${template.prefix}" expires untagged images in pull-through cache repositories, ` +
            'where the platform images of a cached multi-architecture image are untagged (expiring them breaks pulls of its tag)',
          'use rules on tagged images only (TagStatus.TAGGED with tagPrefixList or tagPatternList), or apply the template to REPLICATION only',
        );
      }
    }
    const tags = Object.entries(template.resourceTags ?? {});
    if ((template.encryptionKey !== undefined || tags.length > 0) && template.customRole === undefined) {
      warn(
        this,
        'creationTemplateWithoutRole',
        `repositoryCreationTemplates "${template.prefix}" sets ${template.encryptionKey ? 'encryptionKey' : 'resourceTags'} without customRole: ` +
          'ECR needs a role of yours to apply KMS encryption and tags to the repositories it creates; give customRole',
      );
    }
    new ecr.CfnRepositoryCreationTemplate(this, `CreationTemplate+${template.prefix}`, {
      prefix: template.prefix,
      appliedFor: template.appliedFor,
      description: template.description,
      imageTagMutability: template.imageTagMutability,
      encryptionConfiguration: template.encryptionKey
        ? { encryptionType: 'KMS', kmsKey: template.encryptionKey.keyArn }
        : undefined,
      lifecyclePolicy: rules.length > 0 ? renderLifecyclePolicy(this, 'lifecycleRules', rules) : undefined,
      repositoryPolicy: template.repositoryPolicy ? Stack.of(this).toJsonString(template.repositoryPolicy) : undefined,
      resourceTags: tags.length > 0 ? tags.map(([key, value]) => ({ key, value })) : undefined,
      customRoleArn: template.customRole?.roleArn,
    });
  }
}

function checkDistinct(scope: IConstruct, prop: string, values: string[], what: string): void {
  const repeated = values.filter((v, i) => values.indexOf(v) !== i);
  if (repeated.length > 0) {
    throw propError(scope, prop, repeated[0], `is given as ${what} more than once`, `give each ${what} once`);
  }
}
