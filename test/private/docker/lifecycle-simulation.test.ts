// Many builds against the lifecycle policies DockerBuildToEcr deploys, evaluated the way the ECR user
// guide documents it ("How lifecycle policies work":
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html), in a model of the
// repositories (test/support/ecr-lifecycle.ts). The rules are read from the synthesized template.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DockerBuildToEcr, DockerBuildToEcrProps, ImagePlatform } from '../../../src';
import { CACHE_TAGS_PER_PLATFORM } from '../../../src/private/docker/cache';
import { LifecycleRuleJson, ModelRepository } from '../../support/ecr-lifecycle';

function policies(props: Partial<DockerBuildToEcrProps>): { image: LifecycleRuleJson[]; cache: LifecycleRuleJson[] } {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  new DockerBuildToEcr(stack, 'Image', { source: codebuild.Source.s3({ bucket, path: 'src.zip' }), ...props });
  const repositories = Template.fromStack(stack).findResources('AWS::ECR::Repository');
  const rulesOf = (prefix: string): LifecycleRuleJson[] => {
    const [id] = Object.keys(repositories).filter((i) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(i));
    const text = repositories[id].Properties.LifecyclePolicy?.LifecyclePolicyText;
    return text === undefined ? [] : JSON.parse(text).rules;
  };
  return { image: rulesOf('ImageRepository'), cache: rulesOf('ImageCacheRepository') };
}

/** Cache tags a build writes (no-buildx form: the final image and each cached stage), per architecture. */
function cacheTags(arch: string | undefined, stages: string[]): string[] {
  const base = arch === undefined ? 'buildcache' : `buildcache-${arch}`;
  return [base, ...stages.map((stage) => `${base}-${stage}`)];
}

interface Simulation {
  readonly image: ModelRepository;
  readonly cache: ModelRepository;
  /** The commit tag of each build, in order. */
  readonly builds: string[];
}

/**
 * `days` days of builds: each day a build of a new commit (its tag, `latest`, the cache), and on
 * each day in `rebuildDays` a scheduled rebuild of the same commit (a new image under the same tags).
 * The lifecycle policies are evaluated once a day, after the builds.
 */
function simulate(
  props: Partial<DockerBuildToEcrProps>,
  options: { days: number; rebuildDays?: number[]; platforms?: string[]; stages?: string[] },
): Simulation {
  const rules = policies(props);
  const image = new ModelRepository(rules.image);
  const cache = new ModelRepository(rules.cache);
  const builds: string[] = [];
  const stages = options.stages ?? ['deps', 'build'];
  const buildOnce = (now: number, tag: string): void => {
    builds.push(tag);
    if (options.platforms === undefined) {
      image.push(now, [tag, 'latest']);
      for (const cacheTag of cacheTags(undefined, stages)) {
        cache.push(now, [cacheTag]);
      }
      return;
    }
    // a batch build: one image per platform (its own tag), then the manifest list under every tag
    const children = options.platforms.map((arch, i) => {
      for (const cacheTag of cacheTags(arch, stages)) {
        cache.push(now + i * 0.01, [cacheTag]);
      }
      return image.push(now + i * 0.01, [`${tag}-${arch}`]);
    });
    image.push(now + 0.05, [tag, 'latest'], children);
  };
  for (let day = 0; day < options.days; day++) {
    const tag = `c${day.toString().padStart(6, '0')}`;
    buildOnce(day, tag);
    if (options.rebuildDays?.includes(day)) {
      buildOnce(day + 0.5, tag);
    }
    image.evaluate(day + 0.9);
    cache.evaluate(day + 0.9);
  }
  return { image, cache, builds };
}

