import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { expiresUntagged, renderLifecyclePolicy, validateArchiveAfter } from './lifecycle';
import { checkCredentialsGiven, checkCredentialsSecret, checkUpstreamAuthentication } from './secrets';
import { SigningProperties, signingProperties, SigningRuleInputs } from './signing';
import { environmentKey, registerRegistryWide, UNKNOWN_ENVIRONMENT } from './singleton';
import {
  checkDistinct,
  validateCachePrefix,
  validateRegion,
  validateReplicationFilter,
  validateResourceTags,
  validateTemplatePrefix,
} from './validation';
import type { RegistryScanning } from '../../registry-scanning';
import type { Upstream } from '../../upstream';
import { AccountRelation, compareAccounts } from '../shared/accounts';
import { propError, Warning } from '../shared/errors';
import { resolveTagMutability } from '../shared/tag-mutability';
import { validateAccountId } from '../shared/validation';

/** Most replication rules in a registry (ECR's limit: `ReplicationConfiguration.rules`). */
export const MAX_REPLICATION_RULES = 10;
/** Most destinations in one replication rule (ECR's limit: `ReplicationRule.destinations`). */
export const MAX_REPLICATION_DESTINATIONS = 100;
/** Most repository filters in one replication rule (ECR's limit: `ReplicationRule.repositoryFilters`). */
export const MAX_REPLICATION_FILTERS = 100;
/** Most pull-through cache rules in a registry (ECR's limit). */
export const MAX_PULL_THROUGH_CACHE_RULES = 50;

/** `RepositoryCreationTrigger.PULL_THROUGH_CACHE`. */
const PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE';
/**
 * The `RepositoryCreationTrigger` values: `AppliedFor` of `AWS::ECR::RepositoryCreationTemplate`
 * (its schema's enum) and `RCTAppliedFor` of the ECR API.
 */
export const CREATION_TRIGGERS: readonly string[] = ['PULL_THROUGH_CACHE', 'REPLICATION', 'CREATE_ON_PUSH'];

/** A replication rule as {@link resolveRegistrySettings} reads it (`ReplicationRule` satisfies it). */
export interface ReplicationRuleInputs {
  readonly destinations: Array<{ readonly region: string; readonly accountId?: string }>;
  readonly repositoryPrefixes?: string[];
}

/** A repository creation template as {@link resolveRegistrySettings} reads it (`RepositoryCreationTemplate` satisfies it). */
export interface CreationTemplateInputs {
  readonly prefix: string;
  /** `RepositoryCreationTrigger` values. */
  readonly appliedFor: string[];
  readonly description?: string;
  readonly imageTagMutability?: ecr.TagMutability;
  readonly imageTagMutabilityExclusionFilters?: string[];
  readonly encryptionKey?: kms.IKey;
  readonly lifecycleRules?: ecr.LifecycleRule[];
  readonly archiveImagesNotPulledFor?: Duration;
  readonly repositoryPolicy?: iam.PolicyDocument;
  readonly resourceTags?: Record<string, string>;
  readonly customRole?: iam.IRole;
}

/** A pull-through cache rule as its resolve step reads it (`PullThroughCacheRule` satisfies it). */
export interface CacheRuleInputs {
  readonly ecrRepositoryPrefix: string;
  readonly upstream: Upstream;
  /** The registry the rule is a rule of, once added to one. */
  readonly _registry?: IConstruct;
}

/**
 * What RegistrySettings' props hold, as {@link resolveRegistrySettings} reads them.
 * `RegistrySettingsProps` satisfies this structurally, so that no private module imports the
 * construct's file.
 */
export interface RegistrySettingsInputs<R extends CacheRuleInputs = CacheRuleInputs> {
  readonly replicationRules?: ReplicationRuleInputs[];
  readonly replicationSourceAccountIds?: string[];
  readonly pullThroughCacheRules?: R[];
  readonly scanning?: RegistryScanning;
  readonly repositoryCreationTemplates?: CreationTemplateInputs[];
  /** `RegistrySigning` (its rules were checked by `RegistrySigning.managed`). */
  readonly signing?: { readonly rules: readonly SigningRuleInputs[] };
}

