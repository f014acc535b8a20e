/**
 * The decisions of the waiting, Delete and reuse paths (pure, no I/O): what the waiter does after
 * one poll, which build a Delete may stop, and which earlier runs an Update may answer with (before
 * their images are looked up in ECR).
 */
import type { Run } from './deps';
import { builtWith, intProperty, Props } from './inputs';
import {
  BatchOutcome,
  BUILD_ID_PATTERN,
  batchOutcome,
  buildOutcome,
  ImageAttributes,
  Outcome,
  TERMINAL,
} from './outcome';

/** Margin kept before Lambda's timeout to hand the wait over to the next invocation. */
export const HANDOVER_MARGIN_MS = 60_000;

/**
 * What the waiter does after one poll: answer (the run ended), time out (stop the run and fail),
 * hand the wait over to the next invocation (not enough of this one is left for another poll and
 * the hand-over), or poll again after `pollMs`. The clock is read only when the run is not done,
 * and the time left only when the deadline has not passed.
 */
export function waitStep(
  outcome: Outcome,
  deadline: number,
  pollMs: number,
  now: () => number,
  remainingMs: () => number,
): 'answer' | 'time-out' | 'hand-over' | 'poll' {
  if (outcome.done) {
    return 'answer';
  }
  if (now() >= deadline) {
    return 'time-out';
  }
  if (remainingMs() < pollMs + HANDOVER_MARGIN_MS) {
    return 'hand-over';
  }
  return 'poll';
}

/** The interval between two polls (`PollSeconds`, 30 s by default). */
export function pollIntervalMs(props: Props): number {
  return intProperty(props, 'PollSeconds', 30, 1, 300) * 1000;
}

/**
 * The run a Delete may stop: the resource's physical id when it is the id of a build (or batch) of
 * the resource's project; else none (a failed Create's id, another project's build).
 */
export function runOfResource(physicalId: string | undefined, projectName: unknown): string | undefined {
  const id = String(physicalId || '');
  const project = String(projectName || '');
  return BUILD_ID_PATTERN.test(id) && id.split(':')[0] === project ? id : undefined;
}

/** True while a build (or batch) of this status may still push. */
export function isRunning(status: string): boolean {
  return !TERMINAL.includes(status);
}

/**
 * The builds an Update may answer with, newest first: of the listed ids (newest first), those
 * started with the inputs of `key` that succeeded and exported an image digest, as attributes.
 */
export function reusableBuilds(ids: string[], builds: Run[], key: string): ImageAttributes[] {
  const found: ImageAttributes[] = [];
  for (const id of ids) {
    const build = builds.find((b: any) => b.id === id);
    if (!build || !builtWith(build, key)) {
      continue;
    }
    const outcome = buildOutcome(build);
    if (outcome.done && outcome.ok) {
      found.push(outcome.data);
    }
  }
  return found;
}

/** The batches of the listed ids (newest first) that succeeded, with the id of their manifest step's build. */
export function succeededBatches(
  ids: string[],
  batches: Run[],
  step: string,
): Array<{ batch: Run; manifestBuildId: string }> {
  const candidates: Array<{ batch: Run; manifestBuildId: string }> = [];
  for (const id of ids) {
    const batch = batches.find((b: any) => b.id === id);
    const outcome: BatchOutcome | undefined = batch ? batchOutcome(batch, step) : undefined;
    if (batch && outcome && outcome.done && outcome.ok) {
      candidates.push({ batch, manifestBuildId: outcome.manifestBuildId });
    }
  }
  return candidates;
}

/**
 * The batches an Update may answer with, newest first: of the succeeded batches, those whose batch
 * or manifest build carries the inputs of `key` and whose manifest build exported an image digest,
 * as attributes (with the batch's id and ARN).
 */
export function reusableBatches(
  candidates: Array<{ batch: Run; manifestBuildId: string }>,
  builds: Run[],
  key: string,
): Array<{ id: string; data: ImageAttributes }> {
  const found: Array<{ id: string; data: ImageAttributes }> = [];
  for (const { batch, manifestBuildId } of candidates) {
    const build = builds.find((b: any) => b.id === manifestBuildId);
    if (!build || !(builtWith(batch, key) || builtWith(build, key))) {
      continue;
    }
    const outcome = buildOutcome(build);
    if (outcome.done && outcome.ok) {
      found.push({
        id: String(batch.id),
        data: { ...outcome.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || '') },
      });
    }
  }
  return found;
}
