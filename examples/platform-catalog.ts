/**
 * A platform team's catalog: the three constructs as AWS Service Catalog products in one
 * portfolio, launched by a developer role; next to it, the registry-wide ECR settings of the
 * account: a pull-through cache for Docker Hub and ECR Public, enhanced scanning, replication of
 * production images to a second region, and an image built on a Docker Hub base image pulled through
 * the cache.
 *
 * Run: `npx ts-node -P examples/tsconfig.json examples/platform-catalog.ts` (no AWS account needed);
 * writes cdk.out/ with the catalog stack and one `*.product.template.json` per product.
 */
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  AccessLevel,
  CatalogProduct,
  DockerBuildToEcr,
  PlatformCatalog,
  PullThroughCacheRule,
  RegistryScanning,
  RegistrySettings,
  RepositoryCreationTrigger,
  Upstream,
} from '../src';

/** The account and region of the example (any literal works; nothing is deployed). */
export const EXAMPLE_ENV = { account: '111111111111', region: 'us-east-1' };

export class RegistryStack extends Stack {
  public readonly registry: RegistrySettings;
  public readonly dockerHub: PullThroughCacheRule;
  /** An image built on a Docker Hub base image pulled through the cache. */
  public readonly image: DockerBuildToEcr;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // The Docker Hub access token: a secret you create once, named as ECR requires.
    const token = secretsmanager.Secret.fromSecretNameV2(this, 'DockerHubToken', 'ecr-pullthroughcache/docker-hub');
    this.dockerHub = new PullThroughCacheRule({
      ecrRepositoryPrefix: 'docker-hub',
      upstream: Upstream.dockerHub(token),
    });
    this.registry = new RegistrySettings(this, 'Registry', {
      pullThroughCacheRules: [
        this.dockerHub,
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() }),
      ],
      scanning: RegistryScanning.enhanced({ continuousScanFilters: ['prod-*'], scanOnPushFilters: ['*'] }),
      replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['prod-'] }],
      repositoryCreationTemplates: [
        {
          prefix: 'docker-hub',
          appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE],
          description: 'Docker Hub cache: keep the 20 newest release tags of each image',
          imageTagMutability: ecr.TagMutability.MUTABLE,
          lifecycleRules: [{ tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageCount: 20 }],
        },
      ],
    });

    // examples/docker-app on busybox from Docker Hub, pulled through the cache (no rate limit).
    const source = new s3assets.Asset(this, 'DockerAppSource', { path: path.join(__dirname, 'docker-app') });
    this.image = new DockerBuildToEcr(this, 'AppImage', {
      source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
      repositoryName: 'prod-docker-app',
      target: 'runtime',
      buildArgs: { BASE_IMAGE: this.dockerHub.imageUri('busybox:1.36') },
      untaggedImageExpiration: Duration.days(14),
    });
    this.registry.grantPullThroughCache(this.image, 'docker-hub');
  }
}

export class CatalogStack extends Stack {
  public readonly catalog: PlatformCatalog;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const developers = new iam.Role(this, 'Developers', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Developers who launch the container build products',
    });
    this.catalog = new PlatformCatalog(this, 'Catalog', {
      portfolioName: 'Container builds',
      providerName: 'Platform team',
      principals: [developers],
      products: [
        CatalogProduct.dockerBuildToEcr({
          maxImageCount: 50,
          untaggedImageExpiration: Duration.days(7),
          pullThroughCachePrefix: 'docker-hub', // the rule RegistryStack creates in this account
        }),
        CatalogProduct.crossAccountPullPolicy({ accessLevel: AccessLevel.PULL }),
        CatalogProduct.goSampleBuild({ goVersion: '1.24' }),
      ],
    });
  }
}

/** Builds the example app (used by the tests too). */
export function buildPlatformCatalogApp(outdir?: string): { app: App; stacks: Stack[] } {
  const app = new App({ outdir });
  const registry = new RegistryStack(app, 'PlatformRegistry', { env: EXAMPLE_ENV });
  const catalog = new CatalogStack(app, 'PlatformCatalog', { env: EXAMPLE_ENV });
  return { app, stacks: [registry, catalog] };
}

if (require.main === module) {
  const { app } = buildPlatformCatalogApp();
  const assembly = app.synth();
  for (const stack of assembly.stacks) {
    console.log(`${stack.stackName}: ${Object.keys(stack.template.Resources ?? {}).length} resources`);
  }
}
