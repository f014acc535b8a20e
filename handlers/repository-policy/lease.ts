/**
 * A lease (a lock with an expiry) on one repository, held in a DynamoDB item, so that only one
 * writer at a time reads, merges and writes a repository policy: across stacks, nested stacks,
 * apps and parallel pipelines, whatever construct path or import style they use.
 *
 * Why this is safe, and what it assumes
 * -------------------------------------
 * - DynamoDB serializes conditional writes on one item. A writer acquires with
 *   `PutItem ... ConditionExpression attribute_not_exists(pk) OR expiresAt < :now`, so at most one
 *   writer holds an unexpired lease; the owner is a random token per attempt.
 * - Before it writes the policy, the holder renews (`UpdateItem ... owner = :me`). Success proves
 *   that nobody took the lease over since it was acquired (a takeover replaces the owner token and
 *   a release only touches an item it still owns), hence that nobody wrote the policy since this writer read
 *   it. The renewal also pushes the expiry `leaseMs` ahead; the write is sent only if at least
 *   `marginMs` of it would be left, and is aborted at that point.
 * - An expired lease (a writer that crashed or timed out) is taken over by the next writer, but
 *   only `skewMs` after its expiry as the taker's clock reads it.
 * - A release does not delete the item: it expires it and records a digest of the policy as the
 *   releasing writer read it back (`lastPolicy`). The next holder gets it with its conditional put
 *   and reads the policy again until it matches (for a few seconds), so that a stale read cannot
 *   make it write back an older policy; a writer that does not know what it left (it failed midway)
 *   removes the digest.
 * Assumptions: clocks of the writers differ by less than `skewMs + marginMs` (Lambda hosts are
 * synchronized by the Amazon Time Sync Service, within milliseconds); an ECR API call takes effect
 * within `leaseMs - marginMs` of being sent or not at all; every writer of the policy uses this
 * handler and this table (people and other tools editing the policy by hand are not excluded); the
 * table is not deleted while a lease is held; ECR's GetRepositoryPolicy returns the latest write
 * within a few seconds (the digest check above waits 3 s for it).
 *
 * The table (`cdk-ecr-codebuild-locks`, partition key `pk`, on-demand) is created on first use by
 * whichever writer needs it first, and left in place: all stacks of the account and region share it.
 */
import * as crypto from 'crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay } from './core';

/** Defaults for the Lambda function; tests shorten them. */
export const DEFAULTS = {
  leaseMs: 30000,
  marginMs: 10000,
  skewMs: 2000,
  backoffBaseMs: 100,
  backoffCapMs: 3000,
  tableWaitMs: 60000,
};

