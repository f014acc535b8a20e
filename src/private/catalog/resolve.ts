import * as crypto from 'crypto';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { IConstruct } from 'constructs';
import { BuilderImage } from '../../builder-image';
import type { DockerCache } from '../../docker-cache';
import type { ImageCompression } from '../../image-compression';
import { CacheKind } from '../docker/cache';
import { resolveCache, resolveCompression, resolveDockerServer } from '../docker/capabilities';
import { validateArchiveAfter } from '../registry/lifecycle';
import { validateCachePrefix } from '../registry/validation';
import { propError } from '../shared/errors';
import { resolveTagMutability } from '../shared/tag-mutability';
import { validateLength } from '../shared/validation';

/** A product as {@link resolvePlatformCatalog} reads it (`CatalogProduct` satisfies it). */
export interface CatalogProductInputs {
  readonly construct: string;
  readonly productName: string;
  readonly needsAssetBucket: boolean;
}

/**
 * What PlatformCatalog's props hold, as {@link resolvePlatformCatalog} reads them.
 * `PlatformCatalogProps` satisfies this structurally, so that no private module imports the
 * construct's file.
 */
export interface PlatformCatalogInputs<P extends CatalogProductInputs = CatalogProductInputs> {
  readonly portfolioName: string;
  readonly providerName: string;
  readonly description?: string;
  readonly principals?: iam.IPrincipal[];
  readonly assetBucket?: s3.IBucket;
  readonly launchRole?: iam.IRole;
  readonly products?: P[];
}

/** PlatformCatalog's props, validated, with the defaults applied. */
export interface ResolvedPlatformCatalog<P extends CatalogProductInputs = CatalogProductInputs> {
  readonly portfolio: servicecatalog.PortfolioProps;
  /** The products, each construct once. */
  readonly products: P[];
  /**
   * The bucket of the products' Lambda code: the one given, or the name of the one to create;
   * undefined when no product needs one.
   */
  readonly assetBucket?: { readonly bucket: s3.IBucket } | { readonly bucketName: string };
  readonly launchRole?: iam.IRole;
  readonly principals: iam.IPrincipal[];
}

/**
 * The one validation path of PlatformCatalog's props: every check in the order its errors are
 * reported (names, products, the asset bucket), and the defaults (`allProducts()` without
 * `products`, the portfolio's description, the asset bucket's name). Creates nothing. The products'
 * options are checked when a product is made ({@link resolveDockerBuildToEcrProduct},
 * {@link resolveGoSampleBuildProduct}), principals added later by {@link resolvePrincipal}.
 */
export function resolvePlatformCatalog<P extends CatalogProductInputs>(
  scope: IConstruct,
  props: PlatformCatalogInputs<P>,
  allProducts: () => P[],
): ResolvedPlatformCatalog<P> {
  validateLength(scope, 'portfolioName', props.portfolioName, 100);
  validateLength(scope, 'providerName', props.providerName, 50);
  const products = props.products ?? allProducts();
  if (products.length === 0) {
    throw propError(
      scope,
      'products',
      [],
      'is empty',
      'give at least one CatalogProduct, or leave products out for all three',
    );
  }
  const seen = new Set<string>();
  for (const product of products) {
    if (seen.has(product.construct)) {
      throw propError(
        scope,
        'products',
        product.construct,
        'is given more than once',
        'offer each construct once per portfolio',
      );
    }
    seen.add(product.construct);
  }
  const description =
    props.description ?? `Self-service container builds: ${products.map((p) => p.productName).join(', ')}`;
  let assetBucket: ResolvedPlatformCatalog['assetBucket'];
  if (products.some((p) => p.needsAssetBucket)) {
    assetBucket =
      props.assetBucket !== undefined
        ? { bucket: props.assetBucket }
        : { bucketName: assetBucketName(scope, description) };
  }
  return {
    portfolio: { displayName: props.portfolioName, providerName: props.providerName, description },
    products,
    assetBucket,
    launchRole: props.launchRole,
    principals: props.principals ?? [],
  };
}