/** A pull-through cache rule, checked against the rules the registry already has. */
export interface ResolvedCacheRule<R extends CacheRuleInputs = CacheRuleInputs> {
  readonly rule: R;
  /** The properties of its `AWS::ECR::PullThroughCacheRule`. */
  readonly properties: ecr.CfnPullThroughCacheRuleProps;
  /**
   * Its properties that aws-cdk-lib 2.177's L1 lacks (`CustomRoleArn`, `UpstreamRepositoryPrefix`,
   * ECR to ECR), by their CloudFormation names, for `addPropertyOverride`.
   */
  readonly overrides: Record<string, string>;
  /** Warnings about its credentials secret, in order. */
  readonly warnings: Warning[];
}

/** The properties of the `AWS::ECR::RegistryScanningConfiguration` (aws-cdk-lib 2.177 has no L1 for it). */
export interface ScanningProperties {
  readonly ScanType: string;
  readonly Rules: Array<{
    readonly ScanFrequency: string;
    readonly RepositoryFilters: Array<{ readonly Filter: string; readonly FilterType: string }>;
  }>;
}

/** RegistrySettings' props, validated, with the defaults applied. */
export interface ResolvedRegistrySettings<R extends CacheRuleInputs = CacheRuleInputs> {
  /** The rules of the replication configuration; undefined without `replicationRules`. */
  readonly replicationRules?: ecr.CfnReplicationConfiguration.ReplicationRuleProperty[];
  /** The accounts the registry policy lets replicate in; undefined without `replicationSourceAccountIds`. */
  readonly registryPolicyAccountIds?: string[];
  /** Undefined without `scanning`. */
  readonly scanning?: ScanningProperties;
  /** The properties of the `AWS::ECR::SigningConfiguration`; undefined without `signing`. */
  readonly signing?: SigningProperties;
  /** The props' pull-through cache rules, each once. */
  readonly pullThroughCacheRules: ResolvedCacheRule<R>[];
  /** The properties of each `AWS::ECR::RepositoryCreationTemplate`. */
  readonly creationTemplates: ecr.CfnRepositoryCreationTemplateProps[];
  /**
   * The properties of each template (same order) that aws-cdk-lib 2.177's L1 lacks
   * (`ImageTagMutabilityExclusionFilters`), for `addPropertyOverride`; undefined when no template has any.
   */
  readonly creationTemplateOverrides?: Array<Record<string, unknown>>;
  /** Warnings for the construct to emit, in order (the rules' first, then the templates'). */
  readonly warnings: Warning[];
}

/**
 * The one validation path of RegistrySettings' props: every check in the order their errors are
 * reported (one per environment, replication, registry policy, pull-through cache rules, creation
 * templates), the defaults, and which values are tokens (skipped). Creates nothing; it records the
 * registry's environment in the app (`singleton.ts`) for the next RegistrySettings' check. Rules
 * added later go through {@link resolvePullThroughCacheRule}, the same path as the props' rules.
 */
