import { Token } from 'aws-cdk-lib';
import { count, ErrorSite, siteError } from './errors';

/**
 * A repository name prefix as ECR accepts it for pull-through cache rules and creation templates:
 * the `EcrRepositoryPrefix` / `Prefix` pattern of `AWS::ECR::PullThroughCacheRule` and
 * `AWS::ECR::RepositoryCreationTemplate` and of the current ECR API model
 * (`^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$`): components
 * of lowercase letters and digits joined by single "/", their words separated by ".", "_", "__" or
 * a run of "-". The API also takes a trailing "/" (ECR adds one anyway); this library does not,
 * because it appends "/" itself (`<prefix>/<image>`, `repository/<prefix>/*`).
 */
const REPOSITORY_PREFIX = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** What a user reads about {@link REPOSITORY_PREFIX}. */
const REPOSITORY_PREFIX_RULE =
  'lowercase letters and digits, separated by ".", "_", "__", one or more "-", or a single "/" (no other runs of separators), ' +
  'starting and ending with a letter or digit';
/** A registry scanning repository filter (wildcards allowed). */
const SCAN_FILTER = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
/** A replication repository filter (a name prefix, PREFIX_MATCH). */
const REPLICATION_FILTER = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;
/** An AWS region name, e.g. `eu-west-1`, `us-gov-west-1`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** The longest prefix of a pull-through cache rule (ECR's limit). */
export const MAX_CACHE_PREFIX_LENGTH = 30;
/** The longest prefix of a repository creation template (ECR's limit). */
export const MAX_TEMPLATE_PREFIX_LENGTH = 256;

/** The `ecrRepositoryPrefix` of a pull-through cache rule: 2-30 characters of a repository name, not ROOT. */
export function validateCachePrefix(site: ErrorSite | undefined, prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) {
    // The prefix names construct ids, IAM resources and image URIs at synth.
    throw siteError(site, prop, prefix, 'is a token', 'give the prefix as a literal, e.g. "docker-hub"');
  }
  if (prefix.length < 2 || prefix.length > MAX_CACHE_PREFIX_LENGTH) {
    throw siteError(
      site,
      prop,
      prefix,
      `has ${count(prefix.length, 'character')}`,
      `use 2-${MAX_CACHE_PREFIX_LENGTH} characters, e.g. "docker-hub"`,
    );
  }
  if (!REPOSITORY_PREFIX.test(prefix)) {
    throw siteError(
      site,
      prop,
      prefix,
      'is not a valid repository prefix',
      `use ${REPOSITORY_PREFIX_RULE} (e.g. "docker-hub" or "cache/quay")`,
    );
  }
}

/**
 * The `UpstreamRepositoryPrefix` of an ECR to ECR pull-through cache rule: `ROOT`, or 2-30
 * characters of a repository name (the same pattern and lengths as `EcrRepositoryPrefix`,
 * `AWS::ECR::PullThroughCacheRule` schema; `PullThroughCacheRuleRepositoryPrefix` of the ECR API).
 */
export function validateUpstreamRepositoryPrefix(site: ErrorSite | undefined, prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix) || prefix === 'ROOT') {
    return;
  }
  if (prefix.length < 2 || prefix.length > MAX_CACHE_PREFIX_LENGTH) {
    throw siteError(
      site,
      prop,
      prefix,
      `has ${count(prefix.length, 'character')}`,
      `use 2-${MAX_CACHE_PREFIX_LENGTH} characters (e.g. "team-a"), or leave it out for every repository (ROOT)`,
    );
  }
  if (!REPOSITORY_PREFIX.test(prefix)) {
    throw siteError(
      site,
      prop,
      prefix,
      'is not a valid upstream repository prefix',
      `use ${REPOSITORY_PREFIX_RULE} (e.g. "team-a" or "base/images")`,
    );
  }
}

/** The prefix of a repository creation template: ROOT, or 1-256 characters of a repository name. */
export function validateTemplatePrefix(site: ErrorSite | undefined, prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) {
    // The prefix names the template's construct id, and is compared with the cache rules at synth.
    throw siteError(site, prop, prefix, 'is a token', 'give the prefix as a literal, e.g. "docker-hub" or "ROOT"');
  }
  if (prefix === 'ROOT') {
    return;
  }
  if (prefix.length > MAX_TEMPLATE_PREFIX_LENGTH) {
    throw siteError(
      site,
      prop,
      prefix,
      `has ${count(prefix.length, 'character')}`,
      `use "ROOT" or 1-${MAX_TEMPLATE_PREFIX_LENGTH} characters`,
    );
  }
  if (!REPOSITORY_PREFIX.test(prefix)) {
    throw siteError(
      site,
      prop,
      prefix,
      'is not a valid repository creation template prefix',
      `use "ROOT" (every repository) or 1-256 ${REPOSITORY_PREFIX_RULE} (e.g. "docker-hub")`,
    );
  }
}

