import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { neededStagesLines } from './stages';
import { ImageCompression } from '../../image-compression';

/** The kinds of `DockerCache`. */
export enum CacheKind {
  NONE = 'none',
  LOCAL = 'local',
  REGISTRY = 'registry',
  /** CodeBuild's Docker server (a managed Docker engine per project that keeps its layers). */
  DOCKER_SERVER = 'docker-server',
}

/**
 * The buildx output that pushes an image with zstd layers (BuildKit's image exporter:
 * `compression=zstd`, `force-compression=true` so that layers of base images are recompressed too,
 * `oci-mediatypes=true` as zstd layers need OCI media types). Source: Docker docs, "Image and
 * registry exporters" (compression, compression-level, force-compression, oci-mediatypes).
 */
export const ZSTD_OUTPUT = 'compression=zstd,force-compression=true,oci-mediatypes=true';

/** Tag of the registry cache images unless `RegistryCacheOptions.tag` says otherwise. */
export const DEFAULT_CACHE_TAG = 'buildcache';

/**
 * Named stages that get a cache image of their own where the build runs without buildx (inline
 * cache): the first ones of the Dockerfile that the target needs, up to this many. With buildx, one
 * cache image holds every stage.
 */
export const MAX_CACHED_STAGES = 9;

/** Longest cache tag: `-<arch>-<stage>` must still fit in ECR's 128 characters. */
export const CACHE_TAG_ROOM = 128 - '-arm64'.length - 1 - MAX_CACHED_STAGES;

/** Name of the buildx builder (docker-container driver) the registry cache is written with. */
export const BUILDX_BUILDER = 'cdk-ecr-codebuild';

/** What the build step needs to know about the cache. */
export interface CacheSettings {
  readonly kind: CacheKind;
  /** Cache tag (a shell word: quoted literal or `"$VAR"`); registry cache only. */
  readonly tagWord?: string;
  /** Shell word of the Dockerfile path (relative to the source root). */
  readonly dockerfileWord: string;
  /** Shell word of the target stage, if any. */
  readonly targetWord?: string;
  /** Name of the variable that holds the platform of a multi-platform build, if any. */
  readonly platformVariable?: string;
  /** Layer compression of the pushed image. @default ImageCompression.GZIP */
  readonly compression?: ImageCompression;
}

/** The lines that create the buildx builder (docker-container driver) unless it exists. */
const BUILDER_LINES = [
  `    if ! docker buildx inspect ${BUILDX_BUILDER} >/dev/null 2>&1; then`,
  `      docker buildx create --name ${BUILDX_BUILDER} --driver docker-container --bootstrap >/dev/null || return 1`,
  '    fi',
];

/**
 * With zstd: `push_tag` pushes through buildx instead of `docker push` (the Docker engine's image
 * store would push gzip layers again): the build is run once more on the same builder, entirely
 * from its cache, with an image output that pushes `$REPOSITORY_URI:<tag>` with zstd layers; the
 * digest is the one buildx reports in its metadata file (`containerimage.digest`). The function
 * replaces the `docker push` one of `outputs.ts` (same contract: PUSH_OUTPUT, PUSHED_DIGEST, PUSHED_IMAGES).
 */
