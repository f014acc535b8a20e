import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  MAX_CACHE_PREFIX_LENGTH,
  MAX_RESOURCE_TAGS,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TEMPLATE_PREFIX_LENGTH,
  validateCachePrefix,
  validateReplicationFilter,
  validateResourceTags,
  validateScanFilters,
  validateTemplatePrefix,
} from '../../../src/private/registry/validation';

/** The construct whose prop is checked: only its path and class name reach the messages. */
class Registry extends Construct {}

function scope(): Registry {
  return new Registry(new Stack(new App(), 'Stack'), 'Registry');
}

describe('validateCachePrefix', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html
  // ecrRepositoryPrefix: 2-30 characters. The pattern is the one of the current ECR API model and of
  // the AWS::ECR::PullThroughCacheRule schema (what CloudFormation checks):
  // ^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecr-pullthroughcacherule.html).
  test.each([
    ['ab', 'the shortest (2 characters)'],
    ['a'.repeat(MAX_CACHE_PREFIX_LENGTH), 'the longest (30 characters)'],
    ['a-b', 'one "-"'],
    ['a--b', 'a run of "-" (the pattern takes -+)'],
    ['a__b', 'a double "_" (the pattern takes __)'],
    ['a.b', 'one "."'],
    ['a_b', 'one "_"'],
    ['cache/quay', 'one "/" between components'],
    ['team-1/docker.hub', 'separators in several components'],
  ])('accepts %s (%s)', (prefix) => {
    expect(() => validateCachePrefix(scope(), 'ecrRepositoryPrefix', prefix)).not.toThrow();
  });

  test.each([
    ['a', /has 1 character: use 2-30 characters/],
    ['a'.repeat(MAX_CACHE_PREFIX_LENGTH + 1), /has 31 characters: use 2-30 characters/],
    ['a//b', /is not a valid repository prefix/],
    ['a___b', /is not a valid repository prefix/],
    ['a..b', /is not a valid repository prefix/],
    ['a._b', /is not a valid repository prefix/],
    ['a-/b', /is not a valid repository prefix/],
    ['a/.b', /is not a valid repository prefix/],
    ['-ab', /is not a valid repository prefix/],
    ['ab-', /is not a valid repository prefix/],
    ['/ab', /is not a valid repository prefix/],
    // The API takes a trailing "/", this library appends one itself (`<prefix>/<image>`).
    ['ab/', /is not a valid repository prefix/],
    ['Ab', /is not a valid repository prefix/],
    ['a b', /is not a valid repository prefix/],
    // ROOT is for ECR-to-ECR rules, which this library does not create.
    ['ROOT', /is not a valid repository prefix/],
  ])('fails when the prefix is %s', (prefix, error) => {
    expect(() => validateCachePrefix(scope(), 'ecrRepositoryPrefix', prefix)).toThrow(error);
  });

  test('the message names the construct, or the value type without a scope', () => {
    expect(() => validateCachePrefix(scope(), 'ecrRepositoryPrefix', 'a//b')).toThrow(
      /^\[Stack\/Registry\] Registry: ecrRepositoryPrefix "a\/\/b" is not a valid repository prefix: use lowercase letters and digits, separated by "\.", "_", "__", one or more "-", or a single "\/" \(no other runs of separators\), starting and ending with a letter or digit \(e\.g\. "docker-hub" or "cache\/quay"\)$/,
    );
    expect(() => validateCachePrefix('PullThroughCacheRule', 'ecrRepositoryPrefix', 'a//b')).toThrow(
      /^PullThroughCacheRule: ecrRepositoryPrefix "a\/\/b" is not a valid repository prefix: /,
    );
    // PlatformCatalog's products pass no site: the bare form.
    expect(() => validateCachePrefix(undefined, 'pullThroughCachePrefix', 'a//b')).toThrow(
      /^pullThroughCachePrefix "a\/\/b" is not a valid repository prefix: /,
    );
  });
});

describe('validateTemplatePrefix', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
  // prefix: 1-256 characters, the same pattern as a pull-through cache rule's, or ROOT.
  test.each([
    ['a', 'the shortest (1 character)'],
    ['a'.repeat(MAX_TEMPLATE_PREFIX_LENGTH), 'the longest (256 characters)'],
    ['ROOT', 'every repository'],
    ['a--b/c__d', 'runs the pattern takes'],
  ])('accepts %s (%s)', (prefix) => {
    expect(() => validateTemplatePrefix(scope(), 'prefix', prefix)).not.toThrow();
  });

  test.each([
    ['a'.repeat(MAX_TEMPLATE_PREFIX_LENGTH + 1), /has 257 characters: use "ROOT" or 1-256 characters/],
    ['', /is not a valid repository creation template prefix/],
    ['a//b', /is not a valid repository creation template prefix/],
    ['a___b', /is not a valid repository creation template prefix/],
    ['Root', /is not a valid repository creation template prefix/],
  ])('fails when the prefix is %s', (prefix, error) => {
    expect(() => validateTemplatePrefix(scope(), 'prefix', prefix)).toThrow(error);
  });
});

