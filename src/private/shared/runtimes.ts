import * as lambda from 'aws-cdk-lib/aws-lambda';

/** A runtime name split the way cdk-nag's AwsSolutions-L1 splits it: family letters, then version. */
function parse(name: string): { family: string; version: string } | undefined {
  const m = name.match(/^([a-z]+)(\d+(?:\.?\d+|\.x)?)/);
  return m === null ? undefined : { family: m[1], version: m[2] };
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * The newest runtime of `name`'s family (nodejs, python...) that the aws-cdk-lib in use knows
 * (`lambda.Runtime.ALL`), compared as cdk-nag's AwsSolutions-L1 compares them; undefined for a name
 * it cannot parse or a family it does not know.
 */
export function newestKnownRuntime(name: string): string | undefined {
  const wanted = parse(name);
  if (wanted === undefined) {
    return undefined;
  }
  const sameFamily = lambda.Runtime.ALL.map((r) => r.name)
    .filter((n) => parse(n)?.family === wanted.family)
    .sort((a, b) => compareVersions(parse(a)!.version, parse(b)!.version));
  return sameFamily.pop();
}

/**
 * The runtime of the library's own handler functions: the newest Node.js the user's aws-cdk-lib
 * offers (so that AwsSolutions-L1 holds on any aws-cdk-lib), and never older than Node.js 22, the
 * oldest Node.js runtime Lambda still creates functions on.
 */
export function handlerNodeRuntime(): lambda.Runtime {
  const newest = newestKnownRuntime(lambda.Runtime.NODEJS_22_X.name);
  if (
    newest === undefined ||
    compareVersions(parse(newest)!.version, parse(lambda.Runtime.NODEJS_22_X.name)!.version) <= 0
  ) {
    return lambda.Runtime.NODEJS_22_X;
  }
  return (
    lambda.Runtime.ALL.find((r) => r.name === newest && !r.isVariable) ??
    new lambda.Runtime(newest, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true })
  );
}

/**
 * Runtimes Lambda no longer creates functions on (Lambda's runtime deprecation table, "Block function
 * create": nodejs20.x on 2026-06-01, python3.11 on 2026-07-31, and every older one of each family),
 * as the oldest runtime of each family that Lambda still creates functions on.
 */
const OLDEST_CREATABLE: Record<string, string> = { nodejs: 'nodejs22.x', python: 'python3.12' };

/**
 * For a function of aws-cdk-lib's that the library causes to exist (a stack singleton it does not
 * own), the runtime to raise it to, or undefined to leave it alone. Only a runtime Lambda refuses to
 * create a function on is raised (the stack could not be deployed otherwise), to the newest one of
 * its family the user's aws-cdk-lib knows; a runtime Lambda still accepts is never changed, and a
 * runtime is never lowered.
 */
export function raisedRuntimeFor(current: string): string | undefined {
  const parsed = parse(current);
  const oldest = parsed === undefined ? undefined : OLDEST_CREATABLE[parsed.family];
  if (parsed === undefined || oldest === undefined) {
    return undefined;
  }
  if (compareVersions(parsed.version, parse(oldest)!.version) >= 0) {
    return undefined;
  }
  const newest = newestKnownRuntime(current);
  return newest !== undefined && compareVersions(parse(newest)!.version, parse(oldest)!.version) >= 0 ? newest : oldest;
}

/** Whether AwsSolutions-L1 holds for `name`: it is the newest of its family the aws-cdk-lib in use knows. */
export function isNewestKnownRuntime(name: string): boolean {
  return newestKnownRuntime(name) === name;
}