export const ZSTD_PUSH_FUNCTION = [
  '# push_tag <tag>: pushes the image with zstd layers through buildx (same builder, from its cache).',
  'push_tag() {',
  '  local meta',
  '  meta="$(mktemp)"',
  `  if ! PUSH_OUTPUT="$(docker_build buildx build --builder ${BUILDX_BUILDER} --provenance=false "\${target_args[@]}" \\`,
  `      --metadata-file "$meta" --output "type=image,name=$REPOSITORY_URI:$1,push=true,${ZSTD_OUTPUT}" 2>&1)"; then`,
  '    printf \'%s\\n\' "$PUSH_OUTPUT" >&2',
  '    rm -f "$meta"',
  '    return 1',
  '  fi',
  '  printf \'%s\\n\' "$PUSH_OUTPUT"',
  '  PUSHED_DIGEST="$(grep -E -o \'"containerimage.digest": *"sha256:[0-9a-f]{64}"\' "$meta" | grep -E -o \'sha256:[0-9a-f]{64}\' | head -n 1)"',
  '  rm -f "$meta"',
  '  if [ -z "$PUSHED_DIGEST" ]; then',
  '    echo "buildx reported no digest for $REPOSITORY_URI:$1" >&2',
  '    return 1',
  '  fi',
  '  echo "Pushed $REPOSITORY_URI:$1 with zstd layers ($PUSHED_DIGEST)"',
  '  PUSHED_IMAGES="${PUSHED_IMAGES:-}$REPOSITORY_URI:$1"$\'\\n\'',
  '  export PUSHED_IMAGES',
  '}',
];

/**
 * The shell (bash) lines that build the image as `"$REPOSITORY_URI:$BUILD_IMAGE_TAG"`, inside a
 * function that returns non-zero on failure. They expect `REPOSITORY_URI`, `BUILD_IMAGE_TAG`,
 * `CACHE_REPOSITORY_URI` (registry cache: the cache's repository, the build's own; who may pull the
 * image cannot read it), `WRITE_CACHE` (1 or 0), the array `target_args` (`--target <stage>` or empty) and the function
 * `docker_build` (runs `docker` with its arguments, a build command and its flags, followed by
 * the flags common to every build and the build context).
 *
 * - none / local: `docker build` with BuildKit (`DOCKER_BUILDKIT=1`).
 * - registry, when `docker buildx version` works (CodeBuild's Docker 28 images): a buildx build on
 *   a `docker-container` builder with `--cache-from`/`--cache-to type=registry` (`mode=max`: the
 *   layers of every stage; `image-manifest=true,oci-mediatypes=true`: a cache image ECR accepts;
 *   `ignore-error=true`: a cache that cannot be written never fails the build), `--provenance=false`
 *   (no attestation manifest: ECR scans a plain image) and `--load` (the image is pushed by the
 *   same `docker push` as in every other form, which reports the registry's digest).
 * - registry without buildx (Docker 20.10): BuildKit's inline cache covers only the stages of the
 *   image it is written into, so each named stage the target (or the final stage) needs, through
 *   `FROM <stage>`, `COPY --from` or `RUN --mount=...,from=` (`stages.ts`), is built with `--target`
 *   and kept as a cache image of its own (`<tag>-<stage>`), the final image as `<tag>`, and every
 *   build reads all of them with `--cache-from`. A stage the target does not need is not built, as
 *   BuildKit skips it in `docker build --target`.
 */