describe('validateReplicationFilter', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryFilter.html
  // filter: 2-256 characters, ^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$ (PREFIX_MATCH).
  test.each([
    ['ab', 'the shortest (2 characters)'],
    ['a'.repeat(256), 'the longest (256 characters)'],
    ['prod/', 'a namespace'],
    ['prod-', 'a trailing separator (a prefix, not a name)'],
    ['a--b', 'a run of separators the pattern takes'],
  ])('accepts %s (%s)', (filter) => {
    expect(() => validateReplicationFilter(scope(), 'repositoryPrefixes', filter)).not.toThrow();
  });

  test.each([
    ['a', 'one character'],
    ['a'.repeat(257), '257 characters'],
    ['prod-*', 'a wildcard'],
    ['a//b', 'an empty component'],
    ['Prod', 'an uppercase letter'],
  ])('fails for %s (%s)', (filter) => {
    expect(() => validateReplicationFilter(scope(), 'repositoryPrefixes', filter)).toThrow(
      /repositoryPrefixes ".*" is not a replication repository filter/,
    );
  });
});

describe('validateScanFilters', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ScanningRepositoryFilter.html
  // filter: 1-255 characters, ^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$ (WILDCARD).
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegistryScanningRule.html
  // repositoryFilters: 0-100 per rule.
  test.each([
    [['*'], 'every repository'],
    [['a'], 'the shortest filter (1 character)'],
    [['a'.repeat(255)], 'the longest filter (255 characters)'],
    [Array.from({ length: 100 }, (_, i) => `team${i}-*`), '100 filters (the most in a rule)'],
    [[], 'no filter'],
  ])('accepts %j (%s)', (filters) => {
    expect(() => validateScanFilters('RegistryScanning.basic', 'scanOnPushFilters', filters)).not.toThrow();
  });

  test.each([
    [['a'.repeat(256)], /scanOnPushFilters "a{256}" is not a registry scanning filter/],
    [[''], /scanOnPushFilters "" is not a registry scanning filter/],
    [['prod--*'], /is not a registry scanning filter/],
    [['Prod'], /is not a registry scanning filter/],
    [
      Array.from({ length: 101 }, (_, i) => `team${i}-*`),
      /"101 filters" are more than ECR allows in one scanning rule \(100\)/,
    ],
  ])('fails for %#', (filters, error) => {
    expect(() => validateScanFilters('RegistryScanning.basic', 'scanOnPushFilters', filters)).toThrow(error);
  });
});

describe('validateResourceTags', () => {
  function tags(n: number): Record<string, string> {
    return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  }

  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Tag.html
  // "Tag keys can have a maximum character length of 128 characters, and tag values can have a
  // maximum length of 256 characters." Keys of at least 1 character, values of 0 or more, at most 50
  // user tags, and keys can't begin with aws: (reserved for AWS use):
  // https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html; 50 tags on a repository:
  // https://docs.aws.amazon.com/botocore/latest/reference/services/ecr/client/exceptions/TooManyTagsException.html
  test.each<[string, Record<string, string>]>([
    ['a key of 1 character', { a: 'v' }],
    ['a key of 128 characters', { ['k'.repeat(MAX_TAG_KEY_LENGTH)]: 'v' }],
    ['an empty value', { team: '' }],
    ['a value of 256 characters', { team: 'v'.repeat(MAX_TAG_VALUE_LENGTH) }],
    ['50 tags', tags(MAX_RESOURCE_TAGS)],
    ['"aws" without the colon', { 'aws-team': 'platform', awsome: 'yes' }],
    ['"aws:" inside a key', { 'team:aws:x': 'v' }],
    ['"aws:" at the start of a value', { team: 'aws:platform' }],
  ])('accepts %s', (_, resourceTags) => {
    expect(() => validateResourceTags(scope(), 'resourceTags', resourceTags)).not.toThrow();
  });

  test.each<[string, Record<string, string>, RegExp]>([
    [
      'a key of 129 characters',
      { ['k'.repeat(MAX_TAG_KEY_LENGTH + 1)]: 'v' },
      /resourceTags key "k{129}" has 129 characters: use a tag key of 1-128 characters$/,
    ],
    ['an empty key', { '': 'v' }, /resourceTags key "" has 0 characters: use a tag key of 1-128 characters$/],
    [
      'a value of 257 characters',
      { team: 'v'.repeat(MAX_TAG_VALUE_LENGTH + 1) },
      /resourceTags\["team"\] "257 characters" are more than ECR allows in a tag value \(256\): shorten the value to at most 256 characters$/,
    ],
    ['51 tags', tags(MAX_RESOURCE_TAGS + 1), /resourceTags "51 tags" are more than ECR allows on a repository \(50\)/],
    [
      'the reserved aws: prefix',
      { 'aws:team': 'v' },
      /resourceTags key "aws:team" starts with "aws:", which AWS reserves for its own tags: /,
    ],
    ['the reserved prefix in upper case', { 'AWS:team': 'v' }, /key "AWS:team" starts with "aws:"/],
    ['the reserved prefix in mixed case', { 'Aws:team': 'v' }, /key "Aws:team" starts with "aws:"/],
  ])('fails for %s', (_, resourceTags, error) => {
    expect(() => validateResourceTags(scope(), 'resourceTags', resourceTags)).toThrow(error);
  });
});
