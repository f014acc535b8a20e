import {
  CUSTOM_RESOURCE_MAX_MINUTES,
  DEPLOY_QUEUED_TIMEOUT_MINUTES,
  deployBuildMinutes,
  MAX_DEPLOY_BUILD_MINUTES,
  stableJson,
} from '../../../src/private/docker/build-on-deploy';

describe('deploy-time build timeout', () => {
  test('queue, build, the waiter and the answer fit in CloudFormation hour', () => {
    expect(MAX_DEPLOY_BUILD_MINUTES).toBe(50);
    expect(MAX_DEPLOY_BUILD_MINUTES + DEPLOY_QUEUED_TIMEOUT_MINUTES).toBeLessThan(CUSTOM_RESOURCE_MAX_MINUTES);
  });

  test.each([
    [5, 5],
    [50, 50],
    [60, 50],
    [2160, 50],
  ])('a project timeout of %p minutes gives deploy-time builds %p', (project, deploy) => {
    expect(deployBuildMinutes(project)).toBe(deploy);
  });
});

describe('stableJson', () => {
  test('sorts keys at every level and drops undefined', () => {
    expect(stableJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});
