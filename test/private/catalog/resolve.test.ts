import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BuilderImage } from '../../../src/builder-image';
import { DockerCache } from '../../../src/docker-cache';
import { ImageCompression } from '../../../src/image-compression';
import {
  CatalogProductInputs,
  PlatformCatalogInputs,
  PrincipalKind,
  resolveDockerBuildToEcrProduct,
  resolveGoSampleBuildProduct,
  resolvePlatformCatalog,
  resolvePrincipal,
} from '../../../src/private/catalog/resolve';

/** The construct whose props are resolved: only its path and class name reach the messages. */
class Catalog extends Construct {}

const ENV = { account: '111111111111', region: 'us-east-1' };
const build: CatalogProductInputs = { construct: 'Build', productName: 'Build it', needsAssetBucket: false };
const share: CatalogProductInputs = { construct: 'Share', productName: 'Share it', needsAssetBucket: true };

function setup(env: typeof ENV | 'agnostic' = ENV) {
  const stack = new Stack(new App(), 'Stack', { env: env === 'agnostic' ? undefined : env });
  return { stack, scope: new Catalog(stack, 'Catalog') };
}

function resolve(props: Partial<PlatformCatalogInputs> = {}, env: typeof ENV | 'agnostic' = ENV) {
  const { scope } = setup(env);
  return resolvePlatformCatalog(scope, { portfolioName: 'p', providerName: 'team', ...props }, () => [build, share]);
}

describe('resolvePlatformCatalog', () => {
  test('applies the defaults: every product, a description of them, a named asset bucket, no principals', () => {
    const inputs = resolve();
    expect(inputs.products).toEqual([build, share]);
    expect(inputs.portfolio).toEqual({
      displayName: 'p',
      providerName: 'team',
      description: 'Self-service container builds: Build it, Share it',
    });
    expect(inputs.assetBucket).toEqual({
      bucketName: expect.stringMatching(/^cdk-ecr-codebuild-catalog-111111111111-us-east-1-[0-9a-f]{8}$/),
    });
    expect(inputs.principals).toEqual([]);
    expect(inputs.launchRole).toBeUndefined();
  });

  test('no asset bucket when no product needs one; the given one otherwise, even in an environment-agnostic stack', () => {
    expect(resolve({ products: [build] }).assetBucket).toBeUndefined();
    const { stack, scope } = setup('agnostic');
    const bucket = s3.Bucket.fromBucketName(stack, 'Assets', 'my-assets');
    const inputs = resolvePlatformCatalog(
      scope,
      { portfolioName: 'p', providerName: 'team', assetBucket: bucket },
      () => [share],
    );
    expect(inputs.assetBucket).toEqual({ bucket });
  });

  test('skips tokens: deploy-time names are not checked', () => {
    const { stack, scope } = setup();
    const name = new CfnParameter(stack, 'Name', { type: 'String' }).valueAsString;
    const inputs = resolvePlatformCatalog(scope, { portfolioName: name, providerName: name }, () => [build]);
    expect(inputs.portfolio.displayName).toBe(name);
  });

  test.each<[string, Partial<PlatformCatalogInputs>, RegExp]>([
    [
      'an empty portfolioName (before providerName)',
      { portfolioName: '', providerName: 'x'.repeat(51) },
      /^\[Stack\/Catalog\] Catalog: portfolioName "" has 0 characters: use 1-100 characters/,
    ],
    [
      'a long providerName',
      { providerName: 'x'.repeat(51) },
      /providerName ".*" has 51 characters: use 1-50 characters/,
    ],
    ['no products', { products: [] }, /products \[\] is empty/],
    ['a product twice', { products: [build, share, build] }, /products "Build" is given more than once/],
  ])('fails for %s', (_, props, error) => {
    expect(() => resolve(props)).toThrow(error);
  });

  test('fails to name an asset bucket in an environment-agnostic stack', () => {
    expect(() => resolve({}, 'agnostic')).toThrow(
      /^\[Stack\/Catalog\] Catalog: assetBucket \(undefined\) is needed by the CrossAccountPullPolicy product .* pass assetBucket/,
    );
  });

  test('leaves a description of more than 2000 characters to the Portfolio, whose error comes first', () => {
    expect(() => resolve({ description: 'x'.repeat(2001) }, 'agnostic')).not.toThrow();
  });
});

