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

// handlers/repository-policy/index.ts
var index_exports = {};
__export(index_exports, {
  core: () => core_exports,
  createClients: () => createClients,
  createHandler: () => createHandler,
  endpointFor: () => endpointFor,
  handler: () => handler,
  leaseTimings: () => leaseTimings,
  onEvent: () => onEvent,
  readPolicy: () => readPolicy,
  sendResponse: () => sendResponse
});
module.exports = __toCommonJS(index_exports);
var import_client_dynamodb2 = require("@aws-sdk/client-dynamodb");
var import_client_ecr = require("@aws-sdk/client-ecr");

// handlers/repository-policy/core.ts
var core_exports = {};
__export(core_exports, {
  KINDS: () => KINDS,
  LOCK_TABLE_NAME: () => LOCK_TABLE_NAME,
  MAX_POLICY_CHARS: () => MAX_POLICY_CHARS,
  OWNER_PREFIX_CHARS: () => OWNER_PREFIX_CHARS,
  PULL_ACTIONS: () => PULL_ACTIONS,
  PUSH_ACTIONS: () => PUSH_ACTIONS,
  RefusedError: () => RefusedError,
  SID_PREFIX: () => SID_PREFIX,
  backoffDelay: () => backoffDelay,
  canonical: () => canonical,
  isOwned: () => isOwned,
  legacyPrefixOfPhysicalId: () => legacyPrefixOfPhysicalId,
  mergePolicy: () => mergePolicy,
  ownerSidPrefix: () => ownerSidPrefix,
  parsePolicy: () => parsePolicy,
  parseRepositoryArn: () => parseRepositoryArn,
  physicalIdOf: () => physicalIdOf,
  planEvent: () => planEvent,
  policyDigest: () => policyDigest,
  policyTextOf: () => policyTextOf,
  verifyPolicy: () => verifyPolicy
});
var crypto = __toESM(require("crypto"));
var SID_PREFIX = "CdkEcrCodebuild";
var OWNER_MARK = "S";
var OWNER_HASH_CHARS = 16;
var LEGACY_PREFIX = /^CdkEcrCodebuild[0-9A-F]{8}$/;
var KINDS = ["Accounts", "Organization", "OrgPaths", "CodeBuild", "Lambda"];
var MAX_POLICY_CHARS = 10240;
var POLICY_VERSION = "2012-10-17";
var LOCK_TABLE_NAME = "cdk-ecr-codebuild-locks";
var PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
var PUSH_ACTIONS = [
  "ecr:PutImage",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload"
];
var LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
var ACCOUNT_ID = /^\d{12}$/;
var ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
var ORGANIZATIONAL_UNIT_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}\/)+\*?$/;
var CODEBUILD_PROJECT_ARN = /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:project\/[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
var LAMBDA_FUNCTIONS_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:\*$/;
var RefusedError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "RefusedError";
  }
};
function parseRepositoryArn(value) {
  const match = /^arn:(aws[a-z-]*):ecr:([a-z0-9-]+):(\d{12}):repository\/([a-z0-9][a-z0-9._\-/]*)$/.exec(
    String(value).trim()
  );
  if (!match) {
    throw new RefusedError(
      `RepositoryArn "${value}" is not an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)`
    );
  }
  const [, partition, region, registryId, repositoryName] = match;
  return {
    partition,
    region,
    registryId,
    repositoryName,
    arn: `arn:${partition}:ecr:${region}:${registryId}:repository/${repositoryName}`
  };
}
function ownerSidPrefix(stackId, logicalResourceId) {
  if (!stackId || !logicalResourceId) {
    throw new RefusedError("the event has no StackId or LogicalResourceId: it does not come from CloudFormation");
  }
  const hash = crypto.createHash("sha256").update(`${stackId}
${logicalResourceId}`).digest("hex");
  return SID_PREFIX + OWNER_MARK + hash.slice(0, OWNER_HASH_CHARS).toUpperCase();
}
var OWNER_PREFIX_CHARS = SID_PREFIX.length + OWNER_MARK.length + OWNER_HASH_CHARS;
function physicalIdOf(repo, owner) {
  return `${repo.registryId}/${repo.region}/${repo.repositoryName}/${owner}`;
}
function legacyPrefixOfPhysicalId(physicalId) {
  const last = String(physicalId || "").split("/").pop();
  return LEGACY_PREFIX.test(last) ? last : void 0;
}
function legacyPrefixOfProperties(props) {
  if (!props || props.SidPrefix === void 0) {
    return void 0;
  }
  if (typeof props.SidPrefix !== "string" || !LEGACY_PREFIX.test(props.SidPrefix)) {
    throw new RefusedError(
      `SidPrefix "${props.SidPrefix}" is not a Sid prefix of cdk-ecr-codebuild (CdkEcrCodebuild + 8 hex digits)`
    );
  }
  return props.SidPrefix;
}
function planEvent(event) {
  const requestType = event.RequestType;
  if (requestType !== "Create" && requestType !== "Update" && requestType !== "Delete") {
    throw new RefusedError(`unknown RequestType "${requestType}"`);
  }
  const owner = ownerSidPrefix(event.StackId, event.LogicalResourceId);
  const props = event.ResourceProperties || {};
  const repo = parseRepositoryArn(props.RepositoryArn);
  if (requestType === "Delete") {
    const removePrefixes2 = [owner];
    const legacy2 = legacyPrefixOfPhysicalId(event.PhysicalResourceId);
    if (legacy2) {
      removePrefixes2.push(legacy2);
    }
    return { requestType, repo, owner, removePrefixes: removePrefixes2, statements: [], physicalId: event.PhysicalResourceId };
  }
  const legacy = legacyPrefixOfProperties(props);
  const statements = renderStatements(props.Statements, legacy || owner, legacy !== void 0);
  const removePrefixes = [owner];
  if (legacy) {
    removePrefixes.push(legacy);
  }
  let physicalId = physicalIdOf(repo, owner);
  if (requestType === "Update") {
    const old = event.OldResourceProperties || {};
    let oldRepo;
    try {
      oldRepo = parseRepositoryArn(old.RepositoryArn);
    } catch {
      oldRepo = void 0;
    }
    if (oldRepo && oldRepo.arn === repo.arn) {
      let oldLegacy;
      try {
        oldLegacy = legacyPrefixOfProperties(old);
      } catch {
        oldLegacy = void 0;
      }
      if (oldLegacy && !removePrefixes.includes(oldLegacy)) {
        removePrefixes.push(oldLegacy);
      }
      if (event.PhysicalResourceId) {
        physicalId = event.PhysicalResourceId;
      }
    }
  }
  return { requestType, repo, owner, removePrefixes, statements, physicalId };
}
function renderStatements(value, prefix, legacy) {
  if (value !== void 0 && !Array.isArray(value)) {
    throw new RefusedError("Statements must be a list of statements");
  }
  const seen = /* @__PURE__ */ new Set();
  return (value || []).map((statement, index) => {
    const where = `statement ${index + 1}`;
    if (typeof statement !== "object" || statement === null || Array.isArray(statement)) {
      throw new RefusedError(`${where} is not an object`);
    }
    const sid = statement.Sid;
    const kind = legacy && typeof sid === "string" && sid.startsWith(prefix) ? sid.slice(prefix.length) : sid;
    if (!KINDS.includes(kind) || legacy && sid !== prefix + kind) {
      throw new RefusedError(
        `${where} has Sid ${JSON.stringify(sid)}: expected ${legacy ? `${prefix} followed by ` : ""}one of ${KINDS.join(", ")}`
      );
    }
    if (seen.has(kind)) {
      throw new RefusedError(`${where}: two statements of kind ${kind}`);
    }
    seen.add(kind);
    checkShape(statement, kind, `${where} (${kind})`);
    return { ...statement, Sid: prefix + kind };
  });
}
function stringList(value, what) {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || v.length === 0)) {
    throw new RefusedError(`${what} must be a string or a non-empty list of strings, not ${JSON.stringify(value)}`);
  }
  return list;
}
function checkShape(statement, kind, where) {
  const refuse = (why) => {
    throw new RefusedError(
      `${where} is refused: ${why}; this function only writes statements of the shapes CrossAccountPullPolicy renders`
    );
  };
  const allowedKeys = ["Sid", "Effect", "Principal", "Action", "Condition"];
  const extra = Object.keys(statement).filter((k) => !allowedKeys.includes(k));
  if (extra.length > 0) {
    refuse(`it has ${extra.join(", ")}`);
  }
  if (statement.Effect !== "Allow") {
    refuse(`Effect is ${JSON.stringify(statement.Effect)}, not "Allow"`);
  }
  let actions = [];
  try {
    actions = stringList(statement.Action, "Action");
  } catch (e) {
    refuse(e.message);
  }
  const principal = statement.Principal;
  if (typeof principal !== "object" || principal === null || Array.isArray(principal)) {
    refuse(`Principal ${JSON.stringify(principal)} is not {"AWS": "*"} or a service principal`);
  }
  const principalKeys = Object.keys(principal);
  const condition = statement.Condition;
  if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
    refuse("it has no Condition");
  }
  const only = (expected) => {
    const operators = Object.keys(condition);
    const expectedOperators = Object.keys(expected);
    if (operators.length !== expectedOperators.length || operators.some((op) => !expectedOperators.includes(op))) {
      refuse(`Condition operators are ${operators.join(", ") || "none"}, expected ${expectedOperators.join(", ")}`);
    }
    const result = {};
    for (const op of expectedOperators) {
      const block = condition[op];
      const keys = typeof block === "object" && block !== null && !Array.isArray(block) ? Object.keys(block) : [];
      const [key, pattern] = expected[op];
      const matching = keys.filter((k) => k.toLowerCase() === key.toLowerCase());
      if (keys.length !== 1 || matching.length !== 1) {
        refuse(`Condition ${op} must hold exactly the key ${key}, not ${JSON.stringify(block)}`);
      }
      let values = [];
      try {
        values = stringList(block[matching[0]], `Condition ${op} ${key}`);
      } catch (e) {
        refuse(e.message);
      }
      const bad = values.filter((v) => !pattern.test(v));
      if (bad.length > 0) {
        refuse(`Condition ${op} ${key} has ${bad.map((v) => JSON.stringify(v)).join(", ")}`);
      }
      result[op] = values;
    }
    return result;
  };
  const actionsWithin = (allowed, what) => {
    const bad = actions.filter((a) => !allowed.includes(a));
    if (bad.length > 0) {
      refuse(`Action ${bad.map((a) => JSON.stringify(a)).join(", ")} is not one of the ${what}`);
    }
  };
  const isAnyAws = principalKeys.length === 1 && principalKeys[0] === "AWS" && isStar(principal.AWS);
  const service = principalKeys.length === 1 && principalKeys[0] === "Service" ? principal.Service : void 0;
  switch (kind) {
    case "Accounts":
    case "Organization":
    case "OrgPaths": {
      if (!isAnyAws) {
        refuse(`Principal ${JSON.stringify(principal)} is not {"AWS": "*"}`);
      }
      actionsWithin([...PULL_ACTIONS, ...PUSH_ACTIONS], "ECR pull and push actions");
      if (kind === "Accounts") {
        only({ StringEquals: ["aws:PrincipalAccount", ACCOUNT_ID] });
      } else if (kind === "Organization") {
        only({ StringEquals: ["aws:PrincipalOrgID", ORGANIZATION_ID] });
      } else {
        only({ "ForAnyValue:StringLike": ["aws:PrincipalOrgPaths", ORGANIZATIONAL_UNIT_PATH] });
      }
      break;
    }
    case "CodeBuild":
      if (service !== "codebuild.amazonaws.com") {
        refuse(`Principal ${JSON.stringify(principal)} is not {"Service": "codebuild.amazonaws.com"}`);
      }
      actionsWithin(PULL_ACTIONS, "ECR pull actions");
      only({ StringEquals: ["aws:SourceAccount", ACCOUNT_ID], ArnLike: ["aws:SourceArn", CODEBUILD_PROJECT_ARN] });
      break;
    case "Lambda":
      if (service !== "lambda.amazonaws.com") {
        refuse(`Principal ${JSON.stringify(principal)} is not {"Service": "lambda.amazonaws.com"}`);
      }
      actionsWithin(LAMBDA_PULL_ACTIONS, "actions Lambda needs to fetch an image");
      only({ StringLike: ["aws:SourceArn", LAMBDA_FUNCTIONS_ARN] });
      break;
    default:
      refuse(`unknown kind ${kind}`);
  }
}
function isStar(value) {
  return value === "*" || Array.isArray(value) && value.length === 1 && value[0] === "*";
}
function isOwned(statement, prefixes) {
  const sid = statement && typeof statement === "object" ? statement.Sid : void 0;
  return typeof sid === "string" && prefixes.some((p) => sid.startsWith(p));
}
function parsePolicy(policyText) {
  if (!policyText) {
    return void 0;
  }
  const policy = JSON.parse(policyText);
  const statements = policy.Statement === void 0 ? [] : [].concat(policy.Statement);
  return { ...policy, Statement: statements };
}
function mergePolicy(current, prefixes, statements) {
  const foreign = (current ? current.Statement : []).filter((s) => !isOwned(s, prefixes));
  return {
    ...current || {},
    Version: current && current.Version || POLICY_VERSION,
    Statement: [...foreign, ...statements]
  };
}
function policyTextOf(policy, repo) {
  const text = JSON.stringify(policy);
  if (text.length > MAX_POLICY_CHARS) {
    throw new RefusedError(
      `the policy of repository ${repo.repositoryName} would be ${text.length} characters long with the statements of this stack, more than ECR's limit of ${MAX_POLICY_CHARS}: grant an organization (organizationId) or organizational units (organizationalUnitPaths) instead of listing accounts, or remove other statements from the repository policy`
    );
  }
  return text;
}
function canonical(value) {
  if (Array.isArray(value)) {
    const items = value.map(canonical).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    return items.length === 1 ? items[0] : items;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((k) => [k, canonical(value[k])])
    );
  }
  return value;
}
function verifyPolicy(policy, plan) {
  const present = policy ? policy.Statement : [];
  const problems = [];
  for (const expected of plan.statements) {
    const found = present.filter((s) => s && s.Sid === expected.Sid);
    if (found.length !== 1 || JSON.stringify(canonical(found[0])) !== JSON.stringify(canonical(expected))) {
      problems.push(`statement ${expected.Sid} is ${found.length === 0 ? "missing" : "not as written"}`);
    }
  }
  const wanted = new Set(plan.statements.map((s) => s.Sid));
  for (const s of present) {
    if (isOwned(s, plan.removePrefixes) && !wanted.has(s.Sid)) {
      problems.push(`removed statement ${s.Sid} is still there`);
    }
  }
  return problems;
}
function policyDigest(policy) {
  if (!policy || policy.Statement.length === 0) {
    return "none";
  }
  return crypto.createHash("sha256").update(JSON.stringify(canonical(policy))).digest("hex");
}
function backoffDelay(attempt, baseMs, capMs, random = Math.random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

// handlers/repository-policy/lease.ts
var crypto2 = __toESM(require("crypto"));
var import_client_dynamodb = require("@aws-sdk/client-dynamodb");
var DEFAULTS = {
  leaseMs: 3e4,
  marginMs: 1e4,
  skewMs: 2e3,
  backoffBaseMs: 100,
  backoffCapMs: 3e3,
  tableWaitMs: 6e4
};
var LeaseLostError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "LeaseLostError";
  }
};
var LeaseTimeoutError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "LeaseTimeoutError";
  }
};
function errorName(error) {
  if (typeof error !== "object" || error === null) {
    return void 0;
  }
  const e = error;
  return e.name || e.Code || e.Error && e.Error.Code;
}
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
var Lease = class {
  client;
  table;
  key;
  holder;
  leaseMs;
  marginMs;
  skewMs;
  backoffBaseMs;
  backoffCapMs;
  tableWaitMs;
  now;
  log;
  owner;
  /** The digest of the policy the previous holder left, if it recorded one. */
  previousPolicy;
  /** Local time until which a write may start and must be over. */
  writeDeadline;
  /** Figures for the log and the benchmark. */
  stats;
  constructor(options) {
    this.client = options.client;
    this.table = options.table;
    this.key = options.key;
    this.holder = options.holder;
    this.leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.marginMs = options.marginMs ?? DEFAULTS.marginMs;
    this.skewMs = options.skewMs ?? DEFAULTS.skewMs;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULTS.backoffBaseMs;
    this.backoffCapMs = options.backoffCapMs ?? DEFAULTS.backoffCapMs;
    this.tableWaitMs = options.tableWaitMs ?? DEFAULTS.tableWaitMs;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => void 0);
    if (!(this.marginMs > 0 && this.marginMs < this.leaseMs)) {
      throw new Error(`lease margin ${this.marginMs} ms must be between 0 and the lease duration ${this.leaseMs} ms`);
    }
    this.owner = void 0;
    this.previousPolicy = void 0;
    this.writeDeadline = 0;
    this.stats = { attempts: 0, waitedMs: 0, tookOver: false, createdTable: false };
  }
  /**
   * Waits for the lease until `deadline` (local ms), with full-jitter exponential backoff.
   */
  async acquire(deadline) {
    const started = this.now();
    let lastHolder;
    for (let attempt = 0; ; attempt++) {
      this.stats.attempts++;
      const owner = crypto2.randomBytes(16).toString("hex");
      const now = this.now();
      try {
        const response = await this.client.send(
          new import_client_dynamodb.PutItemCommand({
            TableName: this.table,
            Item: {
              pk: { S: this.key },
              owner: { S: owner },
              holder: { S: this.holder },
              acquiredAt: { N: String(now) },
              expiresAt: { N: String(now + this.leaseMs) }
            },
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :stale",
            ExpressionAttributeValues: { ":stale": { N: String(now - this.skewMs) } },
            ReturnValues: "ALL_OLD",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD"
          })
        );
        this.owner = owner;
        const previous = response && response.Attributes;
        this.previousPolicy = previous && previous.lastPolicy ? previous.lastPolicy.S : void 0;
        this.writeDeadline = writeDeadlineOf(now, this.leaseMs, this.marginMs);
        this.stats.waitedMs = this.now() - started;
        if (lastHolder && tookOverExpired(lastHolder, now, this.skewMs)) {
          this.stats.tookOver = true;
          this.log(`took over the lease of ${lastHolder.holder}, expired ${now - lastHolder.expiresAt} ms ago`);
        }
        return;
      } catch (error) {
        const name = errorName(error);
        if (name === "ResourceNotFoundException") {
          await this.createTable(deadline);
          continue;
        }
        if (name !== "ConditionalCheckFailedException") {
          throw error;
        }
        lastHolder = leaseItemOf(error.Item) || await this.read() || lastHolder;
      }
      const delay = backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs);
      if (this.now() + delay >= deadline) {
        throw new LeaseTimeoutError(
          busyMessage({
            key: this.key,
            table: this.table,
            started,
            now: this.now(),
            attempts: this.stats.attempts,
            lastHolder
          })
        );
      }
      await sleep(delay);
    }
  }
  /** The current lease item, if any (for the message when waiting). */
  async read() {
    try {
      const response = await this.client.send(
        new import_client_dynamodb.GetItemCommand({ TableName: this.table, Key: { pk: { S: this.key } }, ConsistentRead: true })
      );
      return leaseItemOf(response.Item);
    } catch {
      return void 0;
    }
  }
  /**
   * Proves the lease is still ours and extends it; returns an AbortSignal that fires when the write
   * must be over. Throws LeaseLostError when someone else took it over.
   */
  async renew() {
    if (!this.owner) {
      throw new LeaseLostError(`no lease held on ${this.key}`);
    }
    const now = this.now();
    try {
      await this.client.send(
        new import_client_dynamodb.UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: this.key } },
          UpdateExpression: "SET expiresAt = :expires",
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":me": { S: this.owner }, ":expires": { N: String(now + this.leaseMs) } }
        })
      );
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") {
        this.owner = void 0;
        throw new LeaseLostError(`the lease on ${this.key} was taken over by another writer`);
      }
      throw error;
    }
    this.writeDeadline = writeDeadlineOf(now, this.leaseMs, this.marginMs);
    const left = this.writeDeadline - this.now();
    if (left <= 0) {
      throw new LeaseLostError(`the lease on ${this.key} was renewed too late to write safely`);
    }
    return AbortSignal.timeout(left);
  }
  /**
   * Releases the lease if it is still ours (never someone else's): expires it now and records the
   * digest of the policy this writer left (or removes the digest when it does not know it).
   */
  async release(policyDigest2) {
    if (!this.owner) {
      return;
    }
    const owner = this.owner;
    this.owner = void 0;
    try {
      await this.client.send(
        new import_client_dynamodb.UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: this.key } },
          UpdateExpression: policyDigest2 ? "SET expiresAt = :released, lastPolicy = :digest" : "SET expiresAt = :released REMOVE lastPolicy",
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: {
            ":me": { S: owner },
            ":released": { N: "0" },
            ...policyDigest2 ? { ":digest": { S: policyDigest2 } } : {}
          }
        })
      );
    } catch (error) {
      this.log(`could not release the lease on ${this.key}: ${errorName(error) || error}`);
    }
  }
  /** Creates the lock table (on-demand) unless it exists, and waits until it is ACTIVE. */
  async createTable(deadline) {
    try {
      await this.client.send(
        new import_client_dynamodb.CreateTableCommand({
          TableName: this.table,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST"
        })
      );
      this.stats.createdTable = true;
      this.log(`created the lock table ${this.table}`);
    } catch (error) {
      if (errorName(error) !== "ResourceInUseException") {
        throw error;
      }
    }
    const until = Math.min(deadline, this.now() + this.tableWaitMs);
    for (; ; ) {
      try {
        const response = await this.client.send(new import_client_dynamodb.DescribeTableCommand({ TableName: this.table }));
        if (response.Table && response.Table.TableStatus === "ACTIVE") {
          return;
        }
      } catch (error) {
        if (errorName(error) !== "ResourceNotFoundException") {
          throw error;
        }
      }
      if (this.now() >= until) {
        throw new LeaseTimeoutError(`the lock table ${this.table} did not become ACTIVE in time`);
      }
      await sleep(500);
    }
  }
};
function leaseItemOf(item) {
  if (!item || !item.expiresAt || item.expiresAt.N === "0") {
    return void 0;
  }
  return {
    holder: item.holder && item.holder.S || "an unknown writer",
    acquiredAt: Number(item.acquiredAt && item.acquiredAt.N || 0),
    expiresAt: Number(item.expiresAt.N)
  };
}
function tookOverExpired(lastHolder, now, skewMs) {
  return lastHolder !== void 0 && lastHolder.expiresAt < now - skewMs;
}
function writeDeadlineOf(now, leaseMs, marginMs) {
  return now + leaseMs - marginMs;
}
function busyMessage(wait) {
  const { key, table, started, now, attempts, lastHolder } = wait;
  const waited = ((now - started) / 1e3).toFixed(1);
  const who = lastHolder ? `held by ${lastHolder.holder} since ${new Date(lastHolder.acquiredAt).toISOString()} (${((now - lastHolder.acquiredAt) / 1e3).toFixed(1)} s), lease expiring ${new Date(lastHolder.expiresAt).toISOString()}` : "held by another writer";
  return `repository ${key} stayed busy for ${waited} s (${attempts} attempts): its lock in DynamoDB table ${table} is ${who}; nothing was written. Retry the deployment once the other deployment is done`;
}

