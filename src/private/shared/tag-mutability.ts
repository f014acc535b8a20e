import { Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type { IConstruct } from 'constructs';
import { propError } from './errors';

/**
 * Tag mutability with exclusion filters (ECR, July 2025): with IMMUTABLE, the tags that match a
 * filter stay mutable; with MUTABLE, they are immutable. Source: the ECR API reference,
 * API_ImageTagMutabilityExclusionFilter (filter `^[0-9a-zA-Z._*-]{1,128}$`, type WILDCARD) and the
 * CloudFormation schemas of AWS::ECR::Repository and AWS::ECR::RepositoryCreationTemplate
 * (`ImageTagMutabilityExclusionFilters`: 1-5 items; `ImageTagMutability` MUTABLE, IMMUTABLE,
 * IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION).
 */
export const MAX_EXCLUSION_FILTERS = 5;
/** An exclusion filter: letters, digits, `.`, `_`, `-` and the wildcard `*`, 1-128 characters. */
export const EXCLUSION_FILTER_PATTERN = /^[0-9a-zA-Z._*-]{1,128}$/;

/** The mutability values CloudFormation takes (aws-cdk-lib 2.177's enum has the first two only). */
const MUTABILITY_VALUES = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];

/** One `ImageTagMutabilityExclusionFilters` item, as CloudFormation takes it. */
export interface CfnExclusionFilter {
  readonly ImageTagMutabilityExclusionFilterType: string;
  readonly ImageTagMutabilityExclusionFilterValue: string;
}

/** Tag mutability as the user gave it, validated. */
export interface ResolvedTagMutability {
  /** The CloudFormation `ImageTagMutability` value. */
  readonly mutability: string;
  /** Tags are immutable unless a filter matches them (IMMUTABLE, IMMUTABLE_WITH_EXCLUSION). */
  readonly immutableByDefault: boolean;
  /** The CloudFormation `ImageTagMutabilityExclusionFilters`, when there are filters. */
  readonly exclusionFilters?: CfnExclusionFilter[];
  /** The filters as given. */
  readonly filters: string[];
  /**
   * Whether ECR refuses to move `tag` once it exists: true or false, or undefined when the tag or a
   * filter is a deploy-time value (token).
   */
  isImmutable(tag: string): boolean | undefined;
}

/**
 * Whether an ECR wildcard filter matches `tag`: `*` matches any run of characters (none included),
 * every other character itself.
 */
export function tagMatchesWildcard(filter: string, tag: string): boolean {
  const source = filter
    .split('*')
    .map((part) => part.replace(/[.]/g, '\\.'))
    .join('.*');
  return new RegExp(`^${source}$`).test(tag);
}

/**
 * Validates `imageTagMutability` and `imageTagMutabilityExclusionFilters` (prop names as given) and
 * returns the CloudFormation values. Filters need a mutability to be an exception to; the
 * `*_WITH_EXCLUSION` values (newer aws-cdk-lib) need filters. Tokens are skipped.
 */
export function resolveTagMutability(
  scope: IConstruct | undefined,
  props: {
    readonly imageTagMutability?: ecr.TagMutability;
    readonly imageTagMutabilityExclusionFilters?: string[];
  },
  prop: string = 'imageTagMutabilityExclusionFilters',
): ResolvedTagMutability {
  const given: string = props.imageTagMutability ?? 'MUTABLE';
  if (!Token.isUnresolved(given) && !MUTABILITY_VALUES.includes(given)) {
    // Only untyped JavaScript (or a cast) gets here.
    throw propError(
      scope,
      'imageTagMutability',
      given,
      'is not a tag mutability ECR knows',
      `use one of ${MUTABILITY_VALUES.join(', ')}`,
    );
  }
  const filters = props.imageTagMutabilityExclusionFilters;
  const immutableByDefault = given === 'IMMUTABLE' || given === 'IMMUTABLE_WITH_EXCLUSION';
  if (filters === undefined) {
    if (given.endsWith('_WITH_EXCLUSION')) {
      throw propError(
        scope,
        'imageTagMutability',
        given,
        `needs ${prop} (the tags that are the exception)`,
        `set ${prop}, e.g. ['latest'], or use TagMutability.${immutableByDefault ? 'IMMUTABLE' : 'MUTABLE'}`,
      );
    }
    return {
      mutability: given,
      immutableByDefault,
      filters: [],
      isImmutable: (tag) => (Token.isUnresolved(tag) || Token.isUnresolved(given) ? undefined : immutableByDefault),
    };
  }
  if (filters.length === 0 || filters.length > MAX_EXCLUSION_FILTERS) {
    throw propError(
      scope,
      prop,
      filters,
      filters.length === 0
        ? 'is empty'
        : `has ${filters.length} filters, and ECR takes at most ${MAX_EXCLUSION_FILTERS}`,
      filters.length === 0
        ? 'leave it unset, or list 1-5 wildcard filters'
        : `list at most ${MAX_EXCLUSION_FILTERS} (one filter with "*" covers many tags)`,
    );
  }
  const seen = new Set<string>();
  for (const filter of filters) {
    if (Token.isUnresolved(filter)) {
      continue;
    }
    if (!EXCLUSION_FILTER_PATTERN.test(filter)) {
      throw propError(
        scope,
        prop,
        filter,
        'is not an ECR tag filter',
        'use 1-128 of A-Z a-z 0-9 . _ - and the wildcard *',
      );
    }
    if (seen.has(filter)) {
      throw propError(scope, prop, filter, 'is listed twice', 'list each filter once');
    }
    seen.add(filter);
  }
  const unknown = filters.some((f) => Token.isUnresolved(f)) || Token.isUnresolved(given);
  return {
    mutability: immutableByDefault ? 'IMMUTABLE_WITH_EXCLUSION' : 'MUTABLE_WITH_EXCLUSION',
    immutableByDefault,
    filters: [...filters],
    exclusionFilters: filters.map((f) => ({
      ImageTagMutabilityExclusionFilterType: 'WILDCARD',
      ImageTagMutabilityExclusionFilterValue: f,
    })),
    isImmutable: (tag) => {
      if (Token.isUnresolved(tag)) {
        return undefined;
      }
      const excluded = filters.some((f) => !Token.isUnresolved(f) && tagMatchesWildcard(f, tag));
      if (unknown && !excluded) {
        return undefined;
      }
      return immutableByDefault ? !excluded : excluded;
    },
  };
}
