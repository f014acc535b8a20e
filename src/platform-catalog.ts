import { CfnOutput, CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { AccessLevel } from './access-level';
import { BuilderImage } from './builder-image';
import { CrossAccountPullPolicy } from './cross-account-pull-policy';
import { DockerBuildToEcr } from './docker-build-to-ecr';
import { DockerCache } from './docker-cache';
import { GoSampleBuild } from './go-sample-build';
import { ImageCompression } from './image-compression';
import { goPlatformRule, parameter, PARAMETER_RULES } from './private/catalog/parameters';
import {
  PrincipalKind,
  resolveDockerBuildToEcrProduct,
  ResolvedDockerBuildToEcrProduct,
  resolveGoSampleBuildProduct,
  resolvePlatformCatalog,
  resolvePrincipal,
} from './private/catalog/resolve';
import { grantCacheRepositories, ownRegistryPrefix } from './private/registry/grants';
import { inFactory, warn } from './private/shared/errors';
import { addNagSuppressions, NagSuppression } from './private/shared/nag';
import { isNewestKnownRuntime, raisedRuntimeFor } from './private/shared/runtimes';

/** Options every catalog product takes. */
export interface CatalogProductOptions {
  /**
   * The product's name in the portfolio.
   *
   * @default - a name per construct, e.g. 'Docker image build to ECR'
   */
  readonly productName?: string;

  /**
   * The product's description.
   *
   * @default - a description per construct
   */
  readonly description?: string;

  /**
   * The product's owner.
   *
   * @default - the portfolio's providerName
   */
  readonly owner?: string;

  /**
   * The name of the product version (provisioning artifact).
   *
   * @default 'v1'
   */
  readonly productVersionName?: string;
}

/** Options of the DockerBuildToEcr product. */
export interface DockerBuildToEcrProductOptions extends CatalogProductOptions {
  /**
   * Images kept in each repository the product creates. Fixed by the platform team, not a launch
   * parameter (lifecycle rules are written into the repository's policy text at synth). Not with
   * `archiveImagesNotPulledFor`: images are archived or expired by count, not both.
   *
   * @default - 100; no count limit with `archiveImagesNotPulledFor`
   */
  readonly maxImageCount?: number;

  /**
   * Age after which untagged images expire in each repository the product creates. Fixed by the
   * platform team, not a launch parameter.
   *
   * @default Duration.days(14)
   */
  readonly untaggedImageExpiration?: Duration;

  /**
   * Images of each repository the product creates that nobody pulled for this long (whole days,
   * counted from the push for an image never pulled) move to ECR's archive storage class instead of
   * being expired by count: DockerBuildToEcr's `archiveImagesNotPulledFor`. An archived image cannot
   * be pulled until it is restored, and is billed for at least 90 days. Not with `maxImageCount`
   * (whose default then no longer applies).
   *
   * Fixed by the platform team, not a launch parameter: the rule is written into the repository's
   * lifecycle policy text at synth, and storage cost and retention are the platform's policy.
   *
   * @default - images are not archived; the newest `maxImageCount` are kept
   */
  readonly archiveImagesNotPulledFor?: Duration;

  /**
   * The prefix of a pull-through cache rule that exists in every account where the product is
   * launched (e.g. `docker-hub`, created there by a RegistrySettings): the build gets the build
   * argument `BASE_REGISTRY` = `<launching account>.dkr.ecr.<region>.amazonaws.com/<prefix>` for
   * Dockerfiles that start with `ARG BASE_REGISTRY` and `FROM ${BASE_REGISTRY}/library/node:20`,
   * and its role what the first pull through the rule needs.
   *
   * @default - no pull-through cache: base images come from where the Dockerfile says
   */
  readonly pullThroughCachePrefix?: string;

  /**
   * Tag mutability of each repository the product creates. Every build pushes a tag of its own
   * (`build-<number>`: an S3 zip has no commit) and `latest`; with `IMMUTABLE`, `latest` is pushed
   * only when an `imageTagMutabilityExclusionFilters` filter matches it (e.g. `['latest']`).
   *
   * Fixed by the platform team, not a launch parameter: whether `latest` is pushed is decided at
   * synth from it, and whether tags may move is the platform's rule (what deployments may rely on),
   * not a choice of each team.
   *
   * @default ecr.TagMutability.MUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * Exceptions to `imageTagMutability` in each repository the product creates: 1-5 ECR wildcard
   * filters (`A-Z a-z 0-9 . _ -` and `*`). With `IMMUTABLE`, the tags they match stay movable
   * (`['latest']`: every build tag immutable, `latest` moves); with `MUTABLE`, they are immutable.
   * Checked when the product is made, with DockerBuildToEcr's rules.
   *
   * Fixed by the platform team, not a launch parameter (it goes with `imageTagMutability`).
   *
   * @default - no exceptions
   */
  readonly imageTagMutabilityExclusionFilters?: string[];

  /**
   * How the layers of the images the product pushes are compressed. `ImageCompression.ZSTD` needs
   * the registry cache (the default) or `DockerCache.none()`.
   *
   * Fixed by the platform team, not a launch parameter: the build commands are written at synth
   * for one compression, and which compression the runtimes of the platform read (zstd: e.g. AWS
   * Fargate) is the platform's to know.
   *
   * @default ImageCompression.GZIP
   */
  readonly compression?: ImageCompression;

  /**
   * Where the product's builds keep Docker layers between builds: `DockerCache.registry()` (a cache
   * repository of each launch's own), `DockerCache.dockerServer({ computeType })` (CodeBuild's
   * Docker server, paid while builds run), `DockerCache.local()` or `DockerCache.none()`. The
   * product's build runs in no VPC: a Docker server with `securityGroups` is refused.
   *
   * Fixed by the platform team, not a launch parameter: each choice creates different resources (a
   * cache repository, a Docker server) and build commands, and its cost is the platform's to weigh.
   *
   * @default DockerCache.registry()
   */
  readonly cache?: DockerCache;
}

/** Options of the CrossAccountPullPolicy product. */
export interface CrossAccountPullPolicyProductOptions extends CatalogProductOptions {
  /**
   * What the accounts a user lists may do. Fixed by the platform team, not a launch parameter.
   *
   * @default AccessLevel.PULL
   */
  readonly accessLevel?: AccessLevel;
}

/** Options of the GoSampleBuild product. */
export interface GoSampleBuildProductOptions extends CatalogProductOptions {
  /**
   * The Go version of the curated builder image. Fixed by the platform team, not a launch
   * parameter (the image that carries it is chosen at synth).
   *
   * @default BuilderImage.DEFAULT_GO_VERSION
   */
  readonly goVersion?: string;
}

/**
 * A product of a PlatformCatalog: one of the constructs of this library as a Service Catalog
 * product, with CloudFormation parameters for what a user chooses at launch.
 *
 * - `dockerBuildToEcr()`: parameters SourceBucket, SourceKey (the S3 zip), RepositoryName,
 *   Dockerfile, BuildContext.
 * - `crossAccountPullPolicy()`: parameters RepositoryName (an existing repository of the account),
 *   AccountIds (comma-separated); needs the portfolio's assetBucket (its handler is Lambda code).
 * - `goSampleBuild()`: parameters SourceBucket, SourceKey, MainPackage, BinaryName, TargetPlatform.
 *
 * @example
 * import { AccessLevel, CatalogProduct } from 'cdk-ecr-codebuild';
 *
 * const products = [
 *   CatalogProduct.dockerBuildToEcr(),
 *   CatalogProduct.crossAccountPullPolicy({ accessLevel: AccessLevel.PULL }),
 *   CatalogProduct.goSampleBuild({ goVersion: '1.24' }),
 * ];
 */
export class CatalogProduct {
  /** The DockerBuildToEcr product. */
  public static dockerBuildToEcr(options: DockerBuildToEcrProductOptions = {}): CatalogProduct {
    const resolved = inFactory('CatalogProduct.dockerBuildToEcr', () => resolveDockerBuildToEcrProduct(options));
    return new CatalogProduct(
      'DockerBuildToEcr',
      options,
      'Docker image build to ECR',
      'Builds a Docker image from an S3 zip in CodeBuild and pushes it to a new ECR repository',
      false,
      (scope) => buildDockerBuildToEcrProduct(scope, resolved),
    );
  }

  /** The CrossAccountPullPolicy product. */
  public static crossAccountPullPolicy(options: CrossAccountPullPolicyProductOptions = {}): CatalogProduct {
    const accessLevel = options.accessLevel ?? AccessLevel.PULL;
    return new CatalogProduct(
      'CrossAccountPullPolicy',
      options,
      'Share an ECR repository with other accounts',
      `Lets other AWS accounts ${accessLevel === AccessLevel.PULL_PUSH ? 'pull and push' : 'pull'} the images of an existing ECR repository`,
      true,
      (scope) => buildCrossAccountPullPolicyProduct(scope, accessLevel),
    );
  }

  /** The GoSampleBuild product. */
  public static goSampleBuild(options: GoSampleBuildProductOptions = {}): CatalogProduct {
    const goVersion = inFactory('CatalogProduct.goSampleBuild', () => resolveGoSampleBuildProduct(options));
    return new CatalogProduct(
      'GoSampleBuild',
      options,
      'Go build in CodeBuild',
      `Builds a Go ${goVersion} module from an S3 zip in CodeBuild and stores the binary as a zip in S3`,
      false,
      (scope) => buildGoSampleBuildProduct(scope, goVersion),
    );
  }

  /** The construct the product deploys, e.g. `DockerBuildToEcr`; also its construct id in the catalog. */
  public readonly construct: string;
  /** The product's name. */
  public readonly productName: string;
  /** The product's description. */
  public readonly description: string;
  /** True when the product's template has Lambda code, which needs the portfolio's assetBucket. */
  public readonly needsAssetBucket: boolean;
  private readonly options: CatalogProductOptions;
  private readonly build: (scope: Construct) => void;

  private constructor(
    construct: string,
    options: CatalogProductOptions,
    defaultName: string,
    defaultDescription: string,
    needsAssetBucket: boolean,
    build: (scope: Construct) => void,
  ) {
    this.construct = construct;
    this.options = options;
    this.productName = options.productName ?? defaultName;
    this.description = options.description ?? defaultDescription;
    this.needsAssetBucket = needsAssetBucket;
    this.build = build;
  }

  /** @internal the product in `catalog`: its ProductStack and CloudFormationProduct */
  public _addTo(catalog: Construct, providerName: string, assetBucket: s3.IBucket | undefined): servicecatalog.Product {
    const productStack = new servicecatalog.ProductStack(catalog, `${this.construct}Template`, {
      assetBucket,
      description: this.description,
    });
    this.build(productStack);
    return new servicecatalog.CloudFormationProduct(catalog, this.construct, {
      productName: this.productName,
      owner: this.options.owner ?? providerName,
      description: this.description,
      productVersions: [
        {
          productVersionName: this.options.productVersionName ?? 'v1',
          cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromProductStack(productStack),
        },
      ],
    });
  }
}

/**
 * Properties of a PlatformCatalog.
 */
export interface PlatformCatalogProps {
  /** The portfolio's display name (1-100 characters). */
  readonly portfolioName: string;

  /** The portfolio's provider, e.g. the platform team (1-50 characters). */
  readonly providerName: string;

  /**
   * The portfolio's description.
   *
   * @default - a description of the products
   */
  readonly description?: string;

  /**
   * IAM roles, users and groups that may launch the products.
   *
   * @default - nobody; call `portfolio.giveAccessToRole()` and friends later
   */
  readonly principals?: iam.IPrincipal[];

  /**
   * The bucket that receives the Lambda code of the products' custom resources (the
   * CrossAccountPullPolicy product's repository-policy handler), copied there when the catalog
   * stack deploys. Accounts the portfolio is shared with are given read access by Service Catalog.
   *
   * @default - a bucket is created when a product needs one: SSE-S3, SSL only, public access
   * blocked; it holds only copies of CDK assets, so it is emptied and deleted with the stack
   */
  readonly assetBucket?: s3.IBucket;

  /**
   * The role Service Catalog uses to launch every product (a launch constraint), so that users
   * need no permissions of their own on the resources of the products.
   *
   * @default - no launch constraint: users launch with their own permissions
   */
  readonly launchRole?: iam.IRole;

  /**
   * The products of the portfolio, at most one per construct.
   *
   * @default - all three: dockerBuildToEcr(), crossAccountPullPolicy(), goSampleBuild()
   */
  readonly products?: CatalogProduct[];
}

/**
 * An AWS Service Catalog portfolio that offers this library's constructs as self-service products:
 * "build my image" (DockerBuildToEcr), "share my image" (CrossAccountPullPolicy) and "build my Go
 * program" (GoSampleBuild). Each product is a `servicecatalog.ProductStack` whose CloudFormation
 * parameters are validated at launch the way the props are validated at synth.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { CatalogProduct, PlatformCatalog } from 'cdk-ecr-codebuild';
 *
 * declare const developers: iam.IRole;
 * new PlatformCatalog(this, 'Catalog', {
 *   portfolioName: 'Container builds',
 *   providerName: 'Platform team',
 *   principals: [developers],
 *   products: [CatalogProduct.dockerBuildToEcr(), CatalogProduct.crossAccountPullPolicy()],
 * });
 */
export class PlatformCatalog extends Construct {
  /** The portfolio. */
  public readonly portfolio: servicecatalog.Portfolio;
  /** The products, by construct name (`DockerBuildToEcr`, `CrossAccountPullPolicy`, `GoSampleBuild`). */
  public readonly products: Record<string, servicecatalog.IProduct> = {};
  /** The bucket of the products' Lambda code. Undefined when no product needs one. */
  public readonly assetBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: PlatformCatalogProps) {
    super(scope, id);
    const inputs = resolvePlatformCatalog(this, props, () => [
      CatalogProduct.dockerBuildToEcr(),
      CatalogProduct.crossAccountPullPolicy(),
      CatalogProduct.goSampleBuild(),
    ]);

    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', inputs.portfolio);
    if (inputs.assetBucket !== undefined) {
      this.assetBucket =
        'bucket' in inputs.assetBucket
          ? inputs.assetBucket.bucket
          : this.createAssetBucket(inputs.assetBucket.bucketName);
    }
    for (const product of inputs.products) {
      const created = product._addTo(this, inputs.portfolio.providerName, this.assetBucket);
      this.portfolio.addProduct(created);
      if (inputs.launchRole) {
        this.portfolio.setLaunchRole(created, inputs.launchRole);
      }
      this.products[product.construct] = created;
    }
    inputs.principals.forEach((principal) => this.giveAccess(principal));
    this.adjustAssetCopyHandler();
  }

  /** Lets an IAM role, user or group launch the products. */
  public giveAccess(principal: iam.IPrincipal): void {
    switch (resolvePrincipal(this, principal)) {
      case PrincipalKind.ROLE:
        return this.portfolio.giveAccessToRole(principal as iam.IRole);
      case PrincipalKind.USER:
        return this.portfolio.giveAccessToUser(principal as iam.IUser);
      case PrincipalKind.GROUP:
        return this.portfolio.giveAccessToGroup(principal as iam.IGroup);
    }
  }

  /** The bucket of the products' Lambda code, named by `resolvePlatformCatalog`. */
  private createAssetBucket(bucketName: string): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AssetBucket', {
      bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // It holds copies of CDK assets only, copied again by every deployment: deleted with the
      // stack (emptied first), so that the stack can be destroyed and deployed again under the
      // same fixed name.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    this.adjustAutoDeleteHandler();
    addNagSuppressions(bucket.node.defaultChild as s3.CfnBucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'Holds only the Lambda code of the catalog products, written by the CDK deployment of this stack and read by ' +
          'CloudFormation when a product launches; pass assetBucket to use a bucket with server access logging',
      },
    ]);
    return bucket;
  }

  /**
   * aws-cdk-lib's provider that empties the asset bucket on stack deletion (a stack singleton, shared
   * with any other bucket of the stack that sets autoDeleteObjects). Its cdk-nag findings are
   * aws-cdk-lib's design; its runtime is aws-cdk-lib's, raised only where Lambda no longer creates
   * functions on it (see {@link adjustSingletonRuntime}).
   */
  private adjustAutoDeleteHandler(): void {
    const provider = Stack.of(this).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
    if (provider === undefined) {
      return;
    }
    const handler = provider.node.findChild('Handler') as CfnResource;
    const runtime = this.adjustSingletonRuntime(handler, "aws-cdk-lib's S3 auto-delete provider");
    // Its DependsOn on its role repeats the GetAtt of the role's ARN (cfn-lint W3005).
    handler.addDeletionOverride('DependsOn');
    for (const part of provider.node.findAll()) {
      if (part instanceof CfnResource) {
        addNagSuppressions(part, [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              "aws-cdk-lib's S3 auto-delete provider (empties the catalog's asset bucket) uses AWSLambdaBasicExecutionRole",
          },
          ...(part === handler ? runtimeSuppressions(runtime, "aws-cdk-lib's S3 auto-delete provider") : []),
        ]);
      }
    }
  }

  /**
   * ProductStack copies the Lambda code into the asset bucket with a BucketDeployment in this
   * stack. Its handler is an aws-cdk-lib singleton function (shared with any other BucketDeployment
   * of the stack): its cdk-nag findings are aws-cdk-lib's design, and its runtime is aws-cdk-lib's,
   * raised only where Lambda no longer creates functions on it (see {@link adjustSingletonRuntime}).
   */
  private adjustAssetCopyHandler(): void {
    if (this.assetBucket === undefined) {
      return;
    }
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler === undefined) {
      return;
    }
    const fn = handler.node.defaultChild as CfnResource;
    const runtime = this.adjustSingletonRuntime(fn, "aws-cdk-lib's BucketDeployment handler");
    // Its DependsOn on its role repeats the GetAtt of the role's ARN (cfn-lint W3005); the policy is
    // attached before the custom resource runs because the custom resource depends on it.
    fn.addDeletionOverride('DependsOn');
    const suppressions = [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          "aws-cdk-lib's BucketDeployment handler (used by ProductStack to copy Lambda code) uses AWSLambdaBasicExecutionRole",
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "aws-cdk-lib's BucketDeployment handler reads the CDK asset objects and writes the objects of the asset bucket (keys are content hashes)",
      },
    ];
    for (const part of handler.node.findAll()) {
      if (part instanceof CfnResource) {
        addNagSuppressions(part, [
          ...suppressions,
          ...(part === fn ? runtimeSuppressions(runtime, "aws-cdk-lib's BucketDeployment handler") : []),
        ]);
      }
    }
  }

  /**
   * The runtime of an aws-cdk-lib function that the catalog causes to exist but does not own: left as
   * aws-cdk-lib chose it, unless Lambda no longer creates functions on that runtime (aws-cdk-lib
   * 2.177's nodejs20.x and python3.11, which would fail the deployment): then it is raised to the
   * newest of its family that the user's aws-cdk-lib knows, with a warning. Never lowered.
   * Returns the runtime the function ends up with (undefined when it is only known at deploy time).
   */
  private adjustSingletonRuntime(fn: CfnResource, what: string): string | undefined {
    // An L1 function keeps its runtime in `runtime`; a raw CfnResource (CustomResourceProvider) in its properties.
    const current: unknown = Stack.of(this).resolve(
      fn instanceof lambda.CfnFunction ? fn.runtime : (fn as any)._cfnProperties?.Runtime,
    );
    if (typeof current !== 'string') {
      return undefined;
    }
    const raised = raisedRuntimeFor(current);
    if (raised === undefined) {
      return current;
    }
    if (fn instanceof lambda.CfnFunction) {
      fn.runtime = raised; // the L1 property, which cdk-nag reads too
    } else {
      fn.addPropertyOverride('Runtime', raised);
    }
    warn(
      this,
      'handlerRuntimeRaised',
      `${what} (${fn.node.path}) runs on ${current} in this aws-cdk-lib, which Lambda no longer creates ` +
        `functions on: raised to ${raised}. Upgrade aws-cdk-lib to have its own current runtime.`,
    );
    return raised;
  }
}

