/**
 * Custom resource handler of cdk-ecr-codebuild's CrossAccountPullPolicy for imported ECR
 * repositories (whose policy CloudFormation cannot manage): the I/O around `core.ts` (what an event
 * means) and `lease.ts` (one writer per repository at a time).
 *
 * For each event: take the repository's lease, read the policy, merge (remove the statements this
 * resource owns, add the new ones; foreign statements untouched), renew the lease, write, read back
 * and check, release. Statements are owned by `CdkEcrCodebuildS<hash of StackId and
 * LogicalResourceId>`; those of the first Sid scheme (`SidPrefix`, a construct-path hash) are
 * removed on the first update. Anything but the statement shapes CrossAccountPullPolicy renders is
 * refused. Any failure (busy repository, lost lease, AccessDenied, a write that did not take) is
 * answered FAILED with the reason: never a silent success.
 *
 * TypeScript, bundled by esbuild into `lib/handlers/repository-policy/index.js`;
 * `@aws-sdk/client-ecr` and `@aws-sdk/client-dynamodb` come with the Lambda Node.js runtime (left
 * out of the bundle). The handler answers CloudFormation itself (HTTPS PUT to the pre-signed
 * `ResponseURL`, `../shared/cfn-response.ts`).
 *
 * Resource properties: `RepositoryArn`; `Statements`, each with the kind as Sid (`Accounts`,
 * `Organization`, `OrgPaths`, `CodeBuild`, `Lambda`). The first version sent `SidPrefix` and full
 * Sids; such properties (an update rolled back to it) are still understood.
 *
 * Environment: every client honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_ECR` /
 * `AWS_ENDPOINT_URL_DYNAMODB` (tests point them at an emulator). `CDK_ECR_CODEBUILD_LEASE_MS`,
 * `CDK_ECR_CODEBUILD_LEASE_MARGIN_MS`, `CDK_ECR_CODEBUILD_LEASE_SKEW_MS`, `CDK_ECR_CODEBUILD_BACKOFF_BASE_MS` and
 * `CDK_ECR_CODEBUILD_BACKOFF_CAP_MS` override the lease timings (tests only).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import * as core from './core';
import { DEFAULTS, Lease, LeaseLostError, SendsCommands } from './lease';
import { CfnRequest, Result, sendResponse } from '../shared/cfn-response';
import { errorName } from '../shared/errors';

export { core, sendResponse };
/** Time kept, at the end of the function's time, to answer CloudFormation. */
const RESPONSE_RESERVE_MS = 15000;
/** Time one read-merge-write-verify cycle may take at most after the lease is acquired. */
const CYCLE_BUDGET_MS = 20000;
/** How often a cycle is tried again after the lease was lost or the read-back did not match. */
const MAX_CYCLES = 4;

/**
 * The endpoint the SDK would take from `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`, passed
 * explicitly as well so that older SDK versions (before 3.4xx) honour it too.
 * @param serviceSuffix e.g. `ECR`, `DYNAMODB`
 */
export function endpointFor(serviceSuffix: string): string | undefined {
  if (/^true$/i.test(process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS || '')) {
    return undefined;
  }
  return process.env[`AWS_ENDPOINT_URL_${serviceSuffix}`] || process.env.AWS_ENDPOINT_URL || undefined;
}

/** SDK clients for the repository's region. */
export function createClients(region: string): { ecr: ECRClient; dynamodb: DynamoDBClient } {
  const ecrEndpoint = endpointFor('ECR');
  const dynamoEndpoint = endpointFor('DYNAMODB');
  return {
    ecr: new ECRClient({ region, ...(ecrEndpoint ? { endpoint: ecrEndpoint } : {}) }),
    dynamodb: new DynamoDBClient({ region, ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}) }),
  };
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** The lease timings (pure): explicit options, then the environment, then the defaults. */
export function leaseTimings(options: OnEventOptions, env: NodeJS.ProcessEnv = process.env) {
  const leaseMs = options.leaseMs ?? numberFromEnv(env, 'CDK_ECR_CODEBUILD_LEASE_MS') ?? DEFAULTS.leaseMs;
  const marginMs =
    options.marginMs ??
    numberFromEnv(env, 'CDK_ECR_CODEBUILD_LEASE_MARGIN_MS') ??
    Math.min(DEFAULTS.marginMs, Math.floor(leaseMs / 3));
  return {
    leaseMs,
    marginMs,
    skewMs: options.skewMs ?? numberFromEnv(env, 'CDK_ECR_CODEBUILD_LEASE_SKEW_MS'),
    backoffBaseMs: options.backoffBaseMs ?? numberFromEnv(env, 'CDK_ECR_CODEBUILD_BACKOFF_BASE_MS'),
    backoffCapMs: options.backoffCapMs ?? numberFromEnv(env, 'CDK_ECR_CODEBUILD_BACKOFF_CAP_MS'),
  };
}

