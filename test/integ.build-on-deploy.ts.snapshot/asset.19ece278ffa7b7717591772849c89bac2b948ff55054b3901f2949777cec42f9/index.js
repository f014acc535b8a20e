"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// handlers/build-on-deploy/index.ts
var index_exports = {};
__export(index_exports, {
  batchConsoleUrl: () => batchConsoleUrl,
  batchOutcome: () => batchOutcome,
  buildConsoleUrl: () => buildConsoleUrl,
  buildIdOfArn: () => buildIdOfArn,
  buildOutcome: () => buildOutcome,
  exportedVariables: () => exportedVariables,
  handle: () => handle,
  handler: () => handler,
  inputsChanged: () => inputsChanged,
  inputsKey: () => inputsKey,
  isBatch: () => isBatch,
  lambdaDeps: () => lambdaDeps,
  parseImageUri: () => parseImageUri,
  sendResponse: () => sendResponse,
  startBuildBatchInput: () => startBuildBatchInput,
  startBuildInput: () => startBuildInput,
  waitDeadline: () => waitDeadline
});
module.exports = __toCommonJS(index_exports);

// handlers/build-on-deploy/inputs.ts
var crypto = __toESM(require("crypto"));
var DEADLINE_SLACK_MINUTES = 3;
var INPUTS_VARIABLE = "CDK_ECR_CODEBUILD_BUILD_INPUTS";
var DEFAULT_MANIFEST_STEP = "manifest";
function intProperty(props, name, fallback, min, max) {
  const raw = props[name];
  if (raw === void 0 || raw === "") {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}
function inputsChanged(props, oldProps) {
  if (!oldProps) {
    return true;
  }
  for (const name of ["ProjectName", "BuildInputs", "SourceVersion"]) {
    if ((props[name] ?? "") !== (oldProps[name] ?? "")) {
      return true;
    }
  }
  return stableJson(props.DeployTimeInputs) !== stableJson(oldProps.DeployTimeInputs);
}
function stableJson(value) {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(",")}]`;
  }
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
function inputsKey(props) {
  const inputs = {
    ProjectName: props.ProjectName ?? "",
    BuildInputs: props.BuildInputs ?? "",
    SourceVersion: props.SourceVersion ?? "",
    DeployTimeInputs: props.DeployTimeInputs ?? null
  };
  return crypto.createHash("sha256").update(stableJson(inputs)).digest("hex");
}
function builtWith(build, key) {
  const variables = build.environment && build.environment.environmentVariables || [];
  return variables.some((v) => v && v.name === INPUTS_VARIABLE && v.value === key);
}
function parseImageUri(uri) {
  const match = /^(\d{12})\.dkr\.ecr\.[^/]+\/([^:@]+)(?::[^@]*)?(?:@.*)?$/.exec(String(uri || ""));
  return match ? { registryId: match[1], repositoryName: match[2] } : void 0;
}
function isBatch(props) {
  return String((props || {}).Batch) === "true";
}
function manifestStep(props) {
  return String(props.ManifestStep || DEFAULT_MANIFEST_STEP);
}
function startBuildInput(props, requestId) {
  if (!props.ProjectName) {
    throw new Error("ProjectName is missing from the resource properties");
  }
  return {
    projectName: String(props.ProjectName),
    ...props.SourceVersion ? { sourceVersion: String(props.SourceVersion) } : {},
    timeoutInMinutesOverride: intProperty(props, "TimeoutMinutes", 50, 5, 2160),
    queuedTimeoutInMinutesOverride: intProperty(props, "QueuedTimeoutMinutes", 5, 5, 480),
    idempotencyToken: `cfn-${requestId}`.slice(0, 64),
    environmentVariablesOverride: [{ name: INPUTS_VARIABLE, value: inputsKey(props), type: "PLAINTEXT" }]
  };
}
function startBuildBatchInput(props, requestId) {
  const { timeoutInMinutesOverride, ...common } = startBuildInput(props, requestId);
  return { ...common, buildTimeoutInMinutesOverride: timeoutInMinutesOverride };
}
function waitDeadline(props, startedAt) {
  const minutes = intProperty(props, "TimeoutMinutes", 50, 5, 2160) + intProperty(props, "QueuedTimeoutMinutes", 5, 5, 480) + DEADLINE_SLACK_MINUTES;
  return startedAt + minutes * 6e4;
}

// handlers/build-on-deploy/outcome.ts
var BUILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}$/;
var DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
var TERMINAL = ["SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT"];
var FAILED = ["FAILED", "FAULT", "TIMED_OUT"];
var EXPORTED = { uri: "IMAGE_URI", tag: "IMAGE_TAG", digest: "IMAGE_DIGEST" };
function exportedVariables(build) {
  const out = {};
  for (const v of build.exportedEnvironmentVariables || []) {
    if (v && typeof v.name === "string") {
      out[v.name] = v.value === void 0 || v.value === null ? "" : String(v.value);
    }
  }
  return out;
}
function consoleUrl(arn, type, page, id) {
  const match = new RegExp(`^arn:([^:]+):codebuild:([^:]+):(\\d{12}):${type}/(.+)$`).exec(String(arn || ""));
  if (!match) {
    return void 0;
  }
  const [, partition, region, account, arnId] = match;
  const host = partition === "aws-cn" ? "console.amazonaws.cn" : partition === "aws-us-gov" ? "console.amazonaws-us-gov.com" : `${region}.console.aws.amazon.com`;
  const runId = id || arnId;
  return `https://${host}/codesuite/codebuild/${account}/projects/${encodeURIComponent(runId.split(":")[0])}/${page}/${encodeURIComponent(runId)}/?region=${region}`;
}
function buildConsoleUrl(buildArn, buildId) {
  return consoleUrl(buildArn, "build", "build", buildId);
}
function logLinks(build) {
  const links = [];
  const console2 = buildConsoleUrl(build.arn, build.id);
  if (console2) {
    links.push(`console: ${console2}`);
  }
  if (build.logs && build.logs.deepLink) {
    links.push(`logs: ${build.logs.deepLink}`);
  }
  return links.length > 0 ? ` (${links.join("; ")})` : "";
}
function buildOutcome(build) {
  const status = build.buildStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const where = logLinks(build);
  if (status !== "SUCCEEDED") {
    const failed = (build.phases || []).find(
      (p) => p.phaseStatus && p.phaseStatus !== "SUCCEEDED" && p.phaseType !== "COMPLETED"
    );
    const detail = failed ? ` in phase ${failed.phaseType}${failed.contexts && failed.contexts[0] && failed.contexts[0].message ? `: ${failed.contexts[0].message}` : ""}` : "";
    return { done: true, ok: false, reason: `Build ${build.id} ended with ${status}${detail}${where}` };
  }
  const vars = exportedVariables(build);
  const digest = vars[EXPORTED.digest];
  if (!digest || !DIGEST_PATTERN.test(digest)) {
    return {
      done: true,
      ok: false,
      reason: `Build ${build.id} succeeded but exported no image digest: ${EXPORTED.digest} is ${digest === void 0 ? "missing" : JSON.stringify(digest)} (expected sha256:<64 hex digits>; exported: ${Object.keys(vars).join(", ") || "nothing"})${where}`
    };
  }
  return {
    done: true,
    ok: true,
    data: {
      ImageDigest: digest,
      // The hex part alone: the construct writes `sha256:` itself, so that aws-cdk-lib sees a digest.
      ImageDigestHex: digest.slice("sha256:".length),
      ImageUri: vars[EXPORTED.uri] || "",
      ImageTag: vars[EXPORTED.tag] || "",
      BuildId: String(build.id),
      BuildArn: String(build.arn || "")
    }
  };
}
function buildIdOfArn(arn) {
  const match = /^arn:[^:]+:codebuild:[^:]*:\d{12}:build\/(.+)$/.exec(String(arn || ""));
  return match ? match[1] : void 0;
}
function batchConsoleUrl(batchArn) {
  return consoleUrl(batchArn, "build-batch", "batch");
}
function batchLink(batch) {
  const url = batchConsoleUrl(batch.arn);
  return url ? ` (console: ${url})` : "";
}
function batchOutcome(batch, step) {
  const status = batch.buildBatchStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const groups = batch.buildGroups || [];
  if (status === "SUCCEEDED") {
    const manifest = groups.find((g) => g && g.identifier === step);
    const manifestBuildId = manifest && manifest.currentBuildSummary && buildIdOfArn(manifest.currentBuildSummary.arn);
    if (manifestBuildId) {
      return { done: true, ok: true, manifestBuildId };
    }
    return {
      done: true,
      ok: false,
      failedBuildIds: [],
      reason: `Batch build ${batch.id} succeeded but has no build for its step "${step}" (steps: ${groups.map((g) => g.identifier).join(", ") || "none"})${batchLink(batch)}`
    };
  }
  const statusOf = (g) => g && g.currentBuildSummary && g.currentBuildSummary.buildStatus || void 0;
  let failedGroups = groups.filter((g) => FAILED.includes(statusOf(g)));
  if (failedGroups.length === 0) {
    failedGroups = groups.filter((g) => statusOf(g) && statusOf(g) !== "SUCCEEDED");
  }
  const builds = failedGroups.map(
    (g) => `${g.identifier} (${buildIdOfArn(g.currentBuildSummary.arn) || "no build id"}: ${statusOf(g)})`
  );
  const failedPhase = (batch.phases || []).find(
    (p) => p && p.phaseStatus && p.phaseStatus !== "SUCCEEDED" && p.phaseStatus !== "IN_PROGRESS"
  );
  const phase = failedPhase ? `; batch phase ${failedPhase.phaseType} ${failedPhase.phaseStatus}${failedPhase.contexts && failedPhase.contexts[0] && failedPhase.contexts[0].message ? `: ${failedPhase.contexts[0].message}` : ""}` : "";
  return {
    done: true,
    ok: false,
    failedBuildIds: failedGroups.map((g) => buildIdOfArn(g.currentBuildSummary.arn)).filter((id) => id !== void 0),
    reason: `Batch build ${batch.id} ended with ${status}${builds.length > 0 ? `: failed build(s) ${builds.join(", ")}` : ""}${phase}${batchLink(batch)}`
  };
}