/**
 * AwsSolutions-L1 for an aws-cdk-lib function the catalog causes to exist: acknowledged only when it
 * applies (its runtime is not the newest the user's aws-cdk-lib knows, or is only known at deploy time).
 */
function runtimeSuppressions(runtime: string | undefined, what: string): NagSuppression[] {
  if (runtime !== undefined && isNewestKnownRuntime(runtime)) {
    return [];
  }
  return [
    {
      id: 'AwsSolutions-L1',
      reason:
        runtime === undefined
          ? `${what} takes its runtime from aws-cdk-lib's per-region mapping of the latest Node.js`
          : `${what} runs on ${runtime}, aws-cdk-lib's choice for this function (not the library's; a newer aws-cdk-lib raises it)`,
    },
  ];
}

// ---- The products: each composes one of the constructs with the parameters of its ProductStack ----

/** An S3 zip source from two parameters (bucket and key), the way the seeds pass sources. */
function s3Source(scope: Construct, what: string): codebuild.ISource {
  const bucket = parameter(scope, 'SourceBucket', PARAMETER_RULES.bucketName, `S3 bucket of the ${what} source zip`);
  const key = parameter(scope, 'SourceKey', PARAMETER_RULES.objectKey, `S3 object key of the ${what} source zip`);
  return codebuild.Source.s3({
    bucket: s3.Bucket.fromBucketName(scope, 'SourceBucketRef', bucket.valueAsString),
    path: key.valueAsString,
  });
}

