/**
 * The pure part of the repository-policy custom resource: what one CloudFormation event means for a
 * repository policy (which statements to write, which to remove, which physical id to answer), the
 * shapes of statement the handler accepts, the merge, the read-back check and the backoff. No I/O
 * here; `index.ts` does the AWS calls and `lease.ts` the mutual exclusion.
 */
import * as crypto from 'crypto';

/** The start of the Sid of every statement any CrossAccountPullPolicy writes. */
export const SID_PREFIX = 'CdkEcrCodebuild';
/**
 * Sids of this scheme are `CdkEcrCodebuildS` + 16 hex digits (SHA-256 of the stack id and the
 * logical id of the custom resource) + the kind. `S` is not a hex digit, so they never start with
 * a prefix of the first scheme (`CdkEcrCodebuild` + 8 hex digits of the construct path), and all
 * owner prefixes have the same length, so none is the start of another.
 */
const OWNER_MARK = 'S';
const OWNER_HASH_CHARS = 16;
/** The Sid prefixes of the first scheme (construct path hash), removed when a resource is updated. */
const LEGACY_PREFIX = /^CdkEcrCodebuild[0-9A-F]{8}$/;
/** The kinds of statement CrossAccountPullPolicy renders; the end of their Sid. */
export const KINDS = ['Accounts', 'Organization', 'OrgPaths', 'CodeBuild', 'Lambda'];

/** The largest repository policy ECR accepts, in characters. */
export const MAX_POLICY_CHARS = 10240;
/** The policy language version used when the repository has no policy yet. */
const POLICY_VERSION = '2012-10-17';
/** The name of the lock table: one per account and region, shared by every stack and app. */
export const LOCK_TABLE_NAME = 'cdk-ecr-codebuild-locks';

