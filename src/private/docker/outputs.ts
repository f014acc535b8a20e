/** Variables every build exports (CodePipeline action variables). */
export const EXPORTED_VARIABLES = ['IMAGE_URI', 'IMAGE_TAG', 'IMAGE_DIGEST'];

/** Files of the optional artifact for ECS deploy actions. */
export const IMAGE_DEFINITIONS_FILES = ['imagedefinitions.json', 'imageDetail.json'];

/**
 * Decides (pre_build) whether this build may move the fixed tags (`latest`, a fixed `imageTag`,
 * `additionalTags`) and write the registry cache: exports MOVE_FIXED_TAGS, WRITE_CACHE and
 * PUSH_IMAGE (0 when the image tag itself is fixed and may not move: the image is built, not pushed).
 *
 * - A webhook build (CODEBUILD_WEBHOOK_TRIGGER set) of a pull request (`pr/<n>`) never moves them.
 *   With `releaseBranch`, only a push to that branch (`branch/<name>`, head ref
 *   `refs/heads/<name>`) does; other branches and git tags do not.
 * - A build started otherwise (console, API, schedule, deployment) moves them, unless its source
 *   version is a pull request (`pr/<n>`) or, with `releaseBranch`, names another branch.
 *
 * `releaseBranchWord`: shell word of the branch (quoted literal or `"$VAR"`), or undefined.
 */
export function refsGuardCommand(releaseBranchWord: string | undefined, imageTagFixed: boolean): string {
  const lines = [
    'MOVE_FIXED_TAGS=1',
    'WEBHOOK_TRIGGER="${CODEBUILD_WEBHOOK_TRIGGER:-}"',
    'SOURCE_REF="${CODEBUILD_SOURCE_VERSION:-}"',
  ];
  if (releaseBranchWord === undefined) {
    lines.push(
      'if [[ "$WEBHOOK_TRIGGER" == pr/* ]] || { [ -z "$WEBHOOK_TRIGGER" ] && [[ "$SOURCE_REF" == pr/* ]]; }; then',
      '  MOVE_FIXED_TAGS=0',
      '  echo "Build of a pull request ($WEBHOOK_TRIGGER$SOURCE_REF): the fixed tags and the cache are not moved"',
      'fi',
    );
  } else {
    lines.push(
      `RELEASE_BRANCH=${releaseBranchWord}`,
      'if [ -n "$WEBHOOK_TRIGGER" ]; then',
      '  if [ "$WEBHOOK_TRIGGER" != "branch/$RELEASE_BRANCH" ] || [ "${CODEBUILD_WEBHOOK_HEAD_REF:-refs/heads/$RELEASE_BRANCH}" != "refs/heads/$RELEASE_BRANCH" ]; then',
      '    MOVE_FIXED_TAGS=0',
      '  fi',
      'else',
      '  case "$SOURCE_REF" in',
      '    "" | "$RELEASE_BRANCH" | "refs/heads/$RELEASE_BRANCH" | "branch/$RELEASE_BRANCH") ;;',
      '    *) MOVE_FIXED_TAGS=0 ;;',
      '  esac',
      'fi',
      'if [ "$MOVE_FIXED_TAGS" = 0 ]; then',
      '  echo "Not a push to $RELEASE_BRANCH (${WEBHOOK_TRIGGER:-source version $SOURCE_REF}): the fixed tags and the cache are not moved"',
      'fi',
    );
  }
  lines.push(
    'WRITE_CACHE="$MOVE_FIXED_TAGS"',
    imageTagFixed ? 'PUSH_IMAGE="$MOVE_FIXED_TAGS"' : 'PUSH_IMAGE=1',
    'export MOVE_FIXED_TAGS WRITE_CACHE PUSH_IMAGE',
  );
  return lines.join('\n');
}

/**
 * Lines (inside the build function) that push `"$REPOSITORY_URI:$BUILD_IMAGE_TAG"` and, when the
 * build may move them, the fixed tags; they set IMAGE_URI and IMAGE_DIGEST, the digest the registry
 * reports for the pushed manifest (`<tag>: digest: sha256:… size: …`, printed by `docker push` of
 * Docker 20.10 and 28 alike).
 *
 * Before pushing, `docker manifest inspect -v` of the tag tells whether it exists: when it already
 * holds this image (its config digest is the local image id), the push is skipped; when it holds
 * another image and the repository is IMMUTABLE (a rebuild of the same commit that is not
 * byte-identical), the existing image is kept and the push skipped, both said in the log. A
 * repository the construct did not create may be IMMUTABLE without the construct knowing: when ECR
 * refuses the push because the tag exists in an immutable repository, the existing image is kept too.
 * When the commit's image is kept, the fixed tags (which an exclusion filter keeps movable) are moved
 * to that image with the ECR API (`retag_existing`), so that they never point at another image.
 */
