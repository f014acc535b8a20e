/**
 * How cdk-ecr-codebuild's custom-resource handlers answer CloudFormation: an HTTPS PUT of the
 * response object to the request's pre-signed `ResponseURL`, with a few retries. Shared by every
 * handler under `handlers/`; esbuild bundles it into each handler's `index.js`.
 */
import * as http from 'http';
import * as https from 'https';

/**
 * The largest response CloudFormation takes from a custom resource (the whole JSON body, 4 KB:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */
export const MAX_RESPONSE_BYTES = 4096;

/** The start of the links the build-on-deploy handler ends its failure reasons with. */
const LINKS_START = /\s\((?:console|logs): /g;

/** A CloudFormation custom resource request, as the handlers read it (every property is a string or JSON). */
export interface CfnRequest {
  readonly RequestType: string;
  readonly RequestId: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResponseURL: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

/** What a handler answers. */
export interface Result {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/**
 * The response body, at most {@link MAX_RESPONSE_BYTES} bytes: a reason too long for it is cut in
 * the middle (marked), keeping its start (what failed) and its end (the console and log links).
 */
export function responseBody(request: CfnRequest, result: Result): string {
  const render = (reason: string | undefined): string =>
    JSON.stringify({
      Status: result.Status,
      Reason: reason,
      PhysicalResourceId: result.PhysicalResourceId,
      StackId: request.StackId,
      RequestId: request.RequestId,
      LogicalResourceId: request.LogicalResourceId,
      NoEcho: false,
      Data: result.Data || {},
    });
  const reason = result.Reason ? String(result.Reason) : undefined;
  const full = render(reason);
  if (reason === undefined || Buffer.byteLength(full) <= MAX_RESPONSE_BYTES) {
    return full;
  }
  // Keep the links whole (the last " (console: …" or " (logs: …"), else the last 600 characters.
  const starts = [...reason.matchAll(LINKS_START)].map((m) => m.index ?? 0);
  const tailStart = starts.length > 0 ? starts[0] : Math.max(0, reason.length - 600);
  let tail = reason.slice(tailStart);
  const cut = (head: number, keptTail: string): string =>
    `${reason.slice(0, head)} […${reason.length - head - keptTail.length} characters cut…]${keptTail}`;
  if (Buffer.byteLength(render(cut(0, tail))) > MAX_RESPONSE_BYTES) {
    tail = tail.slice(tail.length - 600);
  }
  // The longest start that still fits (binary search on characters; JSON escapes and UTF-8 vary).
  let low = 0;
  let high = tailStart;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(render(cut(mid, tail))) <= MAX_RESPONSE_BYTES) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return render(cut(low, tail));
}

/**
 * Sends the result of a request to CloudFormation (PUT to the pre-signed URL), with a few retries;
 * throws the last error when none went through.
 * @param request the CloudFormation request (its `ResponseURL`, `StackId`...)
 */
export async function sendResponse(request: CfnRequest, result: Result): Promise<void> {
  const body = responseBody(request, result);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await put(request.ResponseURL, body);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  }
  throw lastError;
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 10000 },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode && response.statusCode >= 200 && response.statusCode < 300) {
            resolve();
          } else {
            reject(new Error(`CloudFormation response URL answered ${response.statusCode}`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('CloudFormation response URL timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