export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
export const PUSH_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
];
const LAMBDA_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ORGANIZATIONAL_UNIT_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}\/)+\*?$/;
const CODEBUILD_PROJECT_ARN = /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:project\/[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
const LAMBDA_FUNCTIONS_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:\*$/;

/** A statement of a repository policy (JSON). */
export type Statement = Record<string, any>;

/** An ECR repository, from its ARN. */
export interface RepositoryRef {
  readonly partition: string;
  readonly region: string;
  readonly registryId: string;
  readonly repositoryName: string;
  /** The normalized ARN (the key of the repository's lock). */
  readonly arn: string;
}

/** A repository policy as read from ECR, with `Statement` always a list. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Statement[];
  readonly [key: string]: unknown;
}

/** What one event asks for. */
export interface Plan {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly repo: RepositoryRef;
  readonly owner: string;
  readonly removePrefixes: string[];
  readonly statements: Statement[];
  readonly physicalId: string;
}

/** The part of a CloudFormation event the plan reads. */
export interface PolicyEvent {
  readonly RequestType?: string;
  readonly StackId?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

/** An error whose message is the reason CloudFormation shows. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

/**
 * Parses a repository ARN. `arn` is the normalized ARN, the key of the repository's lock: a
 * repository imported by name (`Stack.formatArn`) and by ARN resolve to the same string, and ECR
 * repository names are lowercase.
 */
export function parseRepositoryArn(value: unknown): RepositoryRef {
  const match = /^arn:(aws[a-z-]*):ecr:([a-z0-9-]+):(\d{12}):repository\/([a-z0-9][a-z0-9._\-/]*)$/.exec(
    String(value).trim(),
  );
  if (!match) {
    throw new RefusedError(
      `RepositoryArn "${value}" is not an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)`,
    );
  }
  const [, partition, region, registryId, repositoryName] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    partition,
    region,
    registryId,
    repositoryName,
    arn: `arn:${partition}:ecr:${region}:${registryId}:repository/${repositoryName}`,
  };
}

/**
 * The Sid prefix owned by one custom resource: derived from the stack id (an ARN with the stack's
 * account, region and a UUID, so unique across apps, accounts and regions) and the logical id.
 */
export function ownerSidPrefix(stackId: string | undefined, logicalResourceId: string | undefined): string {
  if (!stackId || !logicalResourceId) {
    throw new RefusedError('the event has no StackId or LogicalResourceId: it does not come from CloudFormation');
  }
  const hash = crypto.createHash('sha256').update(`${stackId}\n${logicalResourceId}`).digest('hex');
  return SID_PREFIX + OWNER_MARK + hash.slice(0, OWNER_HASH_CHARS).toUpperCase();
}

/** The length of every owner prefix (what the construct reserves for it when it measures the policy). */
export const OWNER_PREFIX_CHARS = SID_PREFIX.length + OWNER_MARK.length + OWNER_HASH_CHARS;

/**
 * The physical id: one per repository and owner, so that moving the grant to another repository
 * makes CloudFormation send a Delete for the old one.
 */
export function physicalIdOf(repo: RepositoryRef, owner: string): string {
  return `${repo.registryId}/${repo.region}/${repo.repositoryName}/${owner}`;
}

/** The first-scheme prefix at the end of a physical id written by the first version, if any. */
export function legacyPrefixOfPhysicalId(physicalId: string | undefined): string | undefined {
  const last = String(physicalId || '')
    .split('/')
    .pop() as string;
  return LEGACY_PREFIX.test(last) ? last : undefined;
}

/** The first-scheme prefix in resource properties (`SidPrefix`), if any. */
function legacyPrefixOfProperties(props: Record<string, any> | undefined): string | undefined {
  if (!props || props.SidPrefix === undefined) {
    return undefined;
  }
  if (typeof props.SidPrefix !== 'string' || !LEGACY_PREFIX.test(props.SidPrefix)) {
    throw new RefusedError(
      `SidPrefix "${props.SidPrefix}" is not a Sid prefix of cdk-ecr-codebuild (CdkEcrCodebuild + 8 hex digits)`,
    );
  }
  return props.SidPrefix;
}

/**
 * What an event asks for. Throws `RefusedError` for anything but the shapes CrossAccountPullPolicy
 * renders.
 * - Create: write the statements (Sid = owner prefix + kind).
 * - Update, same repository: replace the owner's statements and those of the first Sid scheme
 *   (the old `SidPrefix`), keep the physical id. Properties still in the first scheme (an update
 *   rolled back to the previous version of the library) are written as they are.
 * - Update, other repository: write into the new one under a new physical id; CloudFormation then
 *   sends a Delete with the old properties, which removes the statements from the old repository.
 * - Delete: remove the owner's statements (and the first scheme's, for a resource created by it).
 */
export function planEvent(event: PolicyEvent): Plan {
  const requestType = event.RequestType;
  if (requestType !== 'Create' && requestType !== 'Update' && requestType !== 'Delete') {
    throw new RefusedError(`unknown RequestType "${requestType}"`);
  }
  const owner = ownerSidPrefix(event.StackId, event.LogicalResourceId);
  const props = event.ResourceProperties || {};
  const repo = parseRepositoryArn(props.RepositoryArn);

  if (requestType === 'Delete') {
    const removePrefixes = [owner];
    const legacy = legacyPrefixOfPhysicalId(event.PhysicalResourceId);
    if (legacy) {
      removePrefixes.push(legacy);
    }
    return { requestType, repo, owner, removePrefixes, statements: [], physicalId: event.PhysicalResourceId as string };
  }

  const legacy = legacyPrefixOfProperties(props);
  const statements = renderStatements(props.Statements, legacy || owner, legacy !== undefined);
  const removePrefixes = [owner];
  if (legacy) {
    removePrefixes.push(legacy);
  }
  let physicalId = physicalIdOf(repo, owner);
  if (requestType === 'Update') {
    const old = event.OldResourceProperties || {};
    let oldRepo: RepositoryRef | undefined;
    try {
      oldRepo = parseRepositoryArn(old.RepositoryArn);
    } catch {
      oldRepo = undefined;
    }
    if (oldRepo && oldRepo.arn === repo.arn) {
      // Same repository: replace in place, keep the physical id (a new one would make
      // CloudFormation delete the statements just written).
      let oldLegacy: string | undefined;
      try {
        oldLegacy = legacyPrefixOfProperties(old);
      } catch {
        oldLegacy = undefined;
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

/**
 * The statements to write, checked against the shapes CrossAccountPullPolicy renders.
 * @param value the `Statements` property
 * @param prefix the owner prefix (or the first-scheme prefix in `legacy` mode)
 * @param legacy whether the Sids already carry the prefix (first scheme)
 */
function renderStatements(value: unknown, prefix: string, legacy: boolean): Statement[] {
  if (value !== undefined && !Array.isArray(value)) {
    throw new RefusedError('Statements must be a list of statements');
  }
  const seen = new Set<string>();
  return ((value as unknown[] | undefined) || []).map((statement: any, index) => {
    const where = `statement ${index + 1}`;
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
      throw new RefusedError(`${where} is not an object`);
    }
    const sid = statement.Sid;
    const kind = legacy && typeof sid === 'string' && sid.startsWith(prefix) ? sid.slice(prefix.length) : sid;
    if (!KINDS.includes(kind) || (legacy && sid !== prefix + kind)) {
      throw new RefusedError(
        `${where} has Sid ${JSON.stringify(sid)}: expected ${legacy ? `${prefix} followed by ` : ''}one of ${KINDS.join(', ')}`,
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

/** A string or a non-empty list of strings, as a list. */
function stringList(value: unknown, what: string): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new RefusedError(`${what} must be a string or a non-empty list of strings, not ${JSON.stringify(value)}`);
  }
  return list;
}

/**
 * Checks one statement against the shape of its kind: Effect Allow; ECR pull (or pull and push)
 * actions; Principal `{"AWS": "*"}` only with exactly one aws:PrincipalAccount / aws:PrincipalOrgID /
 * aws:PrincipalOrgPaths condition; the CodeBuild and Lambda service principals only with their
 * source conditions; no Resource, NotAction, NotPrincipal or any other element.
 */
function checkShape(statement: Statement, kind: string, where: string): void {
  const refuse = (why: string): never => {
    throw new RefusedError(
      `${where} is refused: ${why}; this function only writes statements of the shapes CrossAccountPullPolicy renders`,
    );
  };
  const allowedKeys = ['Sid', 'Effect', 'Principal', 'Action', 'Condition'];
  const extra = Object.keys(statement).filter((k) => !allowedKeys.includes(k));
  if (extra.length > 0) {
    refuse(`it has ${extra.join(', ')}`);
  }
  if (statement.Effect !== 'Allow') {
    refuse(`Effect is ${JSON.stringify(statement.Effect)}, not "Allow"`);
  }
  let actions: unknown[] = [];
  try {
    actions = stringList(statement.Action, 'Action');
  } catch (e) {
    refuse((e as Error).message);
  }
  const principal = statement.Principal;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) {
    refuse(`Principal ${JSON.stringify(principal)} is not {"AWS": "*"} or a service principal`);
  }
  const principalKeys = Object.keys(principal);
  const condition = statement.Condition;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    refuse('it has no Condition');
  }
  /** The values of the one condition key under the one operator allowed, or a refusal. */
  const only = (expected: Record<string, [string, RegExp]>): Record<string, unknown[]> => {
    const operators = Object.keys(condition);
    const expectedOperators = Object.keys(expected);
    if (operators.length !== expectedOperators.length || operators.some((op) => !expectedOperators.includes(op))) {
      refuse(`Condition operators are ${operators.join(', ') || 'none'}, expected ${expectedOperators.join(', ')}`);
    }
    const result: Record<string, unknown[]> = {};
    for (const op of expectedOperators) {
      const block = condition[op];
      const keys = typeof block === 'object' && block !== null && !Array.isArray(block) ? Object.keys(block) : [];
      const [key, pattern] = expected[op] as [string, RegExp];
      const matching = keys.filter((k) => k.toLowerCase() === key.toLowerCase());
      if (keys.length !== 1 || matching.length !== 1) {
        refuse(`Condition ${op} must hold exactly the key ${key}, not ${JSON.stringify(block)}`);
      }
      let values: unknown[] = [];
      try {
        values = stringList(block[matching[0] as string], `Condition ${op} ${key}`);
      } catch (e) {
        refuse((e as Error).message);
      }
      const bad = values.filter((v) => !pattern.test(v as string));
      if (bad.length > 0) {
        refuse(`Condition ${op} ${key} has ${bad.map((v) => JSON.stringify(v)).join(', ')}`);
      }
      result[op] = values;
    }
    return result;
  };
  const actionsWithin = (allowed: string[], what: string): void => {
    const bad = actions.filter((a) => !allowed.includes(a as string));
    if (bad.length > 0) {
      refuse(`Action ${bad.map((a) => JSON.stringify(a)).join(', ')} is not one of the ${what}`);
    }
  };

  const isAnyAws = principalKeys.length === 1 && principalKeys[0] === 'AWS' && isStar(principal.AWS);
  const service = principalKeys.length === 1 && principalKeys[0] === 'Service' ? principal.Service : undefined;
  switch (kind) {
    case 'Accounts':
    case 'Organization':
    case 'OrgPaths': {
      if (!isAnyAws) {
        refuse(`Principal ${JSON.stringify(principal)} is not {"AWS": "*"}`);
      }
      actionsWithin([...PULL_ACTIONS, ...PUSH_ACTIONS], 'ECR pull and push actions');
      if (kind === 'Accounts') {
        only({ StringEquals: ['aws:PrincipalAccount', ACCOUNT_ID] });
      } else if (kind === 'Organization') {
        only({ StringEquals: ['aws:PrincipalOrgID', ORGANIZATION_ID] });
      } else {
        only({ 'ForAnyValue:StringLike': ['aws:PrincipalOrgPaths', ORGANIZATIONAL_UNIT_PATH] });
      }
      break;
    }
    case 'CodeBuild':
      if (service !== 'codebuild.amazonaws.com') {
        refuse(`Principal ${JSON.stringify(principal)} is not {"Service": "codebuild.amazonaws.com"}`);
      }
      actionsWithin(PULL_ACTIONS, 'ECR pull actions');
      only({ StringEquals: ['aws:SourceAccount', ACCOUNT_ID], ArnLike: ['aws:SourceArn', CODEBUILD_PROJECT_ARN] });
      break;
    case 'Lambda':
      if (service !== 'lambda.amazonaws.com') {
        refuse(`Principal ${JSON.stringify(principal)} is not {"Service": "lambda.amazonaws.com"}`);
      }
      actionsWithin(LAMBDA_PULL_ACTIONS, 'actions Lambda needs to fetch an image');
      only({ StringLike: ['aws:SourceArn', LAMBDA_FUNCTIONS_ARN] });
      break;
    default:
      refuse(`unknown kind ${kind}`);
  }
}

function isStar(value: unknown): boolean {
  return value === '*' || (Array.isArray(value) && value.length === 1 && value[0] === '*');
}

/** True when the statement's Sid starts with one of the prefixes. */
export function isOwned(statement: unknown, prefixes: string[]): boolean {
  const sid = statement && typeof statement === 'object' ? (statement as Statement).Sid : undefined;
  return typeof sid === 'string' && prefixes.some((p) => sid.startsWith(p));
}

/**
 * Normalizes a policy read from ECR: a single Statement object becomes a list.
 */
export function parsePolicy(policyText: string | undefined): PolicyDocument | undefined {
  if (!policyText) {
    return undefined;
  }
  const policy = JSON.parse(policyText);
  const statements = policy.Statement === undefined ? [] : ([] as Statement[]).concat(policy.Statement);
  return { ...policy, Statement: statements };
}

/**
 * The policy with the statements owned by `prefixes` replaced by `statements`. Foreign statements
 * keep their content and order; ours go at the end.
 */
export function mergePolicy(
  current: PolicyDocument | undefined,
  prefixes: string[],
  statements: Statement[],
): PolicyDocument {
  const foreign = (current ? current.Statement : []).filter((s) => !isOwned(s, prefixes));
  return {
    ...(current || {}),
    Version: (current && current.Version) || POLICY_VERSION,
    Statement: [...foreign, ...statements],
  };
}

/** The policy text to write, or a refusal when it passes ECR's limit. */
export function policyTextOf(policy: PolicyDocument, repo: RepositoryRef): string {
  const text = JSON.stringify(policy);
  if (text.length > MAX_POLICY_CHARS) {
    throw new RefusedError(
      `the policy of repository ${repo.repositoryName} would be ${text.length} characters long with the ` +
        `statements of this stack, more than ECR's limit of ${MAX_POLICY_CHARS}: grant an organization ` +
        '(organizationId) or organizational units (organizationalUnitPaths) instead of listing accounts, ' +
        'or remove other statements from the repository policy',
    );
  }
  return text;
}

/** A comparable form of a statement: lists sorted, one-element lists as their element, keys sorted. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return items.length === 1 ? items[0] : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * What is wrong with the policy read back after the write: a statement of ours missing or
 * different, or a statement of a removed Sid still there. Empty when the write took.
 */
export function verifyPolicy(policy: PolicyDocument | undefined, plan: Plan): string[] {
  const present = policy ? policy.Statement : [];
  const problems: string[] = [];
  for (const expected of plan.statements) {
    const found = present.filter((s) => s && s.Sid === expected.Sid);
    if (found.length !== 1 || JSON.stringify(canonical(found[0])) !== JSON.stringify(canonical(expected))) {
      problems.push(`statement ${expected.Sid} is ${found.length === 0 ? 'missing' : 'not as written'}`);
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

/**
 * A digest of a policy as read from ECR (undefined: no policy), insensitive to formatting and to
 * the order of statements and list values, to recognize the policy the previous writer left.
 */
export function policyDigest(policy: PolicyDocument | undefined): string {
  if (!policy || policy.Statement.length === 0) {
    return 'none';
  }
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canonical(policy)))
    .digest('hex');
}

/**
 * Full-jitter exponential backoff: a random delay between 0 and min(cap, base * 2^attempt).
 * @param attempt 0, 1, 2…
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
