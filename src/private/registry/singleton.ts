import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Key of constructs in environment-agnostic stacks (account or region unknown at synth). */
export const UNKNOWN_ENVIRONMENT = 'unknown';

/** The registry-wide constructs of each app (by app root), by environment key. */
const registered = new WeakMap<IConstruct, Map<string, string[]>>();

/** `<account>/<region>` of the stack of `scope`, or UNKNOWN_ENVIRONMENT when either is a token. */
export function environmentKey(scope: IConstruct): string {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return UNKNOWN_ENVIRONMENT;
  }
  return `${stack.account}/${stack.region}`;
}

/**
 * Records `scope` as the registry-wide construct of its environment in its app, and returns the
 * paths of the others it may collide with: those of the same environment, and, when either is in an
 * environment-agnostic stack, all others (an agnostic stack can be deployed to any environment).
 */
export function registerRegistryWide(scope: IConstruct): string[] {
  const root = scope.node.root;
  const byEnvironment = registered.get(root) ?? new Map<string, string[]>();
  registered.set(root, byEnvironment);
  const key = environmentKey(scope);
  const clashes =
    key === UNKNOWN_ENVIRONMENT
      ? [...byEnvironment.values()].flat()
      : [...(byEnvironment.get(key) ?? []), ...(byEnvironment.get(UNKNOWN_ENVIRONMENT) ?? [])];
  byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), scope.node.path]);
  return clashes;
}
