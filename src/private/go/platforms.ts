import { GO_DIST_LISTS } from './dist-lists';

/**
 * GOOS/GOARCH pairs the Go toolchain can build for: the union of `go tool dist list` of the Go
 * releases the CodeBuild curated images carry (1.20 to 1.26, `dist-lists.ts`). A pair listed here
 * may still be missing from (or broken in) the toolchain of the image a build runs on; `go build`
 * then reports it, at build time. The PlatformCatalog product, whose Go version is fixed, offers the
 * pairs of that version only.
 */
export const GO_PLATFORMS: readonly string[] = [...new Set(Object.values(GO_DIST_LISTS).flat())].sort();

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