describe('lifecycle simulation: the image repository keeps maxImageCount builds, whatever the cache does', () => {
  test('single platform, 12 builds, maxImageCount 5: the images of the newest 5 builds, nothing else', () => {
    const { image, cache } = simulate({ maxImageCount: 5 }, { days: 12 });
    expect(image.images.map((i) => i.tags)).toEqual([
      ['c000007'],
      ['c000008'],
      ['c000009'],
      ['c000010'],
      ['c000011', 'latest'],
    ]);
    // the cache never takes a build's place: it is in its own repository, bounded too
    expect(cache.images.filter((i) => i.tags.length > 0)).toHaveLength(3);
  });

  test('scheduled rebuilds of the same commit: superseded images expire after 14 days and never count', () => {
    // GIVEN a rebuild each of the 40 days (a base-image refresh), maxImageCount 5
    const days = Array.from({ length: 40 }, (_, d) => d);
    const { image } = simulate({ maxImageCount: 5 }, { days: 40, rebuildDays: days });
    // THEN 5 tagged builds are kept (the newest), and the untagged ones of the last 14 days
    const tagged = image.images.filter((i) => i.tags.length > 0);
    expect(tagged.map((i) => i.tags[0])).toEqual(['c000035', 'c000036', 'c000037', 'c000038', 'c000039']);
    const untagged = image.images.filter((i) => i.tags.length === 0);
    expect(untagged.length).toBeGreaterThan(0);
    expect(untagged.every((i) => 39.9 - i.pushedAt <= 14)).toBe(true);
  });

  test('default props (no maxImageCount): untagged images are bounded by age, tagged ones kept', () => {
    const days = Array.from({ length: 60 }, (_, d) => d);
    const { image } = simulate({}, { days: 60, rebuildDays: days });
    expect(image.images.filter((i) => i.tags.length > 0)).toHaveLength(60);
    expect(image.images.filter((i) => i.tags.length === 0).length).toBeLessThanOrEqual(15);
  });

  test('keepUntaggedImages with maxImageCount: every image counts, so the repository stays bounded', () => {
    const days = Array.from({ length: 30 }, (_, d) => d);
    const { image } = simulate({ maxImageCount: 4, keepUntaggedImages: true }, { days: 30, rebuildDays: days });
    expect(image.images).toHaveLength(4);
  });

  test('multi-platform (2 platforms), 12 builds, maxImageCount 3: 3 lists, each with both its images', () => {
    const { image, cache } = simulate(
      {
        maxImageCount: 3,
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      },
      { days: 12, platforms: ['amd64', 'arm64'] },
    );
    const lists = image.images.filter((i) => i.children.length > 0);
    expect(lists.map((l) => l.tags[0])).toEqual(['c000009', 'c000010', 'c000011']);
    // never expired: what a kept manifest list points at
    const digests = new Set(image.images.map((i) => i.digest));
    for (const list of lists) {
      expect(list.children.every((child) => digests.has(child))).toBe(true);
    }
    expect(image.images).toHaveLength(3 * 3);
    expect(cache.images.filter((i) => i.tags.length > 0)).toHaveLength(2 * 3);
  });

  test('multi-platform with rebuilds and the default expiration: no kept list loses an image', () => {
    const days = Array.from({ length: 30 }, (_, d) => d);
    const { image } = simulate(
      {
        maxImageCount: 2,
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
        untaggedImageExpiration: Duration.days(1),
      },
      { days: 30, platforms: ['amd64', 'arm64'], rebuildDays: days },
    );
    const digests = new Set(image.images.map((i) => i.digest));
    for (const list of image.images.filter((i) => i.children.length > 0 && i.tags.length > 0)) {
      expect(list.children.every((child) => digests.has(child))).toBe(true);
    }
    expect(image.images.filter((i) => i.tags.length > 0)).toHaveLength(2 * 3);
  });
});

describe('lifecycle simulation: the cache repository stays bounded', () => {
  test('100 daily builds: superseded cache images go after a day; at most one set of cache tags per platform', () => {
    const { cache } = simulate({}, { days: 100, stages: ['deps', 'build', 'test'] });
    const tagged = cache.images.filter((i) => i.tags.length > 0);
    expect(tagged.map((i) => i.tags[0]).sort()).toEqual(
      ['buildcache', 'buildcache-build', 'buildcache-deps', 'buildcache-test'].sort(),
    );
    // the untagged ones left are the previous day's (expire at the next evaluation)
    expect(cache.images.length).toBeLessThanOrEqual(2 * 4);
  });

  test('a changed cache tag (or stage names): the old tags go once the newest ones fill the allowance', () => {
    // GIVEN 10 days writing 9 stages' tags, then 10 days writing tags of other stage names
    const rules = policies({});
    const cache = new ModelRepository(rules.cache);
    const many = Array.from({ length: 9 }, (_, i) => `s${i}`);
    for (let day = 0; day < 20; day++) {
      const stages = day < 10 ? many : many.map((s) => `${s}x`);
      for (const tag of cacheTags(undefined, stages)) {
        cache.push(day, [tag]);
      }
      cache.evaluate(day + 0.9);
    }
    const tagged = cache.images.filter((i) => i.tags.length > 0);
    expect(tagged).toHaveLength(CACHE_TAGS_PER_PLATFORM);
    expect(tagged.every((i) => i.tags[0] === 'buildcache' || i.tags[0].endsWith('x'))).toBe(true);
  });
});

describe('lifecycle simulation: archiveImagesNotPulledFor', () => {
  test('images nobody pulls are archived after the period, pulled ones stay; untagged ones still expire by age', () => {
    // GIVEN 60 days of daily builds and rebuilds, archive after 30 days without a pull
    const days = Array.from({ length: 60 }, (_, d) => d);
    const rules = policies({ archiveImagesNotPulledFor: Duration.days(30) }).image;
    const image = new ModelRepository(rules);
    for (const day of days) {
      const tag = `c${day.toString().padStart(6, '0')}`;
      image.push(day, [tag, 'latest']);
      image.push(day + 0.5, [tag, 'latest']); // a rebuild: the first image is now untagged
      // a service pulls latest every day, and the build of day 5 once more on day 30 (before it is archived)
      image.pull(day + 0.6, 'latest');
      if (day === 30) {
        image.pull(day + 0.6, 'c000005');
      }
      image.evaluate(day + 0.9);
    }
    // THEN the tagged images not pulled for 30 days are archived, none deleted
    const tagged = image.images.filter((i) => i.tags.length > 0);
    expect(tagged).toHaveLength(60);
    const archived = tagged.filter((i) => i.storageClass === 'archive').map((i) => i.tags[0]);
    // day d's image was last pulled on day d (as latest): archived once 59.9 - d > 30, i.e. d <= 29;
    // day 5's was pulled again on day 30, so it stays
    expect(archived).toEqual(
      Array.from({ length: 30 }, (_, d) => d)
        .filter((d) => d !== 5)
        .map((d) => `c${d.toString().padStart(6, '0')}`),
    );
    expect(image.tagged('latest')?.storageClass).toBe('standard');
    // an archived image cannot be pulled (ECR answers 404)
    expect(image.pull(60, 'c000001')).toBeUndefined();
    // superseded (untagged) images expire 14 days after their push, archived or not
    expect(image.images.filter((i) => i.tags.length === 0).every((i) => 59.9 - i.pushedAt <= 14)).toBe(true);
  });
});
