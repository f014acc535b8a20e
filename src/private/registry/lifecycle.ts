import { Duration, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { count } from './errors';
import { propError } from '../shared/errors';

/** Most `*` in one tag pattern (ECR's lifecycle policy properties; `ecr.Repository` checks it too). */
export const MAX_TAG_PATTERN_WILDCARDS = 4;
/** Most characters of a lifecycle policy (ECR's quota; a repository creation template's too). */
export const MAX_LIFECYCLE_POLICY_LENGTH = 30720;

/**
 * The fewest days of an archive rule: `countNumber` takes positive integers ("0 is not an accepted
 * value", Lifecycle policy properties, Amazon ECR User Guide). The page gives no upper bound.
 */
export const MIN_ARCHIVE_DAYS = 1;
/** The storage class a `transition` action moves images to: "archive is the only supported value". */
export const ARCHIVE_STORAGE_CLASS = 'archive';

/**
 * Checks the age after which images that were not pulled are archived: a whole number of days, at
 * least {@link MIN_ARCHIVE_DAYS} (ECR counts `sinceImagePulled` in days, `countNumber` a positive
 * integer; Lifecycle policy properties, Amazon ECR User Guide). Undefined and tokens are skipped.
 * Free of any construct's specifics: `prop` names the caller's prop.
 */
export function validateArchiveAfter(scope: IConstruct | undefined, prop: string, after: Duration | undefined): void {
  if (after === undefined || after.isUnresolved()) {
    return;
  }
  const days = after.toDays({ integral: false });
  if (!Number.isInteger(days) || days < MIN_ARCHIVE_DAYS) {
    throw propError(
      scope,
      prop,
      after,
      Number.isInteger(days)
        ? 'is less than a day'
        : 'is not a whole number of days (ECR counts the days since the last pull)',
      'use a whole number of at least 1 day, e.g. Duration.days(90)',
    );
  }
}

/**
 * One lifecycle rule that moves the images not pulled for `days` days to the archive storage class
 * ("Examples of lifecycle policies": "Archiving images not pulled in a specified number of days"):
 * `tagStatus: any` (so it must have the highest priority of the policy, and be its only rule for
 * any tag status), `countType: sinceImagePulled` (an image never pulled counts from its push),
 * `action: transition` to `archive`. It selects images of the standard storage class (no
 * `storageClass`: "If you omit this, the value of standard will be used").
 */
export function archiveLifecycleRuleJson(
  days: number,
  rulePriority: number,
  description?: string,
): Record<string, unknown> {
  return {
    rulePriority,
    ...(description !== undefined ? { description } : {}),
    selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: days },
    action: { type: 'transition', targetStorageClass: ARCHIVE_STORAGE_CLASS },
  };
}

/** Options of {@link renderLifecyclePolicy}. */
export interface LifecyclePolicyOptions {
  /**
   * Adds {@link archiveLifecycleRuleJson} for images not pulled for that long, after the rules
   * (the highest priority: it is a rule for any tag status).
   */
  readonly archiveImagesNotPulledFor?: Duration;
  /** The prop that holds `archiveImagesNotPulledFor`, for the messages (default `archiveImagesNotPulledFor`). */
  readonly archiveProp?: string;
}

/**
 * Renders lifecycle rules into ECR lifecycle policy text, the way `ecr.Repository` does for its own
 * rules (aws-cdk-lib keeps that renderer private): priorities in the order given unless set, a rule
 * for any tag status last. With `archiveImagesNotPulledFor`, the archive rule comes after them all,
 * and the checks (one rule for any tag status, with the highest priority; at most 30720
 * characters) hold with it in.
 */
export function renderLifecyclePolicy(
  scope: IConstruct,
  prop: string,
  rules: ecr.LifecycleRule[],
  options: LifecyclePolicyOptions = {},
): string {
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
  const archiveProp = options.archiveProp ?? 'archiveImagesNotPulledFor';
  const archiveAfter = options.archiveImagesNotPulledFor;
  if (archiveAfter !== undefined) {
    if (archiveAfter.isUnresolved()) {
      throw propError(
        scope,
        archiveProp,
        archiveAfter,
        'is only known at deploy time, and the lifecycle policy text is written at synth',
        'give the duration as a literal, e.g. Duration.days(90)',
      );
    }
    validateArchiveAfter(scope, archiveProp, archiveAfter);
    const anyRule = rendered.find((r) => r.selection.tagStatus === ecr.TagStatus.ANY);
    if (anyRule !== undefined) {
      throw propError(
        scope,
        prop,
        anyRule.description ?? `rulePriority ${anyRule.rulePriority}`,
        `is a rule for any tag status, and ${archiveProp} adds one (the archive rule, which ECR evaluates last), while ECR takes one such rule only`,
        `give that rule TagStatus.TAGGED (with a tag list) or TagStatus.UNTAGGED, or leave ${archiveProp} out`,
      );
    }
  }
  const all: Array<{ rulePriority: number; selection: { tagStatus: string } }> = [...rendered];
  if (archiveAfter !== undefined) {
    const days = archiveAfter.toDays();
    const priority = Math.max(0, ...rendered.map((r) => r.rulePriority)) + 1;
    all.push(
      archiveLifecycleRuleJson(
        days,
        priority,
        `Archive images not pulled for ${days} days`,
      ) as unknown as (typeof all)[number],
    );
  }
  const any = all.filter((r) => r.selection.tagStatus === ecr.TagStatus.ANY);
  const highest = Math.max(...all.map((r) => r.rulePriority));
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
  const text = JSON.stringify({ rules: all.sort((a, b) => a.rulePriority - b.rulePriority) });
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