export function buildImageLines(cache: CacheSettings): string[] {
  const plainBuild = [
    '  export DOCKER_BUILDKIT=1',
    '  docker_build build "${target_args[@]}" --tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" || return 1',
  ];
  const zstd = cache.compression === ImageCompression.ZSTD;
  if (cache.kind === CacheKind.NONE && zstd) {
    // No cache, zstd layers: a buildx build on the docker-container builder (the Docker engine's own
    // builder cannot write zstd), loaded for the checks before the push (ZSTD_PUSH_FUNCTION).
    return [
      '  echo "Docker layer cache: none; layers compressed with zstd"',
      ...requireBuildx(),
      ...BUILDER_LINES.map((l) => l.slice(2)),
      `  docker_build buildx build --builder ${BUILDX_BUILDER} --load --provenance=false \\`,
      '    "${target_args[@]}" --tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" || return 1',
    ];
  }
  if (cache.kind !== CacheKind.REGISTRY) {
    return [
      cache.kind === CacheKind.LOCAL
        ? '  echo "Docker layer cache: CodeBuild\'s LOCAL cache (best-effort: only a recent build on the same host left layers)"'
        : cache.kind === CacheKind.DOCKER_SERVER
          ? '  echo "Docker layer cache: CodeBuild\'s Docker server (the project\'s own Docker engine, which keeps its layers between builds)"'
          : '  echo "Docker layer cache: none"',
      ...plainBuild,
    ];
  }
  return [
    cache.platformVariable !== undefined
      ? `  CACHE_REF="$CACHE_REPOSITORY_URI:"${cache.tagWord}"-\${${cache.platformVariable}#*/}"`
      : `  CACHE_REF="$CACHE_REPOSITORY_URI:"${cache.tagWord}`,
    '  if docker buildx version >/dev/null 2>&1; then',
    zstd
      ? '    echo "Docker layer cache: $CACHE_REF (registry cache written by buildx, mode=max: every stage); layers compressed with zstd"'
      : '    echo "Docker layer cache: $CACHE_REF (registry cache written by buildx, mode=max: every stage)"',
    ...BUILDER_LINES,
    '    cache_to=()',
    '    if [ "$WRITE_CACHE" = 1 ]; then',
    '      cache_to=(--cache-to "type=registry,ref=$CACHE_REF,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true")',
    '    fi',
    `    docker_build buildx build --builder ${BUILDX_BUILDER} --load --provenance=false \\`,
    '      --cache-from "type=registry,ref=$CACHE_REF" "${cache_to[@]}" \\',
    '      "${target_args[@]}" --tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" || return 1',
    '  else',
    ...(zstd ? requireBuildx().map((l) => `  ${l}`) : []),
    '    echo "Docker layer cache: $CACHE_REF and one image per stage (BuildKit inline cache; no buildx here)"',
    '    export DOCKER_BUILDKIT=1',
    '    local cache_stages=() cache_from=() name ref',
    ...neededStagesLines({
      dockerfileWord: cache.dockerfileWord,
      targetWord: cache.targetWord,
      maxStages: MAX_CACHED_STAGES,
      arrayName: 'cache_stages',
      indent: '    ',
    }),
    '    cache_from=(--cache-from "$CACHE_REF")',
    '    for name in "${cache_stages[@]}"; do',
    '      cache_from+=(--cache-from "$CACHE_REF-$name")',
    '    done',
    '    for name in "${cache_stages[@]}"; do',
    '      echo "Building stage $name (cache image $CACHE_REF-$name)"',
    '      docker_build build --target "$name" --build-arg BUILDKIT_INLINE_CACHE=1 "${cache_from[@]}" \\',
    '        --tag "$CACHE_REF-$name" || return 1',
    '    done',
    '    docker_build build "${target_args[@]}" --build-arg BUILDKIT_INLINE_CACHE=1 "${cache_from[@]}" \\',
    '      --tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" || return 1',
    '    if [ "$WRITE_CACHE" = 1 ]; then',
    '      docker tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" "$CACHE_REF"',
    '      for ref in "${cache_stages[@]/#/$CACHE_REF-}" "$CACHE_REF"; do',
    '        if docker push "$ref" >/dev/null; then',
    '          echo "Cache image written: $ref"',
    '        else',
    '          echo "Warning: cache image $ref not written (the build goes on without it)"',
    '        fi',
    '      done',
    '    fi',
    '  fi',
  ];
}

/** Lines that fail the build when buildx is missing (zstd layers need it). */
function requireBuildx(): string[] {
  return [
    '  if ! docker buildx version >/dev/null 2>&1; then',
    '    echo "compression ZSTD needs docker buildx, which this build image lacks: use a CodeBuild image with Docker 28 (aws/codebuild/standard:8.0, the default), or ImageCompression.GZIP" >&2',
    '    return 1',
    '  fi',
  ];
}

/**
 * Cache tags a build can hold per platform: the final image's (or buildx's) plus one per cached stage.
 */
export const CACHE_TAGS_PER_PLATFORM = 1 + MAX_CACHED_STAGES;

