import { Token } from 'aws-cdk-lib';
import { Warning } from '../shared/errors';

/**
 * Targets Go only builds with cgo (the go tool refuses them with CGO_ENABLED=0, or links a binary
 * that does not start): every ios target, and android/arm and android/386.
 */
export function needsCgo(goos: string, goarch: string): boolean {
  return goos === 'ios' || (goos === 'android' && (goarch === 'arm' || goarch === '386'));
}

/**
 * The warnings about cgo settings that fail the build: cgo for a target other than the builder's own
 * linux/<arch> (the builder image's C compiler only compiles for itself; cross-compiling with cgo
 * needs a C cross-compiler for the target), and cgo off for a target that needs it. Tokens are
 * skipped: the target is only known at deploy time.
 */
export function cgoWarnings(
  cgoEnabled: boolean,
  goos: string | undefined,
  goarch: string | undefined,
  hostArch: string,
): Warning[] {
  if ((goos !== undefined && Token.isUnresolved(goos)) || (goarch !== undefined && Token.isUnresolved(goarch))) {
    return [];
  }
  const warnings: Warning[] = [];
  const os = goos ?? 'linux';
  const arch = goarch ?? hostArch;
  if (cgoEnabled && (os !== 'linux' || arch !== hostArch)) {
    warnings.push({
      id: 'cgoCrossCompile',
      message:
        `cgoEnabled is true for ${os}/${arch}, but the builder image compiles C only for linux/${hostArch}: the build ` +
        `fails unless the image has a C cross-compiler for ${os}/${arch} (set CC in the image); build on a linux/${arch} ` +
        'image, or leave cgoEnabled off',
    });
  }
  if (!cgoEnabled && needsCgo(os, arch)) {
    warnings.push({
      id: 'cgoRequired',
      message:
        `goos/goarch ${os}/${arch} needs cgo, and cgoEnabled is false: go build refuses or produces a binary that does ` +
        'not start; set cgoEnabled with a builder image that has a C cross-compiler for the target',
    });
  }
  return warnings;
}
