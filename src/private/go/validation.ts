import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { GO_ARCHES, GO_OSES, goArchesFor, isGoPlatform } from './platforms';
import { propError } from '../shared/errors';
import { validateNotBlank, validateRelativePath } from '../shared/validation';

/**
 * Input checks of GoSampleBuild, called in order by its resolve step (`resolve.ts`). Each error
 * names the construct, the prop, the value and the fix.
 */

/**
 * A plain file name: no directory, no glob character (buildspec `artifacts.files` are globs), no
 * leading "-" (it would read as an option) or "." (hidden, and "." / "..").
 */
const PLAIN_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$/;

export function validateMainPackage(scope: IConstruct, mainPackage: string): void {
  validateNotBlank(scope, 'mainPackage', mainPackage, 'give the main package directory, e.g. "." or "cmd/hello"');
  validateRelativePath(scope, 'mainPackage', mainPackage, 'the source root');
  if (!Token.isUnresolved(mainPackage) && mainPackage.includes('...')) {
    throw propError(
      scope,
      'mainPackage',
      mainPackage,
      'is a package pattern',
      'name one main package directory relative to the source root (e.g. "cmd/hello")',
    );
  }
}

export function validateFileName(scope: IConstruct, prop: string, value: string, what: string, example: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length === 0) {
    throw propError(scope, prop, value, 'is empty', `give a file name for ${what} (${example})`);
  }
  if (/[\\/]/.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'contains a path separator',
      `give a plain file name for ${what}, without directories (${example})`,
    );
  }
  if (!PLAIN_FILE_NAME.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'is not a plain file name',
      `use 1-255 of [A-Za-z0-9._+-], starting with a letter, digit or "_" (${example})`,
    );
  }
}

export function validateTarget(
  scope: IConstruct,
  goos: string | undefined,
  goarch: string | undefined,
  hostArch: string,
): void {
  const os = goos !== undefined && !Token.isUnresolved(goos) ? goos : undefined;
  const arch = goarch !== undefined && !Token.isUnresolved(goarch) ? goarch : undefined;
  if (os !== undefined && !GO_OSES.includes(os)) {
    throw propError(scope, 'goos', os, 'is not a GOOS that Go supports', `use one of ${GO_OSES.join(', ')}`);
  }
  if (arch !== undefined && !GO_ARCHES.includes(arch)) {
    throw propError(scope, 'goarch', arch, 'is not a GOARCH that Go supports', `use one of ${GO_ARCHES.join(', ')}`);
  }
  if (os === undefined && (goos !== undefined || arch === undefined)) {
    return; // a token, or nothing to check
  }
  const effectiveOs = os ?? 'linux';
  const effectiveArch = arch ?? (goarch !== undefined ? undefined : hostArch);
  if (effectiveArch === undefined) {
    return;
  }
  if (!isGoPlatform(effectiveOs, effectiveArch)) {
    const prop = arch !== undefined ? 'goarch' : 'goos';
    const value = arch !== undefined ? arch : effectiveOs;
    throw propError(
      scope,
      prop,
      value,
      `makes ${effectiveOs}/${effectiveArch}, which Go cannot build for` +
        (arch === undefined ? ` (goarch defaults to the builder's ${hostArch})` : ''),
      `for GOOS ${effectiveOs} set goarch to one of ${goArchesFor(effectiveOs).join(', ')}`,
    );
  }
}
