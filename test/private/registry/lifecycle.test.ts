import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import {
  archiveLifecycleRuleJson,
  MAX_LIFECYCLE_POLICY_LENGTH,
  MAX_TAG_PATTERN_WILDCARDS,
  renderLifecyclePolicy,
  validateArchiveAfter,
} from '../../../src/private/registry/lifecycle';
import { LifecycleRuleJson, ModelRepository } from '../../support/ecr-lifecycle';

/** The construct whose prop is checked: only its path and class name reach the messages. */
class Registry extends Construct {}

function render(rules: ecr.LifecycleRule[]): string {
  return renderLifecyclePolicy(new Registry(new Stack(new App(), 'Stack'), 'Registry'), 'lifecycleRules', rules);
}

/**
 * What aws-cdk-lib's own ecr.Repository says of the rules: it validates them in addLifecycleRule,
 * and their priorities when it renders the policy (at synth).
 */
function repositoryAccepts(rules: ecr.LifecycleRule[]): boolean {
  try {
    const app = new App();
    new ecr.Repository(new Stack(app, 'Stack'), 'Repo', { lifecycleRules: rules });
    app.synth();
    return true;
  } catch {
    return false;
  }
}

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
// The rules below are the page's, and each is also what ecr.Repository refuses (aws-cdk-lib
// aws-ecr/lib/repository.js, addLifecycleRule): asserted side by side.
describe('renderLifecyclePolicy: rules ECR and ecr.Repository refuse', () => {
  test.each<[string, ecr.LifecycleRule[], RegExp]>([
    [
      // "You can use up to four wildcards (*) per string ... ["test*1*2*3*4*5*6"] is invalid."
      '6 wildcards in a pattern (the page example)',
      [{ tagPatternList: ['test*1*2*3*4*5*6'], maxImageCount: 1 }],
      /^\[Stack\/Registry\] Registry: lifecycleRules tagPatternList "test\*1\*2\*3\*4\*5\*6" has 6 wildcards \("\*"\), more than ECR takes in a tag pattern \(4\): use at most 4 "\*" in each pattern \(e\.g\. "release-\*-\*"\)$/,
    ],
    [
      '5 wildcards in a pattern (one past the most)',
      [{ tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['ok', 'a*b*c*d*e*f'], maxImageCount: 1 }],
      /tagPatternList "a\*b\*c\*d\*e\*f" has 5 wildcards/,
    ],
    [
      // ecr.Repository: "Both tagPrefixList and tagPatternList cannot be specified together in a rule".
      'tagPrefixList and tagPatternList together',
      [{ tagPrefixList: ['v'], tagPatternList: ['v*'], maxImageCount: 1, description: 'releases' }],
      /lifecycleRules "releases" has both tagPrefixList and tagPatternList, which ECR does not take in one rule: give one of them/,
    ],
    [
      // "If you specify tagged, then you must also specify a tagPrefixList value or a tagPatternList value."
      'TAGGED without a tag list',
      [{ tagStatus: ecr.TagStatus.TAGGED, maxImageCount: 1 }],
      /lifecycleRules "TagStatus\.TAGGED" needs tagPrefixList or tagPatternList: /,
    ],
    [
      // Same sentence: an empty list is no list (ecr.Repository checks the length too).
      'TAGGED with an empty tagPrefixList',
      [{ tagStatus: ecr.TagStatus.TAGGED, tagPrefixList: [], maxImageCount: 1 }],
      /"TagStatus\.TAGGED" needs tagPrefixList or tagPatternList, and the list given is empty/,
    ],
    [
      'no tag status and an empty tagPatternList (rendered as tagged)',
      [{ tagPatternList: [], maxImageCount: 1 }],
      /"TagStatus\.TAGGED" needs tagPrefixList or tagPatternList, and the list given is empty/,
    ],
    [
      // "If you specify untagged, then you must omit both tagPrefixList and tagPatternList."
      'UNTAGGED with a tag list',
      [{ tagStatus: ecr.TagStatus.UNTAGGED, tagPatternList: ['*'], maxImageCount: 1 }],
      /lifecycleRules "untagged" cannot take tagPrefixList or tagPatternList/,
    ],
    [
      'ANY with an empty tag list',
      [{ tagStatus: ecr.TagStatus.ANY, tagPrefixList: [], maxImageCount: 1 }],
      /lifecycleRules "any" cannot take tagPrefixList or tagPatternList/,
    ],
    [
      // "A rule with a tagStatus value of any must have the highest value for rulePriority" (and
      // ecr.Repository: "Life cycle can only have one TagStatus.Any rule").
      'two rules for any tag status',
      [{ maxImageCount: 5 }, { tagStatus: ecr.TagStatus.ANY, maxImageAge: Duration.days(30) }],
      /lifecycleRules "TagStatus\.ANY" is the tag status of 2 rules, and ECR takes one such rule only/,
    ],
    [
      'the rule for any tag status not last',
      [
        { rulePriority: 1, maxImageCount: 5 },
        { tagPrefixList: ['v'], maxImageCount: 1 },
      ],
      /"TagStatus\.ANY" is the tag status of a rule without the highest rulePriority/,
    ],
    [
      // ecr.Repository: "Life cycle rule must contain exactly one of 'maxImageAge' and 'maxImageCount'".
      'both maxImageCount and maxImageAge',
      [{ maxImageCount: 1, maxImageAge: Duration.days(1) }],
      /needs exactly one of maxImageCount and maxImageAge/,
    ],
  ])('fails for %s', (_, rules, error) => {
    expect(() => render(rules)).toThrow(error);
    expect(repositoryAccepts(rules)).toBe(false);
  });

  test.each<[string, ecr.LifecycleRule[]]>([
    // The page's valid example: ["*test*1*2*3", "test*1*2*3*"], four wildcards each.
    [
      '4 wildcards in each pattern (the page example)',
      [{ tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], maxImageCount: 1 }],
    ],
    ['a tagPrefixList alone', [{ tagPrefixList: ['v'], maxImageCount: 1 }]],
    ['a tagPatternList alone', [{ tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageCount: 1 }]],
    ['UNTAGGED without tag lists', [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) }]],
    ['one rule for any tag status, last', [{ tagPrefixList: ['v'], maxImageCount: 9 }, { maxImageCount: 100 }]],
  ])('accepts %s', (_, rules) => {
    expect(() => render(rules)).not.toThrow();
    expect(repositoryAccepts(rules)).toBe(true);
  });

  test('the most wildcards is the constant', () => {
    expect(MAX_TAG_PATTERN_WILDCARDS).toBe(4);
  });
});

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
// rulePriority: an integer, unique in the policy; 1 is applied first. (ecr.Repository does not check
// the value; ECR's own validation does.)
describe('renderLifecyclePolicy: rulePriority', () => {
  test.each([0, -1, 1.5, Number.NaN])('fails for rulePriority %d', (rulePriority) => {
    expect(() => render([{ rulePriority, tagPrefixList: ['v'], maxImageCount: 1 }])).toThrow(
      /lifecycleRules -?\w+(\.\d+)? is not a valid rulePriority: use a whole number of at least 1 \(ECR applies 1 first\), each rule its own, or leave it out$/,
    );
  });

  test('accepts 1 and gaps between priorities', () => {
    const text = render([
      { rulePriority: 1, tagPrefixList: ['v'], maxImageCount: 1 },
      { rulePriority: 10, tagPrefixList: ['w'], maxImageCount: 1 },
    ]);
    expect(JSON.parse(text).rules.map((r: { rulePriority: number }) => r.rulePriority)).toEqual([1, 10]);
  });

  test('fails for a priority given twice', () => {
    expect(() =>
      render([
        { rulePriority: 2, tagPrefixList: ['v'], maxImageCount: 1 },
        { rulePriority: 2, tagPrefixList: ['w'], maxImageCount: 1 },
      ]),
    ).toThrow(/"rulePriority 2" is used by two rules/);
  });
});

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html: "Lifecycle policy
// length: 30,720 ... The maximum number of characters in a lifecycle policy"; and
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
// lifecyclePolicy: at most 30720 characters.
describe('renderLifecyclePolicy: policy length', () => {
  function policyOf(descriptionLength: number): ecr.LifecycleRule[] {
    return [{ tagPrefixList: ['v'], maxImageCount: 1, description: 'x'.repeat(descriptionLength) }];
  }
  const base = render(policyOf(0)).length;

  test('accepts a policy of exactly 30720 characters', () => {
    expect(render(policyOf(MAX_LIFECYCLE_POLICY_LENGTH - base)).length).toBe(MAX_LIFECYCLE_POLICY_LENGTH);
  });

  test('fails for a policy of 30721 characters', () => {
    expect(() => render(policyOf(MAX_LIFECYCLE_POLICY_LENGTH - base + 1))).toThrow(
      /lifecycleRules "30721 characters" are more than ECR allows in a lifecycle policy \(30720\): /,
    );
  });
});

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html: countNumber
// "Acceptable values are positive integers (0 is not an accepted value)", countUnit days; the page
// gives no upper bound.
describe('validateArchiveAfter', () => {
  const scope = () => new Registry(new Stack(new App(), 'Stack'), 'Registry');

  test.each([Duration.days(1), Duration.days(90), Duration.days(3650), Duration.hours(48)])('accepts %s', (after) => {
    expect(() => validateArchiveAfter(scope(), 'archiveImagesNotPulledFor', after)).not.toThrow();
  });

  test('accepts undefined and a token', () => {
    const stack = new Stack();
    const days = Duration.days(new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber);
    expect(() => validateArchiveAfter(undefined, 'x', undefined)).not.toThrow();
    expect(() => validateArchiveAfter(undefined, 'x', days)).not.toThrow();
  });

  test('fails for 0 days (the boundary below 1)', () => {
    expect(() => validateArchiveAfter(scope(), 'archiveImagesNotPulledFor', Duration.days(0))).toThrow(
      /^\[Stack\/Registry\] Registry: archiveImagesNotPulledFor 0 days is less than a day: use a whole number of at least 1 day, e\.g\. Duration\.days\(90\)$/,
    );
  });

  test('fails for part of a day', () => {
    expect(() => validateArchiveAfter(undefined, 'archiveImagesNotPulledFor', Duration.hours(36))).toThrow(
      /^archiveImagesNotPulledFor 36 hours is not a whole number of days \(ECR counts the days since the last pull\): /,
    );
  });
});

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html "Archiving
// images not pulled in a specified number of days": tagStatus any, sinceImagePulled, days, transition
// to archive ("archive is the only supported value", lifecycle_policy_parameters.html).
describe('archiveLifecycleRuleJson', () => {
  test('is the page example', () => {
    expect(archiveLifecycleRuleJson(90, 1, 'Archive images not pulled in 90 days')).toEqual({
      rulePriority: 1,
      description: 'Archive images not pulled in 90 days',
      selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    });
  });

  test('has no description unless given', () => {
    expect(archiveLifecycleRuleJson(30, 7)).not.toHaveProperty('description');
  });
});