/** The current policy of the repository, or undefined when it has none. */
export async function readPolicy(
  ecr: SendsCommands,
  repo: core.RepositoryRef,
): Promise<core.PolicyDocument | undefined> {
  try {
    const response = await ecr.send(
      new GetRepositoryPolicyCommand({ registryId: repo.registryId, repositoryName: repo.repositoryName }),
    );
    return core.parsePolicy(response && response.policyText);
  } catch (error) {
    if (errorName(error) === 'RepositoryPolicyNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

/** Writes the policy, or deletes it when no statement is left. */
async function writePolicy(
  ecr: SendsCommands,
  repo: core.RepositoryRef,
  policy: core.PolicyDocument,
  hadPolicy: boolean,
  abortSignal: AbortSignal,
): Promise<void> {
  const target = { registryId: repo.registryId, repositoryName: repo.repositoryName };
  if (policy.Statement.length === 0) {
    if (!hadPolicy) {
      return;
    }
    try {
      await ecr.send(new DeleteRepositoryPolicyCommand(target), { abortSignal });
    } catch (error) {
      if (errorName(error) !== 'RepositoryPolicyNotFoundException') {
        throw error;
      }
    }
    return;
  }
  const policyText = core.policyTextOf(policy, repo);
  await ecr.send(new SetRepositoryPolicyCommand({ ...target, policyText }), { abortSignal });
}

/**
 * What `onEvent` takes: clients (default: for the repository's region), the local time by which to
 * have answered (default: 90 s from now), lease timings, and test hooks.
 */
export interface OnEventOptions {
  readonly ecr?: SendsCommands;
  readonly dynamodb?: SendsCommands;
  readonly deadline?: number;
  readonly leaseMs?: number;
  readonly marginMs?: number;
  readonly skewMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly hooks?: { readonly afterRead?: () => Promise<void> | void };
  readonly log?: (message: string) => void;
}

/** Figures of one event, for the log and the benchmark. */
export interface EventStats {
  waitedMs: number;
  attempts: number;
  cycles: number;
  tookOver: boolean;
  wrote: boolean;
  staleReads?: number;
  skipped?: string;
}

/** What `onEvent` did: the physical id to answer, and its figures. */
export interface EventResult {
  readonly PhysicalResourceId: string;
  readonly stats: EventStats | { readonly skipped: string };
}

/** Applies one CloudFormation event to the repository policy, under the repository's lease. */
export async function onEvent(
  event: core.PolicyEvent & Partial<CfnRequest>,
  options: OnEventOptions = {},
): Promise<EventResult> {
  let plan: core.Plan;
  try {
    plan = core.planEvent(event);
  } catch (error) {
    // A Delete of a resource whose Create was refused before anything was written: nothing to undo.
    if (event.RequestType === 'Delete' && error instanceof core.RefusedError && !hasValidArn(event)) {
      return { PhysicalResourceId: event.PhysicalResourceId as string, stats: { skipped: error.message } };
    }
    throw error;
  }
  const { repo } = plan;
  const log = options.log || ((message: string) => console.log(message));
  const clients: { ecr: SendsCommands; dynamodb: SendsCommands } =
    options.ecr && options.dynamodb
      ? { ecr: options.ecr, dynamodb: options.dynamodb }
      : { ...createClients(repo.region), ...definedClients(options) };
  const deadline = options.deadline ?? Date.now() + 90000;
  const timings = leaseTimings(options);
  const started = Date.now();
  const stats: EventStats = { waitedMs: 0, attempts: 0, cycles: 0, tookOver: false, wrote: false };

  for (let cycle = 1; ; cycle++) {
    stats.cycles = cycle;
    const lease = new Lease({
      client: clients.dynamodb,
      table: core.LOCK_TABLE_NAME,
      key: repo.arn,
      holder: `${event.StackId} ${event.LogicalResourceId} (${event.RequestType}, request ${event.RequestId})`,
      ...timings,
      log,
    });
    await lease.acquire(deadline - CYCLE_BUDGET_MS);
    stats.attempts += lease.stats.attempts;
    stats.tookOver = stats.tookOver || lease.stats.tookOver;
    stats.waitedMs = Date.now() - started;
    let retry: string;
    /** The digest of the policy as this writer leaves it, once known. */
    let leftBehind: string | undefined;
    try {
      let current: core.PolicyDocument | undefined;
      try {
        current = await readUpToDate(clients.ecr, repo, lease.previousPolicy, stats, log);
      } catch (error) {
        if (plan.requestType === 'Delete' && errorName(error) === 'RepositoryNotFoundException') {
          log(`repository ${repo.arn} is gone, and its statements with it`);
          return { PhysicalResourceId: plan.physicalId, stats };
        }
        throw error;
      }
      if (options.hooks && options.hooks.afterRead) {
        await options.hooks.afterRead();
      }
      const merged = core.mergePolicy(current, plan.removePrefixes, plan.statements);
      if (current && JSON.stringify(merged) === JSON.stringify(current)) {
        leftBehind = core.policyDigest(current);
        return { PhysicalResourceId: plan.physicalId, stats };
      }
      const abortSignal = await lease.renew();
      await writePolicy(clients.ecr, repo, merged, current !== undefined, abortSignal);
      stats.wrote = true;
      const written = await readPolicy(clients.ecr, repo);
      const problems = core.verifyPolicy(written, plan);
      if (problems.length === 0) {
        leftBehind = core.policyDigest(written);
        return { PhysicalResourceId: plan.physicalId, stats };
      }
      retry = `the policy read back after the write was not as written (${problems.join('; ')})`;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        retry = error.message;
      } else if (errorName(error) === 'AbortError') {
        // Whether the write took is unknown: the next cycle reads and merges again (idempotent).
        retry = `the write did not finish while at least ${timings.marginMs} ms of the lease were left`;
      } else {
        throw error;
      }
    } finally {
      await lease.release(leftBehind);
    }
    log(`cycle ${cycle} of ${repo.arn} did not complete: ${retry}`);
    if (cycle >= MAX_CYCLES || Date.now() >= deadline - CYCLE_BUDGET_MS) {
      throw new Error(`repository ${repo.arn}: ${retry}, ${cycle} times; the policy may need a look`);
    }
  }
}

/** How long a writer reads again when the policy is not the one the previous holder left. */
const STALE_READ_WAIT_MS = 3000;

/**
 * Reads the policy; when the previous holder of the lease recorded the digest of the policy it
 * left and the read differs, reads again for a few seconds, so that a stale read cannot make this
 * writer write an older policy back. After that the policy read is taken as the truth (someone
 * changed it outside this handler), and logged.
 */
async function readUpToDate(
  ecr: SendsCommands,
  repo: core.RepositoryRef,
  expectedDigest: string | undefined,
  stats: EventStats,
  log: (message: string) => void,
): Promise<core.PolicyDocument | undefined> {
  const until = Date.now() + STALE_READ_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const current = await readPolicy(ecr, repo);
    if (!expectedDigest || core.policyDigest(current) === expectedDigest) {
      return current;
    }
    stats.staleReads = (stats.staleReads || 0) + 1;
    if (Date.now() >= until) {
      log(`the policy of ${repo.arn} is not the one the previous writer left: it was changed outside this handler`);
      return current;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)));
  }
}

