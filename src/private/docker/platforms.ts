/** Variable that tells a build of the batch which platform it builds (`linux/arm64`). */
export const PLATFORM_ENV = 'IMAGE_PLATFORM';
/** Variable set (to 1) on the build of the batch that pushes the manifest list. */
export const MANIFEST_STEP_ENV = 'IMAGE_MANIFEST_STEP';
/** Identifier of the manifest step in the build graph. */
export const MANIFEST_STEP_ID = 'manifest';

/** A platform of a multi-platform build, and the build environment that builds it natively. */
export interface PlatformBuild {
  /** Docker's name, e.g. `linux/arm64`. */
  readonly platform: string;
  /** e.g. `arm64`. */
  readonly architecture: string;
  /**
   * Environment override of its build (`type`, `image`: literals only), or undefined when the
   * project's own image already runs this architecture.
   */
  readonly environment?: { readonly type: string; readonly image: string };
}

/** Identifier of a platform's build in the graph, e.g. `image_linux_arm64`. */
export function platformStepId(platform: string): string {
  return `image_${platform.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/**
 * The `batch` section of a multi-platform buildspec: one build per platform, each on a CodeBuild
 * image of that architecture (privileged, for Docker), then the manifest step, which depends on all
 * of them and runs only when every one succeeded.
 */
export function batchBuildGraph(platforms: PlatformBuild[]): Record<string, unknown> {
  const graph: Array<Record<string, unknown>> = platforms.map((p) => ({
    identifier: platformStepId(p.platform),
    env: {
      ...(p.environment ? { type: p.environment.type, image: p.environment.image } : {}),
      'privileged-mode': true,
      variables: { [PLATFORM_ENV]: p.platform },
    },
    'ignore-failure': false,
  }));
  graph.push({
    identifier: MANIFEST_STEP_ID,
    env: { 'privileged-mode': true, variables: { [MANIFEST_STEP_ENV]: '1' } },
    'depend-on': platforms.map((p) => platformStepId(p.platform)),
    'ignore-failure': false,
  });
  return { 'fast-fail': true, 'build-graph': graph };
}

/**
 * Lines of the manifest step (inside a function that returns non-zero on failure): one manifest
 * list made of the per-architecture images `"$IMAGE_TAG-<arch>"` (which the list references by
 * digest, and which keep their own tags so that no lifecycle rule sees them as untagged), pushed
 * under `$IMAGE_TAG` and, when the build may move them, under each fixed tag. Sets IMAGE_URI and
 * IMAGE_DIGEST (the digest `docker manifest push` reports for the list). In an IMMUTABLE repository
 * whose `$IMAGE_TAG` already holds a list (a rebuild of the same commit), that list is kept and its
 * digest read with `aws ecr describe-images`.
 */
export function manifestStepLines(
  architectures: string[],
  fixedTagWords: string[],
  immutable: boolean,
  zstd: boolean = false,
): string[] {
  // zstd: the per-platform images are OCI manifests with zstd layers; buildx's imagetools writes the
  // index (and reads digests) for them, where `docker manifest` expects Docker's media types.
  const exists = zstd
    ? '  if docker buildx imagetools inspect "$REPOSITORY_URI:$IMAGE_TAG" >/dev/null 2>&1; then'
    : '  if docker manifest inspect "$REPOSITORY_URI:$IMAGE_TAG" >/dev/null 2>&1; then';
  const pushList = zstd
    ? [
        '    echo "Pushing the image index $REPOSITORY_URI:$tag (${refs[*]}; zstd layers)"',
        '    docker buildx imagetools create --tag "$REPOSITORY_URI:$tag" "${refs[@]}" >/dev/null || return 1',
        '    digest="$(docker buildx imagetools inspect "$REPOSITORY_URI:$tag" --format \'{{.Manifest.Digest}}\')" || return 1',
        '    digest="$(printf \'%s\\n\' "$digest" | grep -E -o \'sha256:[0-9a-f]{64}\' | head -n 1)"',
      ]
    : [
        '    echo "Pushing the manifest list $REPOSITORY_URI:$tag (${refs[*]})"',
        '    docker manifest create --amend "$REPOSITORY_URI:$tag" "${refs[@]}" >/dev/null || return 1',
        '    out="$(docker manifest push --purge "$REPOSITORY_URI:$tag")" || return 1',
        '    digest="$(printf \'%s\\n\' "$out" | grep -E -o \'sha256:[0-9a-f]{64}\' | tail -n 1)"',
      ];
  return [
    `  local refs=() tags=("$IMAGE_TAG") tag${zstd ? '' : ' out'} digest`,
    ...architectures.map((arch) => `  refs+=("$REPOSITORY_URI:$IMAGE_TAG-${arch}")`),
    '  if [ "$MOVE_FIXED_TAGS" = 1 ]; then',
    ...(fixedTagWords.length > 0 ? [`    tags+=(${fixedTagWords.join(' ')})`] : ['    :']),
    '  fi',
    ...(immutable
      ? [
          exists,
          '    IMAGE_DIGEST="$(aws ecr describe-images --repository-name "$IMAGE_REPO_NAME" --image-ids imageTag="$IMAGE_TAG" --query \'imageDetails[0].imageDigest\' --output text)" || return 1',
          '    echo "$REPOSITORY_URI:$IMAGE_TAG already exists in this IMMUTABLE repository ($IMAGE_DIGEST, built earlier from the same source): push skipped, the existing manifest list is kept"',
          // Fixed tags an exclusion filter keeps movable follow the kept list.
          ...(fixedTagWords.length > 0
            ? [
                '    if [ "$MOVE_FIXED_TAGS" = 1 ]; then',
                `      local fixed_tags=(${fixedTagWords.join(' ')})`,
                '      for tag in "${fixed_tags[@]}"; do',
                '        retag_existing "$tag" || return 1',
                '      done',
                '    fi',
              ]
            : []),
          '    IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
          '    export IMAGE_URI IMAGE_DIGEST',
          '    return 0',
          '  fi',
        ]
      : []),
    '  for tag in "${tags[@]}"; do',
    ...pushList,
    '    if [ -z "$digest" ]; then',
    '      echo "No digest reported for the list $REPOSITORY_URI:$tag" >&2',
    '      return 1',
    '    fi',
    '    if [ "$tag" = "$IMAGE_TAG" ]; then',
    '      IMAGE_DIGEST="$digest"',
    '    fi',
    '    PUSHED_IMAGES="${PUSHED_IMAGES:-}$REPOSITORY_URI:$tag"$\'\\n\'',
    '  done',
    '  IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
    '  export IMAGE_URI IMAGE_DIGEST PUSHED_IMAGES',
  ];
}
