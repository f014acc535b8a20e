import { Duration } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  buildImageLines,
  cacheLifecycleRules,
  CacheKind,
  CACHE_TAGS_PER_PLATFORM,
  lifecycleRules,
} from '../../../src/private/docker/cache';

// Lifecycle rules: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
describe('lifecycleRules', () => {
  test('no preset: no rule', () => {
    expect(lifecycleRules({ platformCount: 1 })).toEqual([]);
  });

  test('untagged expiration alone: one untagged rule', () => {
    expect(lifecycleRules({ untaggedImageExpiration: Duration.days(3), platformCount: 1 })).toEqual([
      expect.objectContaining({ rulePriority: 1, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(3) }),
    ]);
  });

  test('max image count: counts the tagged images of builds, no room for cache images (they are in their own repository)', () => {
    const rules = lifecycleRules({ maxImageCount: 7, untaggedImageExpiration: Duration.days(14), platformCount: 1 });
    expect(rules).toEqual([
      expect.objectContaining({ rulePriority: 1, tagStatus: ecr.TagStatus.UNTAGGED }),
      expect.objectContaining({
        rulePriority: 2,
        tagStatus: ecr.TagStatus.TAGGED,
        tagPatternList: ['*'],
        maxImageCount: 7,
      }),
    ]);
  });

  test('max image count with untagged images kept: counts every image (bounded)', () => {
    expect(lifecycleRules({ maxImageCount: 7, platformCount: 1 })).toEqual([
      expect.objectContaining({ rulePriority: 2, tagStatus: ecr.TagStatus.ANY, maxImageCount: 7 }),
    ]);
  });

  test('three platforms: a build is a list and three images', () => {
    const [any] = lifecycleRules({ maxImageCount: 4, platformCount: 3 });
    expect(any.maxImageCount).toBe(4 * 4);
    expect(any.description).toBe('Keep the images of the newest 4 builds (4 images each, 16 images)');
  });
});

describe('cacheLifecycleRules', () => {
  test('superseded cache images expire after a day; the newest tags of one build per platform are kept', () => {
    expect(cacheLifecycleRules({ platformCount: 2 })).toEqual([
      expect.objectContaining({ rulePriority: 1, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) }),
      expect.objectContaining({
        rulePriority: 2,
        tagStatus: ecr.TagStatus.TAGGED,
        tagPatternList: ['*'],
        maxImageCount: 2 * CACHE_TAGS_PER_PLATFORM,
      }),
    ]);
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
    expect(text).toContain('CACHE_REF="$CACHE_REPOSITORY_URI:"\'buildcache\'"-${IMAGE_PLATFORM#*/}"');
    expect(text).toContain('mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true');
    expect(text).toContain('--build-arg BUILDKIT_INLINE_CACHE=1');
  });
});