/** Input of the lifecycle presets of the image repository. */
export interface LifecyclePresets {
  readonly maxImageCount?: number;
  /** Untagged images expire this long after their push; undefined: they are kept. */
  readonly untaggedImageExpiration?: Duration;
  /** Number of platforms (1 for a single image; several push an index and one image per platform). */
  readonly platformCount: number;
  /**
   * Images not pulled for this long move to ECR's archive storage class: a rule of its own, for any
   * tag status, after the others (added when the policy is rendered: `archiveLifecycleRuleJson`).
   * It acts on the images no earlier rule selects: the tagged ones (never with `maxImageCount`),
   * and the untagged ones when they are kept.
   */
  readonly archiveImagesNotPulledFor?: Duration;
}

/**
 * The lifecycle rules of the image repository, in priority order. The registry cache is not in it
 * (it has a repository of its own, {@link cacheLifecycleRules}), so every image counted is a build's:
 * 1. untagged images (an image whose tags all moved to a newer build, e.g. a rebuild of the same
 *    commit or a moved fixed `imageTag`) expire `untaggedImageExpiration` after their push. The images
 *    of a multi-platform build keep tags of their own (`<tag>-<arch>`), so no kept manifest list ever
 *    points at an untagged image;
 * 2. `maxImageCount` counts builds: each build pushes one image per platform plus the index when it
 *    builds several, so the rule keeps `maxImageCount` x images per build, the newest by push. It
 *    counts tagged images only (`tagPatternList: ['*']`): a superseded, untagged image (rule 1's)
 *    never takes a build's place. When untagged images are kept (no rule 1), it counts every image
 *    (`any`), so that the repository stays bounded.
 */
export function lifecycleRules(presets: LifecyclePresets): ecr.LifecycleRule[] {
  const rules: ecr.LifecycleRule[] = [];
  const imagesPerBuild = presets.platformCount > 1 ? presets.platformCount + 1 : 1;
  if (presets.untaggedImageExpiration !== undefined) {
    rules.push({
      rulePriority: 1,
      description: `Expire untagged images ${presets.untaggedImageExpiration.toHumanString()} after push`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: presets.untaggedImageExpiration,
    });
  }
  if (presets.maxImageCount !== undefined) {
    const count = presets.maxImageCount * imagesPerBuild;
    const description =
      `Keep the images of the newest ${presets.maxImageCount} builds` +
      (imagesPerBuild > 1 ? ` (${imagesPerBuild} images each, ${count} images)` : '');
    rules.push(
      presets.untaggedImageExpiration !== undefined
        ? { rulePriority: 2, description, tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageCount: count }
        : { rulePriority: 2, description, tagStatus: ecr.TagStatus.ANY, maxImageCount: count },
    );
  }
  return rules;
}

/** Input of the cache repository's lifecycle. */
export interface CacheLifecycle {
  readonly platformCount: number;
}

/** Superseded cache images (the cache tag moved on) expire this long after their push. */
export const CACHE_UNTAGGED_EXPIRATION = Duration.days(1);

/**
 * The lifecycle rules of the cache repository: a cache image whose tag moved on (every build that
 * writes the cache moves it) expires a day after its push; and at most the cache tags one build can
 * write are kept (`CACHE_TAGS_PER_PLATFORM` per platform), the newest, so that the tags of an
 * earlier cache tag (the `tag` option changed) go too.
 */
export function cacheLifecycleRules(lifecycle: CacheLifecycle): ecr.LifecycleRule[] {
  const count = lifecycle.platformCount * CACHE_TAGS_PER_PLATFORM;
  return [
    {
      rulePriority: 1,
      description: `Expire superseded cache images ${CACHE_UNTAGGED_EXPIRATION.toHumanString()} after push`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: CACHE_UNTAGGED_EXPIRATION,
    },
    {
      rulePriority: 2,
      description: `Keep the newest ${count} cache images`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPatternList: ['*'],
      maxImageCount: count,
    },
  ];
}
