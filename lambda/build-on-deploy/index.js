'use strict';
/**
 * Custom resource handler of cdk-ecr-codebuild's DockerBuildToEcr `buildOnDeploy`: starts a build of
 * the project when the build inputs change, waits for it, and answers CloudFormation with what the
 * build pushed (or with the build id and log links when it fails).
 *
 * Plain CommonJS, no build step. `@aws-sdk/client-codebuild`, `@aws-sdk/client-lambda` and
 * `@aws-sdk/client-ecr` come with the Lambda Node.js runtime. The handler answers CloudFormation itself (HTTPS PUT to the pre-signed
 * `ResponseURL`, `../shared/cfn-response.js`), so one invocation may end without answering: it then hands the wait over to a new
 * asynchronous invocation of itself (`{ Waiter: { Request, BuildId, Deadline } }`), which is how a
 * build longer than Lambda's 15 minutes is waited for. Every path ends with exactly one answer.
 *
 * Resource properties (CloudFormation passes every value as a string):
 * - `ProjectName`: the CodeBuild project;
 * - `BuildInputs`: fingerprint of the project's definition (buildspec, source, environment) at synth;
 * - `DeployTimeInputs`: values only known at deploy time that feed the build (source location...);
 * - `SourceVersion` (optional): the commit, branch or tag to build;
 * - `TimeoutMinutes`, `QueuedTimeoutMinutes`: overrides for the build started here;
 * - `PollSeconds`: interval between two `BatchGetBuilds`;
 * - `Batch` (optional, `'true'`): the project is a batch project (several platforms): the handler
 *   starts a batch build (StartBuildBatch), polls it (BatchGetBuildBatches) and reads the attributes
 *   from the build of the batch's step `ManifestStep` (default `manifest`), the one that pushes the
 *   manifest list. The physical id is then the batch id, and the attributes add `BuildBatchId` and
 *   `BuildBatchArn`; reuse looks through the project's batches (ListBuildBatchesForProject), and
 *   Delete stops a running batch (StopBuildBatch). The waiter's deadline covers the whole batch.
 * Attributes (`Data`): `ImageUri`, `ImageTag`, `ImageDigest` (the build's exported variables),
 * `ImageDigestHex` (the digest without `sha256:`), `BuildId`, `BuildArn`. The physical id is the id
 * of the build that produced them.
 *
 * Every build started here carries `CDK_ECR_CODEBUILD_BUILD_INPUTS`, a hash of the properties that feed
 * it. An Update first looks for the newest finished build of the project with the same hash whose
 * image is still in the repository, and answers with it instead of building: a rollback (which
 * sends the previous properties while the project still has the new definition) or a return to
 * earlier inputs then builds nothing.
 *
 * Delete never touches the repository or its images. It stops the build of this resource only when
 * that build is still running (a cancelled or rolled-back deployment), so that it does not push.
 *
 * Environment: `AWS_ENDPOINT_URL_CODEBUILD` / `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL_ECR` (or
 * `AWS_ENDPOINT_URL`) override the endpoints (tests point them at an emulator).
 */
const crypto = require('crypto');
const { sendResponse } = require('../shared/cfn-response');

/** A build id is `<project>:<uuid>`. */
const BUILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}$/;
/** The manifest digest a registry reports. */
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** Statuses after which a build changes no more. */
const TERMINAL = ['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'];
/** Margin kept before Lambda's timeout to hand the wait over to the next invocation. */
const HANDOVER_MARGIN_MS = 60_000;
/** Minutes the waiter gives CodeBuild beyond the build's timeouts (provisioning, finalizing). */
const DEADLINE_SLACK_MINUTES = 3;
/** The build environment variable that records the inputs of a build started here. */
const INPUTS_VARIABLE = 'CDK_ECR_CODEBUILD_BUILD_INPUTS';
/** How many of the project's newest builds an Update looks through for one with the same inputs. */
const REUSE_WINDOW = 100;
/** The variables every DockerBuildToEcr build exports. */
const EXPORTED = { uri: 'IMAGE_URI', tag: 'IMAGE_TAG', digest: 'IMAGE_DIGEST' };

