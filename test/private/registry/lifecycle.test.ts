import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import {
  MAX_LIFECYCLE_POLICY_LENGTH,
  MAX_TAG_PATTERN_WILDCARDS,
  renderLifecyclePolicy,
} from '../../../src/private/registry/lifecycle';

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
