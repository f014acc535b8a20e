import { IConstruct } from 'constructs';
import { propError } from '../shared/errors';

/**
 * Where an input error of the registry's types is reported: the construct whose prop is wrong
 * (`[Stack/Registry] RegistrySettings: …`), or, for a value type that has no scope yet, the class
 * and method that received the value (`RegistryScanning.basic`, `PullThroughCacheRule`).
 */
export type ErrorSite = IConstruct | string;

/**
 * {@link propError} at a site: `[path] Class: prop value problem: fix` for a construct,
 * `Class.method: prop value problem: fix` for a static factory (or `Class: …` for a constructor),
 * `prop value problem: fix` when the caller gives no site (callers outside the registry's types).
 */
export function siteError(
  site: ErrorSite | undefined,
  prop: string,
  value: unknown,
  problem: string,
  fix: string,
): Error {
  if (typeof site === 'string') {
    return propError(undefined, `${site}: ${prop}`, value, problem, fix);
  }
  return propError(site, prop, value, problem, fix);
}

/** `1 character`, `2 characters`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