describe('renderLifecyclePolicy with archiveImagesNotPulledFor', () => {
  function renderWith(rules: ecr.LifecycleRule[], after: Duration): string {
    return renderLifecyclePolicy(new Registry(new Stack(new App(), 'Stack'), 'Registry'), 'lifecycleRules', rules, {
      archiveImagesNotPulledFor: after,
    });
  }

  // lifecycle_policy_parameters.html: "A rule with a tagStatus value of any must have the highest
  // value for rulePriority and be evaluated last."
  test('appends the archive rule with the highest priority, after gaps and explicit priorities', () => {
    const rules = JSON.parse(
      renderWith(
        [
          { rulePriority: 5, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
          { rulePriority: 2, tagPrefixList: ['v'], maxImageCount: 10 },
        ],
        Duration.days(90),
      ),
    ).rules;
    expect(rules.map((r: { rulePriority: number }) => r.rulePriority)).toEqual([2, 5, 6]);
    expect(rules[2]).toEqual(archiveLifecycleRuleJson(90, 6, 'Archive images not pulled for 90 days'));
  });

  test('alone, the archive rule has priority 1', () => {
    expect(JSON.parse(renderWith([], Duration.days(30))).rules).toEqual([
      archiveLifecycleRuleJson(30, 1, 'Archive images not pulled for 30 days'),
    ]);
  });

  // "at most one rule for any tag status" (ecr.Repository: "Life cycle can only have one TagStatus.Any rule").
  test('fails when a rule is for any tag status too', () => {
    expect(() => renderWith([{ maxImageCount: 100, description: 'keep 100' }], Duration.days(90))).toThrow(
      /^\[Stack\/Registry\] Registry: lifecycleRules "keep 100" is a rule for any tag status, and archiveImagesNotPulledFor adds one \(the archive rule, which ECR evaluates last\), while ECR takes one such rule only: give that rule TagStatus\.TAGGED \(with a tag list\) or TagStatus\.UNTAGGED, or leave archiveImagesNotPulledFor out$/,
    );
  });

  test('fails for a token (the policy text is written at synth) and for 0 days', () => {
    const stack = new Stack();
    const days = Duration.days(new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber);
    expect(() => renderWith([], days)).toThrow(/archiveImagesNotPulledFor \(a token\) is only known at deploy time/);
    expect(() => renderWith([], Duration.days(0))).toThrow(/archiveImagesNotPulledFor 0 days is less than a day/);
  });

  // service-quotas.html: a lifecycle policy has at most 30720 characters, the archive rule included.
  test('the length check counts the archive rule: 30720 accepted, 30721 refused', () => {
    const policyOf = (n: number): ecr.LifecycleRule[] => [
      { tagPrefixList: ['v'], maxImageCount: 1, description: 'x'.repeat(n) },
    ];
    const base = renderWith(policyOf(0), Duration.days(90)).length;
    expect(renderWith(policyOf(MAX_LIFECYCLE_POLICY_LENGTH - base), Duration.days(90)).length).toBe(
      MAX_LIFECYCLE_POLICY_LENGTH,
    );
    expect(() => renderWith(policyOf(MAX_LIFECYCLE_POLICY_LENGTH - base + 1), Duration.days(90))).toThrow(
      /lifecycleRules "30721 characters" are more than ECR allows in a lifecycle policy \(30720\)/,
    );
  });

  test('without the option, the policy is the one rendered before (no archive rule)', () => {
    const rules: ecr.LifecycleRule[] = [{ tagPrefixList: ['v'], maxImageCount: 1 }];
    expect(render(rules)).toBe(
      renderLifecyclePolicy(new Registry(new Stack(new App(), 'Stack'), 'Registry'), 'lifecycleRules', rules, {}),
    );
    expect(render(rules)).not.toMatch(/transition/);
  });
});

// The rules above run through the model of ECR's evaluation (test/support/ecr-lifecycle.ts): a
// creation template's policy with archiveImagesNotPulledFor, day by day.
describe('a creation template policy with archiveImagesNotPulledFor, simulated', () => {
  test('images not pulled for 30 days are archived, pulled ones stay, untagged expire; archived ones are kept and cannot be pulled', () => {
    const text = renderLifecyclePolicy(
      new Registry(new Stack(new App(), 'Stack'), 'Registry'),
      'lifecycleRules',
      [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
      { archiveImagesNotPulledFor: Duration.days(30) },
    );
    const repo = new ModelRepository(JSON.parse(text).rules as LifecycleRuleJson[]);
    repo.push(0, ['hot']);
    repo.push(0, ['cold']);
    repo.push(0, []);
    for (let day = 1; day <= 60; day++) {
      repo.pull(day, 'hot');
      repo.evaluate(day + 0.9);
    }
    expect(repo.tagged('hot')?.storageClass).toBe('standard');
    expect(repo.tagged('cold')?.storageClass).toBe('archive');
    expect(repo.tagged('cold')?.archivedAt).toBeCloseTo(30.9);
    // the untagged image expired after 7 days (the untagged rule comes first and claims it)
    expect(repo.images).toHaveLength(2);
    expect(repo.pull(61, 'cold')).toBeUndefined();
    // an archived image is kept (the expire rule selects standard images only), and "hot", no
    // longer pulled after day 60, is archived 30 days later
    for (let day = 61; day <= 400; day++) {
      repo.evaluate(day + 0.9);
    }
    expect(repo.archived().map((i) => i.tags)).toEqual([['hot'], ['cold']]);
    expect(repo.tagged('hot')?.archivedAt).toBeCloseTo(90.9);
  });

  test('an image the tag selection of an earlier rule matches is not archived (one rule acts on an image)', () => {
    const text = renderLifecyclePolicy(
      new Registry(new Stack(new App(), 'Stack'), 'Registry'),
      'lifecycleRules',
      [{ tagPrefixList: ['release-'], maxImageCount: 5 }],
      { archiveImagesNotPulledFor: Duration.days(10) },
    );
    const repo = new ModelRepository(JSON.parse(text).rules as LifecycleRuleJson[]);
    repo.push(0, ['release-1']);
    repo.push(0, ['dev-1']);
    for (let day = 1; day <= 30; day++) {
      repo.evaluate(day + 0.9);
    }
    expect(repo.tagged('release-1')?.storageClass).toBe('standard');
    expect(repo.tagged('dev-1')?.storageClass).toBe('archive');
  });
});
