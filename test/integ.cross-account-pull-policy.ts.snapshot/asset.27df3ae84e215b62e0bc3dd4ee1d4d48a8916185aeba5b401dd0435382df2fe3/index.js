'use strict';
/**
 * Custom resource handler of cdk-ecr-codebuild's CrossAccountPullPolicy for imported ECR
 * repositories (whose policy CloudFormation cannot manage).
 *
 * It owns the statements of the repository policy whose `Sid` starts with the `SidPrefix` property
 * and nothing else:
 * - Create / Update: reads the policy, replaces the owned statements with `Statements`, writes it back;
 * - Delete: removes the owned statements; deletes the policy when no statement is left.
 *
 * Plain CommonJS, no build step. `@aws-sdk/client-ecr` comes with the Lambda Node.js runtime.
 * The handler answers CloudFormation itself (HTTPS PUT to the pre-signed `ResponseURL`).
 *
 * Resource properties:
 * - `RepositoryArn`: `arn:<partition>:ecr:<region>:<account>:repository/<name>`;
 * - `SidPrefix`: the start of the Sid of every owned statement;
 * - `Statements`: the statements to write, each with a Sid starting with `SidPrefix`.
 *
 * Environment: `AWS_ENDPOINT_URL_ECR` overrides the ECR endpoint (tests point it at an emulator).
 */
const http = require('http');
const https = require('https');
const {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} = require('@aws-sdk/client-ecr');

/** The largest repository policy ECR accepts, in characters. */
const MAX_POLICY_CHARS = 10240;
/** The policy language version used when the repository has no policy yet. */
const POLICY_VERSION = '2012-10-17';
/** CloudFormation truncates longer reasons; keep the end of the message readable. */
const MAX_REASON_CHARS = 3000;

/**
 * @typedef {{ partition: string, region: string, registryId: string, repositoryName: string }} RepositoryRef
 * @typedef {{ Version?: string, Statement: Array<Record<string, unknown>> }} PolicyDocument
 * @typedef {{ send: (command: unknown) => Promise<any> }} EcrClientLike
 * @typedef {{ PhysicalResourceId: string }} OnEventResult
 */

/**
 * Parses a repository ARN.
 * @param {string} arn
 * @returns {RepositoryRef}
 */
function parseRepositoryArn(arn) {
  const match = /^arn:([^:]+):ecr:([^:]+):(\d{12}):repository\/(.+)$/.exec(String(arn));
  if (!match) {
    throw new Error(
      `RepositoryArn "${arn}" is not an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)`,
    );
  }
  return { partition: match[1], region: match[2], registryId: match[3], repositoryName: match[4] };
}

/**
 * An ECR client for the repository's region, honouring `AWS_ENDPOINT_URL_ECR`.
 * @param {string} region
 * @returns {EcrClientLike}
 */
function createClient(region) {
  const endpoint = process.env.AWS_ENDPOINT_URL_ECR;
  return new ECRClient({ region, ...(endpoint ? { endpoint } : {}) });
}

/**
 * True when the statement belongs to the owner of `sidPrefix`.
 * @param {unknown} statement
 * @param {string} sidPrefix
 */
function isOwned(statement, sidPrefix) {
  return (
    typeof statement === 'object' &&
    statement !== null &&
    typeof (/** @type {any} */ (statement).Sid) === 'string' &&
    /** @type {any} */ (statement).Sid.startsWith(sidPrefix)
  );
}

/**
 * The current policy of the repository, or undefined when it has none.
 * @param {EcrClientLike} client
 * @param {RepositoryRef} repo
 * @returns {Promise<PolicyDocument | undefined>}
 */