export function resolveRegistrySettings<R extends CacheRuleInputs>(
  scope: IConstruct,
  props: RegistrySettingsInputs<R>,
): ResolvedRegistrySettings<R> {
  checkOnePerEnvironment(scope);
  const replicationRules =
    props.replicationRules !== undefined ? resolveReplicationRules(scope, props.replicationRules) : undefined;
  const registryPolicyAccountIds =
    props.replicationSourceAccountIds !== undefined
      ? resolveReplicationSourceAccounts(scope, props.replicationSourceAccountIds)
      : undefined;
  const pullThroughCacheRules: ResolvedCacheRule<R>[] = [];
  for (const rule of props.pullThroughCacheRules ?? []) {
    const resolved = resolvePullThroughCacheRule(
      scope,
      rule,
      pullThroughCacheRules.map((r) => r.rule),
    );
    if (resolved !== undefined) {
      pullThroughCacheRules.push(resolved);
    }
  }
  const templates = props.repositoryCreationTemplates ?? [];
  checkDistinct(
    scope,
    'repositoryCreationTemplates',
    templates.map((t) => t.prefix),
    'prefix',
  );
  const creationTemplates = templates.map((template) => resolveCreationTemplate(scope, template));
  return {
    replicationRules,
    registryPolicyAccountIds,
    scanning: props.scanning !== undefined ? scanningProperties(props.scanning) : undefined,
    signing: props.signing !== undefined ? signingProperties(props.signing.rules) : undefined,
    pullThroughCacheRules,
    creationTemplates: creationTemplates.map((t) => t.properties),
    creationTemplateOverrides: creationTemplates.some((t) => Object.keys(t.overrides).length > 0)
      ? creationTemplates.map((t) => t.overrides)
      : undefined,
    warnings: [...pullThroughCacheRules, ...creationTemplates].flatMap((r) => r.warnings),
  };
}

/**
 * The checks of a pull-through cache rule added to a registry that has the rules `existing`: its
 * prefix is not one of theirs, the registry has room, the rule is not another registry's, and its
 * credentials secret is one ECR accepts. Undefined when the rule is one of `existing` (added once).
 */
export function resolvePullThroughCacheRule<R extends CacheRuleInputs>(
  scope: IConstruct,
  rule: R,
  existing: readonly R[],
): ResolvedCacheRule<R> | undefined {
  if (existing.includes(rule)) {
    return undefined;
  }
  const prefix = rule.ecrRepositoryPrefix;
  if (existing.some((r) => r.ecrRepositoryPrefix === prefix)) {
    throw propError(
      scope,
      'pullThroughCacheRules',
      prefix,
      'is the prefix of two rules',
      'give each rule its own ecrRepositoryPrefix',
    );
  }
  if (existing.length >= MAX_PULL_THROUGH_CACHE_RULES) {
    throw propError(
      scope,
      'pullThroughCacheRules',
      `${existing.length + 1} rules`,
      `are more than ECR allows in one registry (${MAX_PULL_THROUGH_CACHE_RULES})`,
      'share one rule per upstream between teams',
    );
  }
  if (rule._registry !== undefined && rule._registry !== scope) {
    throw propError(
      scope,
      'pullThroughCacheRules',
      prefix,
      `is already a rule of ${rule._registry.node.path}`,
      'create one PullThroughCacheRule per registry',
    );
  }
  const credentials = rule.upstream.credentials;
  // The Upstream factories check this too; an upstream built any other way (JavaScript) is checked here.
  checkCredentialsGiven(scope, `upstream credentials of rule "${prefix}"`, rule.upstream.registryType, credentials);
  const authentication = checkUpstreamAuthentication(scope, prefix, rule.upstream);
  return {
    rule,
    properties: {
      ecrRepositoryPrefix: prefix,
      upstreamRegistry: rule.upstream.registryType,
      upstreamRegistryUrl: rule.upstream.registryUrl,
      credentialArn: credentials?.secretArn,
    },
    overrides: {
      ...(rule.upstream.role !== undefined ? { CustomRoleArn: rule.upstream.role.roleArn } : {}),
      ...(rule.upstream.upstreamRepositoryPrefix !== undefined
        ? { UpstreamRepositoryPrefix: rule.upstream.upstreamRepositoryPrefix }
        : {}),
    },
    warnings: [
      ...(credentials !== undefined ? checkCredentialsSecret(scope, prefix, credentials) : []),
      ...authentication,
    ],
  };
}

/**
 * The checks of `grantPullThroughCache`: the prefix is a valid one (an error), and the prefix of
 * one of the registry's `rules` (a warning otherwise: the rule may be in another app).
 */