/** The lease was taken over by another writer: nothing may be written under it any more. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** No lease within the time the function had. */
export class LeaseTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseTimeoutError';
  }
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const e = error as { name?: string; Code?: string; Error?: { Code?: string } };
  return e.name || e.Code || (e.Error && e.Error.Code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DynamoDB client, or anything that answers its commands (the tests' fakes). */
export interface SendsCommands {
  send(command: any, options?: any): Promise<any>;
}

export interface LeaseOptions {
  readonly client: SendsCommands;
  readonly table: string;
  readonly key: string;
  readonly holder: string;
  readonly leaseMs?: number;
  readonly marginMs?: number;
  readonly skewMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly tableWaitMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

/** Who holds a lease, as its item says. */
export interface LeaseItem {
  readonly holder: string;
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

export class Lease {
  public readonly client: SendsCommands;
  public readonly table: string;
  public readonly key: string;
  public readonly holder: string;
  public readonly leaseMs: number;
  public readonly marginMs: number;
  public readonly skewMs: number;
  public readonly backoffBaseMs: number;
  public readonly backoffCapMs: number;
  public readonly tableWaitMs: number;
  public readonly now: () => number;
  public readonly log: (message: string) => void;
  public owner: string | undefined;
  /** The digest of the policy the previous holder left, if it recorded one. */
  public previousPolicy: string | undefined;
  /** Local time until which a write may start and must be over. */
  public writeDeadline: number;
  /** Figures for the log and the benchmark. */
  public readonly stats: { attempts: number; waitedMs: number; tookOver: boolean; createdTable: boolean };

  constructor(options: LeaseOptions) {
    this.client = options.client;
    this.table = options.table;
    this.key = options.key;
    this.holder = options.holder;
    this.leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.marginMs = options.marginMs ?? DEFAULTS.marginMs;
    this.skewMs = options.skewMs ?? DEFAULTS.skewMs;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULTS.backoffBaseMs;
    this.backoffCapMs = options.backoffCapMs ?? DEFAULTS.backoffCapMs;
    this.tableWaitMs = options.tableWaitMs ?? DEFAULTS.tableWaitMs;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    if (!(this.marginMs > 0 && this.marginMs < this.leaseMs)) {
      throw new Error(`lease margin ${this.marginMs} ms must be between 0 and the lease duration ${this.leaseMs} ms`);
    }
    this.owner = undefined;
    this.previousPolicy = undefined;
    this.writeDeadline = 0;
    this.stats = { attempts: 0, waitedMs: 0, tookOver: false, createdTable: false };
  }

  /**
   * Waits for the lease until `deadline` (local ms), with full-jitter exponential backoff.
   */
  async acquire(deadline: number): Promise<void> {
    const started = this.now();
    let lastHolder: LeaseItem | undefined;
    for (let attempt = 0; ; attempt++) {
      this.stats.attempts++;
      const owner = crypto.randomBytes(16).toString('hex');
      const now = this.now();
      try {
        const response = await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              pk: { S: this.key },
              owner: { S: owner },
              holder: { S: this.holder },
              acquiredAt: { N: String(now) },
              expiresAt: { N: String(now + this.leaseMs) },
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :stale',
            ExpressionAttributeValues: { ':stale': { N: String(now - this.skewMs) } },
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        this.owner = owner;
        const previous = response && response.Attributes;
        this.previousPolicy = previous && previous.lastPolicy ? previous.lastPolicy.S : undefined;
        this.writeDeadline = writeDeadlineOf(now, this.leaseMs, this.marginMs);
        this.stats.waitedMs = this.now() - started;
        if (lastHolder && tookOverExpired(lastHolder, now, this.skewMs)) {
          this.stats.tookOver = true;
          this.log(`took over the lease of ${lastHolder.holder}, expired ${now - lastHolder.expiresAt} ms ago`);
        }
        return;
      } catch (error) {
        const name = errorName(error);
        if (name === 'ResourceNotFoundException') {
          await this.createTable(deadline);
          continue;
        }
        if (name !== 'ConditionalCheckFailedException') {
          throw error;
        }
        lastHolder =
          leaseItemOf((error as { Item?: Record<string, AttributeValue> }).Item) || (await this.read()) || lastHolder;
      }
      const delay = backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs);
      if (this.now() + delay >= deadline) {
        throw new LeaseTimeoutError(
          busyMessage({
            key: this.key,
            table: this.table,
            started,
            now: this.now(),
            attempts: this.stats.attempts,
            lastHolder,
          }),
        );
      }
      await sleep(delay);
    }
  }

  /** The current lease item, if any (for the message when waiting). */
  async read(): Promise<LeaseItem | undefined> {
    try {
      const response = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { pk: { S: this.key } }, ConsistentRead: true }),
      );
      return leaseItemOf(response.Item);
    } catch {
      return undefined;
    }
  }

  /**
   * Proves the lease is still ours and extends it; returns an AbortSignal that fires when the write
   * must be over. Throws LeaseLostError when someone else took it over.
   */
  async renew(): Promise<AbortSignal> {
    if (!this.owner) {
      throw new LeaseLostError(`no lease held on ${this.key}`);
    }
    const now = this.now();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: this.key } },
          UpdateExpression: 'SET expiresAt = :expires',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': { S: this.owner }, ':expires': { N: String(now + this.leaseMs) } },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        this.owner = undefined;
        throw new LeaseLostError(`the lease on ${this.key} was taken over by another writer`);
      }
      throw error;
    }
    this.writeDeadline = writeDeadlineOf(now, this.leaseMs, this.marginMs);
    const left = this.writeDeadline - this.now();
    if (left <= 0) {
      throw new LeaseLostError(`the lease on ${this.key} was renewed too late to write safely`);
    }
    return AbortSignal.timeout(left);
  }

  /**
   * Releases the lease if it is still ours (never someone else's): expires it now and records the
   * digest of the policy this writer left (or removes the digest when it does not know it).
   */
  async release(policyDigest?: string): Promise<void> {
    if (!this.owner) {
      return;
    }
    const owner = this.owner;
    this.owner = undefined;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: this.key } },
          UpdateExpression: policyDigest
            ? 'SET expiresAt = :released, lastPolicy = :digest'
            : 'SET expiresAt = :released REMOVE lastPolicy',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':me': { S: owner },
            ':released': { N: '0' },
            ...(policyDigest ? { ':digest': { S: policyDigest } } : {}),
          },
        }),
      );
    } catch (error) {
      // Taken over after it expired, or DynamoDB unreachable: it expires by itself.
      this.log(`could not release the lease on ${this.key}: ${errorName(error) || error}`);
    }
  }

  /** Creates the lock table (on-demand) unless it exists, and waits until it is ACTIVE. */
  async createTable(deadline: number): Promise<void> {
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.table,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      this.stats.createdTable = true;
      this.log(`created the lock table ${this.table}`);
    } catch (error) {
      if (errorName(error) !== 'ResourceInUseException') {
        throw error;
      }
    }
    const until = Math.min(deadline, this.now() + this.tableWaitMs);
    for (;;) {
      try {
        const response = await this.client.send(new DescribeTableCommand({ TableName: this.table }));
        if (response.Table && response.Table.TableStatus === 'ACTIVE') {
          return;
        }
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') {
          throw error;
        }
      }
      if (this.now() >= until) {
        throw new LeaseTimeoutError(`the lock table ${this.table} did not become ACTIVE in time`);
      }
      await sleep(500);
    }
  }
}

