import { IConstruct } from 'constructs';
import { factoryError, propError } from '../shared/errors';

/**
 * Where an input error of the registry's types is reported: the construct whose prop is wrong
 * (`[Stack/Registry] RegistrySettings: …`), or, for a value type that has no scope yet, the class
 * and method that received the value (`RegistryScanning.basic`, `Upstream.dockerHub`), or the class
 * for its constructor (`PullThroughCacheRule`).
 */
export type ErrorSite = IConstruct | string;

/**
 * {@link propError} for a construct (`[path] Class: prop value problem: fix`), {@link factoryError}
 * for a value type's factory or constructor (`Class.method: prop value problem: fix`), and the bare
 * `prop value problem: fix` when the caller gives no site (a caller that wraps it in `inFactory`).
 */
export function siteError(
  site: ErrorSite | undefined,
  prop: string,
  value: unknown,
  problem: string,
  fix: string,
): Error {
  if (typeof site === 'string') {
    return factoryError(site, prop, value, problem, fix);
  }
  return propError(site, prop, value, problem, fix);
}

/** `1 character`, `2 characters`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