describe('resolvePrincipal', () => {
  test('tells roles, users and groups apart', () => {
    const { stack, scope } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const group = iam.Group.fromGroupArn(stack, 'Group', 'arn:aws:iam::111111111111:group/builders');
    expect(resolvePrincipal(scope, role)).toBe(PrincipalKind.ROLE);
    expect(resolvePrincipal(scope, new iam.User(stack, 'User'))).toBe(PrincipalKind.USER);
    expect(resolvePrincipal(scope, group)).toBe(PrincipalKind.GROUP);
  });

  test('fails for any other principal', () => {
    const { scope } = setup();
    expect(() => resolvePrincipal(scope, new iam.AccountPrincipal('222222222222'))).toThrow(
      /^\[Stack\/Catalog\] Catalog: principals "AccountPrincipal\(222222222222\)" is not an IAM role, user or group/,
    );
  });
});

describe('product options', () => {
  test('the DockerBuildToEcr product keeps 100 images and expires untagged ones after 14 days by default', () => {
    const { lifecycle, pullThroughCachePrefix } = resolveDockerBuildToEcrProduct({});
    expect(lifecycle.maxImageCount).toBe(100);
    expect(lifecycle.untaggedImageExpiration.toDays()).toBe(14);
    expect(pullThroughCachePrefix).toBeUndefined();
  });

  test('fails for a malformed cache prefix (before the lifecycle tokens) and for lifecycle tokens', () => {
    const count = new CfnParameter(new Stack(), 'N', { type: 'Number' }).valueAsNumber;
    expect(() =>
      resolveDockerBuildToEcrProduct({ pullThroughCachePrefix: 'Docker Hub', maxImageCount: count }),
    ).toThrow(/^pullThroughCachePrefix "Docker Hub" is not a valid repository prefix/);
    expect(() => resolveDockerBuildToEcrProduct({ maxImageCount: count })).toThrow(
      /^maxImageCount \(a token\) is only known at deploy time, and the lifecycle policy text is written at synth: give a literal, e\.g\. maxImageCount: 100$/,
    );
    expect(() => resolveDockerBuildToEcrProduct({ untaggedImageExpiration: Duration.days(count) })).toThrow(
      /^untaggedImageExpiration \(a token\) is only known at deploy time, and the lifecycle policy text is written at synth: give a literal, e\.g\. untaggedImageExpiration: Duration\.days\(14\)$/,
    );
  });

  test('archiving images: no count limit by default (DockerBuildToEcr refuses both), the given one passed on for it to refuse', () => {
    const archived = resolveDockerBuildToEcrProduct({ archiveImagesNotPulledFor: Duration.days(90) }).lifecycle;
    expect(archived.maxImageCount).toBeUndefined();
    expect(archived.archiveImagesNotPulledFor?.toDays()).toBe(90);
    expect(archived.untaggedImageExpiration.toDays()).toBe(14);
    expect(
      resolveDockerBuildToEcrProduct({ archiveImagesNotPulledFor: Duration.days(90), maxImageCount: 5 }).lifecycle
        .maxImageCount,
    ).toBe(5);
  });

  test('passes the build options through as given (DockerBuildToEcr applies its own defaults)', () => {
    expect(resolveDockerBuildToEcrProduct({}).build).toEqual({});
    const cache = DockerCache.registry({ tag: 'layers' });
    expect(
      resolveDockerBuildToEcrProduct({
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageTagMutabilityExclusionFilters: ['latest'],
        compression: ImageCompression.ZSTD,
        cache,
      }).build,
    ).toEqual({
      imageTagMutability: 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: ['latest'],
      compression: 'zstd',
      cache,
    });
  });

  test('its errors have no construct (the factory adds its name), and come after the lifecycle ones', () => {
    const count = new CfnParameter(new Stack(), 'N', { type: 'Number' }).valueAsNumber;
    expect(() =>
      resolveDockerBuildToEcrProduct({ maxImageCount: count, imageTagMutabilityExclusionFilters: [] }),
    ).toThrow(/^maxImageCount \(a token\)/);
    expect(() => resolveDockerBuildToEcrProduct({ imageTagMutabilityExclusionFilters: [] })).toThrow(
      /^imageTagMutabilityExclusionFilters \[\] is empty: /,
    );
    // a Docker server outside a VPC: the product's own rule (DockerBuildToEcr's fix, "set vpc", is no option here)
    expect(() =>
      resolveDockerBuildToEcrProduct({
        cache: DockerCache.dockerServer({ securityGroups: [] }),
      }),
    ).toThrow(
      /^cache "DockerCache\.dockerServer\(\{ securityGroups \}\)" .*: leave securityGroups unset \(a Docker server outside a VPC needs none\)$/,
    );
  });

  test('the GoSampleBuild product takes the default Go, or a version a curated image carries', () => {
    expect(resolveGoSampleBuildProduct({})).toBe(BuilderImage.DEFAULT_GO_VERSION);
    expect(() => resolveGoSampleBuildProduct({ goVersion: '1.2' })).toThrow(
      /^BuilderImage\.curated: goVersion "1.2" is not available on any CodeBuild curated image/,
    );
  });
});
