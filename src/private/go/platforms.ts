/**
 * GOOS/GOARCH pairs the Go toolchain can build for: the union of `go tool dist list` of the Go
 * releases the CodeBuild curated images carry (1.20 to 1.26) and Debian 12's Go 1.19.
 * Pairs added along the way: freebsd/riscv64 (1.20), wasip1/wasm (1.21), openbsd/ppc64 (1.22),
 * openbsd/riscv64 (1.23). A pair listed here may still be missing from an older toolchain; `go build`
 * then reports it, at build time.
 */
export const GO_PLATFORMS: readonly string[] = [
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
  'freebsd/riscv64',
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
  'openbsd/mips64',
  'openbsd/ppc64',
  'openbsd/riscv64',
  'plan9/386',
  'plan9/amd64',
  'plan9/arm',
  'solaris/amd64',
  'wasip1/wasm',
  'windows/386',
  'windows/amd64',
  'windows/arm',
  'windows/arm64',
];

/** Every GOOS of {@link GO_PLATFORMS}. */
export const GO_OSES: readonly string[] = [...new Set(GO_PLATFORMS.map((p) => p.split('/')[0]))];

/** Every GOARCH of {@link GO_PLATFORMS}. */
export const GO_ARCHES: readonly string[] = [...new Set(GO_PLATFORMS.map((p) => p.split('/')[1]))];

/** True when Go can build for `goos`/`goarch`. */
export function isGoPlatform(goos: string, goarch: string): boolean {
  return GO_PLATFORMS.includes(`${goos}/${goarch}`);
}

/** The GOARCH values Go supports for `goos` (empty for an unknown GOOS). */
export function goArchesFor(goos: string): string[] {
  return GO_PLATFORMS.filter((p) => p.startsWith(`${goos}/`)).map((p) => p.split('/')[1]);
}
