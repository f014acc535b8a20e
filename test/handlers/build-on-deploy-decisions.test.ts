/**
 * The decisions of the build-on-deploy handler's wait, Delete and reuse paths, as plain functions:
 * no AWS, no fakes of CodeBuild.
 */
import {
  HANDOVER_MARGIN_MS,
  isRunning,
  pollIntervalMs,
  reusableBatches,
  reusableBuilds,
  runOfResource,
  succeededBatches,
  waitStep,
} from '../../handlers/build-on-deploy/decisions';
import { INPUTS_VARIABLE } from '../../handlers/build-on-deploy/inputs';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ID = 'app-image:0b6f7c2e-1111-4222-8333-944445555666';
const OTHER_ID = 'app-image:0b6f7c2e-1111-4222-8333-000000000002';
const arnOf = (id: string) => `arn:aws:codebuild:eu-west-1:111111111111:build/${id}`;

function succeeded(id: string, key: string | undefined, digest = DIGEST) {
  return {
    id,
    arn: arnOf(id),
    buildStatus: 'SUCCEEDED',
    environment: { environmentVariables: key ? [{ name: INPUTS_VARIABLE, value: key }] : [] },
    exportedEnvironmentVariables: [
      { name: 'IMAGE_URI', value: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/app:v1' },
      { name: 'IMAGE_TAG', value: 'v1' },
      { name: 'IMAGE_DIGEST', value: digest },
    ],
  };
}

describe('waitStep', () => {
  const running = { done: false } as const;
  const never = () => {
    throw new Error('not to be read');
  };

  test('answers a run that ended without reading the clock', () => {
    expect(waitStep({ done: true, ok: false, reason: 'x' }, 0, 30_000, never, never)).toBe('answer');
  });

  test('times out at the deadline without reading the time left', () => {
    expect(waitStep(running, 1000, 30_000, () => 1000, never)).toBe('time-out');
  });

  test('hands over when the time left is less than a poll and the hand-over margin', () => {
    expect(
      waitStep(
        running,
        10_000,
        30_000,
        () => 0,
        () => 30_000 + HANDOVER_MARGIN_MS - 1,
      ),
    ).toBe('hand-over');
  });

  test('polls again when a poll and the hand-over fit', () => {
    expect(
      waitStep(
        running,
        10_000,
        30_000,
        () => 0,
        () => 30_000 + HANDOVER_MARGIN_MS,
      ),
    ).toBe('poll');
  });
});

describe('pollIntervalMs', () => {
  test('30 s by default, PollSeconds otherwise', () => {
    expect(pollIntervalMs({})).toBe(30_000);
    expect(pollIntervalMs({ PollSeconds: '5' })).toBe(5000);
  });

  test('fails when PollSeconds is out of range', () => {
    expect(() => pollIntervalMs({ PollSeconds: '0' })).toThrow(/PollSeconds "0" is not a whole number from 1 to 300/);
  });
});

describe('runOfResource', () => {
  test("the physical id when it is a build of the resource's project", () => {
    expect(runOfResource(ID, 'app-image')).toBe(ID);
  });

  test.each([
    ['a failed Create', 'failed-request-1', 'app-image'],
    ["another project's build", ID, 'other-project'],
    ['no physical id', undefined, 'app-image'],
  ])('none for %s', (_what, physicalId, project) => {
    expect(runOfResource(physicalId, project)).toBeUndefined();
  });
});

describe('isRunning', () => {
  test.each(['IN_PROGRESS', 'QUEUED'])('%s may still push', (status) => {
    expect(isRunning(status)).toBe(true);
  });
  test.each(['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'])('%s is over', (status) => {
    expect(isRunning(status)).toBe(false);
  });
});

describe('reusableBuilds', () => {
  test('keeps the listed order and only succeeded builds of the same inputs that exported a digest', () => {
    const builds = [
      succeeded(OTHER_ID, 'key'),
      succeeded(ID, 'key'),
      succeeded('app-image:0b6f7c2e-1111-4222-8333-000000000003', 'other-key'),
      { ...succeeded('app-image:0b6f7c2e-1111-4222-8333-000000000004', 'key'), buildStatus: 'FAILED' },
      succeeded('app-image:0b6f7c2e-1111-4222-8333-000000000005', 'key', 'not-a-digest'),
    ];
    const ids = [ID, OTHER_ID, ...builds.slice(2).map((b) => b.id), 'app-image:not-returned'];
    expect(reusableBuilds(ids, builds, 'key').map((d) => d.BuildId)).toEqual([ID, OTHER_ID]);
    expect(reusableBuilds(ids, builds, 'key')[0]).toMatchObject({ ImageDigest: DIGEST, ImageTag: 'v1' });
  });
});

describe('reusable batches', () => {
  const batchId = 'app-image:0b6f7c2e-1111-4222-8333-00000000000b';
  const batch = (status: string, key?: string) => ({
    id: batchId,
    arn: `arn:aws:codebuild:eu-west-1:111111111111:build-batch/${batchId}`,
    buildBatchStatus: status,
    environment: { environmentVariables: key ? [{ name: INPUTS_VARIABLE, value: key }] : [] },
    buildGroups: [{ identifier: 'manifest', currentBuildSummary: { arn: arnOf(ID), buildStatus: 'SUCCEEDED' } }],
  });

  test("succeeded batches come with their manifest step's build", () => {
    expect(succeededBatches([batchId], [batch('SUCCEEDED')], 'manifest')).toEqual([
      { batch: batch('SUCCEEDED'), manifestBuildId: ID },
    ]);
    expect(succeededBatches([batchId], [batch('FAILED')], 'manifest')).toEqual([]);
    expect(succeededBatches([batchId], [batch('SUCCEEDED')], 'other-step')).toEqual([]);
  });

  test('the inputs may be on the batch or on its manifest build; the attributes add the batch', () => {
    const onBatch = reusableBatches(
      [{ batch: batch('SUCCEEDED', 'key'), manifestBuildId: ID }],
      [succeeded(ID, undefined)],
      'key',
    );
    const onBuild = reusableBatches(
      [{ batch: batch('SUCCEEDED'), manifestBuildId: ID }],
      [succeeded(ID, 'key')],
      'key',
    );
    for (const found of [onBatch, onBuild]) {
      expect(found).toEqual([
        {
          id: batchId,
          data: expect.objectContaining({ BuildId: ID, BuildBatchId: batchId, ImageDigest: DIGEST }),
        },
      ]);
    }
    expect(
      reusableBatches([{ batch: batch('SUCCEEDED'), manifestBuildId: ID }], [succeeded(ID, 'other')], 'key'),
    ).toEqual([]);
  });
});
