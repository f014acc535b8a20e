import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto-server';

/**
 * The custom resource handler of CrossAccountPullPolicy against moto's ECR and DynamoDB APIs,
 * driven as CloudFormation drives it: many stacks at once on one repository, create / update /
 * delete interleaved, a writer that dies or stalls holding the lease, a busy repository, refused
 * statements and the migration from the first Sid scheme. Leases are short here (1.5 s).
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../../handlers/repository-policy');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('../../handlers/repository-policy/core');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Lease } = require('../../handlers/repository-policy/lease');

const REGION = 'eu-west-1';
const LEASE = { leaseMs: 1500, marginMs: 500, skewMs: 50, backoffBaseMs: 10, backoffCapMs: 200 };
const FOREIGN = {
  Sid: 'KeepMe',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
};
const quiet = () => undefined;

/** A distinct 12-digit account per number. */
function account(n: number): string {
  return String(100000000000 + n);
}

function accounts(...ids: string[]) {
  return {
    Sid: 'Accounts',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    Condition: { StringEquals: { 'aws:PrincipalAccount': ids } },
  };
}

function organization(id: string) {
  return {
    Sid: 'Organization',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['ecr:BatchGetImage'],
    Condition: { StringEquals: { 'aws:PrincipalOrgID': id } },
  };
}

/** The stack id of stack number `n` (a real one holds a UUID). */
function stackId(n: number | string): string {
  return `arn:aws:cloudformation:${REGION}:123456789012:stack/App${n}/0000000${n}-aaaa-bbbb-cccc-dddddddddddd`;
}

/** The Sid the handler writes for `kind` on behalf of stack `n`. */
function sidOf(n: number | string, kind: string): string {
  return core.ownerSidPrefix(stackId(n), 'SharedRepositoryPolicy') + kind;
}

interface Cfn {
  RequestType: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  [key: string]: unknown;
}

function cfn(type: string, n: number | string, repositoryArn: string, statements: unknown[], extra = {}): Cfn {
  return {
    RequestType: type,
    RequestId: `${type}-${n}`,
    StackId: stackId(n),
    LogicalResourceId: 'SharedRepositoryPolicy',
    ResponseURL: 'https://example.invalid',
    ResourceProperties: { RepositoryArn: repositoryArn, Statements: statements },
    ...extra,
  };
}

function run(event: Cfn, options: Record<string, unknown> = {}): Promise<{ PhysicalResourceId: string; stats: any }> {
  return handlerModule.onEvent(event, { log: quiet, ...LEASE, ...options });
}

