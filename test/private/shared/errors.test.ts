import { App, Duration, Stack } from 'aws-cdk-lib';
import { article, describeDuration, propError } from '../../../src/private/shared/errors';

describe('error wording', () => {
  test.each([
    ['S3', 'an'],
    ['NO_SOURCE', 'a'], // read as a word: "a no-source"
    ['ARM_CONTAINER', 'an'],
    ['LINUX_CONTAINER', 'a'],
    ['GITHUB', 'a'],
    ['CODECOMMIT', 'a'],
    ['BITBUCKET', 'a'],
    ['WINDOWS_SERVER_2019_CONTAINER', 'a'],
    ['HTTP', 'an'],
    ['UNIX', 'a'],
  ])('%s takes %s', (word, expected) => {
    expect(article(word)).toBe(expected);
  });

  test('durations read as written, singular for 1', () => {
    expect(describeDuration(Duration.minutes(1))).toBe('1 minute');
    expect(describeDuration(Duration.days(1))).toBe('1 day');
    expect(describeDuration(Duration.minutes(2161))).toBe('2161 minutes');
    expect(describeDuration(Duration.hours(0))).toBe('0 hours');
  });

  test('the format: [path] Class: prop value problem: fix', () => {
    const stack = new Stack(new App(), 'Stack');
    expect(propError(stack, 'timeout', Duration.minutes(1), 'is too short', 'use 5 minutes or more').message).toBe(
      '[Stack] Stack: timeout 1 minute is too short: use 5 minutes or more',
    );
  });
});