/** The DockerBuildToEcr product: a repository and a CodeBuild project that builds the zip's Dockerfile. */
function buildDockerBuildToEcrProduct(scope: Construct, options: ResolvedDockerBuildToEcrProduct): void {
  const { lifecycle, pullThroughCachePrefix } = options;
  const source = s3Source(scope, 'Docker build');
  const repositoryName = parameter(
    scope,
    'RepositoryName',
    PARAMETER_RULES.repositoryName,
    'Name of the ECR repository created for the image (retained when the product is terminated)',
  );
  const dockerfile = parameter(
    scope,
    'Dockerfile',
    PARAMETER_RULES.relativePath,
    'Dockerfile path, relative to the build context',
    'Dockerfile',
  );
  const buildContext = parameter(
    scope,
    'BuildContext',
    PARAMETER_RULES.relativePath,
    'Build context, relative to the root of the source zip',
    '.',
  );
  const build = new DockerBuildToEcr(scope, 'Build', {
    source,
    repositoryName: repositoryName.valueAsString,
    dockerfile: dockerfile.valueAsString,
    buildContext: buildContext.valueAsString,
    // Literals, not parameters: ecr.Repository writes lifecycle rules into the policy text at synth,
    // and a parameter in them would be written as the text of a reference.
    maxImageCount: lifecycle.maxImageCount,
    untaggedImageExpiration: lifecycle.untaggedImageExpiration,
    archiveImagesNotPulledFor: lifecycle.archiveImagesNotPulledFor,
    // Fixed by the platform team, checked when the product was made; DockerBuildToEcr applies its defaults.
    ...options.build,
    // The cache of the account the product is launched in (same account and region as the build).
    buildArgs: pullThroughCachePrefix ? { BASE_REGISTRY: ownRegistryPrefix(pullThroughCachePrefix) } : undefined,
  });
  if (pullThroughCachePrefix) {
    grantCacheRepositories(build, pullThroughCachePrefix);
  }
  new CfnOutput(scope, 'RepositoryUri', {
    value: build.repository.repositoryUri,
    description: 'ECR repository of the image',
  });
  new CfnOutput(scope, 'ProjectName', {
    value: build.project.projectName,
    description: 'CodeBuild project that builds the image',
  });
}

