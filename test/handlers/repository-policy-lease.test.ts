/**
 * The decisions of the repository lease and its timings, as plain functions: no DynamoDB.
 * (The lease against moto, with concurrent writers, is in test/handlers/repository-policy.moto.test.ts.)
 */
import { leaseTimings } from '../../handlers/repository-policy';
import {
  busyMessage,
  DEFAULTS,
  leaseItemOf,
  tookOverExpired,
  writeDeadlineOf,
} from '../../handlers/repository-policy/lease';

describe('leaseItemOf', () => {
  test('the holder and times of a held lease', () => {
    expect(
      leaseItemOf({ holder: { S: 'stack A' }, acquiredAt: { N: '1000' }, expiresAt: { N: '31000' } } as any),
    ).toEqual({ holder: 'stack A', acquiredAt: 1000, expiresAt: 31000 });
  });

  test('none for no item or a released lease (expiresAt 0); an unknown writer without a holder', () => {
    expect(leaseItemOf(undefined)).toBeUndefined();
    expect(leaseItemOf({ expiresAt: { N: '0' } } as any)).toBeUndefined();
    expect(leaseItemOf({ expiresAt: { N: '5' } } as any)).toEqual({
      holder: 'an unknown writer',
      acquiredAt: 0,
      expiresAt: 5,
    });
  });
});

describe('tookOverExpired', () => {
  const holder = { holder: 'h', acquiredAt: 0, expiresAt: 10_000 };
  test('only when the last holder expired more than the skew before now', () => {
    expect(tookOverExpired(holder, 12_001, 2000)).toBe(true);
    expect(tookOverExpired(holder, 12_000, 2000)).toBe(false);
    expect(tookOverExpired(undefined, 99_999, 2000)).toBe(false);
  });
});

describe('writeDeadlineOf', () => {
  test('the lease minus the margin', () => {
    expect(writeDeadlineOf(1000, DEFAULTS.leaseMs, DEFAULTS.marginMs)).toBe(21_000);
  });
});

describe('busyMessage', () => {
  test('names the repository, the wait, the attempts, the table and the holder', () => {
    expect(
      busyMessage({
        key: 'arn:aws:ecr:eu-west-1:111111111111:repository/app',
        table: 'cdk-ecr-codebuild-locks',
        started: 0,
        now: 12_500,
        attempts: 7,
        lastHolder: { holder: 'stack B', acquiredAt: 2500, expiresAt: 32_500 },
      }),
    ).toBe(
      'repository arn:aws:ecr:eu-west-1:111111111111:repository/app stayed busy for 12.5 s (7 attempts): its lock in ' +
        'DynamoDB table cdk-ecr-codebuild-locks is held by stack B since 1970-01-01T00:00:02.500Z (10.0 s), lease ' +
        'expiring 1970-01-01T00:00:32.500Z; nothing was written. Retry the deployment once the other deployment is done',
    );
  });

  test('another writer when the holder is unknown', () => {
    expect(busyMessage({ key: 'k', table: 't', started: 0, now: 0, attempts: 1, lastHolder: undefined })).toMatch(
      /is held by another writer; nothing was written/,
    );
  });
});

describe('leaseTimings', () => {
  test('options, then the environment, then the defaults; the margin at most a third of the lease', () => {
    expect(leaseTimings({}, {})).toEqual({
      leaseMs: DEFAULTS.leaseMs,
      marginMs: DEFAULTS.marginMs,
      skewMs: undefined,
      backoffBaseMs: undefined,
      backoffCapMs: undefined,
    });
    expect(
      leaseTimings({}, { CDK_ECR_CODEBUILD_LEASE_MS: '3000', CDK_ECR_CODEBUILD_LEASE_SKEW_MS: '50' }),
    ).toMatchObject({
      leaseMs: 3000,
      marginMs: 1000,
      skewMs: 50,
    });
    expect(leaseTimings({ leaseMs: 6000, marginMs: 500 }, { CDK_ECR_CODEBUILD_LEASE_MS: '3000' })).toMatchObject({
      leaseMs: 6000,
      marginMs: 500,
    });
  });
});
