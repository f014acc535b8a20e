import { Annotations, Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Prefix of every warning id this library emits. */
export const WARNING_PREFIX = 'cdk-ecr-codebuild';

/**
 * An input error that names the construct, the prop, the value received and the fix, e.g.
 * `[Stack/Image] DockerBuildToEcr: imageTag "latest!" is not a valid tag: use 1-128 of [A-Za-z0-9_.-], not starting with . or -`.
 *
 * `scope` is the construct whose prop is wrong (its path and class lead the message, as in
 * aws-cdk-lib's own errors); undefined for a static factory that has no construct yet.
 */
export function propError(
  scope: IConstruct | undefined,
  prop: string,
  value: unknown,
  problem: string,
  fix: string,
): Error {
  return new Error(`${constructPrefix(scope)}${prop} ${describeValue(value)} ${problem}: ${fix}`);
}

/** A warning that a resolve step found, for the construct to emit with {@link warn}. */
export interface Warning {
  /** The id after the library's prefix (`cdk-ecr-codebuild:<id>`). */
  readonly id: string;
  readonly message: string;
}

/** A non-fatal problem, shown by `cdk synth` and testable with `Annotations.fromStack`. */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:${id}`, message);
}

/** `[Stack/Image] DockerBuildToEcr: `, or nothing without a scope. */
export function constructPrefix(scope: IConstruct | undefined): string {
  if (scope === undefined) {
    return '';
  }
  return `[${scope.node.path}] ${scope.constructor.name}: `;
}

/** The value as the user gave it: strings quoted, durations as `<amount> <unit>`, NaN as NaN. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(describeValue).join(', ')}]`;
  }
  if (value === undefined) {
    return '(undefined)';
  }
  if (value instanceof Duration) {
    return describeDuration(value);
  }
  return String(value);
}

/** "a" or "an" before a word spelled as letters or read as a word (an S3 source, a GitHub source). */
export function article(word: string): string {
  const upper = word.toUpperCase();
  // Acronyms read letter by letter whose first letter sounds like a vowel (S3 -> "es"), and vowels.
  return /^(?:[AEIO]|[FHLMNRSX](?=[^AEIOU]|$)|U(?=[^AEIOU]))/.test(upper) && !/^(?:UNI|EU|ONE)/.test(upper)
    ? 'an'
    : 'a';
}

/**
 * A Duration the way it was written: `Duration.minutes(2161)` is "2161 minutes" (not its rounded
 * `toHumanString()` "1 day 12 hours"), `Duration.minutes(NaN)` is "NaN minutes".
 */
export function describeDuration(value: Duration): string {
  if (value.isUnresolved()) {
    return '(a token)';
  }
  // Duration keeps the amount and unit it was made with; they are not part of its typed API.
  const raw = value as unknown as { amount?: unknown; unit?: { label?: unknown } };
  if (typeof raw.amount === 'number' && typeof raw.unit?.label === 'string' && !Token.isUnresolved(raw.amount)) {
    // "1 minute", not "1 minutes"
    const label = raw.amount === 1 ? raw.unit.label.replace(/s$/, '') : raw.unit.label;
    return `${raw.amount} ${label}`;
  }
  return value.toHumanString();
}

/**
 * The message of an error that a late check (`node.addValidation`) returns. CDK reports it as
 * `[path] <message>` under "Validation failed with the following errors", so the message starts
 * with the class: `CrossAccountPullPolicy: accountIds [] are all empty: give …`, and the report reads
 * like a {@link propError}.
 */
export function validationMessage(
  scope: IConstruct,
  prop: string,
  value: unknown,
  problem: string,
  fix: string,
): string {
  return `${scope.constructor.name}: ${prop} ${describeValue(value)} ${problem}: ${fix}`;
}

/**
 * An input error of a static factory, which has no construct yet: the factory leads the message,
 * e.g. `BuilderImage.curated: goVersion "1.2" is not available on any CodeBuild curated image: use …`.
 */
export function factoryError(factory: string, prop: string, value: unknown, problem: string, fix: string): Error {
  return new Error(`${factory}: ${prop} ${describeValue(value)} ${problem}: ${fix}`);
}

/** `BuilderImage.curated: ` at the start of a message. */
const FACTORY_PREFIX = /^[A-Z][A-Za-z0-9]*\.[A-Za-z0-9]+: /;

/**
 * Runs the body of a static factory: an error of a scope-less check in it (a {@link propError}
 * without scope, or a factory error of a factory it calls) is thrown again with `factory` leading
 * the message, the factory the user called. Errors that name a construct (`[path] Class: `) pass unchanged.
 */
export function inFactory<T>(factory: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof Error) || error.message.startsWith('[')) {
      throw error;
    }
    throw new Error(`${factory}: ${error.message.replace(FACTORY_PREFIX, '')}`);
  }
}
