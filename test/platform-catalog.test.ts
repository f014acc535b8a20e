import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import {
  AccessLevel,
  CatalogProduct,
  DockerBuildToEcrProductOptions,
  DockerCache,
  ImageCompression,
  PlatformCatalog,
} from '../src';
import {
  addNagChecks,
  cfnLint,
  nagErrors,
  productStackNagErrors,
  productTemplateFiles,
  templateFiles,
} from './support/template-checks';
import { PARAMETER_RULES } from '../src/private/catalog/parameters';
import { GO_DIST_LISTS } from '../src/private/go/dist-lists';
import {
  REPOSITORY_NAME_PATTERN,
  validateRelativePath,
  validateRepositoryName,
} from '../src/private/shared/validation';

const ENV = { account: '111111111111', region: 'us-east-1' };

/** The apps' output directories, removed after the tests. */
const OUTDIRS: string[] = [];
afterAll(() => {
  for (const dir of OUTDIRS) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function catalogStack(env: typeof ENV | 'agnostic' = ENV): { app: App; stack: Stack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-test-'));
  OUTDIRS.push(outdir);
  const app = new App({ outdir });
  return { app, stack: new Stack(app, 'Catalog', { env: env === 'agnostic' ? undefined : env }) };
}

/** The template of a product stack, as ProductStack writes it. */
function productTemplate(app: App, construct: string): any {
  const assembly = app.synth();
  const file = fs
    .readdirSync(assembly.directory)
    .find((f) => f.startsWith(`Catalog${construct}Template`) && f.endsWith('.product.template.json'));
  expect(file).toBeDefined();
  return JSON.parse(fs.readFileSync(path.join(assembly.directory, file!), 'utf-8'));
}

/** The DockerBuildToEcr product of a catalog that offers it with `options`. */
function dockerProduct(options: DockerBuildToEcrProductOptions = {}): {
  product: any;
  project: any;
  script: string;
  repositories: Record<string, any>;
} {
  const { app, stack } = catalogStack();
  new PlatformCatalog(stack, 'Catalog', {
    portfolioName: 'p',
    providerName: 'team',
    products: [CatalogProduct.dockerBuildToEcr(options)],
  });
  const product = productTemplate(app, 'DockerBuildToEcr');
  const project = Object.values<any>(product.Resources).find((r) => r.Type === 'AWS::CodeBuild::Project');
  const buildSpec = JSON.parse(project.Properties.Source.BuildSpec);
  const repositories = Object.fromEntries(
    Object.entries<any>(product.Resources).filter(([, r]) => r.Type === 'AWS::ECR::Repository'),
  );
  return { product, project, script: buildSpec.phases.build.commands.join('\n'), repositories };
}

/** The repository of the images (not the registry cache's). */
function imageRepository(repositories: Record<string, any>): any {
  const ids = Object.keys(repositories).filter((id) => !id.includes('CacheRepository'));
  expect(ids).toHaveLength(1);
  return repositories[ids[0]];
}

function accepts(pattern: string, value: string): boolean {
  return new RegExp(pattern).test(value);
}

describe('PlatformCatalog', () => {
  test('creates a portfolio with the three products by default', () => {
    // GIVEN
    const { stack } = catalogStack();
    // WHEN
    const catalog = new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'Container builds',
      providerName: 'Platform team',
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ServiceCatalog::Portfolio', {
      DisplayName: 'Container builds',
      ProviderName: 'Platform team',
      Description: Match.stringLikeRegexp(
        'Docker image build to ECR, Share an ECR repository with other accounts, Go build in CodeBuild',
      ),
    });
    template.resourceCountIs('AWS::ServiceCatalog::CloudFormationProduct', 3);
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioProductAssociation', 3);
    for (const name of [
      'Docker image build to ECR',
      'Share an ECR repository with other accounts',
      'Go build in CodeBuild',
    ]) {
      template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
        Name: name,
        Owner: 'Platform team',
        ProvisioningArtifactParameters: [
          Match.objectLike({ Name: 'v1', Info: { LoadTemplateFromURL: Match.anyValue() } }),
        ],
      });
    }
    expect(Object.keys(catalog.products).sort()).toEqual([
      'CrossAccountPullPolicy',
      'DockerBuildToEcr',
      'GoSampleBuild',
    ]);
    expect(catalog.assetBucket).toBeDefined();
  });

  test('product options name, describe, own and version the product', () => {
    const { stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      description: 'Our builds',
      products: [
        CatalogProduct.dockerBuildToEcr({
          productName: 'Build',
          description: 'Builds',
          owner: 'Builders',
          productVersionName: '2025.1',
        }),
      ],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ServiceCatalog::Portfolio', { Description: 'Our builds' });
    template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      Name: 'Build',
      Description: 'Builds',
      Owner: 'Builders',
      ProvisioningArtifactParameters: [Match.objectLike({ Name: '2025.1' })],
    });
  });

  test('no asset bucket when no product has Lambda code', () => {
    const { stack } = catalogStack();
    const catalog = new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.dockerBuildToEcr(), CatalogProduct.goSampleBuild()],
    });
    expect(catalog.assetBucket).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('the created asset bucket is named, encrypted, SSL only, emptied and deleted with the stack; its handlers run on current runtimes', () => {
    const { stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.crossAccountPullPolicy()],
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: Match.stringLikeRegexp('^cdk-ecr-codebuild-catalog-111111111111-us-east-1-[0-9a-f]{8}$'),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true, RestrictPublicBuckets: true }),
      }),
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/nodejs(16|18|20)\.x|python3\.(8|9|10|11|12)"/);
    // aws-cdk-lib 2.177 gives its handlers nodejs20.x and python3.11, which Lambda no longer creates
    // functions on (Lambda runtime deprecation table): raised, and said, since they are not the library's.
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('handlerRuntimeRaised'));
    expect(warnings.map((w) => String(w.entry.data).replace(/ \[ack: .*\]$/, ''))).toEqual([
      expect.stringMatching(
        /S3 auto-delete provider .* runs on nodejs20\.x in this aws-cdk-lib, .*raised to nodejs22\.x/,
      ),
      expect.stringMatching(
        /BucketDeployment handler .* runs on python3\.11 in this aws-cdk-lib, .*raised to python3\.13/,
      ),
    ]);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'python3.13' });
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketName: Match.anyValue() });
  });

  test('uses the given asset bucket', () => {
    const { app, stack } = catalogStack();
    const bucket = new s3.Bucket(stack, 'Assets', { bucketName: 'my-catalog-assets' });
    const catalog = new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      assetBucket: bucket,
      products: [CatalogProduct.crossAccountPullPolicy()],
    });
    expect(catalog.assetBucket).toBe(bucket);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
    // the handler's code is read from that bucket when the product launches
    const product = productTemplate(app, 'CrossAccountPullPolicy');
    const fn = Object.values<any>(product.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn.Properties.Code.S3Bucket).toBe('my-catalog-assets');
  });

  test('fails to create an asset bucket in an environment-agnostic stack', () => {
    const { stack } = catalogStack('agnostic');
    expect(
      () =>
        new PlatformCatalog(stack, 'Catalog', {
          portfolioName: 'p',
          providerName: 'team',
          products: [CatalogProduct.crossAccountPullPolicy()],
        }),
    ).toThrow(/assetBucket \(undefined\) is needed by the CrossAccountPullPolicy product .* pass assetBucket/);
  });

  test('gives roles, users and groups access; launches with the launch role', () => {
    // GIVEN
    const { stack } = catalogStack();
    const role = new iam.Role(stack, 'Dev', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.User(stack, 'User');
    const group = iam.Group.fromGroupArn(stack, 'Group', 'arn:aws:iam::111111111111:group/builders');
    const launchRole = new iam.Role(stack, 'Launch', {
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
    });
    // WHEN
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      principals: [role, user, group],
      launchRole,
      products: [CatalogProduct.dockerBuildToEcr(), CatalogProduct.goSampleBuild()],
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioPrincipalAssociation', 3);
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
      PrincipalARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dev'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
      PrincipalARN: 'arn:aws:iam::111111111111:group/builders',
    });
    template.resourceCountIs('AWS::ServiceCatalog::LaunchRoleConstraint', 2);
  });

  test('fails for a principal that is not a role, user or group', () => {
    const { stack } = catalogStack();
    expect(
      () =>
        new PlatformCatalog(stack, 'Catalog', {
          portfolioName: 'p',
          providerName: 'team',
          principals: [new iam.AccountPrincipal('222222222222')],
          products: [CatalogProduct.goSampleBuild()],
        }),
    ).toThrow(/principals "AccountPrincipal\(222222222222\)" is not an IAM role, user or group/);
  });

  test.each([
    [{ portfolioName: '', providerName: 'team' }, /portfolioName "" has 0 characters: use 1-100 characters/],
    [{ portfolioName: 'p', providerName: 'x'.repeat(51) }, /providerName ".*" has 51 characters: use 1-50 characters/],
    [{ portfolioName: 'p', providerName: 'team', products: [] }, /products \[\] is empty/],
    [
      {
        portfolioName: 'p',
        providerName: 'team',
        products: [CatalogProduct.goSampleBuild(), CatalogProduct.goSampleBuild()],
      },
      /products "GoSampleBuild" is given more than once/,
    ],
  ])('fails for props %#', (props, error) => {
    const { stack } = catalogStack();
    expect(() => new PlatformCatalog(stack, 'Catalog', props as any)).toThrow(error);
  });

  test('takes deploy-time names', () => {
    const { stack } = catalogStack();
    const name = new CfnParameter(stack, 'Name', { type: 'String' }).valueAsString;
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: name,
      providerName: name,
      products: [CatalogProduct.goSampleBuild()],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ServiceCatalog::Portfolio', { DisplayName: { Ref: 'Name' } });
  });

  test('fails for a Go version no curated image carries', () => {
    expect(() => CatalogProduct.goSampleBuild({ goVersion: '1.2' })).toThrow(
      /^CatalogProduct\.goSampleBuild: goVersion "1\.2" is not available on any CodeBuild curated image: use one of 1\.20, /,
    );
  });

  test('fails when the lifecycle options of the DockerBuildToEcr product are tokens', () => {
    const stack = new Stack();
    const token = new CfnParameter(stack, 'N', { type: 'Number' }).valueAsNumber;
    expect(() => CatalogProduct.dockerBuildToEcr({ maxImageCount: token })).toThrow(
      /^CatalogProduct\.dockerBuildToEcr: maxImageCount \(a token\) is only known at deploy time, and the lifecycle policy text is written at synth: /,
    );
    expect(() => CatalogProduct.dockerBuildToEcr({ untaggedImageExpiration: Duration.days(token) })).toThrow(
      /^CatalogProduct\.dockerBuildToEcr: untaggedImageExpiration \(a token\) is only known at deploy time/,
    );
  });
});