// handlers/build-on-deploy/decisions.ts
var HANDOVER_MARGIN_MS = 6e4;
function waitStep(outcome, deadline, pollMs, now, remainingMs) {
  if (outcome.done) {
    return "answer";
  }
  if (now() >= deadline) {
    return "time-out";
  }
  if (remainingMs() < pollMs + HANDOVER_MARGIN_MS) {
    return "hand-over";
  }
  return "poll";
}
function pollIntervalMs(props) {
  return intProperty(props, "PollSeconds", 30, 1, 300) * 1e3;
}
function runOfResource(physicalId, projectName) {
  const id = String(physicalId || "");
  const project = String(projectName || "");
  return BUILD_ID_PATTERN.test(id) && id.split(":")[0] === project ? id : void 0;
}
function isRunning(status) {
  return !TERMINAL.includes(status);
}
function reusableBuilds(ids, builds, key) {
  const found = [];
  for (const id of ids) {
    const build = builds.find((b) => b.id === id);
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
function succeededBatches(ids, batches, step) {
  const candidates = [];
  for (const id of ids) {
    const batch = batches.find((b) => b.id === id);
    const outcome = batch ? batchOutcome(batch, step) : void 0;
    if (batch && outcome && outcome.done && outcome.ok) {
      candidates.push({ batch, manifestBuildId: outcome.manifestBuildId });
    }
  }
  return candidates;
}
function reusableBatches(candidates, builds, key) {
  const found = [];
  for (const { batch, manifestBuildId } of candidates) {
    const build = builds.find((b) => b.id === manifestBuildId);
    if (!build || !(builtWith(batch, key) || builtWith(build, key))) {
      continue;
    }
    const outcome = buildOutcome(build);
    if (outcome.done && outcome.ok) {
      found.push({
        id: String(batch.id),
        data: { ...outcome.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || "") }
      });
    }
  }
  return found;
}

// handlers/build-on-deploy/reuse.ts
var REUSE_WINDOW = 100;
async function reuse(kind, request, deps) {
  const id = request.PhysicalResourceId;
  const run = BUILD_ID_PATTERN.test(String(id)) ? await kind.get(deps, id) : void 0;
  const outcome = run ? await kind.outcome(run, request.ResourceProperties || {}, deps) : void 0;
  if (!outcome || !outcome.done || !outcome.ok) {
    throw new Error(
      `the build inputs did not change, but the previous ${kind.noun} ${id} is not ${kind.finished} (was it deleted?): change a build input, e.g. the source, to build again`
    );
  }
  console.log(`Build inputs unchanged: no build; keeping the image of ${kind.noun} ${id}`);
  await deps.respond(request, { Status: "SUCCESS", PhysicalResourceId: id, Data: outcome.data });
  return "answered";
}
async function findBuildWithInputs(props, deps) {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new deps.commands.ListBuildsForProject({ projectName: String(props.ProjectName), sortOrder: "DESCENDING" })
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return void 0;
  }
  const { builds = [] } = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids }));
  for (const data of reusableBuilds(ids, builds, key)) {
    if (await deps.imageExists(data)) {
      return { id: data.BuildId, data };
    }
  }
  return void 0;
}
async function findBatchWithInputs(props, deps) {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new deps.commands.ListBuildBatchesForProject({
      projectName: String(props.ProjectName),
      sortOrder: "DESCENDING",
      maxResults: REUSE_WINDOW
    })
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return void 0;
  }
  const { buildBatches = [] } = await deps.codebuild.send(
    new deps.commands.BatchGetBuildBatches({ ids })
  );
  const step = manifestStep(props);
  const candidates = succeededBatches(ids, buildBatches, step);
  if (candidates.length === 0) {
    return void 0;
  }
  const { builds = [] } = await deps.codebuild.send(
    new deps.commands.BatchGetBuilds({ ids: candidates.map((c) => c.manifestBuildId) })
  );
  for (const found of reusableBatches(candidates, builds, key)) {
    if (await deps.imageExists(found.data)) {
      return found;
    }
  }
  return void 0;
}