// The lease's decisions (pure, no I/O).

/** Who holds a lease, from its item; none when there is no item or it was released. */
export function leaseItemOf(item: Record<string, AttributeValue> | undefined): LeaseItem | undefined {
  if (!item || !item.expiresAt || item.expiresAt.N === '0') {
    return undefined;
  }
  return {
    holder: (item.holder && item.holder.S) || 'an unknown writer',
    acquiredAt: Number((item.acquiredAt && item.acquiredAt.N) || 0),
    expiresAt: Number(item.expiresAt.N),
  };
}

/**
 * True when the lease just acquired at `now` was the expired lease of `lastHolder`: its expiry at
 * least `skewMs` before `now` (the condition under which an unreleased lease may be taken over).
 */
export function tookOverExpired(lastHolder: LeaseItem | undefined, now: number, skewMs: number): boolean {
  return lastHolder !== undefined && lastHolder.expiresAt < now - skewMs;
}

/** Until when, in local ms, a write under a lease (re)acquired at `now` may start and must be over. */
export function writeDeadlineOf(now: number, leaseMs: number, marginMs: number): number {
  return now + leaseMs - marginMs;
}

/** Why a writer gave up waiting for the lease: how long, how often, and who holds it since when. */
export function busyMessage(wait: {
  readonly key: string;
  readonly table: string;
  readonly started: number;
  readonly now: number;
  readonly attempts: number;
  readonly lastHolder: LeaseItem | undefined;
}): string {
  const { key, table, started, now, attempts, lastHolder } = wait;
  const waited = ((now - started) / 1000).toFixed(1);
  const who = lastHolder
    ? `held by ${lastHolder.holder} since ${new Date(lastHolder.acquiredAt).toISOString()} ` +
      `(${((now - lastHolder.acquiredAt) / 1000).toFixed(1)} s), lease expiring ${new Date(lastHolder.expiresAt).toISOString()}`
    : 'held by another writer';
  return (
    `repository ${key} stayed busy for ${waited} s (${attempts} attempts): its lock in DynamoDB ` +
    `table ${table} is ${who}; nothing was written. Retry the deployment once the other deployment is done`
  );
}