/** How Service Catalog associates a principal with a portfolio. */
export enum PrincipalKind {
  ROLE = 'ROLE',
  USER = 'USER',
  GROUP = 'GROUP',
}

/** Whether a principal is an IAM role, user or group (the only principals a portfolio takes). */
export function resolvePrincipal(scope: IConstruct, principal: iam.IPrincipal): PrincipalKind {
  const p = principal as unknown as Partial<iam.IRole & iam.IUser & iam.IGroup>;
  if (p.roleArn !== undefined && p.roleName !== undefined) {
    return PrincipalKind.ROLE;
  }
  if (p.userArn !== undefined && p.userName !== undefined) {
    return PrincipalKind.USER;
  }
  if (p.groupArn !== undefined && p.groupName !== undefined) {
    return PrincipalKind.GROUP;
  }
  throw propError(
    scope,
    'principals',
    principal.toString(),
    'is not an IAM role, user or group (Service Catalog associates portfolios with those only)',
    'pass an iam.Role, iam.User or iam.Group (or one imported with fromRoleArn/fromUserName/fromGroupName)',
  );
}

/** How an error shows a number that is a token (its string form is a meaningless large number). */
const A_TOKEN = { toString: () => '(a token)' };

/** The options of the DockerBuildToEcr product, as {@link resolveDockerBuildToEcrProduct} reads them. */
export interface DockerBuildToEcrProductInputs {
  readonly maxImageCount?: number;
  readonly untaggedImageExpiration?: Duration;
  readonly archiveImagesNotPulledFor?: Duration;
  readonly pullThroughCachePrefix?: string;
  readonly imageTagMutability?: ecr.TagMutability;
  readonly imageTagMutabilityExclusionFilters?: string[];
  readonly compression?: ImageCompression;
  readonly cache?: DockerCache;
}

/** The options of the DockerBuildToEcr product, validated, with the defaults applied. */
export interface ResolvedDockerBuildToEcrProduct {
  /**
   * The lifecycle presets: `maxImageCount` is 100 unless given, or unless images are archived
   * (DockerBuildToEcr refuses both: archived or expired by count).
   */
  readonly lifecycle: {
    readonly maxImageCount?: number;
    readonly untaggedImageExpiration: Duration;
    readonly archiveImagesNotPulledFor?: Duration;
  };
  readonly pullThroughCachePrefix?: string;
  /**
   * What the product's DockerBuildToEcr takes as given (it checks them again, with the same
   * functions, and applies its own defaults: MUTABLE, gzip, the registry cache).
   */
  readonly build: {
    readonly imageTagMutability?: ecr.TagMutability;
    readonly imageTagMutabilityExclusionFilters?: string[];
    readonly compression?: ImageCompression;
    readonly cache?: DockerCache;
  };
}

/**
 * Checks the options of the DockerBuildToEcr product when it is made (no construct yet), in the
 * order DockerBuildToEcr reports them (repository, then build capabilities), with DockerBuildToEcr's
 * own checks (`shared/tag-mutability.ts`, `docker/capabilities.ts`) applied to what the product
 * builds: a project with no VPC, of one platform, on the project's default compute type. Only what
 * the product adds is checked here: a Docker server's security groups, which need a VPC the product
 * does not have.
 */
