import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { ENV_VAR_NAME } from './shell';

/**
 * ECR's repository name pattern (CreateRepository API, `repositoryName`, 2-256 characters): components
 * of lowercase letters and digits joined by "/", each component's words separated by ".", "_", "__"
 * or a run of "-" (`[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`).
 */
const REPOSITORY_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${REPOSITORY_COMPONENT}(?:\\/${REPOSITORY_COMPONENT})*$`);
/**
 * The source of the pattern {@link validateRepositoryName} checks names with (anchored), for a
 * CloudFormation AllowedPattern that accepts exactly the same names.
 */
export const REPOSITORY_NAME_PATTERN: string = REPOSITORY_NAME.source;
/** An AWS account id. */
const ACCOUNT_ID = /^\d{12}$/;
/** An image tag as Docker and ECR accept it. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function validateRepositoryName(scope: IConstruct | undefined, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (name.length < 2 || name.length > 256) {
    throw propError(scope, prop, name, `has ${name.length} characters`, 'use 2-256 characters');
  }
  if (!REPOSITORY_NAME.test(name)) {
    throw propError(
      scope,
      prop,
      name,
      'is not a valid ECR repository name',
      'use lowercase letters and digits, separated by ".", "_", "__", one or more "-", or "/" (e.g. "team/app-image")',
    );
  }
}

export function validateImageTag(scope: IConstruct | undefined, prop: string, tag: string): void {
  if (Token.isUnresolved(tag)) {
    return;
  }
  if (!IMAGE_TAG.test(tag)) {
    throw propError(scope, prop, tag, 'is not a valid tag', 'use 1-128 of [A-Za-z0-9_.-], not starting with . or -');
  }
}

export function validateEnvVarName(scope: IConstruct | undefined, prop: string, name: string, what: string): void {
  if (!ENV_VAR_NAME.test(name)) {
    throw propError(
      scope,
      prop,
      name,
      `is not a valid ${what} name`,
      'use letters, digits and underscores, not starting with a digit (e.g. "APP_VERSION")',
    );
  }
}

/** A duration in whole minutes within [min, max]. */
export function validateMinutes(
  scope: IConstruct | undefined,
  prop: string,
  value: Duration | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    throw propError(
      scope,
      prop,
      value,
      `is outside CodeBuild's limits`,
      `use a whole number of minutes from ${min} to ${max} (e.g. Duration.minutes(60))`,
    );
  }
}

/** A path that stays inside its base: relative, and no `..` that leaves it. */
export function validateRelativePath(scope: IConstruct | undefined, prop: string, value: string, base: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length === 0) {
    throw propError(scope, prop, value, 'is empty', `give a path relative to ${base}`);
  }
  if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value)) {
    throw propError(scope, prop, value, 'is absolute', `give a path relative to ${base}`);
  }
  let depth = 0;
  for (const part of value.split(/[\\/]/)) {
    if (part === '..') {
      depth -= 1;
    } else if (part !== '' && part !== '.') {
      depth += 1;
    }
    if (depth < 0) {
      throw propError(scope, prop, value, `leaves ${base} with ".."`, `give a path inside ${base}`);
    }
  }
}

/** A positive whole number. */
export function validatePositiveInteger(
  scope: IConstruct | undefined,
  prop: string,
  value: number | undefined,
  fix: string,
): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < 1) {
    throw propError(scope, prop, value, 'is not a positive whole number', fix);
  }
}

/** A value that must hold more than blanks (e.g. a Dockerfile path or a Go package). */
export function validateNotBlank(scope: IConstruct | undefined, prop: string, value: string, fix: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length > 0 && value.trim().length === 0) {
    throw propError(scope, prop, value, 'holds only whitespace', fix);
  }
}

/** A name of 1-`max` characters (e.g. a portfolio's display name). */
export function validateLength(scope: IConstruct | undefined, prop: string, value: string, max: number): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length < 1 || value.length > max) {
    throw propError(scope, prop, value, `has ${value.length} characters`, `use 1-${max} characters`);
  }
}