export function validateScanFilters(site: ErrorSite | undefined, prop: string, filters: string[]): void {
  if (filters.length > 100) {
    throw siteError(
      site,
      prop,
      `${filters.length} filters`,
      'are more than ECR allows in one scanning rule (100)',
      'use wildcards, e.g. "prod-*"',
    );
  }
  for (const filter of filters) {
    if (Token.isUnresolved(filter)) {
      continue;
    }
    if (filter.length < 1 || filter.length > 255 || !SCAN_FILTER.test(filter)) {
      throw siteError(
        site,
        prop,
        filter,
        'is not a registry scanning filter',
        'use 1-255 lowercase letters, digits, ".", "_", "-", "/" and "*" wildcards, starting and ending with a letter, digit or "*" (e.g. "prod-*" or "*")',
      );
    }
  }
}

export function validateReplicationFilter(site: ErrorSite | undefined, prop: string, filter: string): void {
  if (Token.isUnresolved(filter)) {
    return;
  }
  if (filter.length < 2 || filter.length > 256 || !REPLICATION_FILTER.test(filter)) {
    throw siteError(
      site,
      prop,
      filter,
      'is not a replication repository filter',
      'use a repository name prefix of 2-256 lowercase letters, digits, ".", "_", "-" and "/" (e.g. "prod/"); wildcards are not allowed',
    );
  }
}

export function validateRegion(site: ErrorSite | undefined, prop: string, region: string): void {
  if (Token.isUnresolved(region)) {
    return;
  }
  if (!REGION.test(region) || region.length > 25) {
    throw siteError(site, prop, region, 'is not an AWS region name', 'use a region such as "eu-west-1" or "us-east-2"');
  }
}

/** Fails on the first value given more than once, e.g. `appliedFor "REPLICATION" is given as trigger more than once`. */
export function checkDistinct(site: ErrorSite | undefined, prop: string, values: string[], what: string): void {
  const repeated = values.filter((v, i) => values.indexOf(v) !== i);
  if (repeated.length > 0) {
    throw siteError(site, prop, repeated[0], `is given as ${what} more than once`, `give each ${what} once`);
  }
}

/** Most tags on a repository (ECR's `TooManyTagsException`; the template's `ResourceTags` schema too). */
export const MAX_RESOURCE_TAGS = 50;
/** The longest tag key and value ECR takes (its `Tag` type). */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * The tags ECR puts on the repositories it creates (a creation template's `resourceTags`): at most
 * 50, keys of 1-128 characters outside AWS's reserved `aws:` prefix (any case), values of at most 256
 * characters. Keys and values only known at deploy time are skipped.
 */
export function validateResourceTags(
  site: ErrorSite | undefined,
  prop: string,
  tags: Readonly<Record<string, string>>,
): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_RESOURCE_TAGS) {
    throw siteError(
      site,
      prop,
      `${entries.length} tags`,
      `are more than ECR allows on a repository (${MAX_RESOURCE_TAGS})`,
      'keep the tags that cost allocation and access control need',
    );
  }
  for (const [key, value] of entries) {
    if (!Token.isUnresolved(key)) {
      if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
        throw siteError(
          site,
          `${prop} key`,
          key,
          `has ${count(key.length, 'character')}`,
          `use a tag key of 1-${MAX_TAG_KEY_LENGTH} characters`,
        );
      }
      if (key.toLowerCase().startsWith('aws:')) {
        throw siteError(
          site,
          `${prop} key`,
          key,
          'starts with "aws:", which AWS reserves for its own tags',
          'choose a key without the "aws:" prefix (e.g. "team" or "cost-center")',
        );
      }
    }
    if (!Token.isUnresolved(value) && value.length > MAX_TAG_VALUE_LENGTH) {
      throw siteError(
        site,
        `${prop}[${JSON.stringify(key)}]`,
        `${value.length} characters`,
        `are more than ECR allows in a tag value (${MAX_TAG_VALUE_LENGTH})`,
        `shorten the value to at most ${MAX_TAG_VALUE_LENGTH} characters`,
      );
    }
  }
}