// handlers/build-on-deploy/kinds.ts
var SINGLE_BUILD = {
  noun: "build",
  Noun: "Build",
  finished: "a finished build that exported an image digest",
  getCommand: "BatchGetBuilds",
  stopCommand: "StopBuild",
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
  findWithInputs: findBuildWithInputs
};
var BATCH_BUILD = {
  noun: "batch build",
  Noun: "Batch build",
  finished: "a finished batch whose manifest step exported an image digest",
  getCommand: "BatchGetBuildBatches",
  stopCommand: "StopBuildBatch",
  start: async (props, requestId, deps) => {
    const started = await deps.codebuild.send(
      new deps.commands.StartBuildBatch(startBuildBatchInput(props, requestId))
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
  findWithInputs: findBatchWithInputs
};
function kindOf(props) {
  return isBatch(props || {}) ? BATCH_BUILD : SINGLE_BUILD;
}
async function getBuild(deps, buildId) {
  const response = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids: [buildId] }));
  return (response.builds || []).find((b) => b.id === buildId);
}
async function getBatch(deps, batchId) {
  const response = await deps.codebuild.send(
    new deps.commands.BatchGetBuildBatches({ ids: [batchId] })
  );
  return (response.buildBatches || []).find((b) => b.id === batchId);
}
async function batchResult(batch, props, deps) {
  const outcome = batchOutcome(batch, manifestStep(props));
  if (!outcome.done) {
    return outcome;
  }
  if (!outcome.ok) {
    let details = "";
    if (outcome.failedBuildIds.length > 0) {
      try {
        const { builds = [] } = await deps.codebuild.send(
          new deps.commands.BatchGetBuilds({ ids: outcome.failedBuildIds })
        );
        details = builds.map((b) => buildOutcome(b)).filter((o) => o.done && !o.ok).map((o) => o.reason).join("; ");
      } catch (error) {
        console.error("BatchGetBuilds of the failed builds failed", error);
      }
    }
    return { done: true, ok: false, reason: details ? `${outcome.reason}. ${details}` : outcome.reason };
  }
  const build = await getBuild(deps, outcome.manifestBuildId);
  if (!build) {
    return {
      done: true,
      ok: false,
      reason: `Batch build ${batch.id}: its build ${outcome.manifestBuildId} is not found${batchLink(batch)}`
    };
  }
  const manifest = buildOutcome(build);
  if (!manifest.done) {
    return { done: false };
  }
  if (!manifest.ok) {
    return { done: true, ok: false, reason: `Batch build ${batch.id}: ${manifest.reason}` };
  }
  return {
    done: true,
    ok: true,
    data: { ...manifest.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || "") }
  };
}