/**
 * @typedef {{ send: (command: any) => Promise<any> }} ClientLike
 * @typedef {import('../shared/cfn-response').Result} Result
 * @typedef {{
 *   codebuild: ClientLike,
 *   commands: {
 *     StartBuild: any, BatchGetBuilds: any, StopBuild: any, ListBuildsForProject: any,
 *     StartBuildBatch?: any, BatchGetBuildBatches?: any, StopBuildBatch?: any, ListBuildBatchesForProject?: any,
 *   },
 *   imageExists: (image: { ImageUri: string, ImageDigest: string }) => Promise<boolean>,
 *   respond: (request: Record<string, any>, result: Result) => Promise<void>,
 *   handOver: (payload: Record<string, any>) => Promise<void>,
 *   sleep: (ms: number) => Promise<void>,
 *   now: () => number,
 *   remainingMs: () => number,
 * }} Deps
 */

// ---------------------------------------------------------------------------------------------
// Pure core (no I/O)
// ---------------------------------------------------------------------------------------------

/**
 * Reads a whole number property, with a default and bounds.
 * @param {Record<string, any>} props
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function intProperty(props, name, fallback, min, max) {
  const raw = props[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * True when a property that feeds the build differs between two sets of resource properties.
 * Timeouts and the poll interval do not feed the build.
 * @param {Record<string, any>} props
 * @param {Record<string, any> | undefined} oldProps
 */
function inputsChanged(props, oldProps) {
  if (!oldProps) {
    return true;
  }
  for (const name of ['ProjectName', 'BuildInputs', 'SourceVersion']) {
    if ((props[name] ?? '') !== (oldProps[name] ?? '')) {
      return true;
    }
  }
  return stableJson(props.DeployTimeInputs) !== stableJson(oldProps.DeployTimeInputs);
}

/**
 * JSON with sorted keys, so that two equal objects compare equal.
 * @param {unknown} value
 * @returns {string}
 */
function stableJson(value) {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(/** @type {any} */ (value)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A hash of the properties that feed a build (the ones `inputsChanged` compares).
 * @param {Record<string, any>} props
 */
function inputsKey(props) {
  const inputs = {
    ProjectName: props.ProjectName ?? '',
    BuildInputs: props.BuildInputs ?? '',
    SourceVersion: props.SourceVersion ?? '',
    DeployTimeInputs: props.DeployTimeInputs ?? null,
  };
  return crypto.createHash('sha256').update(stableJson(inputs)).digest('hex');
}

/**
 * True when the build was started with the inputs of `key`.
 * @param {Record<string, any>} build
 * @param {string} key
 */
function builtWith(build, key) {
  const variables = (build.environment && build.environment.environmentVariables) || [];
  return variables.some((/** @type {any} */ v) => v && v.name === INPUTS_VARIABLE && v.value === key);
}

/**
 * The registry id and repository name of an ECR image URI (`<account>.dkr.ecr.<region>.<domain>/<name>:<tag>`).
 * @param {string} uri
 * @returns {{ registryId: string, repositoryName: string } | undefined}
 */
function parseImageUri(uri) {
  const match = /^(\d{12})\.dkr\.ecr\.[^/]+\/([^:@]+)(?::[^@]*)?(?:@.*)?$/.exec(String(uri || ''));
  return match ? { registryId: match[1], repositoryName: match[2] } : undefined;
}

/**
 * The StartBuild input for a request: the project, the source version when one is given, the
 * timeouts of a deploy-time build and an idempotency token, so that a request delivered twice
 * starts one build.
 * @param {Record<string, any>} props
 * @param {string} requestId
 */
function startBuildInput(props, requestId) {
  if (!props.ProjectName) {
    throw new Error('ProjectName is missing from the resource properties');
  }
  return {
    projectName: String(props.ProjectName),
    ...(props.SourceVersion ? { sourceVersion: String(props.SourceVersion) } : {}),
    timeoutInMinutesOverride: intProperty(props, 'TimeoutMinutes', 50, 5, 2160),
    queuedTimeoutInMinutesOverride: intProperty(props, 'QueuedTimeoutMinutes', 5, 5, 480),
    idempotencyToken: `cfn-${requestId}`.slice(0, 64),
    environmentVariablesOverride: [{ name: INPUTS_VARIABLE, value: inputsKey(props), type: 'PLAINTEXT' }],
  };
}

/**
 * When the waiter gives up on a build started at `startedAt` (ms): after its queued and build
 * timeouts and a little slack, CodeBuild has ended it itself.
 * @param {Record<string, any>} props
 * @param {number} startedAt
 */
function waitDeadline(props, startedAt) {
  const minutes =
    intProperty(props, 'TimeoutMinutes', 50, 5, 2160) +
    intProperty(props, 'QueuedTimeoutMinutes', 5, 5, 480) +
    DEADLINE_SLACK_MINUTES;
  return startedAt + minutes * 60_000;
}

/**
 * The build's exported variables as a map.
 * @param {Record<string, any>} build
 * @returns {Record<string, string>}
 */
function exportedVariables(build) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const v of build.exportedEnvironmentVariables || []) {
    if (v && typeof v.name === 'string') {
      out[v.name] = v.value === undefined || v.value === null ? '' : String(v.value);
    }
  }
  return out;
}

