import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { count } from './errors';
import { propError } from '../shared/errors';

/** Most `*` in one tag pattern (ECR's lifecycle policy properties; `ecr.Repository` checks it too). */
export const MAX_TAG_PATTERN_WILDCARDS = 4;
/** Most characters of a lifecycle policy (ECR's quota; a repository creation template's too). */
export const MAX_LIFECYCLE_POLICY_LENGTH = 30720;

/**
 * Renders lifecycle rules into ECR lifecycle policy text, the way `ecr.Repository` does for its own
 * rules (aws-cdk-lib keeps that renderer private): priorities in the order given unless set, a rule
 * for any tag status last.
 */
export function renderLifecyclePolicy(scope: IConstruct, prop: string, rules: ecr.LifecycleRule[]): string {
  let next = 1;
  const used = new Set<number>();
  const rendered = rules.map((rule) => {
    validateLifecycleRule(scope, prop, rule);
    const priority = rule.rulePriority ?? Math.max(next, ...[...used].map((p) => p + 1));
    if (used.has(priority)) {
      throw propError(
        scope,
        prop,
        `rulePriority ${priority}`,
        'is used by two rules',
        'give each rule its own priority',
      );
    }
    used.add(priority);
    next = priority + 1;
    const tagStatus = effectiveTagStatus(rule);
    return {
      rulePriority: priority,
      ...(rule.description !== undefined ? { description: rule.description } : {}),
      selection: {
        tagStatus,
        ...(rule.tagPrefixList ? { tagPrefixList: rule.tagPrefixList } : {}),
        ...(rule.tagPatternList ? { tagPatternList: rule.tagPatternList } : {}),
        ...(rule.maxImageCount !== undefined
          ? { countType: 'imageCountMoreThan', countNumber: rule.maxImageCount }
          : { countType: 'sinceImagePushed', countUnit: 'days', countNumber: rule.maxImageAge!.toDays() }),
      },
      action: { type: 'expire' },
    };
  });
  const any = rendered.filter((r) => r.selection.tagStatus === ecr.TagStatus.ANY);
  const highest = Math.max(...rendered.map((r) => r.rulePriority));
  if (any.length > 1 || (any.length === 1 && any[0].rulePriority !== highest)) {
    throw propError(
      scope,
      prop,
      'TagStatus.ANY',
      any.length > 1
        ? `is the tag status of ${any.length} rules, and ECR takes one such rule only`
        : 'is the tag status of a rule without the highest rulePriority, and ECR evaluates that rule last',
      'give one rule for any tag status (or without tag lists), with the highest rulePriority or none',
    );
  }
  const text = JSON.stringify({ rules: rendered.sort((a, b) => a.rulePriority - b.rulePriority) });
  if (text.length > MAX_LIFECYCLE_POLICY_LENGTH) {
    throw propError(
      scope,
      prop,
      `${text.length} characters`,
      `are more than ECR allows in a lifecycle policy (${MAX_LIFECYCLE_POLICY_LENGTH})`,
      'use fewer rules, shorter tag lists (a pattern with "*" covers many tags) or shorter descriptions',
    );
  }
  return text;
}

