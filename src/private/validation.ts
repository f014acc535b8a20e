import { Duration, Token } from 'aws-cdk-lib';
import { propError } from './errors';
import { ENV_VAR_NAME } from './shell';

/** ECR's repository name pattern (CreateRepository API). */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** An image tag as Docker and ECR accept it. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function validateRepositoryName(prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (name.length < 2 || name.length > 256) {
    throw propError(prop, name, `has ${name.length} characters`, 'use 2-256 characters');
  }
  if (!REPOSITORY_NAME.test(name)) {
    throw propError(
      prop,
      name,
      'is not a valid ECR repository name',
      'use lowercase letters and digits, separated by single ".", "_", "-" or "/" (e.g. "team/app-image")',
    );
  }
}

export function validateImageTag(prop: string, tag: string): void {
  if (Token.isUnresolved(tag)) {
    return;
  }
  if (!IMAGE_TAG.test(tag)) {
    throw propError(prop, tag, 'is not a valid tag', 'use 1-128 of [A-Za-z0-9_.-], not starting with . or -');
  }
}

export function validateEnvVarName(prop: string, name: string, what: string): void {
  if (!ENV_VAR_NAME.test(name)) {
    throw propError(
      prop,
      name,
      `is not a valid ${what} name`,
      'use letters, digits and underscores, not starting with a digit (e.g. "APP_VERSION")',
    );
  }
}

/** A duration in whole minutes within [min, max]. */
export function validateMinutes(prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    throw propError(
      prop,
      value.toHumanString(),
      `is outside CodeBuild's limits`,
      `use a whole number of minutes from ${min} to ${max} (e.g. Duration.minutes(60))`,
    );
  }
}

/** A path that stays inside its base: relative, and no `..` that leaves it. */
export function validateRelativePath(prop: string, value: string, base: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length === 0) {
    throw propError(prop, value, 'is empty', `give a path relative to ${base}`);
  }
  if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value)) {
    throw propError(prop, value, 'is absolute', `give a path relative to ${base}`);
  }
  let depth = 0;
  for (const part of value.split(/[\\/]/)) {
    if (part === '..') {
      depth -= 1;
    } else if (part !== '' && part !== '.') {
      depth += 1;
    }
    if (depth < 0) {
      throw propError(prop, value, `leaves ${base} with ".."`, `give a path inside ${base}`);
    }
  }
}

/** A positive whole number. */
export function validatePositiveInteger(prop: string, value: number | undefined, fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < 1) {
    throw propError(prop, value, 'is not a positive whole number', fix);
  }
}