// handlers/build-on-deploy/wait.ts
async function waitFor(kind, request, id, deadline, deps) {
  const props = request.ResourceProperties || {};
  const pollMs = pollIntervalMs(props);
  for (; ; ) {
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
      () => deps.remainingMs()
    );
    if (outcome.done) {
      if (outcome.ok) {
        console.log(`${kind.Noun} ${id} pushed ${outcome.data.ImageUri} (${outcome.data.ImageDigest})`);
        await deps.respond(request, { Status: "SUCCESS", PhysicalResourceId: id, Data: outcome.data });
      } else {
        await deps.respond(request, { Status: "FAILED", Reason: outcome.reason, PhysicalResourceId: id });
      }
      return "answered";
    }
    if (step === "time-out") {
      await stop(kind, id, deps).catch((e) => {
        console.error(`${kind.stopCommand} ${id} failed`, e);
      });
      await deps.respond(request, {
        Status: "FAILED",
        Reason: `${kind.Noun} ${id} did not finish in time (still ${kind.status(run)} in phase ${run.currentPhase}); stopped it${kind.link(run)}`,
        PhysicalResourceId: id
      });
      return "answered";
    }
    if (step === "hand-over") {
      await deps.handOver({ Waiter: { Request: request, BuildId: id, Deadline: deadline } });
      console.log(`${kind.Noun} ${id} is ${run.currentPhase}: the next invocation waits on`);
      return "handed-over";
    }
    await deps.sleep(pollMs);
  }
}
function stop(kind, id, deps) {
  return deps.codebuild.send(new deps.commands[kind.stopCommand]({ id }));
}
async function stopIfRunning(kind, request, deps) {
  const id = runOfResource(request.PhysicalResourceId, (request.ResourceProperties || {}).ProjectName);
  if (id === void 0) {
    return;
  }
  const run = await kind.get(deps, id);
  if (run && isRunning(kind.status(run))) {
    console.log(`Stopping ${kind.noun} ${id}: the resource that started it is deleted`);
    await stop(kind, id, deps);
  }
}

