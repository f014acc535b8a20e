import { DockerCache } from '../../../src/docker-cache';
import { ImagePlatform } from '../../../src/image-platform';
import { CacheKind } from '../../../src/private/docker/cache';
import { imageArchitecture, resolveCache, resolvePlatforms } from '../../../src/private/docker/capabilities';

describe('resolveCache', () => {
  test('default: registry with the default tag (its repository is MUTABLE whatever the image repository is)', () => {
    expect(resolveCache(undefined, undefined)).toEqual({ kind: CacheKind.REGISTRY, tag: 'buildcache' });
  });

  test('explicit choices', () => {
    expect(resolveCache(undefined, DockerCache.none())).toEqual({ kind: CacheKind.NONE });
    expect(resolveCache(undefined, DockerCache.registry({ tag: 'c1' }))).toEqual({
      kind: CacheKind.REGISTRY,
      tag: 'c1',
    });
  });
});

describe('resolvePlatforms', () => {
  test('none: the build image (default: standard 8.0, the newest x86_64 image), no platform build', () => {
    const { builds, projectImage } = resolvePlatforms(undefined, undefined, undefined);
    expect(builds).toEqual([]);
    expect(projectImage.imageId).toBe('aws/codebuild/standard:8.0');
    expect(projectImage.type).toBe('LINUX_CONTAINER');
  });

  test('one arm64 platform: the ARM image', () => {
    const { builds, projectImage } = resolvePlatforms(undefined, [ImagePlatform.LINUX_ARM64], undefined);
    expect(builds).toEqual([{ platform: 'linux/arm64', architecture: 'arm64' }]);
    expect(imageArchitecture(projectImage!)).toBe('arm64');
    expect(projectImage.imageId).toBe('aws/codebuild/amazonlinux-aarch64-standard:4.0');
  });

  test('two platforms on the default image: only arm64 gets an environment override', () => {
    const { builds, projectImage } = resolvePlatforms(
      undefined,
      [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      undefined,
    );
    expect(projectImage.imageId).toBe('aws/codebuild/standard:8.0');
    expect(builds.map((b) => b.environment?.type)).toEqual([undefined, 'ARM_CONTAINER']);
    expect(builds[1].environment?.image).toBe('aws/codebuild/amazonlinux-aarch64-standard:4.0');
  });

  test('ImagePlatform is an enum: its members are the platforms as Docker names them', () => {
    // Docker's --platform (docs.docker.com, "docker buildx build --platform"): os/arch.
    expect(Object.values(ImagePlatform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('fails when a platform is not an ImagePlatform (untyped JavaScript)', () => {
    expect(() => resolvePlatforms(undefined, ['linux/s390x' as ImagePlatform], undefined)).toThrow(
      'platforms "linux/s390x" is not an ImagePlatform: use ImagePlatform.LINUX_AMD64 or ImagePlatform.LINUX_ARM64',
    );
  });
});
