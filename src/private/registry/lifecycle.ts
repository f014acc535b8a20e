import { Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { propError } from '../shared/errors';

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
    const tagStatus =
      rule.tagStatus ?? (rule.tagPrefixList || rule.tagPatternList ? ecr.TagStatus.TAGGED : ecr.TagStatus.ANY);
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
  return JSON.stringify({ rules: rendered.sort((a, b) => a.rulePriority - b.rulePriority) });
}

function validateLifecycleRule(scope: IConstruct, prop: string, rule: ecr.LifecycleRule): void {
  const tokens =
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
      'give maxImageCount, maxImageAge and the tag lists as literals',
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
  if (rule.tagStatus === ecr.TagStatus.TAGGED && !rule.tagPrefixList && !rule.tagPatternList) {
    throw propError(
      scope,
      prop,
      'TagStatus.TAGGED',
      'needs tagPrefixList or tagPatternList',
      'list the tag prefixes or patterns the rule expires',
    );
  }
  if (
    rule.tagStatus !== undefined &&
    rule.tagStatus !== ecr.TagStatus.TAGGED &&
    (rule.tagPrefixList || rule.tagPatternList)
  ) {
    throw propError(
      scope,
      prop,
      rule.tagStatus,
      'cannot take tagPrefixList or tagPatternList',
      'use TagStatus.TAGGED for a rule by tag',
    );
  }
}

/**
 * True when the rule expires images without a tag: `UNTAGGED`, or `ANY` (which includes them), or
 * unset without tag lists (ANY).
 */
export function expiresUntagged(rule: ecr.LifecycleRule): boolean {
  const status =
    rule.tagStatus ?? (rule.tagPrefixList || rule.tagPatternList ? ecr.TagStatus.TAGGED : ecr.TagStatus.ANY);
  return status !== ecr.TagStatus.TAGGED;
}