// handlers/build-on-deploy/handle.ts
async function handle(event, deps) {
  const request = event.Waiter ? event.Waiter.Request : event;
  const fallbackId = event.Waiter && event.Waiter.BuildId || request.PhysicalResourceId || `failed-${request.RequestId}`;
  try {
    if (event.Waiter) {
      const kind = kindOf(request.ResourceProperties);
      return await waitFor(kind, request, event.Waiter.BuildId, Number(event.Waiter.Deadline), deps);
    }
    return await onRequest(request, deps);
  } catch (error) {
    console.error(error);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.respond(request, { Status: "FAILED", Reason: message, PhysicalResourceId: fallbackId });
    return "answered";
  }
}
async function onRequest(request, deps) {
  const props = request.ResourceProperties || {};
  const kind = kindOf(props);
  switch (request.RequestType) {
    case "Delete":
      await stopIfRunning(kind, request, deps);
      await deps.respond(request, { Status: "SUCCESS", PhysicalResourceId: request.PhysicalResourceId });
      return "answered";
    case "Update": {
      if (!inputsChanged(props, request.OldResourceProperties)) {
        return reuse(kind, request, deps);
      }
      const previous = await kind.findWithInputs(props, deps);
      if (previous) {
        console.log(`${kind.Noun} ${previous.id} had the same inputs and its image is still there: no build`);
        await deps.respond(request, { Status: "SUCCESS", PhysicalResourceId: previous.id, Data: previous.data });
        return "answered";
      }
      return startAndWait(kind, request, deps);
    }
    case "Create":
      return startAndWait(kind, request, deps);
    default:
      throw new Error(`unknown RequestType "${request.RequestType}"`);
  }
}
async function startAndWait(kind, request, deps) {
  const props = request.ResourceProperties || {};
  const started = await kind.start(props, request.RequestId, deps);
  console.log(`Started ${kind.noun} ${started.id}${started.link}`);
  return waitFor(kind, request, started.id, waitDeadline(props, deps.now()), deps);
}

// handlers/build-on-deploy/lambda-deps.ts
var import_client_codebuild = require("@aws-sdk/client-codebuild");
var import_client_ecr = require("@aws-sdk/client-ecr");
var import_client_lambda = require("@aws-sdk/client-lambda");

