/**
 * Waiting on a build (or batch): polls until it ends, stops it at the deadline, or hands the wait
 * over to the next invocation before Lambda's timeout; and Delete's stop of a build still running.
 */
import { isRunning, pollIntervalMs, runOfResource, waitStep } from './decisions';
import type { CommandClass, Deps } from './deps';
import type { Kind } from './kinds';
import type { CfnRequest } from '../shared/cfn-response';

/**
 * Polls the build (or batch) until it ends, the deadline passes (then stops it and fails) or this
 * invocation must hand the wait over to the next one.
 */
export async function waitFor(
  kind: Kind,
  request: CfnRequest,
  id: string,
  deadline: number,
  deps: Deps,
): Promise<'answered' | 'handed-over'> {
  const props = request.ResourceProperties || {};
  const pollMs = pollIntervalMs(props);
  for (;;) {
    const run = await kind.get(deps, id);
    if (!run) {
      throw new Error(`${kind.noun} ${id} is not found (${kind.getCommand} returned it as not found)`);
    }
    const outcome = await kind.outcome(run, props, deps);
    const step = waitStep(
      outcome,
      deadline,
      pollMs,
      () => deps.now(),
      () => deps.remainingMs(),
    );
    if (outcome.done) {
      if (outcome.ok) {
        console.log(`${kind.Noun} ${id} pushed ${outcome.data.ImageUri} (${outcome.data.ImageDigest})`);
        await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: id, Data: outcome.data });
      } else {
        await deps.respond(request, { Status: 'FAILED', Reason: outcome.reason, PhysicalResourceId: id });
      }
      return 'answered';
    }
    if (step === 'time-out') {
      await stop(kind, id, deps).catch((e: unknown) => {
        console.error(`${kind.stopCommand} ${id} failed`, e);
      });
      await deps.respond(request, {
        Status: 'FAILED',
        Reason: `${kind.Noun} ${id} did not finish in time (still ${kind.status(run)} in phase ${run.currentPhase}); stopped it${kind.link(run)}`,
        PhysicalResourceId: id,
      });
      return 'answered';
    }
    if (step === 'hand-over') {
      await deps.handOver({ Waiter: { Request: request, BuildId: id, Deadline: deadline } });
      console.log(`${kind.Noun} ${id} is ${run.currentPhase}: the next invocation waits on`);
      return 'handed-over';
    }
    await deps.sleep(pollMs);
  }
}

/** Stops the build (or batch). */
function stop(kind: Kind, id: string, deps: Deps): Promise<unknown> {
  return deps.codebuild.send(new (deps.commands[kind.stopCommand] as CommandClass)({ id }));
}

/**
 * Delete: stops the build (or batch) of this resource if it is still running; otherwise nothing.
 */
export async function stopIfRunning(kind: Kind, request: CfnRequest, deps: Deps): Promise<void> {
  const id = runOfResource(request.PhysicalResourceId, (request.ResourceProperties || {}).ProjectName);
  if (id === undefined) {
    return;
  }
  const run = await kind.get(deps, id);
  if (run && isRunning(kind.status(run))) {
    console.log(`Stopping ${kind.noun} ${id}: the resource that started it is deleted`);
    await stop(kind, id, deps);
  }
}