describe('product templates', () => {
  test('DockerBuildToEcr: launch parameters flow into the repository and the build', () => {
    // GIVEN / WHEN
    const { app, stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.dockerBuildToEcr({ maxImageCount: 20, untaggedImageExpiration: Duration.days(3) })],
    });
    const product = productTemplate(app, 'DockerBuildToEcr');
    // THEN
    expect(Object.keys(product.Parameters)).toEqual(
      expect.arrayContaining(['SourceBucket', 'SourceKey', 'RepositoryName', 'Dockerfile', 'BuildContext']),
    );
    expect(product.Parameters.RepositoryName).toMatchObject({
      AllowedPattern: REPOSITORY_NAME_PATTERN,
      MinLength: 2,
      MaxLength: 256,
    });
    expect(product.Parameters.SourceBucket).toMatchObject({
      AllowedPattern: PARAMETER_RULES.bucketName.allowedPattern,
      MinLength: 3,
      MaxLength: 63,
    });
    expect(product.Parameters.SourceKey).toMatchObject({
      AllowedPattern: PARAMETER_RULES.objectKey.allowedPattern,
      MinLength: 1,
      MaxLength: 1024,
    });
    expect(product.Parameters.Dockerfile.Default).toBe('Dockerfile');
    expect(product.Parameters.BuildContext.Default).toBe('.');
    const repo = Object.entries<any>(product.Resources).find(
      ([id, r]) => r.Type === 'AWS::ECR::Repository' && !id.includes('CacheRepository'),
    )![1];
    expect(repo.Properties.RepositoryName).toEqual({ Ref: 'RepositoryName' });
    expect(repo.DeletionPolicy).toBe('Retain');
    const lifecycle = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
    // untagged images expire after 3 days, and maxImageCount 20 counts builds (the cache is in its own repository)
    expect(lifecycle.rules.map((r: any) => r.selection.countNumber)).toEqual([3, 20]);
    const project = Object.values<any>(product.Resources).find((r) => r.Type === 'AWS::CodeBuild::Project');
    expect(project.Properties.Source.Location).toEqual({
      'Fn::Join': ['', [{ Ref: 'SourceBucket' }, '/', { Ref: 'SourceKey' }]],
    });
    // the paths reach the build through environment variables, not spliced into the buildspec
    const env = Object.fromEntries(
      project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]),
    );
    expect(JSON.stringify(env)).toContain('{"Ref":"Dockerfile"}');
    expect(JSON.stringify(env)).toContain('{"Ref":"BuildContext"}');
    expect(product.Outputs.RepositoryUri).toBeDefined();
  });

  test('DockerBuildToEcr with pullThroughCachePrefix: BASE_REGISTRY in the launching account, and the grant', () => {
    const { app, stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.dockerBuildToEcr({ pullThroughCachePrefix: 'docker-hub' })],
    });
    const product = productTemplate(app, 'DockerBuildToEcr');
    const project = Object.values<any>(product.Resources).find((r) => r.Type === 'AWS::CodeBuild::Project');
    expect(project.Properties.Environment.EnvironmentVariables).toEqual(
      expect.arrayContaining([
        {
          Name: 'DOCKER_BUILD_ARG_BASE_REGISTRY',
          Type: 'PLAINTEXT',
          Value: {
            'Fn::Join': [
              '',
              [
                { Ref: 'AWS::AccountId' },
                '.dkr.ecr.',
                { Ref: 'AWS::Region' },
                '.',
                { Ref: 'AWS::URLSuffix' },
                '/docker-hub',
              ],
            ],
          },
        },
      ]),
    );
    // the grant sits in a policy of its own on the build role (not in its default policy)
    const policy = Object.entries<any>(product.Resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('BuildRolePullThroughCache'),
    )![1];
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: expect.arrayContaining(['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository', 'ecr:BatchGetImage']),
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ecr:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':repository/docker-hub/*',
              ],
            ],
          },
        }),
      ]),
    );
  });

  test('fails when pullThroughCachePrefix is malformed', () => {
    expect(() => CatalogProduct.dockerBuildToEcr({ pullThroughCachePrefix: 'Docker Hub' })).toThrow(
      /^CatalogProduct\.dockerBuildToEcr: pullThroughCachePrefix "Docker Hub" is not a valid repository prefix/,
    );
  });

  test("DockerBuildToEcr by default: a MUTABLE repository, latest, gzip, the registry cache, CodeBuild's newest image", () => {
    const { project, script, repositories } = dockerProduct();
    expect(imageRepository(repositories).Properties.ImageTagMutability).toBe('MUTABLE');
    expect(imageRepository(repositories).Properties.ImageTagMutabilityExclusionFilters).toBeUndefined();
    expect(script).toContain(`local fixed_tags=('latest') tag`);
    expect(script).not.toContain('compression=zstd');
    expect(Object.keys(repositories).filter((id) => id.includes('CacheRepository'))).toHaveLength(1);
    expect(project.Properties.Environment.DockerServer).toBeUndefined();
    // CodeBuild's newest x86_64 curated image (Docker 28, buildx)
    expect(project.Properties.Environment.Image).toBe('aws/codebuild/standard:8.0');
  });

  // Archiving: Amazon ECR User Guide, "Lifecycle policy properties" (transition to archive,
  // countType sinceImagePulled, countNumber a positive integer of days) and "Lifecycle policy
  // evaluation rules" (no later rule acts on an image an earlier one selected).
  test('DockerBuildToEcr with archiveImagesNotPulledFor: untagged images expire, the others are archived, none expired by count', () => {
    const { repositories } = dockerProduct({ archiveImagesNotPulledFor: Duration.days(90) });
    const lifecycle = JSON.parse(imageRepository(repositories).Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(lifecycle.rules).toEqual([
      {
        rulePriority: 1,
        description: 'Expire untagged images 14 days after push',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Archive images not pulled for 90 days',
        selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
        action: { type: 'transition', targetStorageClass: 'archive' },
      },
    ]);
  });

  test('fails when the DockerBuildToEcr product both archives and expires by count (DockerBuildToEcr reports it in the product stack)', () => {
    const { stack } = catalogStack();
    expect(
      () =>
        new PlatformCatalog(stack, 'Catalog', {
          portfolioName: 'p',
          providerName: 'team',
          products: [
            CatalogProduct.dockerBuildToEcr({ archiveImagesNotPulledFor: Duration.days(30), maxImageCount: 10 }),
          ],
        }),
    ).toThrow(
      /^\[Catalog\/Catalog\/DockerBuildToEcrTemplate\/Build\] DockerBuildToEcr: archiveImagesNotPulledFor 30 days would archive no tagged image: .*: archive images \(archiveImagesNotPulledFor\) or expire them by count \(maxImageCount\), not both$/,
    );
  });

  // Tag mutability with exclusion filters: ECR API reference, API_ImageTagMutabilityExclusionFilter,
  // and the AWS::ECR::Repository schema (ImageTagMutability *_WITH_EXCLUSION, 1-5 WILDCARD filters).
  test('DockerBuildToEcr with IMMUTABLE tags and latest excluded: every build tag immutable, latest moves', () => {
    const { script, repositories } = dockerProduct({
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest'],
    });
    expect(imageRepository(repositories).Properties).toMatchObject({
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
      ],
    });
    expect(script).toContain(`local fixed_tags=('latest') tag`);
    // the registry cache moves its tag in a repository of its own, MUTABLE
    const cache = Object.entries<any>(repositories).find(([id]) => id.includes('CacheRepository'))![1];
    expect(cache.Properties.ImageTagMutability).toBe('MUTABLE');
  });

  test('DockerBuildToEcr with IMMUTABLE tags and no filter: latest is not pushed (ECR would refuse it after the first build)', () => {
    const { script, repositories } = dockerProduct({ imageTagMutability: ecr.TagMutability.IMMUTABLE });
    expect(imageRepository(repositories).Properties.ImageTagMutability).toBe('IMMUTABLE');
    expect(script).not.toContain('fixed_tags');
  });

  test('DockerBuildToEcr with MUTABLE tags and release filters: MUTABLE_WITH_EXCLUSION', () => {
    const { repositories } = dockerProduct({ imageTagMutabilityExclusionFilters: ['v*', 'release-*'] });
    expect(imageRepository(repositories).Properties).toMatchObject({
      ImageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'v*' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'release-*' },
      ],
    });
  });

  // Layer compression: Docker docs, "Image and registry exporters" (compression=zstd,
  // force-compression, oci-mediatypes), written by buildx.
  test.each([
    ['the registry cache (the default)', undefined],
    ['no cache', DockerCache.none()],
  ])('DockerBuildToEcr with ZSTD on %s: pushed by buildx with zstd layers', (_name, cache) => {
    const { script } = dockerProduct({ compression: ImageCompression.ZSTD, cache });
    expect(script).toContain('push=true,compression=zstd,force-compression=true,oci-mediatypes=true');
  });

  // CodeBuild's Docker server: CodeBuild API reference, API_DockerServer (compute types SMALL to
  // 2XLARGE; security groups, which admit the build from the project's VPC).
  test("DockerBuildToEcr on CodeBuild's Docker server: its compute type, no cache repository, no security group", () => {
    const { product, project, script, repositories } = dockerProduct({
      cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.MEDIUM }),
    });
    expect(project.Properties.Environment).toMatchObject({
      ComputeType: 'BUILD_GENERAL1_SMALL',
      DockerServer: { ComputeType: 'BUILD_GENERAL1_MEDIUM' },
    });
    expect(project.Properties.Environment.DockerServer.SecurityGroupIds).toBeUndefined();
    expect(Object.keys(repositories)).toHaveLength(1);
    expect(Object.values<any>(product.Resources).some((r) => r.Type === 'AWS::EC2::SecurityGroup')).toBe(false);
    expect(script).toContain("Docker layer cache: CodeBuild's Docker server");
  });

  test('DockerBuildToEcr with the LOCAL cache and with a registry cache tag of its own', () => {
    expect(dockerProduct({ cache: DockerCache.local() }).project.Properties.Cache).toEqual({
      Type: 'LOCAL',
      Modes: ['LOCAL_DOCKER_LAYER_CACHE'],
    });
    expect(dockerProduct({ cache: DockerCache.registry({ tag: 'layers' }) }).script).toContain(
      `CACHE_REF="$CACHE_REPOSITORY_URI:"'layers'`,
    );
  });

  describe("fails when a DockerBuildToEcr product option cannot work (reported by the factory, DockerBuildToEcr's rules)", () => {
    const sg = (): ec2.ISecurityGroup =>
      ec2.SecurityGroup.fromSecurityGroupId(new Stack(), 'Sg', 'sg-0123456789abcdef0');
    test.each<[string, () => DockerBuildToEcrProductOptions, string]>([
      // ECR API reference, API_ImageTagMutabilityExclusionFilter: filterValue ^[0-9a-zA-Z._*-]{1,128}$
      [
        'a filter is not an ECR wildcard filter',
        () => ({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: ['latest!'] }),
        'imageTagMutabilityExclusionFilters "latest!" is not an ECR tag filter: use 1-128 of A-Z a-z 0-9 . _ - and the wildcard *',
      ],
      // AWS::ECR::Repository ImageTagMutabilityExclusionFilters: 1-5 items
      [
        'there are more than 5 filters',
        () => ({ imageTagMutabilityExclusionFilters: ['a', 'b', 'c', 'd', 'e', 'f'] }),
        'imageTagMutabilityExclusionFilters ["a", "b", "c", "d", "e", "f"] has 6 filters, and ECR takes at most 5',
      ],
      [
        'the filter list is empty',
        () => ({ imageTagMutabilityExclusionFilters: [] }),
        'imageTagMutabilityExclusionFilters [] is empty: leave it unset, or list 1-5 wildcard filters',
      ],
      [
        'a filter is listed twice',
        () => ({ imageTagMutabilityExclusionFilters: ['latest', 'latest'] }),
        'imageTagMutabilityExclusionFilters "latest" is listed twice: list each filter once',
      ],
      // AWS::ECR::Repository ImageTagMutability: IMMUTABLE_WITH_EXCLUSION needs filters
      [
        'a *_WITH_EXCLUSION mutability has no filters',
        () => ({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as ecr.TagMutability }),
        'imageTagMutability "IMMUTABLE_WITH_EXCLUSION" needs imageTagMutabilityExclusionFilters',
      ],
      // Amazon ECR User Guide, "Lifecycle policy properties": sinceImagePulled counts whole days, at least 1
      [
        'the archive age is not a whole number of days',
        () => ({ archiveImagesNotPulledFor: Duration.hours(36) }),
        'archiveImagesNotPulledFor 36 hours is not a whole number of days (ECR counts the days since the last pull): ' +
          'use a whole number of at least 1 day, e.g. Duration.days(90)',
      ],
      [
        'the archive age is less than a day',
        () => ({ archiveImagesNotPulledFor: Duration.days(0) }),
        'archiveImagesNotPulledFor 0 days is less than a day',
      ],
      [
        'the archive age is a deploy-time value (the lifecycle policy text is written at synth)',
        () => ({
          archiveImagesNotPulledFor: Duration.days(
            new CfnParameter(new Stack(), 'D', { type: 'Number' }).valueAsNumber,
          ),
        }),
        'archiveImagesNotPulledFor (a token) is only known at deploy time, and the lifecycle policy text is written at ' +
          'synth: give a literal, e.g. archiveImagesNotPulledFor: Duration.days(90)',
      ],
      // CodeBuild API reference, API_DockerServer: securityGroupIds (ingress on 9876 from the project's VPC)
      [
        "the Docker server gets security groups (the product's build runs in no VPC)",
        () => ({ cache: DockerCache.dockerServer({ securityGroups: [sg()] }) }),
        'cache "DockerCache.dockerServer({ securityGroups })" sets security groups, which admit the build from the ' +
          "project's VPC, and the product's build runs in no VPC",
      ],
      // CodeBuild API reference, API_DockerServer: computeType BUILD_GENERAL1_SMALL to _2XLARGE
      [
        'the Docker server gets a compute type it does not take',
        () => ({ cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.LAMBDA_1GB }) }),
        'cache "DockerCache.dockerServer() with compute type BUILD_LAMBDA_1GB" is not a compute type of a CodeBuild ' +
          'Docker server: set DockerCache.dockerServer({ computeType }) to ComputeType.SMALL, MEDIUM, LARGE, X_LARGE or X2_LARGE',
      ],
      // ECR API reference, API_PutImage imageTag (the cache tag is an image tag of the cache repository)
      [
        'the registry cache tag is not an image tag',
        () => ({ cache: DockerCache.registry({ tag: 'build cache' }) }),
        'cache "build cache" is not a valid',
      ],
      // Docker docs, "Image and registry exporters": compression=zstd is written by buildx's image
      // exporter, not by the Docker engine's image store (the host's, or the Docker server's)
      [
        'ZSTD meets the LOCAL cache',
        () => ({ compression: ImageCompression.ZSTD, cache: DockerCache.local() }),
        'compression "ImageCompression.ZSTD" needs a buildx builder of the build\'s own, and DockerCache.local() keeps ' +
          "the layers of the host's Docker engine",
      ],
      [
        "ZSTD meets CodeBuild's Docker server",
        () => ({ compression: ImageCompression.ZSTD, cache: DockerCache.dockerServer() }),
        'compression "ImageCompression.ZSTD" needs a buildx builder of the build\'s own, and DockerCache.dockerServer() ' +
          "builds on the Docker server's engine",
      ],
      [
        'compression is not an ImageCompression (untyped JavaScript)',
        () => ({ compression: 'brotli' as ImageCompression }),
        'compression "brotli" is not an ImageCompression: use ImageCompression.GZIP or ImageCompression.ZSTD',
      ],
    ])('%s', (_name, options, message) => {
      let error: Error | undefined;
      try {
        CatalogProduct.dockerBuildToEcr(options());
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toContain(message);
      // the factory leads the message: no construct exists yet
      expect(error?.message.startsWith(`CatalogProduct.dockerBuildToEcr: ${message.split(' ')[0]} `)).toBe(true);
    });

    test('in the order DockerBuildToEcr reports them: the repository before the cache', () => {
      expect(() =>
        CatalogProduct.dockerBuildToEcr({
          imageTagMutabilityExclusionFilters: [],
          cache: DockerCache.dockerServer({ securityGroups: [sg()] }),
        }),
      ).toThrow(/^CatalogProduct\.dockerBuildToEcr: imageTagMutabilityExclusionFilters \[\] is empty/);
    });

    test('a Docker server of a Docker server compute type, and the LOCAL cache with gzip, are accepted', () => {
      expect(() =>
        CatalogProduct.dockerBuildToEcr({
          cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.X2_LARGE }),
        }),
      ).not.toThrow();
      expect(() =>
        CatalogProduct.dockerBuildToEcr({ cache: DockerCache.local(), compression: ImageCompression.GZIP }),
      ).not.toThrow();
    });
  });

  test('CrossAccountPullPolicy: the account list parameter becomes the policy condition', () => {
    const { app, stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.crossAccountPullPolicy({ accessLevel: AccessLevel.PULL_PUSH })],
    });
    const product = productTemplate(app, 'CrossAccountPullPolicy');
    expect(product.Parameters.AccountIds).toMatchObject({ Type: 'CommaDelimitedList', AllowedPattern: '^\\d{12}$' });
    const policy = Object.values<any>(product.Resources).find(
      (r) => r.Type === 'Custom::CdkEcrCodebuildRepositoryPolicy',
    );
    expect(policy.Properties.Statements[0].Condition).toEqual({
      StringEquals: { 'aws:PrincipalAccount': { Ref: 'AccountIds' } },
    });
    expect(policy.Properties.Statements[0].Action).toContain('ecr:PutImage');
    expect(JSON.stringify(policy.Properties.RepositoryArn)).toContain('{"Ref":"RepositoryName"}');
  });

  test('GoSampleBuild: the target platform parameter is split into GOOS and GOARCH', () => {
    const { app, stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.goSampleBuild()],
    });
    const product = productTemplate(app, 'GoSampleBuild');
    // the pairs of `go tool dist list` of Go 1.26, the product's default Go: no windows/arm (removed in
    // Go 1.26), no freebsd/riscv64 or openbsd/mips64 (marked broken)
    expect(product.Parameters.TargetPlatform).toMatchObject({
      AllowedValues: [...GO_DIST_LISTS['1.26']],
      Default: 'linux/amd64',
    });
    expect(product.Parameters.TargetPlatform.AllowedValues).not.toContain('windows/arm');
    expect(product.Parameters.BinaryName).toMatchObject({
      AllowedPattern: PARAMETER_RULES.fileName.allowedPattern,
      Default: 'hello',
    });
    const project = Object.values<any>(product.Resources).find((r) => r.Type === 'AWS::CodeBuild::Project');
    const env = JSON.stringify(project.Properties.Environment.EnvironmentVariables);
    expect(env).toContain('{"Fn::Select":[0,{"Fn::Split":["/",{"Ref":"TargetPlatform"}]}]}');
    expect(env).toContain('{"Fn::Select":[1,{"Fn::Split":["/",{"Ref":"TargetPlatform"}]}]}');
  });

  test('GoSampleBuild: the target platforms are those of the Go version of the product (go tool dist list of go1.23.12)', () => {
    const { app, stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.goSampleBuild({ goVersion: '1.23' })],
    });
    const platforms = productTemplate(app, 'GoSampleBuild').Parameters.TargetPlatform.AllowedValues;
    expect(platforms).toEqual([...GO_DIST_LISTS['1.23']]);
    expect(platforms).toEqual(expect.arrayContaining(['windows/arm', 'freebsd/riscv64', 'openbsd/riscv64']));
    expect(platforms).not.toContain('openbsd/mips64');
  });

  test('every product stack is a ProductStack of the catalog', () => {
    const { stack } = catalogStack();
    const catalog = new PlatformCatalog(stack, 'Catalog', { portfolioName: 'p', providerName: 'team' });
    const productStacks = catalog.node.findAll().filter((c) => c instanceof servicecatalog.ProductStack);
    expect(productStacks.map((p) => p.node.id).sort()).toEqual([
      'CrossAccountPullPolicyTemplate',
      'DockerBuildToEcrTemplate',
      'GoSampleBuildTemplate',
    ]);
  });
});