// handlers/shared/cfn-response.ts
var http = __toESM(require("http"));
var https = __toESM(require("https"));
var MAX_RESPONSE_BYTES = 4096;
var LINKS_START = /\s\((?:console|logs): /g;
function responseBody(request, result) {
  const render = (reason2) => JSON.stringify({
    Status: result.Status,
    Reason: reason2,
    PhysicalResourceId: result.PhysicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    NoEcho: false,
    Data: result.Data || {}
  });
  const reason = result.Reason ? String(result.Reason) : void 0;
  const full = render(reason);
  if (reason === void 0 || Buffer.byteLength(full) <= MAX_RESPONSE_BYTES) {
    return full;
  }
  const starts = [...reason.matchAll(LINKS_START)].map((m) => m.index ?? 0);
  const tailStart = starts.length > 0 ? starts[0] : Math.max(0, reason.length - 600);
  let tail = reason.slice(tailStart);
  const cut = (head, keptTail) => `${reason.slice(0, head)} [\u2026${reason.length - head - keptTail.length} characters cut\u2026]${keptTail}`;
  if (Buffer.byteLength(render(cut(0, tail))) > MAX_RESPONSE_BYTES) {
    tail = tail.slice(tail.length - 600);
  }
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
async function sendResponse(request, result) {
  const body = responseBody(request, result);
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
function put(url, body) {
  const target = new URL(url);
  const transport = target.protocol === "http:" ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method: "PUT", headers: { "content-type": "", "content-length": Buffer.byteLength(body) }, timeout: 1e4 },
      (response) => {
        response.resume();
        response.on("end", () => {
          if (response.statusCode && response.statusCode >= 200 && response.statusCode < 300) {
            resolve();
          } else {
            reject(new Error(`CloudFormation response URL answered ${response.statusCode}`));
          }
        });
      }
    );
    request.on("timeout", () => request.destroy(new Error("CloudFormation response URL timed out")));
    request.on("error", reject);
    request.end(body);
  });
}

// handlers/build-on-deploy/lambda-deps.ts
function endpointFor(service) {
  return process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || void 0;
}
function lambdaDeps(context) {
  const codebuildEndpoint = endpointFor("CODEBUILD");
  const codebuild = new import_client_codebuild.CodeBuildClient(codebuildEndpoint ? { endpoint: codebuildEndpoint } : {});
  return {
    codebuild,
    commands: {
      StartBuild: import_client_codebuild.StartBuildCommand,
      BatchGetBuilds: import_client_codebuild.BatchGetBuildsCommand,
      StopBuild: import_client_codebuild.StopBuildCommand,
      ListBuildsForProject: import_client_codebuild.ListBuildsForProjectCommand,
      StartBuildBatch: import_client_codebuild.StartBuildBatchCommand,
      BatchGetBuildBatches: import_client_codebuild.BatchGetBuildBatchesCommand,
      StopBuildBatch: import_client_codebuild.StopBuildBatchCommand,
      ListBuildBatchesForProject: import_client_codebuild.ListBuildBatchesForProjectCommand
    },
    imageExists: async (image) => {
      const repository = parseImageUri(image.ImageUri);
      if (!repository) {
        return false;
      }
      const ecrEndpoint = endpointFor("ECR");
      const ecr = new import_client_ecr.ECRClient(ecrEndpoint ? { endpoint: ecrEndpoint } : {});
      try {
        const found = await ecr.send(
          new import_client_ecr.DescribeImagesCommand({ ...repository, imageIds: [{ imageDigest: image.ImageDigest }] })
        );
        return (found.imageDetails || []).length > 0;
      } catch (error) {
        const name = error && typeof error === "object" ? error.name : void 0;
        if (name === "ImageNotFoundException" || name === "RepositoryNotFoundException") {
          return false;
        }
        throw error;
      } finally {
        ecr.destroy();
      }
    },
    respond: sendResponse,
    handOver: async (payload) => {
      const lambdaEndpoint = endpointFor("LAMBDA");
      const lambda = new import_client_lambda.LambdaClient(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {});
      await lambda.send(
        new import_client_lambda.InvokeCommand({
          FunctionName: context.invokedFunctionArn,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify(payload))
        })
      );
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    remainingMs: () => context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 0
  };
}

// handlers/build-on-deploy/index.ts
async function handler(event, context) {
  const request = event.Waiter ? event.Waiter.Request : event;
  console.log(
    JSON.stringify({
      ...event.Waiter ? { Waiter: { BuildId: event.Waiter.BuildId, Deadline: event.Waiter.Deadline } } : {},
      RequestType: request.RequestType,
      LogicalResourceId: request.LogicalResourceId,
      PhysicalResourceId: request.PhysicalResourceId,
      ResourceProperties: request.ResourceProperties
    })
  );
  return handle(event, lambdaDeps(context));
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  batchConsoleUrl,
  batchOutcome,
  buildConsoleUrl,
  buildIdOfArn,
  buildOutcome,
  exportedVariables,
  handle,
  handler,
  inputsChanged,
  inputsKey,
  isBatch,
  lambdaDeps,
  parseImageUri,
  sendResponse,
  startBuildBatchInput,
  startBuildInput,
  waitDeadline
});
