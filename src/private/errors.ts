import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Prefix of every warning id this library emits. */
export const WARNING_PREFIX = 'cdk-ecr-codebuild';

/**
 * An input error that names the prop, the value received and the fix, e.g.
 * `imageTag "latest!" is not a valid tag: use 1-128 of [A-Za-z0-9_.-], not starting with . or -`.
 */
export function propError(prop: string, value: unknown, problem: string, fix: string): Error {
  return new Error(`${prop} ${describeValue(value)} ${problem}: ${fix}`);
}

/** A non-fatal problem, shown by `cdk synth` and testable with `Annotations.fromStack`. */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:${id}`, message);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(describeValue).join(', ')}]`;
  }
  if (value === undefined) {
    return '(undefined)';
  }
  return String(value);
}