export function resolveDockerBuildToEcrProduct(
  options: DockerBuildToEcrProductInputs,
): ResolvedDockerBuildToEcrProduct {
  const archive = options.archiveImagesNotPulledFor;
  const lifecycle = {
    maxImageCount: options.maxImageCount ?? (archive === undefined ? 100 : undefined),
    untaggedImageExpiration: options.untaggedImageExpiration ?? Duration.days(14),
    archiveImagesNotPulledFor: archive,
  };
  if (options.pullThroughCachePrefix !== undefined) {
    validateCachePrefix(undefined, 'pullThroughCachePrefix', options.pullThroughCachePrefix);
  }
  // ecr.Repository writes the lifecycle rules into the policy text at synth: a token would be written
  // as the text of a reference.
  if (Token.isUnresolved(lifecycle.maxImageCount)) {
    throw propError(
      undefined,
      'maxImageCount',
      A_TOKEN,
      'is only known at deploy time, and the lifecycle policy text is written at synth',
      'give a literal, e.g. maxImageCount: 100',
    );
  }
  if (lifecycle.untaggedImageExpiration.isUnresolved()) {
    throw propError(
      undefined,
      'untaggedImageExpiration',
      lifecycle.untaggedImageExpiration,
      'is only known at deploy time, and the lifecycle policy text is written at synth',
      'give a literal, e.g. untaggedImageExpiration: Duration.days(14)',
    );
  }
  if (archive?.isUnresolved()) {
    throw propError(
      undefined,
      'archiveImagesNotPulledFor',
      archive,
      'is only known at deploy time, and the lifecycle policy text is written at synth',
      'give a literal, e.g. archiveImagesNotPulledFor: Duration.days(90)',
    );
  }
  // DockerBuildToEcr's check of the archive age (whole days, at least 1). That it refuses
  // maxImageCount beside it, DockerBuildToEcr reports when the product stack is built (its rule,
  // not repeated here; its fix names these options).
  validateArchiveAfter(undefined, 'archiveImagesNotPulledFor', archive);
  // Repository: the product always creates one, so both props apply.
  resolveTagMutability(undefined, options);
  // Build capabilities
  if (options.cache?._kind === CacheKind.DOCKER_SERVER && options.cache._dockerServer?.securityGroups !== undefined) {
    throw propError(
      undefined,
      'cache',
      'DockerCache.dockerServer({ securityGroups })',
      "sets security groups, which admit the build from the project's VPC, and the product's build runs in no VPC " +
        "(the product creates none, and a product template cannot refer to the security groups of the catalog's stack)",
      'leave securityGroups unset (a Docker server outside a VPC needs none)',
    );
  }
  const cache = resolveCache(undefined, options.cache);
  resolveDockerServer(undefined, options.cache, { vpc: undefined, platformCount: 1 });
  resolveCompression(undefined, options.compression, cache.kind);
  return {
    lifecycle,
    pullThroughCachePrefix: options.pullThroughCachePrefix,
    build: {
      imageTagMutability: options.imageTagMutability,
      imageTagMutabilityExclusionFilters: options.imageTagMutabilityExclusionFilters,
      compression: options.compression,
      cache: options.cache,
    },
  };
}

/**
 * The Go version of the GoSampleBuild product, checked when the product is made (not when the
 * catalog is built): a version a curated image carries.
 */
export function resolveGoSampleBuildProduct(options: { readonly goVersion?: string }): string {
  const goVersion = options.goVersion ?? BuilderImage.DEFAULT_GO_VERSION;
  BuilderImage.curated(goVersion);
  return goVersion;
}

/**
 * The name of the asset bucket the catalog creates. ProductStack refers to the bucket by a literal
 * name in the product templates: it needs one at synth, unique worldwide, so the account and region
 * are part of it, and an environment-agnostic stack cannot have one.
 */
function assetBucketName(scope: IConstruct, description: string): string {
  const stack = Stack.of(scope);
  // aws-cdk-lib's Portfolio reports a description of more than 2000 characters, before the bucket
  // is needed: that error comes first.
  const portfolioFails = !Token.isUnresolved(description) && description.length > 2000;
  if ((Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) && !portfolioFails) {
    throw propError(
      scope,
      'assetBucket',
      undefined,
      'is needed by the CrossAccountPullPolicy product (its handler is Lambda code) and cannot be created in an ' +
        'environment-agnostic stack: the product templates name the bucket literally, and a bucket name is unique worldwide',
      'pass assetBucket (a bucket with an explicit bucketName), or give the stack an explicit env (account and region)',
    );
  }
  const hash = crypto.createHash('sha256').update(scope.node.path).digest('hex').slice(0, 8);
  return `cdk-ecr-codebuild-catalog-${stack.account}-${stack.region}-${hash}`;
}