export function resolvePullThroughCacheGrant(
  scope: IConstruct,
  ecrRepositoryPrefix: string,
  rules: readonly CacheRuleInputs[],
): Warning[] {
  validateCachePrefix(scope, 'ecrRepositoryPrefix', ecrRepositoryPrefix);
  if (rules.some((r) => r.ecrRepositoryPrefix === ecrRepositoryPrefix)) {
    return [];
  }
  return [
    {
      id: 'unknownCachePrefix',
      message:
        `grantPullThroughCache: ecrRepositoryPrefix "${ecrRepositoryPrefix}" is not the prefix of a rule of ${scope.node.path} ` +
        `(${rules.map((r) => r.ecrRepositoryPrefix).join(', ') || 'none'}): the grant works only if a rule with that prefix exists in the registry`,
    },
  ];
}

/** One RegistrySettings per account and region in an app (and one only, next to an environment-agnostic one). */
function checkOnePerEnvironment(scope: IConstruct): void {
  const others = registerRegistryWide(scope);
  if (others.length === 0) {
    return;
  }
  const key = environmentKey(scope);
  const problem =
    key === UNKNOWN_ENVIRONMENT
      ? `is that of an environment-agnostic stack, which can be deployed to the environment of RegistrySettings ${others.join(', ')} of this app`
      : `already has RegistrySettings ${others.join(', ')} in this app (or one in an environment-agnostic stack)`;
  throw propError(
    scope,
    'account/region',
    key === UNKNOWN_ENVIRONMENT ? '(unknown at synth)' : key,
    `${problem}, and the replication configuration, registry policy, scanning and signing configurations exist once per account and region (a second deployment would replace the first's)`,
    'keep one RegistrySettings per account and region, and give stacks that hold one an explicit env (account and region)',
  );
}

function resolveReplicationRules(
  scope: IConstruct,
  rules: ReplicationRuleInputs[],
): ecr.CfnReplicationConfiguration.ReplicationRuleProperty[] {
  if (rules.length > MAX_REPLICATION_RULES) {
    throw propError(
      scope,
      'replicationRules',
      `${rules.length} rules`,
      `are more than ECR allows in a replication configuration (${MAX_REPLICATION_RULES})`,
      'merge rules that share destinations',
    );
  }
  const stack = Stack.of(scope);
  return rules.map((rule) => {
    if (rule.destinations.length === 0) {
      throw propError(
        scope,
        'destinations',
        [],
        'leaves a replication rule without a destination',
        'give each rule at least one destination (a region, and an accountId for another account)',
      );
    }
    if (rule.destinations.length > MAX_REPLICATION_DESTINATIONS) {
      throw propError(
        scope,
        'destinations',
        `${rule.destinations.length} destinations`,
        `are more than ECR allows in one replication rule (${MAX_REPLICATION_DESTINATIONS})`,
        'split the destinations over several rules',
      );
    }
    const prefixes = rule.repositoryPrefixes;
    if (prefixes !== undefined) {
      if (prefixes.length === 0) {
        // ECR takes 1-100 filters when the list is given; CloudFormation would send none, and
        // replicate every repository: the opposite of what an empty list reads as.
        throw propError(
          scope,
          'repositoryPrefixes',
          [],
          'is empty, and a rule without filters replicates every repository',
          'leave repositoryPrefixes out to replicate every repository, or list the prefixes to replicate',
        );
      }
      if (prefixes.length > MAX_REPLICATION_FILTERS) {
        throw propError(
          scope,
          'repositoryPrefixes',
          `${prefixes.length} prefixes`,
          `are more than ECR allows in one replication rule (${MAX_REPLICATION_FILTERS})`,
          'use shorter, shared prefixes, or split them over several rules',
        );
      }
      prefixes.forEach((p) => validateReplicationFilter(scope, 'repositoryPrefixes', p));
      checkDistinct(
        scope,
        'repositoryPrefixes',
        prefixes.filter((p) => !Token.isUnresolved(p)),
        'prefix',
      );
    }
    const seen = new Map<string, string>();
    return {
      destinations: rule.destinations.map((d) => {
        validateRegion(scope, 'destinations.region', d.region);
        const account = d.accountId ?? stack.account;
        if (d.accountId !== undefined) {
          validateAccountId(scope, 'destinations.accountId', d.accountId);
        }
        if (
          compareAccounts(account, stack.account) === AccountRelation.SAME &&
          !Token.isUnresolved(d.region) &&
          !Token.isUnresolved(stack.region) &&
          d.region === stack.region
        ) {
          throw propError(
            scope,
            'destinations',
            `${d.region}`,
            `is the registry itself (account ${stack.account}, region ${stack.region})`,
            'replicate to another region or another account',
          );
        }
        const key = JSON.stringify(stack.resolve([account, d.region]));
        if (seen.has(key)) {
          throw propError(
            scope,
            'destinations',
            `${seen.get(key)}`,
            'is given twice in one replication rule (same region and account)',
            'give each destination of a rule once',
          );
        }
        seen.set(key, Token.isUnresolved(account) ? d.region : `${d.region}/${account}`);
        return { region: d.region, registryId: account };
      }),
      ...(prefixes !== undefined
        ? { repositoryFilters: prefixes.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })) }
        : {}),
    };
  });
}

