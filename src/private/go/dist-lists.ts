/**
 * The GOOS/GOARCH pairs each Go release supports: what `go tool dist list` prints for that release.
 * It leaves out the ports marked broken: some of them still compile (windows/arm with go1.24.13),
 * others do not (openbsd/mips64 with go1.26.8: "undefined: keventt"), and the Go project supports
 * none. The GoSampleBuild product's Go version is fixed at synth, so its TargetPlatform parameter
 * offers exactly the pairs of that version.
 *
 * Source: `go tool dist list` of go1.26.8, and of go1.20.14, 1.21.13, 1.22.12, 1.23.12, 1.24.13
 * and 1.25.14 (`GOTOOLCHAIN=go1.X.Y go tool dist list`). From one release to the next:
 * - 1.21: wasip1/wasm added; openbsd/mips64 marked broken (left out from then on)
 * - 1.22: openbsd/ppc64 listed (broken in 1.21)
 * - 1.23: openbsd/riscv64 listed (broken in 1.22)
 * - 1.24: windows/arm marked broken
 * - 1.26: windows/arm removed ("unsupported GOOS/GOARCH pair"); freebsd/riscv64 marked broken
 */

/** `go tool dist list` of Go 1.26 (go1.26.8). */
const GO_1_26: readonly string[] = [
  'aix/ppc64',
  'android/386',
  'android/amd64',
  'android/arm',
  'android/arm64',
  'darwin/amd64',
  'darwin/arm64',
  'dragonfly/amd64',
  'freebsd/386',
  'freebsd/amd64',
  'freebsd/arm',
  'freebsd/arm64',
  'illumos/amd64',
  'ios/amd64',
  'ios/arm64',
  'js/wasm',
  'linux/386',
  'linux/amd64',
  'linux/arm',
  'linux/arm64',
  'linux/loong64',
  'linux/mips',
  'linux/mips64',
  'linux/mips64le',
  'linux/mipsle',
  'linux/ppc64',
  'linux/ppc64le',
  'linux/riscv64',
  'linux/s390x',
  'netbsd/386',
  'netbsd/amd64',
  'netbsd/arm',
  'netbsd/arm64',
  'openbsd/386',
  'openbsd/amd64',
  'openbsd/arm',
  'openbsd/arm64',
  'openbsd/ppc64',
  'openbsd/riscv64',
  'plan9/386',
  'plan9/amd64',
  'plan9/arm',
  'solaris/amd64',
  'wasip1/wasm',
  'windows/386',
  'windows/amd64',
  'windows/arm64',
];

function changed(from: readonly string[], add: string[], remove: string[]): readonly string[] {
  return [...from.filter((p) => !remove.includes(p)), ...add].sort();
}

const GO_1_25 = changed(GO_1_26, ['freebsd/riscv64'], []);
const GO_1_24 = GO_1_25;
const GO_1_23 = changed(GO_1_24, ['windows/arm'], []);
const GO_1_22 = changed(GO_1_23, [], ['openbsd/riscv64']);
const GO_1_21 = changed(GO_1_22, [], ['openbsd/ppc64']);
const GO_1_20 = changed(GO_1_21, ['openbsd/mips64'], ['wasip1/wasm']);

/** The pairs of `go tool dist list`, by Go version (major.minor): every version a curated image carries. */
export const GO_DIST_LISTS: Readonly<Record<string, readonly string[]>> = {
  '1.20': GO_1_20,
  '1.21': GO_1_21,
  '1.22': GO_1_22,
  '1.23': GO_1_23,
  '1.24': GO_1_24,
  '1.25': GO_1_25,
  '1.26': GO_1_26,
};

/** The GOOS/GOARCH pairs Go `goVersion` builds for; undefined for a version this table does not know. */
export function goPlatformsOf(goVersion: string): readonly string[] | undefined {
  return GO_DIST_LISTS[goVersion];
}
