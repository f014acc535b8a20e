/**
 * The pure core of the build-on-deploy handler (handlers/build-on-deploy): no AWS, no network.
 * The I/O paths run against moto in test/handlers/build-on-deploy.moto.test.ts.
 */
// Loaded untyped (the TypeScript source, as jest compiles it): the tests also send malformed events.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('../../handlers/build-on-deploy');

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ARN = 'arn:aws:codebuild:eu-west-1:111111111111:build/app-image:0b6f7c2e-1111-4222-8333-944445555666';
const ID = 'app-image:0b6f7c2e-1111-4222-8333-944445555666';

function build(status: string, extra: Record<string, unknown> = {}) {
  return { id: ID, arn: ARN, buildStatus: status, ...extra };
}

function exported(vars: Record<string, string>) {
  return { exportedEnvironmentVariables: Object.entries(vars).map(([name, value]) => ({ name, value })) };
}

describe('inputsChanged', () => {
  const props = {
    ProjectName: 'p',
    BuildInputs: 'h1',
    SourceVersion: 'abc',
    DeployTimeInputs: { SourceLocation: 'b/k', Variables: { A: '1', B: '2' } },
    TimeoutMinutes: '50',
    PollSeconds: '30',
  };

  test('false when only timeouts or the poll interval changed', () => {
    expect(core.inputsChanged(props, { ...props, TimeoutMinutes: '20', PollSeconds: '10' })).toBe(false);
  });

  test('false when deploy-time inputs are equal with their keys in another order', () => {
    const reordered = { ...props, DeployTimeInputs: { Variables: { B: '2', A: '1' }, SourceLocation: 'b/k' } };
    expect(core.inputsChanged(props, reordered)).toBe(false);
  });

  test.each([
    ['the project', { ProjectName: 'q' }],
    ['the fingerprint', { BuildInputs: 'h2' }],
    ['the source version', { SourceVersion: 'def' }],
    ['a deploy-time input', { DeployTimeInputs: { SourceLocation: 'b/k2', Variables: { A: '1', B: '2' } } }],
  ])('true when %s changed', (_what, change) => {
    expect(core.inputsChanged({ ...props, ...change }, props)).toBe(true);
  });

  test('true when the source version is removed', () => {
    const { SourceVersion: _removed, ...withoutVersion } = props;
    expect(core.inputsChanged(withoutVersion, props)).toBe(true);
  });

  test('true without old properties', () => {
    expect(core.inputsChanged(props, undefined)).toBe(true);
  });
});

describe('inputsKey', () => {
  const props = { ProjectName: 'p', BuildInputs: 'h1', DeployTimeInputs: { A: '1', B: '2' } };

  test('a sha256 that ignores key order, timeouts and the poll interval', () => {
    const key = core.inputsKey(props);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      core.inputsKey({ DeployTimeInputs: { B: '2', A: '1' }, BuildInputs: 'h1', ProjectName: 'p', PollSeconds: '5' }),
    ).toBe(key);
  });

  test.each([{ BuildInputs: 'h2' }, { SourceVersion: 'abc' }, { DeployTimeInputs: { A: '1' } }, { ProjectName: 'q' }])(
    'changes with %p',
    (change) => {
      expect(core.inputsKey({ ...props, ...change })).not.toBe(core.inputsKey(props));
    },
  );
});

describe('parseImageUri', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:abc1234', 'team/app'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:00', 'app'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', 'app'],
  ])('%s', (uri, repositoryName) => {
    expect(core.parseImageUri(uri)).toEqual({ registryId: '123456789012', repositoryName });
  });

  test.each(['', 'docker.io/library/busybox:1', 'public.ecr.aws/x/y:1'])('not an ECR image: %p', (uri) => {
    expect(core.parseImageUri(uri)).toBeUndefined();
  });
});