/** The CrossAccountPullPolicy product: statements in the policy of an existing repository. */
function buildCrossAccountPullPolicyProduct(scope: Construct, accessLevel: AccessLevel): void {
  const repositoryName = parameter(
    scope,
    'RepositoryName',
    PARAMETER_RULES.repositoryName,
    'Name of an existing ECR repository in this account and region',
  );
  const accountIds = parameter(
    scope,
    'AccountIds',
    PARAMETER_RULES.accountIds,
    `Accounts that may ${accessLevel === AccessLevel.PULL_PUSH ? 'pull and push' : 'pull'} the images (12 digits each, separated by commas)`,
  );
  const repository = ecr.Repository.fromRepositoryName(scope, 'Repository', repositoryName.valueAsString);
  // Each launch is a stack of its own: the handler owns its statements by stack id and logical id,
  // so several launches can share one repository.
  new CrossAccountPullPolicy(scope, 'Sharing', {
    repository,
    accountIds: accountIds.valueAsList,
    accessLevel,
  });
  new CfnOutput(scope, 'RepositoryArn', {
    value: repository.repositoryArn,
    description: 'The repository whose policy lets the accounts in',
  });
}

/** The GoSampleBuild product: a CodeBuild project that builds the Go module of the zip. */
function buildGoSampleBuildProduct(scope: Construct, goVersion: string): void {
  const source = s3Source(scope, 'Go module');
  const mainPackage = parameter(
    scope,
    'MainPackage',
    PARAMETER_RULES.mainPackage,
    'Main package directory, relative to the root of the module',
    '.',
  );
  const binaryName = parameter(scope, 'BinaryName', PARAMETER_RULES.fileName, 'File name of the binary', 'hello');
  const platform = parameter(
    scope,
    'TargetPlatform',
    goPlatformRule(goVersion),
    `GOOS/GOARCH the binary is built for (the pairs of go tool dist list of Go ${goVersion})`,
    'linux/amd64',
  );
  const build = new GoSampleBuild(scope, 'Build', {
    source,
    builderImage: BuilderImage.curated(goVersion),
    mainPackage: mainPackage.valueAsString,
    binaryName: binaryName.valueAsString,
    goos: Fn.select(0, Fn.split('/', platform.valueAsString)),
    goarch: Fn.select(1, Fn.split('/', platform.valueAsString)),
  });
  new CfnOutput(scope, 'ArtifactsBucketName', {
    value: build.artifactsBucket.bucketName,
    description: 'Bucket that receives the zipped binary',
  });
  new CfnOutput(scope, 'ProjectName', {
    value: build.project.projectName,
    description: 'CodeBuild project of the Go build',
  });
}
