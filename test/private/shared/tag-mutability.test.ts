import { Lazy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  MAX_EXCLUSION_FILTERS,
  resolveTagMutability,
  tagMatchesWildcard,
} from '../../../src/private/shared/tag-mutability';

const token = Lazy.string({ produce: () => 'x' });

// Source of every rule here: ECR API reference, API_ImageTagMutabilityExclusionFilter (filter
// ^[0-9a-zA-Z._*-]{1,128}$, type WILDCARD), and the CloudFormation schema of AWS::ECR::Repository
// (ImageTagMutabilityExclusionFilters: 1-5 items; ImageTagMutability with the *_WITH_EXCLUSION values).
describe('tag mutability exclusion filters', () => {
  test.each([
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['dev-*', 'dev-', true],
    ['dev-*', 'dev-abc', true],
    ['dev-*', 'xdev-abc', false],
    ['*-cache', 'x-cache', true],
    ['v1.*', 'v1.2', true],
    ['v1.*', 'v1x2', false], // "." is a literal dot, not a regex wildcard
    ['*', 'anything', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
  ])('wildcard %s on %s matches: %s', (filter, tag, expected) => {
    expect(tagMatchesWildcard(filter, tag)).toBe(expected);
  });

  test('no filters: the mutability as given, no exclusion property', () => {
    const mutable = resolveTagMutability(undefined, {});
    expect(mutable.mutability).toBe('MUTABLE');
    expect(mutable.exclusionFilters).toBeUndefined();
    expect(mutable.isImmutable('latest')).toBe(false);
    const immutable = resolveTagMutability(undefined, { imageTagMutability: ecr.TagMutability.IMMUTABLE });
    expect(immutable.mutability).toBe('IMMUTABLE');
    expect(immutable.isImmutable('latest')).toBe(true);
    expect(immutable.isImmutable(token)).toBeUndefined();
  });

  test('IMMUTABLE plus filters: IMMUTABLE_WITH_EXCLUSION, matching tags move', () => {
    const r = resolveTagMutability(undefined, {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest', 'release-*'],
    });
    expect(r.mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(r.exclusionFilters).toEqual([
      { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
      { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'release-*' },
    ]);
    expect(r.isImmutable('latest')).toBe(false);
    expect(r.isImmutable('release-3')).toBe(false);
    expect(r.isImmutable('3f2a9c1')).toBe(true);
  });

  test('MUTABLE plus filters: MUTABLE_WITH_EXCLUSION, matching tags are immutable', () => {
    const r = resolveTagMutability(undefined, { imageTagMutabilityExclusionFilters: ['v*'] });
    expect(r.mutability).toBe('MUTABLE_WITH_EXCLUSION');
    expect(r.isImmutable('v1.2.3')).toBe(true);
    expect(r.isImmutable('latest')).toBe(false);
  });

  test('the *_WITH_EXCLUSION values of newer aws-cdk-lib are accepted with filters', () => {
    const r = resolveTagMutability(undefined, {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as ecr.TagMutability,
      imageTagMutabilityExclusionFilters: ['latest'],
    });
    expect(r.mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
  });

  test('a filter given as a token: tags it might match are unknown', () => {
    const r = resolveTagMutability(undefined, {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest', token],
    });
    expect(r.isImmutable('latest')).toBe(false);
    expect(r.isImmutable('main')).toBeUndefined();
  });

  test(`${MAX_EXCLUSION_FILTERS} filters are accepted, a filter of 128 characters too`, () => {
    expect(() =>
      resolveTagMutability(undefined, { imageTagMutabilityExclusionFilters: ['a', 'b', 'c', 'd', 'x'.repeat(128)] }),
    ).not.toThrow();
  });

  test.each([
    [[], /imageTagMutabilityExclusionFilters \[\] is empty: leave it unset, or list 1-5 wildcard filters/],
    [['a', 'b', 'c', 'd', 'e', 'f'], /has 6 filters, and ECR takes at most 5/],
    [['x'.repeat(129)], /is not an ECR tag filter: use 1-128 of/],
    [['dev/*'], /"dev\/\*" is not an ECR tag filter/],
    [['a', 'a'], /"a" is listed twice: list each filter once/],
  ])('fails when the filters are %j', (filters, message) => {
    expect(() => resolveTagMutability(undefined, { imageTagMutabilityExclusionFilters: filters })).toThrow(message);
  });

  test('fails when *_WITH_EXCLUSION has no filters', () => {
    expect(() =>
      resolveTagMutability(undefined, { imageTagMutability: 'MUTABLE_WITH_EXCLUSION' as ecr.TagMutability }),
    ).toThrow(
      /imageTagMutability "MUTABLE_WITH_EXCLUSION" needs imageTagMutabilityExclusionFilters .*: set imageTagMutabilityExclusionFilters, e.g. \['latest'\], or use TagMutability.MUTABLE/,
    );
  });

  test('fails on a mutability ECR does not know (untyped JavaScript)', () => {
    expect(() => resolveTagMutability(undefined, { imageTagMutability: 'FROZEN' as ecr.TagMutability })).toThrow(
      /imageTagMutability "FROZEN" is not a tag mutability ECR knows: use one of MUTABLE, IMMUTABLE/,
    );
  });
});