function resolveReplicationSourceAccounts(scope: IConstruct, accountIds: string[]): string[] {
  if (accountIds.length === 0) {
    throw propError(
      scope,
      'replicationSourceAccountIds',
      [],
      'is empty',
      'list the accounts that replicate into this registry, or leave the prop out',
    );
  }
  accountIds.forEach((a) => validateAccountId(scope, 'replicationSourceAccountIds', a));
  checkDistinct(scope, 'replicationSourceAccountIds', accountIds, 'account');
  const own = accountIds.find((a) => compareAccounts(a, Stack.of(scope).account) === AccountRelation.SAME);
  if (own !== undefined) {
    throw propError(
      scope,
      'replicationSourceAccountIds',
      own,
      'is the account of the registry, which needs no registry policy to replicate into itself',
      'list only other accounts',
    );
  }
  return accountIds;
}

function scanningProperties(scanning: RegistryScanning): ScanningProperties {
  return {
    ScanType: scanning.scanType,
    Rules: scanning.rules.map((rule) => ({
      ScanFrequency: rule.scanFrequency,
      RepositoryFilters: rule.filters.map((filter) => ({ Filter: filter, FilterType: 'WILDCARD' })),
    })),
  };
}

/** The checks of one creation template, and the properties of its `AWS::ECR::RepositoryCreationTemplate`. */
function resolveCreationTemplate(
  scope: IConstruct,
  template: CreationTemplateInputs,
): { properties: ecr.CfnRepositoryCreationTemplateProps; overrides: Record<string, unknown>; warnings: Warning[] } {
  validateTemplatePrefix(scope, 'prefix', template.prefix);
  if (template.appliedFor.length === 0) {
    throw propError(
      scope,
      'appliedFor',
      [],
      'is empty',
      'use RepositoryCreationTrigger.PULL_THROUGH_CACHE, REPLICATION and/or CREATE_ON_PUSH',
    );
  }
  checkDistinct(scope, 'appliedFor', template.appliedFor, 'trigger');
  const unknown = template.appliedFor.find((t) => !Token.isUnresolved(t) && !CREATION_TRIGGERS.includes(t));
  if (unknown !== undefined) {
    throw propError(
      scope,
      'appliedFor',
      unknown,
      'is not a repository creation trigger',
      `use RepositoryCreationTrigger values (${CREATION_TRIGGERS.join(', ')})`,
    );
  }
  if (
    template.description !== undefined &&
    !Token.isUnresolved(template.description) &&
    template.description.length > 256
  ) {
    throw propError(
      scope,
      'description',
      `${template.description.length} characters`,
      'are more than ECR allows in the description of a repository creation template (256)',
      'shorten the description to at most 256 characters',
    );
  }
  const rules = template.lifecycleRules ?? [];
  if (template.appliedFor.includes(PULL_THROUGH_CACHE)) {
    const untagged = rules.find(expiresUntagged);
    if (untagged !== undefined) {
      throw propError(
        scope,
        'lifecycleRules',
        untagged.description ?? `tagStatus ${untagged.tagStatus ?? 'ANY'}`,
        `of the creation template for "${template.prefix}" expires untagged images in pull-through cache repositories, ` +
          'where the platform images of a cached multi-architecture image are untagged (expiring them breaks pulls of its tag)',
        'use rules on tagged images only (TagStatus.TAGGED with tagPrefixList or tagPatternList), or apply the template to REPLICATION only',
      );
    }
  }
  validateArchiveAfter(scope, 'archiveImagesNotPulledFor', template.archiveImagesNotPulledFor);
  // The shared check of DockerBuildToEcr's repository too (ImageTagMutability with exclusion filters).
  const mutability =
    template.imageTagMutability !== undefined || template.imageTagMutabilityExclusionFilters !== undefined
      ? resolveTagMutability(scope, template)
      : undefined;
  if (template.resourceTags !== undefined) {
    validateResourceTags(scope, 'resourceTags', template.resourceTags);
  }
  const tags = Object.entries(template.resourceTags ?? {});
  const warnings: Warning[] = [];
  const archive = template.archiveImagesNotPulledFor;
  if (archive !== undefined && template.appliedFor.includes(PULL_THROUGH_CACHE)) {
    warnings.push({
      id: 'archiveCacheImages',
      message:
        `repositoryCreationTemplates "${template.prefix}" archives images not pulled for ${archive.toDays()} days in pull-through cache repositories: ` +
        'archived images cannot be pulled until restored, and the rule is for any tag status, so it also archives the untagged platform images ' +
        'of a cached multi-architecture image that are pulled less often than its tag (e.g. arm64 when only amd64 is pulled)',
    });
  }
  if ((template.encryptionKey !== undefined || tags.length > 0) && template.customRole === undefined) {
    warnings.push({
      id: 'creationTemplateWithoutRole',
      message:
        `repositoryCreationTemplates "${template.prefix}" sets ${template.encryptionKey ? 'encryptionKey' : 'resourceTags'} without customRole: ` +
        'ECR needs a role of yours to apply KMS encryption and tags to the repositories it creates; give customRole',
    });
  }
  const properties: ecr.CfnRepositoryCreationTemplateProps = {
    prefix: template.prefix,
    appliedFor: template.appliedFor,
    description: template.description,
    imageTagMutability: mutability?.mutability,
    encryptionConfiguration: template.encryptionKey
      ? { encryptionType: 'KMS', kmsKey: template.encryptionKey.keyArn }
      : undefined,
    lifecyclePolicy:
      rules.length > 0 || archive !== undefined
        ? renderLifecyclePolicy(scope, 'lifecycleRules', rules, { archiveImagesNotPulledFor: archive })
        : undefined,
    repositoryPolicy: template.repositoryPolicy ? Stack.of(scope).toJsonString(template.repositoryPolicy) : undefined,
    resourceTags: tags.length > 0 ? tags.map(([key, value]) => ({ key, value })) : undefined,
    customRoleArn: template.customRole?.roleArn,
  };
  // ImageTagMutabilityExclusionFilters is newer than aws-cdk-lib 2.177's CfnRepositoryCreationTemplate.
  const overrides: Record<string, unknown> =
    mutability?.exclusionFilters !== undefined
      ? { ImageTagMutabilityExclusionFilters: mutability.exclusionFilters }
      : {};
  return { properties, overrides, warnings };
}
