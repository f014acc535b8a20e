/**
 * Request routing: one invocation (a CloudFormation request, or a hand-over from the previous
 * invocation) to the path that answers it, exactly once per request unless the wait is handed over.
 */
import type { Deps } from './deps';
import { inputsChanged, waitDeadline } from './inputs';
import { Kind, kindOf } from './kinds';
import { reuse } from './reuse';
import { stopIfRunning, waitFor } from './wait';
import type { CfnRequest } from '../shared/cfn-response';

/**
 * Handles one invocation: a CloudFormation request or a hand-over from the previous invocation.
 * Answers CloudFormation exactly once per request, unless it hands the wait over.
 */
export async function handle(event: Record<string, any>, deps: Deps): Promise<'answered' | 'handed-over'> {
  const request: CfnRequest = event.Waiter ? event.Waiter.Request : event;
  const fallbackId =
    (event.Waiter && event.Waiter.BuildId) || request.PhysicalResourceId || `failed-${request.RequestId}`;
  try {
    if (event.Waiter) {
      const kind = kindOf(request.ResourceProperties);
      return await waitFor(kind, request, event.Waiter.BuildId, Number(event.Waiter.Deadline), deps);
    }
    return await onRequest(request, deps);
  } catch (error) {
    console.error(error);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.respond(request, { Status: 'FAILED', Reason: message, PhysicalResourceId: fallbackId });
    return 'answered';
  }
}

/**
 * A CloudFormation request. The physical id is the id of the build (or batch) that made the image.
 */
async function onRequest(request: CfnRequest, deps: Deps): Promise<'answered' | 'handed-over'> {
  const props = request.ResourceProperties || {};
  const kind = kindOf(props);
  switch (request.RequestType) {
    case 'Delete':
      await stopIfRunning(kind, request, deps);
      await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: request.PhysicalResourceId as string });
      return 'answered';
    case 'Update': {
      if (!inputsChanged(props, request.OldResourceProperties)) {
        return reuse(kind, request, deps);
      }
      const previous = await kind.findWithInputs(props, deps);
      if (previous) {
        console.log(`${kind.Noun} ${previous.id} had the same inputs and its image is still there: no build`);
        await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: previous.id, Data: previous.data });
        return 'answered';
      }
      return startAndWait(kind, request, deps);
    }
    case 'Create':
      return startAndWait(kind, request, deps);
    default:
      throw new Error(`unknown RequestType "${request.RequestType}"`);
  }
}

/** A Create, or an Update with new inputs and no earlier build of them: starts a build (or batch) and waits. */
async function startAndWait(kind: Kind, request: CfnRequest, deps: Deps): Promise<'answered' | 'handed-over'> {
  const props = request.ResourceProperties || {};
  const started = await kind.start(props, request.RequestId, deps);
  console.log(`Started ${kind.noun} ${started.id}${started.link}`);
  return waitFor(kind, request, started.id, waitDeadline(props, deps.now()), deps);
}
