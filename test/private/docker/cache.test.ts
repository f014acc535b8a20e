import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { buildImageLines, CacheKind, CACHE_TAGS_PER_PLATFORM, lifecycleRules } from '../../../src/private/docker/cache';

describe('lifecycleRules', () => {
  test('no preset: no rule (the cache needs no protection when nothing expires)', () => {
    expect(lifecycleRules({ cacheTag: 'buildcache', platformCount: 1 })).toEqual([]);
  });

  test('untagged expiration alone: one untagged rule, no cache rule (cache images are tagged)', () => {
    expect(
      lifecycleRules({ untaggedImageExpiration: Duration.days(3), cacheTag: 'buildcache', platformCount: 1 }),
    ).toEqual([
      expect.objectContaining({ rulePriority: 2, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(3) }),
    ]);
  });

  test('max image count with the registry cache: cache rule first, the any rule counts around the cache tags', () => {
    const rules = lifecycleRules({ maxImageCount: 7, cacheTag: 'layers', platformCount: 1 });
    expect(rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        tagStatus: ecr.TagStatus.TAGGED,
        tagPrefixList: ['layers'],
        maxImageCount: 9999,
      }),
      expect.objectContaining({
        rulePriority: 3,
        tagStatus: ecr.TagStatus.ANY,
        maxImageCount: 7 + CACHE_TAGS_PER_PLATFORM,
      }),
    ]);
  });

  test('three platforms: a build is a list and three images; three sets of cache tags', () => {
    const [, any] = lifecycleRules({ maxImageCount: 4, cacheTag: 'c', platformCount: 3 });
    expect(any.maxImageCount).toBe(4 * 4 + 3 * CACHE_TAGS_PER_PLATFORM);
    expect(any.description).toContain('Keep the images of the newest 4 builds (4 images each)');
  });
});

describe('buildImageLines', () => {
  const base = { dockerfileWord: "'Dockerfile'" };

  test('none and local: one BuildKit build, no cache flag, and a line that says which cache', () => {
    for (const kind of [CacheKind.NONE, CacheKind.LOCAL]) {
      const text = buildImageLines({ ...base, kind }).join('\n');
      expect(text).toContain('export DOCKER_BUILDKIT=1');
      expect(text).not.toContain('--cache-from');
      expect(text).toContain(kind === CacheKind.LOCAL ? 'best-effort' : 'Docker layer cache: none');
    }
  });

  test('registry: buildx form and inline form, chosen at build time; per-platform cache ref', () => {
    const text = buildImageLines({
      ...base,
      kind: CacheKind.REGISTRY,
      tagWord: "'buildcache'",
      platformVariable: 'IMAGE_PLATFORM',
    }).join('\n');
    expect(text).toContain('if docker buildx version >/dev/null 2>&1; then');
    expect(text).toContain('CACHE_REF="$REPOSITORY_URI:"\'buildcache\'"-${IMAGE_PLATFORM#*/}"');
    expect(text).toContain('mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true');
    expect(text).toContain('--build-arg BUILDKIT_INLINE_CACHE=1');
  });
});