describe('repository-policy handler against moto', () => {
  let moto: MotoServer | undefined;
  let ecr: ECRClient;
  let dynamodb: DynamoDBClient;
  const savedEnv = { ...process.env };
  let repositories = 0;

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_SESSION_TOKEN = 'testing';
    // the handler builds its own clients: per-service endpoint variables (a test below uses AWS_ENDPOINT_URL)
    process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = moto.endpoint;
    ecr = new ECRClient(motoClientConfig(moto.endpoint, REGION));
    dynamodb = new DynamoDBClient(motoClientConfig(moto.endpoint, REGION));
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    ecr?.destroy();
    dynamodb?.destroy();
    await moto?.stop();
  }, 30_000);

  async function createRepository(withForeign = true): Promise<{ name: string; arn: string }> {
    const name = `shared/images-${++repositories}`;
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    if (withForeign) {
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: name,
          policyText: JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }),
        }),
      );
    }
    return { name, arn: created.repository!.repositoryArn! };
  }

  async function policyOf(name: string): Promise<any | undefined> {
    try {
      const response = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
      return JSON.parse(response.policyText!);
    } catch (error: any) {
      if (error.name === 'RepositoryPolicyNotFoundException') {
        return undefined;
      }
      throw error;
    }
  }

  async function sidsOf(name: string): Promise<string[]> {
    return ((await policyOf(name))?.Statement ?? []).map((s: any) => s.Sid).sort();
  }

  test('writers on a fresh account create the lock table once, on demand, and all succeed', async () => {
    const repo = await createRepository();
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map((n) => run(cfn('Create', `t${n}`, repo.arn, [accounts(account(n))]))),
    );

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: 'cdk-ecr-codebuild-locks' }));
    expect(table.Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', ...[0, 1, 2, 3].map((n) => sidOf(`t${n}`, 'Accounts'))].sort());
  }, 30_000);

  test('a foreign statement survives create, update and delete', async () => {
    const repo = await createRepository();
    const created = await run(cfn('Create', 1, repo.arn, [accounts(account(1))]));
    expect((await policyOf(repo.name)).Statement).toEqual([
      FOREIGN,
      { ...accounts(account(1)), Sid: sidOf(1, 'Accounts') },
    ]);

    const updated = [accounts(account(1), account(2)), organization('o-a1b2c3d4e5')];
    const result = await run(
      cfn('Update', 1, repo.arn, updated, {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: cfn('Create', 1, repo.arn, [accounts(account(1))]).ResourceProperties,
      }),
    );
    expect(result.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect((await policyOf(repo.name)).Statement).toEqual([
      FOREIGN,
      { ...updated[0], Sid: sidOf(1, 'Accounts') },
      { ...updated[1], Sid: sidOf(1, 'Organization') },
    ]);

    await run(cfn('Delete', 1, repo.arn, updated, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(await policyOf(repo.name)).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  }, 30_000);

  test('a repository without policy gets one and loses it again; a repository that is gone is a no-op delete', async () => {
    const repo = await createRepository(false);
    const created = await run(cfn('Create', 2, repo.arn, [accounts(account(1))]));
    expect(await sidsOf(repo.name)).toEqual([sidOf(2, 'Accounts')]);
    await run(cfn('Delete', 2, repo.arn, [], { PhysicalResourceId: created.PhysicalResourceId }));
    expect(await policyOf(repo.name)).toBeUndefined();

    const gone = `arn:aws:ecr:${REGION}:123456789012:repository/never/created`;
    await expect(run(cfn('Delete', 2, gone, [], { PhysicalResourceId: 'x' }))).resolves.toMatchObject({
      PhysicalResourceId: 'x',
    });
  }, 30_000);

  describe.each([2, 4, 8])('%i stacks granting on one repository at the same time', (n) => {
    test.each([1, 2, 3])(
      'round %i: no statement lost, no handler failure',
      async () => {
        const repo = await createRepository();
        const stacks = Array.from({ length: n }, (_, i) => i);

        const results = await Promise.allSettled(
          stacks.map((i) => run(cfn('Create', `c${n}-${i}`, repo.arn, [accounts(account(i))]))),
        );

        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        const expected = stacks.map((i) => sidOf(`c${n}-${i}`, 'Accounts'));
        expect(await sidsOf(repo.name)).toEqual(['KeepMe', ...expected].sort());
        const statements = (await policyOf(repo.name)).Statement;
        stacks.forEach((i) =>
          expect(statements.find((s: any) => s.Sid === sidOf(`c${n}-${i}`, 'Accounts'))).toEqual({
            ...accounts(account(i)),
            Sid: sidOf(`c${n}-${i}`, 'Accounts'),
          }),
        );
      },
      30_000,
    );
  });

  test.each([1, 2, 3, 4, 5])(
    'round %i of create / update / delete interleaved: removed grants never come back, added ones stay',
    async (round) => {
      // GIVEN stacks a, b, c, d have granted
      const repo = await createRepository();
      const id = (s: string) => `r${round}${s}`;
      const physical: Record<string, string> = {};
      for (const s of ['a', 'b', 'c', 'd']) {
        physical[s] = (await run(cfn('Create', id(s), repo.arn, [accounts(account(1))]))).PhysicalResourceId;
      }

      // WHEN at the same time: a is deleted, b adds an account, c swaps accounts for an organization,
      // e is created, f is created and deleted again, d stays
      const results = await Promise.allSettled([
        run(cfn('Delete', id('a'), repo.arn, [accounts(account(1))], { PhysicalResourceId: physical.a })),
        run(
          cfn('Update', id('b'), repo.arn, [accounts(account(1), account(2))], {
            PhysicalResourceId: physical.b,
            OldResourceProperties: { RepositoryArn: repo.arn, Statements: [accounts(account(1))] },
          }),
        ),
        run(
          cfn('Update', id('c'), repo.arn, [organization('o-a1b2c3d4e5')], {
            PhysicalResourceId: physical.c,
            OldResourceProperties: { RepositoryArn: repo.arn, Statements: [accounts(account(1))] },
          }),
        ),
        run(cfn('Create', id('e'), repo.arn, [accounts(account(5))])),
        (async () => {
          const f = await run(cfn('Create', id('f'), repo.arn, [accounts(account(6))]));
          return run(cfn('Delete', id('f'), repo.arn, [], { PhysicalResourceId: f.PhysicalResourceId }));
        })(),
      ]);

      // THEN
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await sidsOf(repo.name)).toEqual(
        [
          'KeepMe',
          sidOf(id('b'), 'Accounts'),
          sidOf(id('c'), 'Organization'),
          sidOf(id('d'), 'Accounts'),
          sidOf(id('e'), 'Accounts'),
        ].sort(),
      );
      const statements = (await policyOf(repo.name)).Statement;
      const b = statements.find((s: any) => s.Sid === sidOf(id('b'), 'Accounts'));
      expect(b.Condition.StringEquals['aws:PrincipalAccount']).toEqual([account(1), account(2)]);
    },
    30_000,
  );

  test('a writer that died holding the lease is taken over once its lease expired', async () => {
    const repo = await createRepository();
    const dead = new Lease({
      client: dynamodb,
      table: 'cdk-ecr-codebuild-locks',
      key: repo.arn,
      holder: 'a writer that crashed',
      ...LEASE,
    });
    await dead.acquire(Date.now() + 5000);
    const acquired = Date.now();

    const result = await run(cfn('Create', 'after-crash', repo.arn, [accounts(account(1))]));

    expect(result.stats.tookOver).toBe(true);
    expect(Date.now() - acquired).toBeGreaterThanOrEqual(LEASE.leaseMs);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', sidOf('after-crash', 'Accounts')].sort());
  }, 30_000);

  test('a writer stalled past its lease does not write what it read: it starts over', async () => {
    // GIVEN a writer that stalls between reading the policy and writing it, longer than its lease
    const repo = await createRepository();
    let stalled!: () => void;
    const hasRead = new Promise<void>((resolve) => (stalled = resolve));
    let stalls = 0;
    const slow = run(cfn('Create', 'slow', repo.arn, [accounts(account(1))]), {
      hooks: {
        afterRead: async () => {
          if (stalls++ === 0) {
            stalled();
            await new Promise((resolve) => setTimeout(resolve, LEASE.leaseMs * 2));
          }
        },
      },
    });
    // WHEN another writer takes over the expired lease and writes meanwhile
    await hasRead;
    const fast = await run(cfn('Create', 'fast', repo.arn, [accounts(account(2))]));
    const slowResult = await slow;

    // THEN the stalled writer's renewal failed, it read again, and both grants are there
    expect(fast.stats.tookOver).toBe(true);
    expect(slowResult.stats.cycles).toBe(2);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', sidOf('slow', 'Accounts'), sidOf('fast', 'Accounts')].sort());
  }, 30_000);

  test('a stale read of the policy after the previous writer released is read again, not written back', async () => {
    // GIVEN a writer that granted and released, recording the policy it left
    const repo = await createRepository();
    const before = await policyOf(repo.name);
    await run(cfn('Create', 'first', repo.arn, [accounts(account(1))]));

    // WHEN the next writer's first read returns the policy as it was before (eventual consistency)
    let served = 0;
    const lagging = {
      send: async (command: any, options?: any) => {
        if (command instanceof GetRepositoryPolicyCommand && served++ === 0) {
          return { policyText: JSON.stringify(before) };
        }
        return ecr.send(command, options);
      },
    };
    const second = await run(cfn('Create', 'second', repo.arn, [accounts(account(2))]), { ecr: lagging, dynamodb });

    // THEN it noticed, read again, and the first grant is still there
    expect(second.stats.staleReads).toBe(1);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', sidOf('first', 'Accounts'), sidOf('second', 'Accounts')].sort());
  }, 30_000);

  test('fails when the policy read back is not what it wrote, after trying again', async () => {
    const repo = await createRepository();
    const dropsWrites = {
      send: async (command: any, options?: any) =>
        command instanceof SetRepositoryPolicyCommand ? {} : ecr.send(command, options),
    };
    await expect(
      run(cfn('Create', 'dropped', repo.arn, [accounts(account(1))]), { ecr: dropsWrites, dynamodb }),
    ).rejects.toThrow(
      new RegExp(
        `repository ${repo.arn.replace(/[/.]/g, '\\$&')}: the policy read back after the write was not as written ` +
          `\\(statement ${sidOf('dropped', 'Accounts')} is missing\\), 4 times`,
      ),
    );
  }, 30_000);

  test('a write still pending when the lease gets short is aborted, never sent late', async () => {
    const repo = await createRepository();
    let aborted = 0;
    const hangs = {
      send: (command: any, options?: any): Promise<any> =>
        command instanceof SetRepositoryPolicyCommand
          ? new Promise((_resolve, reject) =>
              options.abortSignal.addEventListener('abort', () => {
                aborted++;
                const error = new Error('Request aborted');
                error.name = 'AbortError';
                reject(error);
              }),
            )
          : ecr.send(command, options),
    };
    await expect(
      run(cfn('Create', 'hung', repo.arn, [accounts(account(1))]), { ecr: hangs, dynamodb }),
    ).rejects.toThrow(/the write did not finish while at least 500 ms of the lease were left, 4 times/);
    expect(aborted).toBe(4);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe']);
  }, 30_000);

  test('fails, naming the repository, the holder and how long, when the repository stays busy', async () => {
    const repo = await createRepository();
    const holder = new Lease({
      client: dynamodb,
      table: 'cdk-ecr-codebuild-locks',
      key: repo.arn,
      holder: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Other/1 OtherPolicy (Update, request r)',
      ...LEASE,
      leaseMs: 60_000,
      marginMs: 1000,
    });
    await holder.acquire(Date.now() + 5000);
    try {
      // 20 s are kept for the cycle: 1.5 s of waiting
      const deadline = Date.now() + 21_500;
      await expect(run(cfn('Create', 'blocked', repo.arn, [accounts(account(1))]), { deadline })).rejects.toThrow(
        new RegExp(
          `repository ${repo.arn.replace(/[/.]/g, '\\$&')} stayed busy for 1\\.\\d s \\(\\d+ attempts\\): its lock in DynamoDB ` +
            'table cdk-ecr-codebuild-locks is held by arn:aws:cloudformation:eu-west-1:123456789012:stack/Other/1 OtherPolicy ' +
            '\\(Update, request r\\) since \\S+ \\(1\\.\\d s\\).*nothing was written',
        ),
      );
      expect(await sidsOf(repo.name)).toEqual(['KeepMe']);
    } finally {
      await holder.release();
    }
  }, 30_000);

  test('refuses a statement CrossAccountPullPolicy never renders, and writes nothing', async () => {
    const repo = await createRepository();
    const open = { Sid: 'Accounts', Effect: 'Allow', Principal: '*', Action: 'ecr:*' };
    await expect(run(cfn('Create', 'evil', repo.arn, [open]))).rejects.toThrow(
      /statement 1 \(Accounts\) is refused: Principal "\*" is not \{"AWS": "\*"\}/,
    );
    expect(await policyOf(repo.name)).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  }, 30_000);

  test('statements of the first Sid scheme are replaced on the next update, not duplicated', async () => {
    // GIVEN a resource created by the first version (SidPrefix + full Sids, physical id ending with it)
    const repo = await createRepository();
    const legacy = 'CdkEcrCodebuild0123ABCD';
    const legacyProps = {
      RepositoryArn: repo.arn,
      SidPrefix: legacy,
      Statements: [{ ...accounts(account(1)), Sid: `${legacy}Accounts` }],
    };
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: repo.name,
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN, ...legacyProps.Statements] }),
      }),
    );
    const created = { PhysicalResourceId: `123456789012/${REGION}/${repo.name}/${legacy}` };

    // WHEN updated by this version
    const updated = await run(
      cfn('Update', 'm', repo.arn, [accounts(account(1))], {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: legacyProps,
      }),
    );

    // THEN the old statement is gone, the new one there once, and the physical id unchanged (no cleanup Delete)
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', sidOf('m', 'Accounts')].sort());

    // AND an update rolled back (CloudFormation sends the first version's properties back) restores them
    const rolledBack = await run({
      ...cfn('Update', 'm', repo.arn, [], {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: cfn('Update', 'm', repo.arn, [accounts(account(1))]).ResourceProperties,
      }),
      ResourceProperties: legacyProps,
    });
    expect(rolledBack.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', `${legacy}Accounts`].sort());

    // AND a later Delete with that physical id removes whichever is there
    await run(cfn('Delete', 'm', repo.arn, [], { PhysicalResourceId: created.PhysicalResourceId }));
    expect(await sidsOf(repo.name)).toEqual(['KeepMe']);
  }, 30_000);

  test('the clients honour AWS_ENDPOINT_URL alone', async () => {
    const repo = await createRepository();
    const endpoint = process.env.AWS_ENDPOINT_URL_ECR;
    delete process.env.AWS_ENDPOINT_URL_ECR;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      await run(cfn('Create', 'generic', repo.arn, [accounts(account(1))]));
    } finally {
      process.env.AWS_ENDPOINT_URL_ECR = endpoint;
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      delete process.env.AWS_ENDPOINT_URL;
    }
    expect(await sidsOf(repo.name)).toEqual(['KeepMe', sidOf('generic', 'Accounts')].sort());
  }, 30_000);
});