/**
 * A project environment variable name as CodeBuild takes it: not empty, not in CodeBuild's own
 * `CODEBUILD_` namespace, no whitespace and no "=" (the shell could not export it).
 */
export function validateProjectEnvName(scope: IConstruct | undefined, prop: string, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.length === 0) {
    throw propError(scope, prop, name, 'is an empty variable name', 'give every variable a name (e.g. "APP_VERSION")');
  }
  if (name.toUpperCase().startsWith('CODEBUILD_')) {
    throw propError(
      scope,
      prop,
      name,
      'starts with CODEBUILD_, which CodeBuild reserves for its own variables',
      'choose a name without the CODEBUILD_ prefix',
    );
  }
  if (/[\s=]/.test(name)) {
    throw propError(
      scope,
      prop,
      name,
      'holds whitespace or "="',
      'use letters, digits and underscores, not starting with a digit (e.g. "APP_VERSION")',
    );
  }
}

export function validateAccountId(scope: IConstruct | undefined, prop: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!ACCOUNT_ID.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'is not an AWS account id',
      'use the 12 digits of the account, e.g. "123456789012"',
    );
  }
}

/**
 * Prefixes and suffixes that S3 reserves in general purpose bucket names ("General purpose bucket
 * naming rules", Amazon S3 User Guide; `sthree-configurator` is covered by `sthree-`).
 */
export const RESERVED_BUCKET_PREFIXES: readonly string[] = ['xn--', 'sthree-', 'amzn-s3-demo-'];
export const RESERVED_BUCKET_SUFFIXES: readonly string[] = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * A general purpose S3 bucket name, by the rules of the S3 User Guide's "General purpose bucket
 * naming rules": 3-63 characters of a-z, 0-9, "." and "-", beginning and ending with a letter or
 * digit, no two adjacent periods, not formatted as an IP address, none of the reserved prefixes and
 * suffixes. Tokens are skipped.
 */
export function validateBucketName(scope: IConstruct | undefined, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  const fix =
    'use 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit (e.g. "team-sources")';
  if (name.length < 3 || name.length > 63) {
    throw propError(scope, prop, name, `has ${name.length} characters`, fix);
  }
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    throw propError(scope, prop, name, 'is not a valid S3 bucket name', fix);
  }
  if (name.includes('..')) {
    throw propError(scope, prop, name, 'has two adjacent periods, which S3 refuses in bucket names', fix);
  }
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name)) {
    throw propError(scope, prop, name, 'is formatted as an IP address, which S3 refuses as a bucket name', fix);
  }
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) {
    throw propError(scope, prop, name, `starts with "${prefix}", a prefix S3 reserves`, 'choose a name without it');
  }
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) {
    throw propError(scope, prop, name, `ends with "${suffix}", a suffix S3 reserves`, 'choose a name without it');
  }
}

/** The most bytes an S3 object key may take in UTF-8 ("Naming Amazon S3 objects", Amazon S3 User Guide). */
export const OBJECT_KEY_MAX_BYTES = 1024;

/** An S3 object key: 1 to 1,024 bytes of UTF-8 (not characters). Tokens are skipped. */
export function validateObjectKey(scope: IConstruct | undefined, prop: string, key: string): void {
  if (Token.isUnresolved(key)) {
    return;
  }
  if (key.length === 0) {
    throw propError(scope, prop, key, 'is empty', 'give the key of the object, e.g. "sources/app.zip"');
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > OBJECT_KEY_MAX_BYTES) {
    throw propError(
      scope,
      prop,
      key,
      `takes ${bytes.toLocaleString('en-US')} bytes in UTF-8 (${key.length.toLocaleString('en-US')} characters), more than S3's limit of 1,024 bytes`,
      'use a shorter key: characters outside ASCII take 2 to 4 bytes each',
    );
  }
}
