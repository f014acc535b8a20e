import { batchBuildGraph, manifestStepLines, platformStepId } from '../../../src/private/docker/platforms';

test('platformStepId: identifiers CodeBuild accepts', () => {
  expect(platformStepId('linux/arm64')).toBe('image_linux_arm64');
  expect(platformStepId('linux/arm/v7')).toBe('image_linux_arm_v7');
});

test('batchBuildGraph: per-platform builds (privileged, with their variable), the manifest step depends on all', () => {
  const graph = batchBuildGraph([
    { platform: 'linux/amd64', architecture: 'amd64' },
    { platform: 'linux/arm64', architecture: 'arm64', environment: { type: 'ARM_CONTAINER', image: 'img:arm' } },
  ]);
  expect(graph['fast-fail']).toBe(true);
  expect(graph['build-graph']).toEqual([
    expect.objectContaining({
      identifier: 'image_linux_amd64',
      env: { 'privileged-mode': true, variables: { IMAGE_PLATFORM: 'linux/amd64' } },
    }),
    expect.objectContaining({
      identifier: 'image_linux_arm64',
      env: {
        type: 'ARM_CONTAINER',
        image: 'img:arm',
        'privileged-mode': true,
        variables: { IMAGE_PLATFORM: 'linux/arm64' },
      },
    }),
    expect.objectContaining({ identifier: 'manifest', 'depend-on': ['image_linux_amd64', 'image_linux_arm64'] }),
  ]);
});

test('manifestStepLines: the list from the per-architecture tags; fixed tags only when the build may move them', () => {
  const text = manifestStepLines(['amd64', 'arm64'], ["'latest'"], false).join('\n');
  expect(text).toContain('refs+=("$REPOSITORY_URI:$IMAGE_TAG-amd64")');
  expect(text).toContain('refs+=("$REPOSITORY_URI:$IMAGE_TAG-arm64")');
  expect(text).toContain('  if [ "$MOVE_FIXED_TAGS" = 1 ]; then\n    tags+=(\'latest\')');
  expect(text).not.toContain('describe-images');
  expect(manifestStepLines(['amd64'], [], true).join('\n')).toContain('aws ecr describe-images');
});