export function pushLines(fixedTagWords: string[], immutable: boolean, retag: boolean = immutable): string[] {
  // Whether the commit's image was kept matters only to fixed tags, where the repository may keep one.
  const followKept = retag && fixedTagWords.length > 0;
  const kept = followKept ? ['    kept=1'] : [];
  return [
    '  if [ "$PUSH_IMAGE" != 1 ]; then',
    '    echo "Image built, not pushed: its tag $BUILD_IMAGE_TAG is fixed and only moves on builds of the release branch"',
    '    return 0',
    '  fi',
    `  local existing image_id${followKept ? ' kept=0' : ''}`,
    '  IMAGE_DIGEST=""',
    '  existing="$(docker manifest inspect -v "$REPOSITORY_URI:$BUILD_IMAGE_TAG" 2>/dev/null)" || existing=""',
    '  image_id="$(docker image inspect --format \'{{.Id}}\' "$REPOSITORY_URI:$BUILD_IMAGE_TAG")" || return 1',
    '  if [ -n "$existing" ] && printf \'%s\\n\' "$existing" | grep -q "\\"digest\\": \\"$image_id\\""; then',
    '    IMAGE_DIGEST="$(registry_digest "$existing")"',
    '    echo "$REPOSITORY_URI:$BUILD_IMAGE_TAG already holds this image ($IMAGE_DIGEST): push skipped"',
    ...(immutable
      ? [
          '  elif [ -n "$existing" ]; then',
          '    IMAGE_DIGEST="$(registry_digest "$existing")"',
          '    echo "$REPOSITORY_URI:$BUILD_IMAGE_TAG already exists in this IMMUTABLE repository ($IMAGE_DIGEST, built earlier from the same source): push skipped, the existing image is kept"',
          ...kept,
        ]
      : []),
    '  elif push_tag "$BUILD_IMAGE_TAG"; then',
    '    IMAGE_DIGEST="$PUSHED_DIGEST"',
    // A repository this construct did not create may be IMMUTABLE too, and a tag an exclusion filter
    // makes immutable likewise: ECR refuses to overwrite the tag ("... cannot be overwritten because ...").
    '  elif [ -n "$existing" ] && printf \'%s\\n\' "$PUSH_OUTPUT" | grep -q -i \'cannot be overwritten\'; then',
    '    IMAGE_DIGEST="$(registry_digest "$existing")"',
    '    echo "$REPOSITORY_URI:$BUILD_IMAGE_TAG already exists and the repository is IMMUTABLE ($IMAGE_DIGEST, built earlier from the same source): the existing image is kept"',
    ...kept,
    '  else',
    '    return 1',
    '  fi',
    ...(fixedTagWords.length > 0
      ? [
          '  if [ "$MOVE_FIXED_TAGS" = 1 ]; then',
          `    local fixed_tags=(${fixedTagWords.join(' ')}) tag`,
          '    for tag in "${fixed_tags[@]}"; do',
          // The commit's image was kept (IMMUTABLE): the fixed tags (movable through an exclusion
          // filter) follow it, not the image this build made.
          ...(followKept
            ? [
                '      if [ "$kept" = 1 ]; then',
                '        retag_existing "$tag" || return 1',
                '        continue',
                '      fi',
              ]
            : []),
          '      docker tag "$REPOSITORY_URI:$BUILD_IMAGE_TAG" "$REPOSITORY_URI:$tag" || return 1',
          '      push_tag "$tag" || return 1',
          '    done',
          '  fi',
        ]
      : []),
    '  IMAGE_URI="$REPOSITORY_URI:$BUILD_IMAGE_TAG"',
    '  if [ -z "$IMAGE_DIGEST" ]; then',
    '    echo "No digest for $IMAGE_URI" >&2',
    '    return 1',
    '  fi',
    '  export IMAGE_URI IMAGE_DIGEST',
  ];
}

/**
 * Shell functions the push lines use (defined in the same command): `push_tag` (`docker push`;
 * `pushFunctions(zstdPush)` puts another one in its place), `registry_digest`, and with `retag`
 * `retag_existing` (for fixed tags, where the repository may keep an earlier image of the commit).
 */
export function pushFunctions(zstdPush?: string[], retag: boolean = false): string[] {
  return [...(zstdPush ?? DOCKER_PUSH_FUNCTION), ...(retag ? RETAG_FUNCTION : []), ...REGISTRY_DIGEST_FUNCTION];
}