describe('parameter constraints mirror the synth-time validation', () => {
  // ECR CreateRepository repositoryName: "__" and runs of "-" are separators too
  test.each(['app', 'team/app-image', 'a.b_c-d/e', 'ab', 'a__b', 'a--b', 'team/app---image'])(
    'repository name %s: accepted by both',
    (name) => {
      expect(() => validateRepositoryName(undefined, 'repositoryName', name)).not.toThrow();
      expect(accepts(PARAMETER_RULES.repositoryName.allowedPattern, name)).toBe(true);
    },
  );

  test.each(['App', 'team//app', '-app', 'app-', 'a b', 'team/'])('repository name %s: refused by both', (name) => {
    expect(() => validateRepositoryName(undefined, 'repositoryName', name)).toThrow();
    expect(accepts(PARAMETER_RULES.repositoryName.allowedPattern, name)).toBe(false);
  });

  test.each(['.', 'Dockerfile', 'docker/Dockerfile.prod', 'a/b/c', '..hidden'])(
    'relative path %s: accepted by both',
    (p) => {
      expect(() => validateRelativePath(undefined, 'dockerfile', p, 'the context')).not.toThrow();
      expect(accepts(PARAMETER_RULES.relativePath.allowedPattern, p)).toBe(true);
    },
  );

  test.each(['/abs', '../up', '..', 'C:/x'])('relative path %s: refused by both', (p) => {
    expect(() => validateRelativePath(undefined, 'dockerfile', p, 'the context')).toThrow();
    expect(accepts(PARAMETER_RULES.relativePath.allowedPattern, p)).toBe(false);
  });

  test.each(['a/../b', '\\\\share'])(
    'the parameter is stricter for %s (the prop accepts it, the pattern refuses it)',
    (p) => {
      expect(() => validateRelativePath(undefined, 'dockerfile', p, 'the context')).not.toThrow();
      expect(accepts(PARAMETER_RULES.relativePath.allowedPattern, p)).toBe(false);
    },
  );

  test('main package patterns are refused', () => {
    expect(accepts(PARAMETER_RULES.mainPackage.allowedPattern, 'cmd/hello')).toBe(true);
    expect(accepts(PARAMETER_RULES.mainPackage.allowedPattern, './...')).toBe(false);
  });

  test.each([
    ['hello', true],
    ['hello.exe', true],
    ['_x+1', true],
    ['.hidden', false],
    ['bin/hello', false],
    ['', false],
  ])('binary name %s: %s', (name, ok) => {
    expect(accepts(PARAMETER_RULES.fileName.allowedPattern, name)).toBe(ok);
  });

  test.each([
    ['my-bucket', true],
    ['a.b.c', true],
    ['My-Bucket', false],
    ['-bucket', false],
  ])('bucket name %s: %s', (name, ok) => {
    expect(accepts(PARAMETER_RULES.bucketName.allowedPattern, name)).toBe(ok);
  });

  test('account ids', () => {
    expect(accepts(PARAMETER_RULES.accountIds.allowedPattern, '123456789012')).toBe(true);
    expect(accepts(PARAMETER_RULES.accountIds.allowedPattern, '12345')).toBe(false);
  });
});