function hasValidArn(event: core.PolicyEvent): boolean {
  try {
    core.parseRepositoryArn((event.ResourceProperties || {}).RepositoryArn);
    return true;
  } catch {
    return false;
  }
}

/** What the entry point reads of Lambda's context. */
export interface HandlerContext {
  readonly logStreamName?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * The Lambda entry point over an `apply` (`onEvent`, or a test's stand-in) and a `respond`
 * (`sendResponse`): applies the event and always answers CloudFormation.
 */
export function createHandler(
  apply: (event: CfnRequest, options: OnEventOptions) => Promise<EventResult> = onEvent,
  respond: (request: CfnRequest, result: Result) => Promise<void> = sendResponse,
): (event: CfnRequest, context?: HandlerContext) => Promise<void> {
  return async (event, context) => {
    const redacted = { ...event, ResponseURL: '(redacted)' };
    console.log(JSON.stringify(redacted));
    const remaining = context && context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 120000;
    let result: Result;
    try {
      const { PhysicalResourceId, stats } = await apply(event, {
        deadline: Date.now() + remaining - RESPONSE_RESERVE_MS,
      });
      console.log(JSON.stringify({ result: 'SUCCESS', PhysicalResourceId, stats }));
      result = { Status: 'SUCCESS', PhysicalResourceId };
    } catch (error) {
      console.error(error);
      const message = error instanceof Error ? error.message : String(error);
      const logs = context && context.logStreamName ? ` (log stream ${context.logStreamName})` : '';
      result = {
        Status: 'FAILED',
        Reason: `${message}${logs}`,
        // A failed Create must not leave a resource id that points at someone else's statements.
        PhysicalResourceId: event.PhysicalResourceId || `failed-${event.RequestId}`,
      };
    }
    await respond(event, result);
  };
}

/** The Lambda entry point: applies the event and always answers CloudFormation. */
export const handler = createHandler();

/** The clients among the options (an `undefined` one must not replace the default). */
function definedClients(options: OnEventOptions): Partial<{ ecr: SendsCommands; dynamodb: SendsCommands }> {
  return {
    ...(options.ecr ? { ecr: options.ecr } : {}),
    ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}),
  };
}
