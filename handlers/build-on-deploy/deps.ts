/**
 * What the handler does its I/O through: injected, so that the tests drive it with fakes, moto and
 * a clock of their own (lambda-deps.ts builds the real ones).
 */
import type { CfnRequest, Result } from '../shared/cfn-response';

/** A client that answers commands (the SDK's CodeBuild client, or a test's fake). */
export interface ClientLike {
  send(command: any): Promise<any>;
}

/** A command class of the SDK (or of a test's fake): `new Command(input)`. */
export type CommandClass = new (input: any) => any;

/** The CodeBuild commands the handler sends. */
export interface Commands {
  readonly StartBuild: CommandClass;
  readonly BatchGetBuilds: CommandClass;
  readonly StopBuild: CommandClass;
  readonly ListBuildsForProject: CommandClass;
  readonly StartBuildBatch?: CommandClass;
  readonly BatchGetBuildBatches?: CommandClass;
  readonly StopBuildBatch?: CommandClass;
  readonly ListBuildBatchesForProject?: CommandClass;
}

/** What the waiter hands over to the next invocation of the function. */
export interface Waiter {
  readonly Request: CfnRequest;
  readonly BuildId: string;
  readonly Deadline: number;
}

export interface Deps {
  readonly codebuild: ClientLike;
  readonly commands: Commands;
  readonly imageExists: (image: { ImageUri: string; ImageDigest: string }) => Promise<boolean>;
  readonly respond: (request: CfnRequest, result: Result) => Promise<void>;
  readonly handOver: (payload: { Waiter: Waiter }) => Promise<void>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly remainingMs: () => number;
}

/** A CodeBuild build or batch build, as the API answers it (JSON). */
export type Run = Record<string, any>;