async function readPolicy(client, repo) {
  try {
    const response = await client.send(
      new GetRepositoryPolicyCommand({ registryId: repo.registryId, repositoryName: repo.repositoryName }),
    );
    if (!response || !response.policyText) {
      return undefined;
    }
    const policy = JSON.parse(response.policyText);
    const statements = policy.Statement === undefined ? [] : [].concat(policy.Statement);
    return { ...policy, Statement: statements };
  } catch (error) {
    if (errorName(error) === 'RepositoryPolicyNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

/**
 * The policy with the statements owned by any of `sidPrefixes` replaced by `statements`.
 * Foreign statements keep their content and order; owned ones go at the end.
 * @param {PolicyDocument | undefined} current
 * @param {string[]} sidPrefixes
 * @param {Array<Record<string, unknown>>} statements
 * @returns {PolicyDocument}
 */
function mergePolicy(current, sidPrefixes, statements) {
  const foreign = (current ? current.Statement : []).filter((s) => !sidPrefixes.some((p) => isOwned(s, p)));
  return {
    ...(current || {}),
    Version: (current && current.Version) || POLICY_VERSION,
    Statement: [...foreign, ...statements],
  };
}

/**
 * Writes the policy, or deletes it when it has no statement left.
 * @param {EcrClientLike} client
 * @param {RepositoryRef} repo
 * @param {PolicyDocument} policy
 * @param {boolean} hadPolicy whether the repository had a policy before
 */
async function writePolicy(client, repo, policy, hadPolicy) {
  const target = { registryId: repo.registryId, repositoryName: repo.repositoryName };
  if (policy.Statement.length === 0) {
    if (!hadPolicy) {
      return;
    }
    try {
      await client.send(new DeleteRepositoryPolicyCommand(target));
    } catch (error) {
      if (errorName(error) !== 'RepositoryPolicyNotFoundException') {
        throw error;
      }
    }
    return;
  }
  const policyText = JSON.stringify(policy);
  if (policyText.length > MAX_POLICY_CHARS) {
    throw new Error(
      `the policy of repository ${repo.repositoryName} would be ${policyText.length} characters long with the ` +
        `statements of this stack, more than ECR's limit of ${MAX_POLICY_CHARS}: grant an organization ` +
        '(organizationId) or organizational units (organizationalUnitPaths) instead of listing accounts, ' +
        'or remove other statements from the repository policy',
    );
  }
  await client.send(new SetRepositoryPolicyCommand({ ...target, policyText }));
}

/**
 * Checks the resource properties; returns them typed.
 * @param {Record<string, any>} props
 * @returns {{ repo: RepositoryRef, sidPrefix: string, statements: Array<Record<string, unknown>> }}
 */
function readProperties(props) {
  const repo = parseRepositoryArn(props.RepositoryArn);
  const sidPrefix = props.SidPrefix;
  if (typeof sidPrefix !== 'string' || sidPrefix.length < 8) {
    throw new Error(`SidPrefix "${sidPrefix}" is missing or too short to own statements safely`);
  }
  const statements = props.Statements === undefined ? [] : [].concat(props.Statements);
  for (const statement of statements) {
    if (!isOwned(statement, sidPrefix)) {
      throw new Error(`statement ${JSON.stringify(statement)} has no Sid starting with "${sidPrefix}"`);
    }
  }
  return { repo, sidPrefix, statements };
}

/**
 * The physical id: one per repository and owner, so that moving to another repository makes
 * CloudFormation delete the statements from the old one.
 * @param {RepositoryRef} repo
 * @param {string} sidPrefix
 */
function physicalIdOf(repo, sidPrefix) {
  return `${repo.registryId}/${repo.region}/${repo.repositoryName}/${sidPrefix}`;
}

/**
 * Applies one CloudFormation event to the repository policy.
 * @param {Record<string, any>} event the custom resource event
 * @param {EcrClientLike} [client] an ECR client (default: one for the repository's region)
 * @returns {Promise<OnEventResult>}
 */
async function onEvent(event, client) {
  const { repo, sidPrefix, statements } = readProperties(event.ResourceProperties || {});
  const ecr = client || createClient(repo.region);
  const physicalId = physicalIdOf(repo, sidPrefix);

  if (event.RequestType === 'Delete') {
    try {
      const current = await readPolicy(ecr, repo);
      if (current) {
        await writePolicy(ecr, repo, mergePolicy(current, [sidPrefix], []), true);
      }
    } catch (error) {
      // The repository is gone, and the statements with it.
      if (errorName(error) !== 'RepositoryNotFoundException') {
        throw error;
      }
    }
    return { PhysicalResourceId: event.PhysicalResourceId || physicalId };
  }

  if (event.RequestType !== 'Create' && event.RequestType !== 'Update') {
    throw new Error(`unknown RequestType "${event.RequestType}"`);
  }
  const owned = [sidPrefix];
  if (event.RequestType === 'Update' && event.OldResourceProperties) {
    // Same repository: the old statements are replaced here. Another repository: the physical id
    // changes and CloudFormation sends a Delete for the old one.
    const old = event.OldResourceProperties;
    if (
      old.RepositoryArn === event.ResourceProperties.RepositoryArn &&
      typeof old.SidPrefix === 'string' &&
      old.SidPrefix.length >= 8
    ) {
      owned.push(old.SidPrefix);
    }
  }
  const current = await readPolicy(ecr, repo);
  await writePolicy(ecr, repo, mergePolicy(current, owned, statements), current !== undefined);
  return { PhysicalResourceId: physicalId };
}

/**
 * Sends the result to CloudFormation (PUT to the pre-signed URL), with a few retries.
 * @param {Record<string, any>} event
 * @param {{ Status: 'SUCCESS' | 'FAILED', Reason?: string, PhysicalResourceId: string }} result
 * @returns {Promise<void>}
 */
async function sendResponse(event, result) {
  const body = JSON.stringify({
    Status: result.Status,
    Reason: result.Reason ? String(result.Reason).slice(0, MAX_REASON_CHARS) : undefined,
    PhysicalResourceId: result.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: {},
  });
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await put(event.ResponseURL, body);
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

/**
 * @param {unknown} error
 * @returns {string | undefined}
 */
function errorName(error) {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const e = /** @type {any} */ (error);
  return e.name || (e.Error && e.Error.Code) || e.Code;
}

/**
 * The Lambda entry point: applies the event and always answers CloudFormation.
 * @param {Record<string, any>} event
 * @param {{ logStreamName?: string }} [context]
 */
async function handler(event, context) {
  const redacted = { ...event, ResponseURL: '(redacted)' };
  console.log(JSON.stringify(redacted));
  /** @type {{ Status: 'SUCCESS' | 'FAILED', Reason?: string, PhysicalResourceId: string }} */
  let result;
  try {
    const { PhysicalResourceId } = await module.exports.onEvent(event);
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
  await module.exports.sendResponse(event, result);
}

module.exports = {
  handler,
  onEvent,
  sendResponse,
  mergePolicy,
  parseRepositoryArn,
  MAX_POLICY_CHARS,
};