/**
 * Console address of a CodeBuild run, from its ARN (`arn:<partition>:codebuild:<region>:<account>:<type>/<id>`).
 * @param {string} arn
 * @param {'build' | 'build-batch'} type the ARN's resource type
 * @param {'build' | 'batch'} page the console's page for that type
 * @param {string} [id] the run's id, when known (else the ARN's)
 */
function consoleUrl(arn, type, page, id) {
  const match = new RegExp(`^arn:([^:]+):codebuild:([^:]+):(\\d{12}):${type}/(.+)$`).exec(String(arn || ''));
  if (!match) {
    return undefined;
  }
  const [, partition, region, account, arnId] = match;
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${region}.console.aws.amazon.com`;
  const runId = id || arnId;
  return (
    `https://${host}/codesuite/codebuild/${account}/projects/${encodeURIComponent(runId.split(':')[0])}` +
    `/${page}/${encodeURIComponent(runId)}/?region=${region}`
  );
}

/**
 * Console address of a build, from its ARN (`arn:<partition>:codebuild:<region>:<account>:build/<id>`).
 * @param {string} buildArn
 * @param {string} buildId
 */
function buildConsoleUrl(buildArn, buildId) {
  return consoleUrl(buildArn, 'build', 'build', buildId);
}

/**
 * Where to read a build's log: the console page and the CloudWatch Logs link CodeBuild reports.
 * @param {Record<string, any>} build
 */
function logLinks(build) {
  const links = [];
  const console = buildConsoleUrl(build.arn, build.id);
  if (console) {
    links.push(`console: ${console}`);
  }
  if (build.logs && build.logs.deepLink) {
    links.push(`logs: ${build.logs.deepLink}`);
  }
  return links.length > 0 ? ` (${links.join('; ')})` : '';
}

/**
 * What a build's state means for the deployment.
 * @param {Record<string, any>} build
 * @returns {{ done: false } | { done: true, ok: true, data: Record<string, string> } | { done: true, ok: false, reason: string }}
 */