describe('startBuildInput', () => {
  test('the project, the source version, the timeouts and an idempotency token from the request', () => {
    expect(
      core.startBuildInput(
        { ProjectName: 'p', SourceVersion: 'abc', TimeoutMinutes: '20', QueuedTimeoutMinutes: '5' },
        'req-1',
      ),
    ).toEqual({
      projectName: 'p',
      sourceVersion: 'abc',
      timeoutInMinutesOverride: 20,
      queuedTimeoutInMinutesOverride: 5,
      idempotencyToken: 'cfn-req-1',
      environmentVariablesOverride: [
        {
          name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS',
          value: core.inputsKey({ ProjectName: 'p', SourceVersion: 'abc' }),
          type: 'PLAINTEXT',
        },
      ],
    });
  });

  test('no source version when none is given; default timeouts', () => {
    expect(core.startBuildInput({ ProjectName: 'p' }, 'r')).toEqual({
      projectName: 'p',
      timeoutInMinutesOverride: 50,
      queuedTimeoutInMinutesOverride: 5,
      idempotencyToken: 'cfn-r',
      environmentVariablesOverride: [expect.objectContaining({ name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS' })],
    });
  });

  test('fails without a project name', () => {
    expect(() => core.startBuildInput({}, 'r')).toThrow(/ProjectName is missing/);
  });

  test.each(['4', '2161', '1.5', 'ten'])('fails when TimeoutMinutes is %p', (value) => {
    expect(() => core.startBuildInput({ ProjectName: 'p', TimeoutMinutes: value }, 'r')).toThrow(
      new RegExp(`TimeoutMinutes "${value}" is not a whole number from 5 to 2160`),
    );
  });

  test('the idempotency token fits CodeBuild (64 characters)', () => {
    expect(core.startBuildInput({ ProjectName: 'p' }, 'x'.repeat(100)).idempotencyToken).toHaveLength(64);
  });
});

describe('waitDeadline', () => {
  test('after the queued and build timeouts and three minutes of slack', () => {
    expect(core.waitDeadline({ TimeoutMinutes: '20', QueuedTimeoutMinutes: '5' }, 1_000)).toBe(1_000 + 28 * 60_000);
  });
});

describe('buildOutcome', () => {
  test.each(['IN_PROGRESS', undefined])('not done while the status is %p', (status) => {
    expect(core.buildOutcome(build(status as any))).toEqual({ done: false });
  });

  test('succeeded with a digest: the exported variables as attributes', () => {
    const outcome = core.buildOutcome(
      build('SUCCEEDED', exported({ IMAGE_URI: 'r/app:abc1234', IMAGE_TAG: 'abc1234', IMAGE_DIGEST: DIGEST })),
    );
    expect(outcome).toEqual({
      done: true,
      ok: true,
      data: {
        ImageDigest: DIGEST,
        ImageDigestHex: 'ab'.repeat(32),
        ImageUri: 'r/app:abc1234',
        ImageTag: 'abc1234',
        BuildId: ID,
        BuildArn: ARN,
      },
    });
  });

  test('succeeded without a digest is a failure that names what was exported', () => {
    const outcome = core.buildOutcome(build('SUCCEEDED', exported({ IMAGE_URI: 'u' })));
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toMatch(
      new RegExp(
        `Build ${ID} succeeded but exported no image digest: IMAGE_DIGEST is missing .*exported: IMAGE_URI\\)`,
      ),
    );
  });

  test('a digest that is not a registry digest is a failure', () => {
    const outcome = core.buildOutcome(build('SUCCEEDED', exported({ IMAGE_DIGEST: 'f00' })));
    expect(outcome.reason).toMatch(/IMAGE_DIGEST is "f00" \(expected sha256:<64 hex digits>/);
  });

  test.each(['FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'])(
    '%s: the build id, the failed phase and the links',
    (status) => {
      const outcome = core.buildOutcome(
        build(status, {
          phases: [
            { phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED' },
            {
              phaseType: 'BUILD',
              phaseStatus: status,
              contexts: [{ message: 'COMMAND_EXECUTION_ERROR: exit status 1' }],
            },
          ],
          logs: { deepLink: 'https://logs.example/deep' },
        }),
      );
      expect(outcome).toEqual({ done: true, ok: false, reason: expect.any(String) });
      expect(outcome.reason).toBe(
        `Build ${ID} ended with ${status} in phase BUILD: COMMAND_EXECUTION_ERROR: exit status 1 ` +
          '(console: https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/111111111111/projects/app-image/build/' +
          'app-image%3A0b6f7c2e-1111-4222-8333-944445555666/?region=eu-west-1; logs: https://logs.example/deep)',
      );
    },
  );
});

describe('buildConsoleUrl', () => {
  test.each([
    ['aws', 'https://eu-west-1.console.aws.amazon.com/'],
    ['aws-cn', 'https://console.amazonaws.cn/'],
    ['aws-us-gov', 'https://console.amazonaws-us-gov.com/'],
  ])('partition %s', (partition, host) => {
    const arn = ARN.replace('arn:aws:', `arn:${partition}:`);
    expect(core.buildConsoleUrl(arn, ID)).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}codesuite/codebuild/`));
  });

  test('undefined for something that is not a build ARN', () => {
    expect(core.buildConsoleUrl('nope', ID)).toBeUndefined();
  });
});
