'use strict';
/**
 * How cdk-ecr-codebuild's custom-resource handlers answer CloudFormation: an HTTPS PUT of the
 * response object to the request's pre-signed `ResponseURL`, with a few retries. Shared by every
 * handler folder under `lambda/`; each handler's asset carries this folder beside its own.
 */
const http = require('http');
const https = require('https');

/** CloudFormation truncates longer reasons; keep the end of the message readable. */
const MAX_REASON_CHARS = 3000;

/**
 * @typedef {{ Status: 'SUCCESS' | 'FAILED', Reason?: string, PhysicalResourceId: string, Data?: Record<string, string> }} Result
 */

/**
 * Sends the result of a request to CloudFormation (PUT to the pre-signed URL), with a few retries;
 * throws the last error when none went through.
 * @param {Record<string, any>} request the CloudFormation request (its `ResponseURL`, `StackId`...)
 * @param {Result} result
 * @returns {Promise<void>}
 */
async function sendResponse(request, result) {
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
  let lastError;
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

/**
 * @param {string} url
 * @param {string} body
 * @returns {Promise<void>}
 */
function put(url, body) {
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

module.exports = { sendResponse, MAX_REASON_CHARS };