function buildOutcome(build) {
  const status = build.buildStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const where = logLinks(build);
  if (status !== 'SUCCEEDED') {
    const failed = (build.phases || []).find(
      (/** @type {any} */ p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED' && p.phaseType !== 'COMPLETED',
    );
    const detail = failed
      ? ` in phase ${failed.phaseType}${
          failed.contexts && failed.contexts[0] && failed.contexts[0].message ? `: ${failed.contexts[0].message}` : ''
        }`
      : '';
    return { done: true, ok: false, reason: `Build ${build.id} ended with ${status}${detail}${where}` };
  }
  const vars = exportedVariables(build);
  const digest = vars[EXPORTED.digest];
  if (!digest || !DIGEST_PATTERN.test(digest)) {
    return {
      done: true,
      ok: false,
      reason:
        `Build ${build.id} succeeded but exported no image digest: ${EXPORTED.digest} is ` +
        `${digest === undefined ? 'missing' : JSON.stringify(digest)} (expected sha256:<64 hex digits>; ` +
        `exported: ${Object.keys(vars).join(', ') || 'nothing'})${where}`,
    };
  }
  return {
    done: true,
    ok: true,
    data: {
      ImageDigest: digest,
      // The hex part alone: the construct writes `sha256:` itself, so that aws-cdk-lib sees a digest.
      ImageDigestHex: digest.slice('sha256:'.length),
      ImageUri: vars[EXPORTED.uri] || '',
      ImageTag: vars[EXPORTED.tag] || '',
      BuildId: String(build.id),
      BuildArn: String(build.arn || ''),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Batch builds (several platforms): StartBuildBatch, BatchGetBuildBatches, the manifest step
// ---------------------------------------------------------------------------------------------

/** The build-graph identifier of the manifest step when the resource names none (src/private/docker/platforms.ts). */
const DEFAULT_MANIFEST_STEP = 'manifest';
/** Statuses of a build that failed (a build the batch's fast-fail stopped is STOPPED). */
const FAILED = ['FAILED', 'FAULT', 'TIMED_OUT'];

/**
 * True when the resource builds a batch project (`Batch: 'true'`).
 * @param {Record<string, any>} props
 */
function isBatch(props) {
  return String((props || {}).Batch) === 'true';
}

/**
 * The build-graph identifier of the step whose exported variables are the resource's attributes.
 * @param {Record<string, any>} props
 */
function manifestStep(props) {
  return String(props.ManifestStep || DEFAULT_MANIFEST_STEP);
}

/**
 * The StartBuildBatch input for a request: the StartBuild input, with the build timeout under the
 * name the batch API gives it (it applies to each build of the batch).
 * @param {Record<string, any>} props
 * @param {string} requestId
 */
function startBuildBatchInput(props, requestId) {
  const { timeoutInMinutesOverride, ...common } = startBuildInput(props, requestId);
  return { ...common, buildTimeoutInMinutesOverride: timeoutInMinutesOverride };
}

/**
 * The build id in a build ARN (`arn:<partition>:codebuild:<region>:<account>:build/<id>`).
 * @param {string} arn
 * @returns {string | undefined}
 */
function buildIdOfArn(arn) {
  const match = /^arn:[^:]+:codebuild:[^:]*:\d{12}:build\/(.+)$/.exec(String(arn || ''));
  return match ? match[1] : undefined;
}

/**
 * Console address of a batch build, from its ARN (`arn:<partition>:codebuild:<region>:<account>:build-batch/<id>`).
 * @param {string} batchArn
 */
function batchConsoleUrl(batchArn) {
  return consoleUrl(batchArn, 'build-batch', 'batch');
}

/**
 * ` (console: <url>)` for a batch, or nothing when its ARN is unknown.
 * @param {Record<string, any>} batch
 */
function batchLink(batch) {
  const url = batchConsoleUrl(batch.arn);
  return url ? ` (console: ${url})` : '';
}

/**
 * What a batch's state means for the deployment, without reading its builds: not done; done and
 * the manifest step's build to read; or done and failed, with the builds to read for the details.
 * @param {Record<string, any>} batch
 * @param {string} step the manifest step's identifier
 * @returns {{ done: false }
 *   | { done: true, ok: true, manifestBuildId: string }
 *   | { done: true, ok: false, reason: string, failedBuildIds: string[] }}
 */
function batchOutcome(batch, step) {
  const status = batch.buildBatchStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const groups = batch.buildGroups || [];
  if (status === 'SUCCEEDED') {
    const manifest = groups.find((/** @type {any} */ g) => g && g.identifier === step);
    const manifestBuildId = manifest && manifest.currentBuildSummary && buildIdOfArn(manifest.currentBuildSummary.arn);
    if (manifestBuildId) {
      return { done: true, ok: true, manifestBuildId };
    }
    return {
      done: true,
      ok: false,
      failedBuildIds: [],
      reason:
        `Batch build ${batch.id} succeeded but has no build for its step "${step}" ` +
        `(steps: ${groups.map((/** @type {any} */ g) => g.identifier).join(', ') || 'none'})${batchLink(batch)}`,
    };
  }
  /** @param {any} g */
  const statusOf = (g) => (g && g.currentBuildSummary && g.currentBuildSummary.buildStatus) || undefined;
  let failedGroups = groups.filter((/** @type {any} */ g) => FAILED.includes(statusOf(g)));
  if (failedGroups.length === 0) {
    failedGroups = groups.filter((/** @type {any} */ g) => statusOf(g) && statusOf(g) !== 'SUCCEEDED');
  }
  const builds = failedGroups.map(
    (/** @type {any} */ g) =>
      `${g.identifier} (${buildIdOfArn(g.currentBuildSummary.arn) || 'no build id'}: ${statusOf(g)})`,
  );
  const failedPhase = (batch.phases || []).find(
    (/** @type {any} */ p) => p && p.phaseStatus && p.phaseStatus !== 'SUCCEEDED' && p.phaseStatus !== 'IN_PROGRESS',
  );
  const phase = failedPhase
    ? `; batch phase ${failedPhase.phaseType} ${failedPhase.phaseStatus}${
        failedPhase.contexts && failedPhase.contexts[0] && failedPhase.contexts[0].message
          ? `: ${failedPhase.contexts[0].message}`
          : ''
      }`
    : '';
  return {
    done: true,
    ok: false,
    failedBuildIds: failedGroups
      .map((/** @type {any} */ g) => buildIdOfArn(g.currentBuildSummary.arn))
      .filter((/** @type {any} */ id) => id !== undefined),
    reason:
      `Batch build ${batch.id} ended with ${status}` +
      `${builds.length > 0 ? `: failed build(s) ${builds.join(', ')}` : ''}${phase}${batchLink(batch)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The handler (I/O through `deps`)
// ---------------------------------------------------------------------------------------------

/**
 * What a resource starts and waits on: a build, or a batch build (several platforms). The request,
 * reuse, wait and delete paths are written once, over one of the two kinds below.
 * @typedef {{ done: false } | { done: true, ok: true, data: Record<string, string> } | { done: true, ok: false, reason: string }} Outcome
 * @typedef {{
 *   noun: string,
 *   Noun: string,
 *   finished: string,
 *   getCommand: string,
 *   stopCommand: 'StopBuild' | 'StopBuildBatch',
 *   start: (props: Record<string, any>, requestId: string, deps: Deps) => Promise<{ id: string, link: string }>,
 *   get: (deps: Deps, id: string) => Promise<Record<string, any> | undefined>,
 *   outcome: (run: Record<string, any>, props: Record<string, any>, deps: Deps) => Promise<Outcome>,
 *   status: (run: Record<string, any>) => string,
 *   link: (run: Record<string, any>) => string,
 *   findWithInputs: (props: Record<string, any>, deps: Deps) => Promise<{ id: string, data: Record<string, string> } | undefined>,
 * }} Kind
 */

/** @type {Kind} */
const SINGLE_BUILD = {
  noun: 'build',
  Noun: 'Build',
  finished: 'a finished build that exported an image digest',
  getCommand: 'BatchGetBuilds',
  stopCommand: 'StopBuild',
  start: async (props, requestId, deps) => {
    const started = await deps.codebuild.send(new deps.commands.StartBuild(startBuildInput(props, requestId)));
    const id = started.build && started.build.id;
    if (!id) {
      throw new Error(`StartBuild of project ${props.ProjectName} returned no build id`);
    }
    return { id, link: logLinks(started.build) };
  },
  get: getBuild,
  outcome: async (build) => buildOutcome(build),
  status: (build) => build.buildStatus,
  link: logLinks,
  findWithInputs: findBuildWithInputs,
};

/** @type {Kind} */
const BATCH_BUILD = {
  noun: 'batch build',
  Noun: 'Batch build',
  finished: 'a finished batch whose manifest step exported an image digest',
  getCommand: 'BatchGetBuildBatches',
  stopCommand: 'StopBuildBatch',
  start: async (props, requestId, deps) => {
    const started = await deps.codebuild.send(
      new deps.commands.StartBuildBatch(startBuildBatchInput(props, requestId)),
    );
    const id = started.buildBatch && started.buildBatch.id;
    if (!id) {
      throw new Error(`StartBuildBatch of project ${props.ProjectName} returned no batch id`);
    }
    return { id, link: batchLink(started.buildBatch) };
  },
  get: getBatch,
  outcome: batchResult,
  status: (batch) => batch.buildBatchStatus,
  link: batchLink,
  findWithInputs: findBatchWithInputs,
};

/**
 * The kind of run a resource starts: a batch build when `Batch` is `'true'`, else a build.
 * @param {Record<string, any> | undefined} props
 * @returns {Kind}
 */
function kindOf(props) {
  return isBatch(props || {}) ? BATCH_BUILD : SINGLE_BUILD;
}

/**
 * Handles one invocation: a CloudFormation request or a hand-over from the previous invocation.
 * Answers CloudFormation exactly once per request, unless it hands the wait over.
 * @param {Record<string, any>} event
 * @param {Deps} deps
 * @returns {Promise<'answered' | 'handed-over'>}
 */
async function handle(event, deps) {
  const request = event.Waiter ? event.Waiter.Request : event;
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
 * @param {Record<string, any>} request
 * @param {Deps} deps
 * @returns {Promise<'answered' | 'handed-over'>}
 */
async function onRequest(request, deps) {
  const props = request.ResourceProperties || {};
  const kind = kindOf(props);
  switch (request.RequestType) {
    case 'Delete':
      await stopIfRunning(kind, request, deps);
      await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: request.PhysicalResourceId });
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
    }
    // eslint-disable-next-line no-fallthrough
    case 'Create': {
      const started = await kind.start(props, request.RequestId, deps);
      console.log(`Started ${kind.noun} ${started.id}${started.link}`);
      return waitFor(kind, request, started.id, waitDeadline(props, deps.now()), deps);
    }
    default:
      throw new Error(`unknown RequestType "${request.RequestType}"`);
  }
}

/**
 * An Update that changed nothing the build reads: answers with what the last build (or batch) pushed.
 * @param {Kind} kind
 * @param {Record<string, any>} request
 * @param {Deps} deps
 * @returns {Promise<'answered'>}
 */
async function reuse(kind, request, deps) {
  const id = request.PhysicalResourceId;
  const run = BUILD_ID_PATTERN.test(String(id)) ? await kind.get(deps, id) : undefined;
  const outcome = run ? await kind.outcome(run, request.ResourceProperties || {}, deps) : undefined;
  if (!outcome || !outcome.done || !outcome.ok) {
    throw new Error(
      `the build inputs did not change, but the previous ${kind.noun} ${id} is not ${kind.finished} ` +
        '(was it deleted?): change a build input, e.g. the source, to build again',
    );
  }
  console.log(`Build inputs unchanged: no build; keeping the image of ${kind.noun} ${id}`);
  await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: id, Data: outcome.data });
  return 'answered';
}

/**
 * Polls the build (or batch) until it ends, the deadline passes (then stops it and fails) or this
 * invocation must hand the wait over to the next one.
 * @param {Kind} kind
 * @param {Record<string, any>} request
 * @param {string} id
 * @param {number} deadline
 * @param {Deps} deps
 * @returns {Promise<'answered' | 'handed-over'>}
 */
async function waitFor(kind, request, id, deadline, deps) {
  const props = request.ResourceProperties || {};
  const pollMs = intProperty(props, 'PollSeconds', 30, 1, 300) * 1000;
  for (;;) {
    const run = await kind.get(deps, id);
    if (!run) {
      throw new Error(`${kind.noun} ${id} is not found (${kind.getCommand} returned it as not found)`);
    }
    const outcome = await kind.outcome(run, props, deps);
    if (outcome.done) {
      if (outcome.ok) {
        console.log(`${kind.Noun} ${id} pushed ${outcome.data.ImageUri} (${outcome.data.ImageDigest})`);
        await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: id, Data: outcome.data });
      } else {
        await deps.respond(request, { Status: 'FAILED', Reason: outcome.reason, PhysicalResourceId: id });
      }
      return 'answered';
    }
    if (deps.now() >= deadline) {
      await stop(kind, id, deps).catch((/** @type {unknown} */ e) => {
        console.error(`${kind.stopCommand} ${id} failed`, e);
      });
      await deps.respond(request, {
        Status: 'FAILED',
        Reason: `${kind.Noun} ${id} did not finish in time (still ${kind.status(run)} in phase ${run.currentPhase}); stopped it${kind.link(run)}`,
        PhysicalResourceId: id,
      });
      return 'answered';
    }
    if (deps.remainingMs() < pollMs + HANDOVER_MARGIN_MS) {
      await deps.handOver({ Waiter: { Request: request, BuildId: id, Deadline: deadline } });
      console.log(`${kind.Noun} ${id} is ${run.currentPhase}: the next invocation waits on`);
      return 'handed-over';
    }
    await deps.sleep(pollMs);
  }
}

/**
 * @param {Kind} kind
 * @param {string} id
 * @param {Deps} deps
 */
function stop(kind, id, deps) {
  return deps.codebuild.send(new deps.commands[kind.stopCommand]({ id }));
}

/**
 * Delete: stops the build (or batch) of this resource if it is still running; otherwise nothing.
 * @param {Kind} kind
 * @param {Record<string, any>} request
 * @param {Deps} deps
 */
async function stopIfRunning(kind, request, deps) {
  const id = String(request.PhysicalResourceId || '');
  const project = String((request.ResourceProperties || {}).ProjectName || '');
  if (!BUILD_ID_PATTERN.test(id) || id.split(':')[0] !== project) {
    return;
  }
  const run = await kind.get(deps, id);
  if (run && !TERMINAL.includes(kind.status(run))) {
    console.log(`Stopping ${kind.noun} ${id}: the resource that started it is deleted`);
    await stop(kind, id, deps);
  }
}

/**
 * @param {Deps} deps
 * @param {string} buildId
 * @returns {Promise<Record<string, any> | undefined>}
 */
async function getBuild(deps, buildId) {
  const response = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids: [buildId] }));
  return (response.builds || []).find((/** @type {any} */ b) => b.id === buildId);
}

/**
 * The newest finished build of the project started with the same inputs, whose image is still in
 * the repository (lifecycle rules may have expired it), with its resource attributes.
 * @param {Record<string, any>} props
 * @param {Deps} deps
 * @returns {Promise<{ id: string, data: Record<string, string> } | undefined>}
 */
async function findBuildWithInputs(props, deps) {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new deps.commands.ListBuildsForProject({ projectName: String(props.ProjectName), sortOrder: 'DESCENDING' }),
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return undefined;
  }
  const { builds = [] } = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids }));
  for (const id of ids) {
    const build = builds.find((/** @type {any} */ b) => b.id === id);
    if (!build || !builtWith(build, key)) {
      continue;
    }
    const outcome = buildOutcome(build);
    if (outcome.done && outcome.ok && (await deps.imageExists(outcome.data))) {
      return { id: outcome.data.BuildId, data: outcome.data };
    }
  }
  return undefined;
}

/**
 * @param {Deps} deps
 * @param {string} batchId
 * @returns {Promise<Record<string, any> | undefined>}
 */
async function getBatch(deps, batchId) {
  const response = await deps.codebuild.send(new deps.commands.BatchGetBuildBatches({ ids: [batchId] }));
  return (response.buildBatches || []).find((/** @type {any} */ b) => b.id === batchId);
}

/**
 * The result of a finished batch: on success the manifest step's exported variables (read from its
 * build) with the batch's id and ARN; on failure the batch's reason followed by what each failed
 * build reports (its failed phase and log links).
 * @param {Record<string, any>} batch
 * @param {Record<string, any>} props
 * @param {Deps} deps
 * @returns {Promise<{ done: false } | { done: true, ok: true, data: Record<string, string> } | { done: true, ok: false, reason: string }>}
 */
async function batchResult(batch, props, deps) {
  const outcome = batchOutcome(batch, manifestStep(props));
  if (!outcome.done) {
    return outcome;
  }
  if (!outcome.ok) {
    let details = '';
    if (outcome.failedBuildIds.length > 0) {
      try {
        const { builds = [] } = await deps.codebuild.send(
          new deps.commands.BatchGetBuilds({ ids: outcome.failedBuildIds }),
        );
        details = builds
          .map((/** @type {any} */ b) => buildOutcome(b))
          .filter((/** @type {any} */ o) => o.done && !o.ok)
          .map((/** @type {any} */ o) => o.reason)
          .join('; ');
      } catch (error) {
        console.error('BatchGetBuilds of the failed builds failed', error);
      }
    }
    return { done: true, ok: false, reason: details ? `${outcome.reason}. ${details}` : outcome.reason };
  }
  const build = await getBuild(deps, outcome.manifestBuildId);
  if (!build) {
    return {
      done: true,
      ok: false,
      reason: `Batch build ${batch.id}: its build ${outcome.manifestBuildId} is not found${batchLink(batch)}`,
    };
  }
  const manifest = buildOutcome(build);
  if (!manifest.done) {
    // A batch reports SUCCEEDED once its builds have; read again at the next poll.
    return { done: false };
  }
  if (!manifest.ok) {
    return { done: true, ok: false, reason: `Batch build ${batch.id}: ${manifest.reason}` };
  }
  return {
    done: true,
    ok: true,
    data: { ...manifest.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || '') },
  };
}

/**
 * The newest finished batch of the project started with the same inputs (the batch or its manifest
 * build carries them), whose manifest list is still in the repository, as resource attributes.
 * @param {Record<string, any>} props
 * @param {Deps} deps
 * @returns {Promise<{ id: string, data: Record<string, string> } | undefined>}
 */
async function findBatchWithInputs(props, deps) {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new deps.commands.ListBuildBatchesForProject({
      projectName: String(props.ProjectName),
      sortOrder: 'DESCENDING',
      maxResults: REUSE_WINDOW,
    }),
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return undefined;
  }
  const { buildBatches = [] } = await deps.codebuild.send(new deps.commands.BatchGetBuildBatches({ ids }));
  const step = manifestStep(props);
  /** @type {Array<{ batch: Record<string, any>, manifestBuildId: string }>} */
  const candidates = [];
  for (const id of ids) {
    const batch = buildBatches.find((/** @type {any} */ b) => b.id === id);
    const outcome = batch ? batchOutcome(batch, step) : undefined;
    if (batch && outcome && outcome.done && outcome.ok) {
      candidates.push({ batch, manifestBuildId: outcome.manifestBuildId });
    }
  }
  if (candidates.length === 0) {
    return undefined;
  }
  const { builds = [] } = await deps.codebuild.send(
    new deps.commands.BatchGetBuilds({ ids: candidates.map((c) => c.manifestBuildId) }),
  );
  for (const { batch, manifestBuildId } of candidates) {
    const build = builds.find((/** @type {any} */ b) => b.id === manifestBuildId);
    if (!build || !(builtWith(batch, key) || builtWith(build, key))) {
      continue;
    }
    const outcome = buildOutcome(build);
    if (outcome.done && outcome.ok && (await deps.imageExists(outcome.data))) {
      return {
        id: String(batch.id),
        data: { ...outcome.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || '') },
      };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Lambda I/O
// ---------------------------------------------------------------------------------------------

/**
 * The endpoint override for a service: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`.
 * @param {string} service
 */
function endpointFor(service) {
  return process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
}

/**
 * The real dependencies of an invocation.
 * @param {{ invokedFunctionArn?: string, getRemainingTimeInMillis?: () => number }} context
 * @returns {Deps}
 */
function lambdaDeps(context) {
  const {
    BatchGetBuildBatchesCommand,
    BatchGetBuildsCommand,
    CodeBuildClient,
    ListBuildBatchesForProjectCommand,
    ListBuildsForProjectCommand,
    StartBuildBatchCommand,
    StartBuildCommand,
    StopBuildBatchCommand,
    StopBuildCommand,
  } = require('@aws-sdk/client-codebuild');
  const codebuildEndpoint = endpointFor('CODEBUILD');
  const codebuild = new CodeBuildClient(codebuildEndpoint ? { endpoint: codebuildEndpoint } : {});
  return {
    codebuild,
    commands: {
      StartBuild: StartBuildCommand,
      BatchGetBuilds: BatchGetBuildsCommand,
      StopBuild: StopBuildCommand,
      ListBuildsForProject: ListBuildsForProjectCommand,
      StartBuildBatch: StartBuildBatchCommand,
      BatchGetBuildBatches: BatchGetBuildBatchesCommand,
      StopBuildBatch: StopBuildBatchCommand,
      ListBuildBatchesForProject: ListBuildBatchesForProjectCommand,
    },
    imageExists: async (image) => {
      const repository = parseImageUri(image.ImageUri);
      if (!repository) {
        return false;
      }
      const { DescribeImagesCommand, ECRClient } = require('@aws-sdk/client-ecr');
      const ecrEndpoint = endpointFor('ECR');
      const ecr = new ECRClient(ecrEndpoint ? { endpoint: ecrEndpoint } : {});
      try {
        const found = await ecr.send(
          new DescribeImagesCommand({ ...repository, imageIds: [{ imageDigest: image.ImageDigest }] }),
        );
        return (found.imageDetails || []).length > 0;
      } catch (error) {
        const name = error && typeof error === 'object' ? /** @type {any} */ (error).name : undefined;
        if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') {
          return false;
        }
        throw error;
      } finally {
        ecr.destroy();
      }
    },
    respond: sendResponse,
    handOver: async (payload) => {
      const { InvokeCommand, LambdaClient } = require('@aws-sdk/client-lambda');
      const lambdaEndpoint = endpointFor('LAMBDA');
      const lambda = new LambdaClient(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {});
      await lambda.send(
        new InvokeCommand({
          FunctionName: context.invokedFunctionArn,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(payload)),
        }),
      );
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    remainingMs: () => (context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 0),
  };
}

/**
 * The Lambda entry point.
 * @param {Record<string, any>} event
 * @param {any} context
 */
async function handler(event, context) {
  const request = event.Waiter ? event.Waiter.Request : event;
  console.log(
    JSON.stringify({
      ...(event.Waiter ? { Waiter: { BuildId: event.Waiter.BuildId, Deadline: event.Waiter.Deadline } } : {}),
      RequestType: request.RequestType,
      LogicalResourceId: request.LogicalResourceId,
      PhysicalResourceId: request.PhysicalResourceId,
      ResourceProperties: request.ResourceProperties,
    }),
  );
  return handle(event, lambdaDeps(context));
}

module.exports = {
  handler,
  handle,
  sendResponse,
  lambdaDeps,
  inputsChanged,
  inputsKey,
  parseImageUri,
  startBuildInput,
  waitDeadline,
  buildOutcome,
  buildConsoleUrl,
  exportedVariables,
  isBatch,
  startBuildBatchInput,
  batchOutcome,
  batchConsoleUrl,
  buildIdOfArn,
};
