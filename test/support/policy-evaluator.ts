/**
 * A tiny evaluator of resource-policy statements, enough to tell who may do what with the
 * policies this library writes. Only `Allow` statements count (no explicit deny, no identity
 * policies). Supported: `Principal` `"*"`, `{AWS: "*" | account | arn:…:root | role ARN}`,
 * `{Service: …}`; `Action` with `*` wildcards; condition operators StringEquals, StringLike,
 * ArnEquals, ArnLike (and their `ForAnyValue:` forms for multivalued keys). Anything else throws,
 * so that a test cannot pass by accident on a policy the evaluator does not understand.
 */

/** Who makes the request and which context keys it carries. */
export interface Caller {
  /** An IAM principal of an account… */
  readonly account?: string;
  /** …with this ARN (default: the account root). */
  readonly arn?: string;
  readonly organizationId?: string;
  /** `aws:PrincipalOrgPaths` of the caller's account, e.g. `o-x/r-y/ou-z/`. */
  readonly organizationPaths?: string[];
  /** A service principal, e.g. `codebuild.amazonaws.com`, acting for `sourceArn` in `sourceAccount`. */
  readonly service?: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
}

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyJson {
  readonly Statement: PolicyStatementJson[];
}

/** True when some Allow statement of the policy lets `caller` perform `action`. */
export function isAllowed(policy: PolicyJson, caller: Caller, action: string): boolean {
  return policy.Statement.some((s) => statementAllows(s, caller, action));
}

/** The actions among `actions` that the policy allows to `caller`. */
export function allowedActions(policy: PolicyJson, caller: Caller, actions: string[]): string[] {
  return actions.filter((a) => isAllowed(policy, caller, a));
}

export function statementAllows(statement: PolicyStatementJson, caller: Caller, action: string): boolean {
  if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined) {
    throw new Error(`evaluator does not support NotPrincipal/NotAction: ${JSON.stringify(statement)}`);
  }
  if (statement.Effect !== 'Allow') {
    return false;
  }
  return (
    principalMatches(statement.Principal, caller) &&
    actionMatches(statement.Action, action) &&
    conditionsHold(statement.Condition, caller)
  );
}

function principalMatches(principal: unknown, caller: Caller): boolean {
  if (principal === '*') {
    return true;
  }
  if (typeof principal !== 'object' || principal === null) {
    throw new Error(`unsupported Principal ${JSON.stringify(principal)}`);
  }
  for (const [type, value] of Object.entries(principal as Record<string, unknown>)) {
    const values = ([] as unknown[]).concat(value).map(String);
    if (type === 'AWS') {
      if (caller.service !== undefined) {
        continue;
      }
      const callerArn = caller.arn ?? `arn:aws:iam::${caller.account}:root`;
      for (const v of values) {
        if (v === '*') {
          return true;
        }
        if (/^\d{12}$/.test(v) || /^arn:[^:]+:iam::\d{12}:root$/.test(v)) {
          if (caller.account === v.replace(/^arn:[^:]+:iam::(\d{12}):root$/, '$1')) {
            return true;
          }
        } else if (v === callerArn) {
          return true;
        }
      }
    } else if (type === 'Service') {
      if (caller.service !== undefined && values.includes(caller.service)) {
        return true;
      }
    } else {
      throw new Error(`unsupported principal type ${type}`);
    }
  }
  return false;
}

function actionMatches(actions: string | string[] | undefined, action: string): boolean {
  if (actions === undefined) {
    throw new Error('statement without Action');
  }
  return ([] as string[]).concat(actions).some((pattern) => wildcard(pattern.toLowerCase(), action.toLowerCase()));
}

function contextValues(caller: Caller, key: string): string[] | undefined {
  switch (key.toLowerCase()) {
    case 'aws:principalaccount':
      return caller.service === undefined && caller.account ? [caller.account] : undefined;
    case 'aws:principalarn':
      return caller.service === undefined && caller.account
        ? [caller.arn ?? `arn:aws:iam::${caller.account}:root`]
        : undefined;
    case 'aws:principalorgid':
      return caller.service === undefined && caller.organizationId ? [caller.organizationId] : undefined;
    case 'aws:principalorgpaths':
      return caller.service === undefined && caller.organizationPaths ? caller.organizationPaths : undefined;
    case 'aws:sourcearn':
      return caller.sourceArn ? [caller.sourceArn] : undefined;
    case 'aws:sourceaccount':
      return caller.sourceAccount ? [caller.sourceAccount] : undefined;
    default:
      throw new Error(`unsupported condition key ${key}`);
  }
}

function conditionsHold(conditions: PolicyStatementJson['Condition'], caller: Caller): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    const [set, op] = operator.includes(':') ? operator.split(':') : [undefined, operator];
    if (set !== undefined && set !== 'ForAnyValue') {
      throw new Error(`unsupported set operator ${set}`);
    }
    const match = comparator(op);
    for (const [key, expected] of Object.entries(keys)) {
      const actual = contextValues(caller, key);
      if (actual === undefined || actual.length === 0) {
        return false; // a missing key never matches a positive operator
      }
      const patterns = ([] as string[]).concat(expected);
      if (set === undefined && actual.length > 1) {
        throw new Error(`multivalued key ${key} needs a set operator`);
      }
      if (!actual.some((a) => patterns.some((p) => match(p, a)))) {
        return false;
      }
    }
  }
  return true;
}

function comparator(operator: string): (pattern: string, value: string) => boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return (p, v) => p === v;
    case 'StringLike':
    case 'ArnLike':
      return wildcard;
    default:
      throw new Error(`unsupported condition operator ${operator}`);
  }
}

/** `*` matches any run of characters, `?` one character. */
function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(value);
}

/**
 * Replaces the intrinsics of a synthesized template value: `Ref` and `Fn::GetAtt` from `values`
 * (keys `Ref` name or `Logical.Attribute`), `Fn::Join` by joining. Unknown references throw.
 */
export function resolveIntrinsics(value: unknown, values: Record<string, string>): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveIntrinsics(v, values));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    const lookup = (name: string): string => {
      if (!(name in values)) {
        throw new Error(`no value given for ${name}`);
      }
      return values[name];
    };
    if (key === 'Ref') {
      return lookup(String(arg));
    }
    if (key === 'Fn::GetAtt') {
      return lookup((arg as string[]).join('.'));
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, values)).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, values)]));
}
