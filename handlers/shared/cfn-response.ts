/**
 * How cdk-ecr-codebuild's custom-resource handlers answer CloudFormation: an HTTPS PUT of the
 * response object to the request's pre-signed `ResponseURL`, with a few retries. Shared by every
 * handler under `handlers/`; esbuild bundles it into each handler's `index.js`.
 */
import * as http from 'http';
import * as https from 'https';

/** CloudFormation truncates longer reasons; keep the end of the message readable. */
export const MAX_REASON_CHARS = 3000;

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
 * Sends the result of a request to CloudFormation (PUT to the pre-signed URL), with a few retries;
 * throws the last error when none went through.
 * @param request the CloudFormation request (its `ResponseURL`, `StackId`...)
 */
export async function sendResponse(request: CfnRequest, result: Result): Promise<void> {
  const body = JSON.stringify({
    Status: result.Status,
    Reason: result.Reason ? String(result.Reason).slice(0, MAX_REASON_CHARS) : undefined,
    PhysicalResourceId: result.PhysicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    NoEcho: false,
    Data: result.Data || {},
  });
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