// handlers/shared/cfn-response.ts
var http = __toESM(require("http"));
var https = __toESM(require("https"));
var MAX_REASON_CHARS = 3e3;
async function sendResponse(request, result) {
  const body = JSON.stringify({
    Status: result.Status,
    Reason: result.Reason ? String(result.Reason).slice(0, MAX_REASON_CHARS) : void 0,
    PhysicalResourceId: result.PhysicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    NoEcho: false,
    Data: result.Data || {}
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

// handlers/shared/errors.ts
function errorName2(error) {
  if (typeof error !== "object" || error === null) {
    return void 0;
  }
  const e = error;
  return e.name || e.Error && e.Error.Code || e.Code;
}

// handlers/repository-policy/index.ts
var RESPONSE_RESERVE_MS = 15e3;
var CYCLE_BUDGET_MS = 2e4;
var MAX_CYCLES = 4;
function endpointFor(serviceSuffix) {
  if (/^true$/i.test(process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS || "")) {
    return void 0;
  }
  return process.env[`AWS_ENDPOINT_URL_${serviceSuffix}`] || process.env.AWS_ENDPOINT_URL || void 0;
}
function createClients(region) {
  const ecrEndpoint = endpointFor("ECR");
  const dynamoEndpoint = endpointFor("DYNAMODB");
  return {
    ecr: new import_client_ecr.ECRClient({ region, ...ecrEndpoint ? { endpoint: ecrEndpoint } : {} }),
    dynamodb: new import_client_dynamodb2.DynamoDBClient({ region, ...dynamoEndpoint ? { endpoint: dynamoEndpoint } : {} })
  };
}
function numberFromEnv(env, name) {
  const value = env[name];
  return value === void 0 || value === "" ? void 0 : Number(value);
}
function leaseTimings(options, env = process.env) {
  const leaseMs = options.leaseMs ?? numberFromEnv(env, "CDK_ECR_CODEBUILD_LEASE_MS") ?? DEFAULTS.leaseMs;
  const marginMs = options.marginMs ?? numberFromEnv(env, "CDK_ECR_CODEBUILD_LEASE_MARGIN_MS") ?? Math.min(DEFAULTS.marginMs, Math.floor(leaseMs / 3));
  return {
    leaseMs,
    marginMs,
    skewMs: options.skewMs ?? numberFromEnv(env, "CDK_ECR_CODEBUILD_LEASE_SKEW_MS"),
    backoffBaseMs: options.backoffBaseMs ?? numberFromEnv(env, "CDK_ECR_CODEBUILD_BACKOFF_BASE_MS"),
    backoffCapMs: options.backoffCapMs ?? numberFromEnv(env, "CDK_ECR_CODEBUILD_BACKOFF_CAP_MS")
  };
}
async function readPolicy(ecr, repo) {
  try {
    const response = await ecr.send(
      new import_client_ecr.GetRepositoryPolicyCommand({ registryId: repo.registryId, repositoryName: repo.repositoryName })
    );
    return parsePolicy(response && response.policyText);
  } catch (error) {
    if (errorName2(error) === "RepositoryPolicyNotFoundException") {
      return void 0;
    }
    throw error;
  }
}
async function writePolicy(ecr, repo, policy, hadPolicy, abortSignal) {
  const target = { registryId: repo.registryId, repositoryName: repo.repositoryName };
  if (policy.Statement.length === 0) {
    if (!hadPolicy) {
      return;
    }
    try {
      await ecr.send(new import_client_ecr.DeleteRepositoryPolicyCommand(target), { abortSignal });
    } catch (error) {
      if (errorName2(error) !== "RepositoryPolicyNotFoundException") {
        throw error;
      }
    }
    return;
  }
  const policyText = policyTextOf(policy, repo);
  await ecr.send(new import_client_ecr.SetRepositoryPolicyCommand({ ...target, policyText }), { abortSignal });
}
async function onEvent(event, options = {}) {
  let plan;
  try {
    plan = planEvent(event);
  } catch (error) {
    if (event.RequestType === "Delete" && error instanceof RefusedError && !hasValidArn(event)) {
      return { PhysicalResourceId: event.PhysicalResourceId, stats: { skipped: error.message } };
    }
    throw error;
  }
  const { repo } = plan;
  const log = options.log || ((message) => console.log(message));
  const clients = options.ecr && options.dynamodb ? { ecr: options.ecr, dynamodb: options.dynamodb } : { ...createClients(repo.region), ...definedClients(options) };
  const deadline = options.deadline ?? Date.now() + 9e4;
  const timings = leaseTimings(options);
  const started = Date.now();
  const stats = { waitedMs: 0, attempts: 0, cycles: 0, tookOver: false, wrote: false };
  for (let cycle = 1; ; cycle++) {
    stats.cycles = cycle;
    const lease = new Lease({
      client: clients.dynamodb,
      table: LOCK_TABLE_NAME,
      key: repo.arn,
      holder: `${event.StackId} ${event.LogicalResourceId} (${event.RequestType}, request ${event.RequestId})`,
      ...timings,
      log
    });
    await lease.acquire(deadline - CYCLE_BUDGET_MS);
    stats.attempts += lease.stats.attempts;
    stats.tookOver = stats.tookOver || lease.stats.tookOver;
    stats.waitedMs = Date.now() - started;
    let retry;
    let leftBehind;
    try {
      let current;
      try {
        current = await readUpToDate(clients.ecr, repo, lease.previousPolicy, stats, log);
      } catch (error) {
        if (plan.requestType === "Delete" && errorName2(error) === "RepositoryNotFoundException") {
          log(`repository ${repo.arn} is gone, and its statements with it`);
          return { PhysicalResourceId: plan.physicalId, stats };
        }
        throw error;
      }
      if (options.hooks && options.hooks.afterRead) {
        await options.hooks.afterRead();
      }
      const merged = mergePolicy(current, plan.removePrefixes, plan.statements);
      if (current && JSON.stringify(merged) === JSON.stringify(current)) {
        leftBehind = policyDigest(current);
        return { PhysicalResourceId: plan.physicalId, stats };
      }
      const abortSignal = await lease.renew();
      await writePolicy(clients.ecr, repo, merged, current !== void 0, abortSignal);
      stats.wrote = true;
      const written = await readPolicy(clients.ecr, repo);
      const problems = verifyPolicy(written, plan);
      if (problems.length === 0) {
        leftBehind = policyDigest(written);
        return { PhysicalResourceId: plan.physicalId, stats };
      }
      retry = `the policy read back after the write was not as written (${problems.join("; ")})`;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        retry = error.message;
      } else if (errorName2(error) === "AbortError") {
        retry = `the write did not finish while at least ${timings.marginMs} ms of the lease were left`;
      } else {
        throw error;
      }
    } finally {
      await lease.release(leftBehind);
    }
    log(`cycle ${cycle} of ${repo.arn} did not complete: ${retry}`);
    if (cycle >= MAX_CYCLES || Date.now() >= deadline - CYCLE_BUDGET_MS) {
      throw new Error(`repository ${repo.arn}: ${retry}, ${cycle} times; the policy may need a look`);
    }
  }
}
var STALE_READ_WAIT_MS = 3e3;
async function readUpToDate(ecr, repo, expectedDigest, stats, log) {
  const until = Date.now() + STALE_READ_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const current = await readPolicy(ecr, repo);
    if (!expectedDigest || policyDigest(current) === expectedDigest) {
      return current;
    }
    stats.staleReads = (stats.staleReads || 0) + 1;
    if (Date.now() >= until) {
      log(`the policy of ${repo.arn} is not the one the previous writer left: it was changed outside this handler`);
      return current;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1e3, 100 * 2 ** attempt)));
  }
}
function hasValidArn(event) {
  try {
    parseRepositoryArn((event.ResourceProperties || {}).RepositoryArn);
    return true;
  } catch {
    return false;
  }
}
function createHandler(apply = onEvent, respond = sendResponse) {
  return async (event, context) => {
    const redacted = { ...event, ResponseURL: "(redacted)" };
    console.log(JSON.stringify(redacted));
    const remaining = context && context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 12e4;
    let result;
    try {
      const { PhysicalResourceId, stats } = await apply(event, {
        deadline: Date.now() + remaining - RESPONSE_RESERVE_MS
      });
      console.log(JSON.stringify({ result: "SUCCESS", PhysicalResourceId, stats }));
      result = { Status: "SUCCESS", PhysicalResourceId };
    } catch (error) {
      console.error(error);
      const message = error instanceof Error ? error.message : String(error);
      const logs = context && context.logStreamName ? ` (log stream ${context.logStreamName})` : "";
      result = {
        Status: "FAILED",
        Reason: `${message}${logs}`,
        // A failed Create must not leave a resource id that points at someone else's statements.
        PhysicalResourceId: event.PhysicalResourceId || `failed-${event.RequestId}`
      };
    }
    await respond(event, result);
  };
}
var handler = createHandler();
function definedClients(options) {
  return {
    ...options.ecr ? { ecr: options.ecr } : {},
    ...options.dynamodb ? { dynamodb: options.dynamodb } : {}
  };
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  core,
  createClients,
  createHandler,
  endpointFor,
  handler,
  leaseTimings,
  onEvent,
  readPolicy,
  sendResponse
});