const DOCKER_PUSH_FUNCTION = [
  '# docker push "$REPOSITORY_URI:$1"; PUSHED_DIGEST = the digest the registry reports for the manifest.',
  'push_tag() {',
  '  if ! PUSH_OUTPUT="$(docker push "$REPOSITORY_URI:$1" 2>&1)"; then',
  '    printf \'%s\\n\' "$PUSH_OUTPUT" >&2',
  '    return 1',
  '  fi',
  '  printf \'%s\\n\' "$PUSH_OUTPUT"',
  '  PUSHED_DIGEST="$(printf \'%s\\n\' "$PUSH_OUTPUT" | sed -n -E \'s/^.*digest: (sha256:[0-9a-f]{64}) size: [0-9]+$/\\1/p\' | tail -n 1)"',
  '  if [ -z "$PUSHED_DIGEST" ]; then',
  '    echo "docker push printed no digest for $REPOSITORY_URI:$1" >&2',
  '    return 1',
  '  fi',
  '  PUSHED_IMAGES="${PUSHED_IMAGES:-}$REPOSITORY_URI:$1"$\'\\n\'',
  '  export PUSHED_IMAGES',
  '}',
];

const RETAG_FUNCTION = [
  '# retag_existing <tag>: points <tag> at the image $IMAGE_DIGEST the repository already holds (the ECR API:',
  '# its manifest, put under the tag; nothing is pulled or pushed), for fixed tags of an IMMUTABLE repository',
  '# that an exclusion filter keeps movable, when the commit tag kept its earlier image.',
  'retag_existing() {',
  '  local media manifest out',
  '  media="$(aws ecr batch-get-image --registry-id "$AWS_ACCOUNT_ID" --repository-name "$IMAGE_REPO_NAME" --image-ids imageDigest="$IMAGE_DIGEST" --query \'images[0].imageManifestMediaType\' --output text)" || return 1',
  '  manifest="$(aws ecr batch-get-image --registry-id "$AWS_ACCOUNT_ID" --repository-name "$IMAGE_REPO_NAME" --image-ids imageDigest="$IMAGE_DIGEST" --query \'images[0].imageManifest\' --output text)" || return 1',
  '  if ! out="$(aws ecr put-image --registry-id "$AWS_ACCOUNT_ID" --repository-name "$IMAGE_REPO_NAME" --image-tag "$1" --image-manifest "$manifest" --image-manifest-media-type "$media" 2>&1)"; then',
  "    if ! printf '%s\\n' \"$out\" | grep -q 'ImageAlreadyExistsException'; then",
  '      printf \'%s\\n\' "$out" >&2',
  '      return 1',
  '    fi',
  '  fi',
  '  echo "$REPOSITORY_URI:$1 now points at the kept image $IMAGE_DIGEST"',
  '  PUSHED_IMAGES="${PUSHED_IMAGES:-}$REPOSITORY_URI:$1"$\'\\n\'',
  '  export PUSHED_IMAGES',
  '}',
];

const REGISTRY_DIGEST_FUNCTION = [
  '# The digest of the manifest a tag points at, from `docker manifest inspect -v` output (its Descriptor).',
  'registry_digest() {',
  '  printf \'%s\\n\' "$1" | sed -n -E \'s/^[[:space:]]*"digest": "(sha256:[0-9a-f]{64})".*$/\\1/p\' | head -n 1',
  '}',
];

/** post_build: report what was pushed, and the exported variables. */
export const REPORT_COMMAND = [
  'if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ]; then',
  '  printf \'%s\' "${PUSHED_IMAGES:-}" | while IFS= read -r pushed; do',
  '    echo "Pushed image: $pushed"',
  '  done',
  '  echo "IMAGE_URI=${IMAGE_URI:-} IMAGE_DIGEST=${IMAGE_DIGEST:-}"',
  'else',
  '  echo "Build failed: no image was pushed by this phase"',
  'fi',
].join('\n');

/**
 * post_build: `imagedefinitions.json` (ECS standard deploy action: container name and image URI with
 * the tag) and `imageDetail.json` (ECS blue/green deploy action: the image URI with the digest),
 * written when the build produced an image. `containerWord`: shell word of the container name.
 */
export function imageDefinitionsCommand(containerWord: string): string {
  return [
    'if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ] && [ -n "${IMAGE_DIGEST:-}" ]; then',
    `  printf '[{"name":"%s","imageUri":"%s"}]\\n' ${containerWord} "$IMAGE_URI" > imagedefinitions.json`,
    '  printf \'{"ImageURI":"%s"}\\n\' "$ECR_REGISTRY/$IMAGE_REPO_NAME@$IMAGE_DIGEST" > imageDetail.json',
    '  echo "Wrote imagedefinitions.json and imageDetail.json"',
    'fi',
  ].join('\n');
}