function validateLifecycleRule(scope: IConstruct, prop: string, rule: ecr.LifecycleRule): void {
  const tokens =
    (rule.rulePriority !== undefined && Token.isUnresolved(rule.rulePriority)) ||
    (rule.maxImageCount !== undefined && Token.isUnresolved(rule.maxImageCount)) ||
    (rule.maxImageAge !== undefined && rule.maxImageAge.isUnresolved()) ||
    Token.isUnresolved(rule.tagPrefixList ?? []) ||
    Token.isUnresolved(rule.tagPatternList ?? []) ||
    [...(rule.tagPrefixList ?? []), ...(rule.tagPatternList ?? [])].some((t) => Token.isUnresolved(t));
  if (tokens) {
    throw propError(
      scope,
      prop,
      rule.description ?? '(a rule)',
      'has a value only known at deploy time, and the lifecycle policy text is written at synth',
      'give rulePriority, maxImageCount, maxImageAge and the tag lists as literals',
    );
  }
  if (rule.maxImageAge !== undefined) {
    const days = rule.maxImageAge.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw propError(
        scope,
        prop,
        rule.maxImageAge,
        Number.isInteger(days) ? 'is less than a day' : 'is not a whole number of days (ECR counts the age in days)',
        'use a whole number of at least 1 day, e.g. Duration.days(30)',
      );
    }
  }
  if ((rule.maxImageCount === undefined) === (rule.maxImageAge === undefined)) {
    throw propError(
      scope,
      prop,
      rule.description ?? '(a rule)',
      'needs exactly one of maxImageCount and maxImageAge',
      'give one of them',
    );
  }
  if (
    rule.maxImageCount !== undefined &&
    !Token.isUnresolved(rule.maxImageCount) &&
    !(Number.isInteger(rule.maxImageCount) && rule.maxImageCount >= 1)
  ) {
    throw propError(
      scope,
      prop,
      rule.maxImageCount,
      'is not a valid maxImageCount',
      'use a whole number of at least 1',
    );
  }
  if (rule.rulePriority !== undefined && !(Number.isInteger(rule.rulePriority) && rule.rulePriority >= 1)) {
    throw propError(
      scope,
      prop,
      rule.rulePriority,
      'is not a valid rulePriority',
      'use a whole number of at least 1 (ECR applies 1 first), each rule its own, or leave it out',
    );
  }
  if (rule.tagPrefixList !== undefined && rule.tagPatternList !== undefined) {
    throw propError(
      scope,
      prop,
      rule.description ?? '(a rule)',
      'has both tagPrefixList and tagPatternList, which ECR does not take in one rule',
      'give one of them (a pattern covers a prefix: tagPatternList ["v*"] for tagPrefixList ["v"])',
    );
  }
  const tagStatus = effectiveTagStatus(rule);
  const tagLists = [...(rule.tagPrefixList ?? []), ...(rule.tagPatternList ?? [])];
  if (tagStatus === ecr.TagStatus.TAGGED && tagLists.length === 0) {
    throw propError(
      scope,
      prop,
      'TagStatus.TAGGED',
      rule.tagPrefixList !== undefined || rule.tagPatternList !== undefined
        ? 'needs tagPrefixList or tagPatternList, and the list given is empty'
        : 'needs tagPrefixList or tagPatternList',
      'list the tag prefixes or patterns the rule expires',
    );
  }
  if (tagStatus !== ecr.TagStatus.TAGGED && (rule.tagPrefixList !== undefined || rule.tagPatternList !== undefined)) {
    throw propError(
      scope,
      prop,
      tagStatus,
      'cannot take tagPrefixList or tagPatternList',
      'use TagStatus.TAGGED for a rule by tag',
    );
  }
  for (const pattern of rule.tagPatternList ?? []) {
    const wildcards = pattern.split('*').length - 1;
    if (wildcards > MAX_TAG_PATTERN_WILDCARDS) {
      throw propError(
        scope,
        `${prop} tagPatternList`,
        pattern,
        `has ${count(wildcards, 'wildcard')} ("*"), more than ECR takes in a tag pattern (${MAX_TAG_PATTERN_WILDCARDS})`,
        `use at most ${MAX_TAG_PATTERN_WILDCARDS} "*" in each pattern (e.g. "release-*-*")`,
      );
    }
  }
}

/** The tag status of a rule as rendered: the one given, else TAGGED with a tag list, ANY without. */
function effectiveTagStatus(rule: ecr.LifecycleRule): ecr.TagStatus {
  return (
    rule.tagStatus ??
    (rule.tagPrefixList !== undefined || rule.tagPatternList !== undefined ? ecr.TagStatus.TAGGED : ecr.TagStatus.ANY)
  );
}

/**
 * True when the rule expires images without a tag: `UNTAGGED`, or `ANY` (which includes them), or
 * unset without tag lists (ANY).
 */
export function expiresUntagged(rule: ecr.LifecycleRule): boolean {
  return effectiveTagStatus(rule) !== ecr.TagStatus.TAGGED;
}
