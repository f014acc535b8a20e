/**
 * Concurrent writers of one imported repository's policy, against moto on 127.0.0.1:
 * N = 2, 4, 8, 16 stacks run the CrossAccountPullPolicy handler at the same time (each adds its
 * own statement), with the production lease settings (30 s lease, 100 ms - 3 s jittered backoff).
 *
 *   npm run bench:policy-race [-- rounds]
 *
 * Figures per N (over all rounds): time until all writers are done (median, worst), the wait for
 * the lease per writer (median, worst), the attempts per writer, lost statements (must be 0) and
 * failed handlers (must be 0). For contrast, the same writers without the lease (read, merge, write
 * with the same pure functions): the lost statements the lease prevents.
 */
import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { startMoto } from '../test/support/moto-server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../handlers/repository-policy');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('../handlers/repository-policy/core');

const REGION = 'eu-west-1';
const SIZES = [2, 4, 8, 16];
const FOREIGN = {
  Sid: 'KeepMe',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: 'ecr:BatchGetImage',
};

function accounts(n: number) {
  return {
    Sid: 'Accounts',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    Condition: { StringEquals: { 'aws:PrincipalAccount': String(100000000000 + n) } },
  };
}

function event(stack: string, repositoryArn: string, n: number) {
  return {
    RequestType: 'Create',
    RequestId: `bench-${stack}`,
    StackId: `arn:aws:cloudformation:${REGION}:123456789012:stack/${stack}/00000000-0000-0000-0000-000000000000`,
    LogicalResourceId: 'SharedRepositoryPolicy',
    ResponseURL: 'https://example.invalid',
    ResourceProperties: { RepositoryArn: repositoryArn, Statements: [accounts(n)] },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const moto = await startMoto();
  const ecr = new ECRClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  process.env.AWS_ACCESS_KEY_ID = 't';
  process.env.AWS_SECRET_ACCESS_KEY = 't';
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  let repositoryCount = 0;

  const newRepository = async () => {
    const repositoryName = `bench/shared-${++repositoryCount}`;
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName,
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }),
      }),
    );
    return { repositoryName, arn: created.repository!.repositoryArn! };
  };
  const statementsOf = async (repositoryName: string) =>
    JSON.parse((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText!).Statement as any[];

  try {
    // warm-up (and the lock table, created on first use)
    const warm = await newRepository();
    await handlerModule.onEvent(event('warm', warm.arn, 0), { log: () => undefined });

    const rows: string[] = [];
    for (const n of SIZES) {
      const converge: number[] = [];
      const waits: number[] = [];
      const attempts: number[] = [];
      let lost = 0;
      let failed = 0;
      let lostUnlocked = 0;
      for (let round = 0; round < rounds; round++) {
        // with the lease: the handler as Lambda runs it
        const repo = await newRepository();
        const started = Date.now();
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            handlerModule.onEvent(event(`N${n}R${round}S${i}`, repo.arn, i), { log: () => undefined }),
          ),
        );
        converge.push(Date.now() - started);
        for (const r of results) {
          if (r.status === 'fulfilled') {
            waits.push(r.value.stats.waitedMs);
            attempts.push(r.value.stats.attempts);
          } else {
            failed++;
            console.error(r.reason);
          }
        }
        const present = new Set((await statementsOf(repo.repositoryName)).map((s) => s.Sid));
        lost += Array.from({ length: n }, (_, i) => `N${n}R${round}S${i}`).filter(
          (stack) =>
            !present.has(core.ownerSidPrefix(event(stack, repo.arn, 0).StackId, 'SharedRepositoryPolicy') + 'Accounts'),
        ).length;
        lost += present.has('KeepMe') ? 0 : 1;

        // without the lease: read, merge, write, as the first version did
        const bare = await newRepository();
        await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            const plan = core.planEvent(event(`U${n}R${round}S${i}`, bare.arn, i));
            const current = await handlerModule.readPolicy(ecr, plan.repo);
            const merged = core.mergePolicy(current, plan.removePrefixes, plan.statements);
            await ecr.send(
              new SetRepositoryPolicyCommand({
                repositoryName: bare.repositoryName,
                policyText: JSON.stringify(merged),
              }),
            );
          }),
        );
        const barePresent = (await statementsOf(bare.repositoryName)).length - 1;
        lostUnlocked += n - barePresent;
      }
      const writers = n * rounds;
      rows.push(
        `| ${n} | ${rounds} | ${median(converge)} | ${Math.max(...converge)} | ${median(waits)} | ${Math.max(...waits)} | ` +
          `${median(attempts)} | ${Math.max(...attempts)} | ${lost} of ${writers} | ${failed} | ${lostUnlocked} of ${writers} |`,
      );
      console.error(`N=${n} done`);
    }
    console.log(
      '| N writers | rounds | converge ms (median) | converge ms (worst) | lease wait ms (median) | lease wait ms (worst) | ' +
        'attempts (median) | attempts (worst) | lost statements | failed handlers | lost without the lease |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    rows.forEach((row) => console.log(row));
  } finally {
    ecr.destroy();
    await moto.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