describe('logical ids (frozen: a change replaces the portfolio or a product, and users lose their launches)', () => {
  test('of the portfolio, the products and the asset bucket', () => {
    const { stack } = catalogStack();
    new PlatformCatalog(stack, 'Catalog', { portfolioName: 'p', providerName: 'team' });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const ids = (type: string): string[] =>
      Object.keys(resources)
        .filter((id) => resources[id].Type === type)
        .sort();
    expect(ids('AWS::ServiceCatalog::Portfolio')).toEqual(['CatalogPortfolio8A9A4646']);
    expect(ids('AWS::ServiceCatalog::CloudFormationProduct')).toEqual([
      'CatalogCrossAccountPullPolicyC4B7B095',
      'CatalogDockerBuildToEcrCAC6542A',
      'CatalogGoSampleBuild9AD1B207',
    ]);
    expect(ids('AWS::S3::Bucket')).toEqual(['CatalogAssetBucket798B9941']);
  });
});

/**
 * The DockerBuildToEcr product with the options a platform team fixes: its template and the catalog
 * stack pass cfn-lint and cdk-nag AwsSolutions (examples/platform-catalog.ts, checked in
 * template-checks.test.ts, offers the product with its defaults).
 */
describe.each<[string, DockerBuildToEcrProductOptions]>([
  [
    'IMMUTABLE with latest excluded, zstd, the registry cache',
    {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest'],
      compression: ImageCompression.ZSTD,
      cache: DockerCache.registry({ tag: 'layers' }),
    },
  ],
  [
    "MUTABLE with release tags immutable, CodeBuild's Docker server",
    {
      imageTagMutabilityExclusionFilters: ['v*'],
      cache: DockerCache.dockerServer({ computeType: codebuild.ComputeType.LARGE }),
    },
  ],
  [
    'the LOCAL cache, images archived after 90 days',
    { cache: DockerCache.local(), archiveImagesNotPulledFor: Duration.days(90) },
  ],
])('template checks: the DockerBuildToEcr product with %s', (_name, options) => {
  const { app, stack } = catalogStack();
  new PlatformCatalog(stack, 'Catalog', {
    portfolioName: 'p',
    providerName: 'team',
    products: [CatalogProduct.dockerBuildToEcr(options)],
  });
  addNagChecks(app);
  const assembly = app.synth();

  test('cfn-lint reports no error and no warning in the stack and the product template', () => {
    const files = [...templateFiles(assembly), ...productTemplateFiles(assembly)];
    expect(productTemplateFiles(assembly)).toHaveLength(1);
    const result = cfnLint(files);
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('cdk-nag AwsSolutions: no unsuppressed error in the stack or the product stack', () => {
    expect(nagErrors(stack, assembly)).toEqual([]);
    expect(productStackNagErrors(app)).toEqual([]);
  });
});
