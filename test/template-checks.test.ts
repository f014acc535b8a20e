import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import * as signer from 'aws-cdk-lib/aws-signer';
import { buildIntegApp as buildOnDeployIntegApp } from './integ.build-on-deploy';
import { buildIntegApp as pullPolicyIntegApp } from './integ.cross-account-pull-policy';
import { buildIntegApp as dockerIntegApp } from './integ.docker-build-to-ecr';
import { buildIntegApp as goIntegApp } from './integ.go-sample-build';
import {
  addNagChecks,
  cfnLint,
  nagErrors,
  productStackNagErrors,
  productTemplateFiles,
  templateFiles,
} from './support/template-checks';
import { buildPipelineApp } from '../examples/pipeline';
import { buildPlatformCatalogApp } from '../examples/platform-catalog';
import { buildSeedApp } from '../examples/seed-pipeline';
import { PullThroughCacheRule, RegistrySettings, RegistrySigning, RepositoryCreationTrigger, Upstream } from '../src';

/**
 * Every template synthesized from examples/ passes cfn-lint with no error or warning, and cdk-nag's
 * AwsSolutions pack with no unsuppressed error.
 */
describe('template checks: examples/seed-pipeline.ts', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-pipeline-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN the example app with the AwsSolutions pack
  const { app, stacks } = buildSeedApp(outdir);
  addNagChecks(app);
  // WHEN it is synthesized
  const assembly = app.synth();

  test('synthesizes at least one stack', () => {
    expect(templateFiles(assembly).length).toBeGreaterThanOrEqual(1);
  });

  test('cfn-lint reports no error and no warning', () => {
    const result = cfnLint(templateFiles(assembly));
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('cdk-nag does report an unsuppressed error (the check can fail)', () => {
    // GIVEN a stack with a bucket that breaks AwsSolutions-S1/S10
    const app2 = new App();
    const stack = new Stack(app2, 'Bad');
    new s3.Bucket(stack, 'Plain');
    addNagChecks(app2);
    const assembly2 = app2.synth();
    // THEN the check lists the errors
    expect(nagErrors(stack, assembly2).join('\n')).toMatch(/AwsSolutions-S10/);
  });

  test.each(stacks.map((s) => [s.stackName, s]))(
    'cdk-nag AwsSolutions: no unsuppressed error in %s',
    (_name, stack) => {
      expect(nagErrors(stack, assembly)).toEqual([]);
    },
  );
});

describe('template checks: examples/pipeline.ts', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-pipeline-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN the pipeline example with the AwsSolutions pack, WHEN it is synthesized
  const { app, stacks } = buildPipelineApp(outdir);
  addNagChecks(app);
  const assembly = app.synth();

  test('cfn-lint reports no error and no warning', () => {
    const result = cfnLint(templateFiles(assembly));
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test.each(stacks.map((s) => [s.stackName, s]))(
    'cdk-nag AwsSolutions: no unsuppressed error in %s',
    (_name, stack) => {
      expect(nagErrors(stack, assembly)).toEqual([]);
    },
  );

  test("the build action's variables feed the deploy stage", () => {
    const template = JSON.parse(fs.readFileSync(templateFiles(assembly)[0], 'utf-8'));
    const [pipeline] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const actions = pipeline.Properties.Stages.flatMap((s: any) => s.Actions);
    const build = actions.find((a: any) => a.ActionTypeId.Provider === 'CodeBuild');
    const deploy = actions.find((a: any) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(build.Namespace).toBe('Image');
    const overrides = JSON.stringify(deploy.Configuration.ParameterOverrides);
    expect(overrides).toContain('@#{Image.IMAGE_DIGEST}');
    expect(overrides).toContain('#{Image.IMAGE_TAG}');
  });
});

describe('template checks catch problems', () => {
  test('cfn-lint fails on a template with an error', () => {
    // GIVEN a template whose resource has an unknown property
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
    const file = path.join(dir, 'bad.template.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { NoSuchProperty: true } } } }),
    );
    try {
      // WHEN cfn-lint runs THEN it reports the error
      const result = cfnLint([file]);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toMatch(/NoSuchProperty/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every integration test app: its templates pass the same checks (assertion stacks included). */
const INTEG_APPS: Array<[string, () => { app: App; stacks: Stack[] }]> = [
  ['integ.docker-build-to-ecr', () => dockerIntegApp()],
  ['integ.cross-account-pull-policy', () => pullPolicyIntegApp()],
  ['integ.go-sample-build', () => goIntegApp()],
  ['integ.build-on-deploy', () => buildOnDeployIntegApp()],
];

describe.each(INTEG_APPS)('template checks: test/%s.ts', (_name, build) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN the integration test app with the AwsSolutions pack, WHEN it is synthesized
  const { app } = build();
  addNagChecks(app);
  const assembly = app.synth();
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));

  test('has the test stack and the assertion stack', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(expect.arrayContaining(['DeployAssert']));
    expect(stacks.length).toBeGreaterThanOrEqual(2);
  });

  test('cfn-lint reports no error and no warning', () => {
    const result = cfnLint(templateFiles(assembly));
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('cdk-nag AwsSolutions: no unsuppressed error in any stack', () => {
    expect(stacks.flatMap((s) => nagErrors(s, assembly).map((e) => `${s.stackName} ${e}`))).toEqual([]);
  });

  test('assertion providers run on a runtime Lambda still creates', () => {
    for (const file of templateFiles(assembly)) {
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      for (const resource of Object.values<any>(template.Resources ?? {})) {
        // (a container-image function has no runtime)
        if (resource.Type === 'AWS::Lambda::Function' && resource.Properties.PackageType !== 'Image') {
          expect(resource.Properties.Runtime).toMatch(/^nodejs(22|24)\.x$/);
        }
      }
    }
  });
  void outdir;
});

/**
 * examples/platform-catalog.ts: the stacks and every product template (a separate file asset of
 * the catalog stack) pass cfn-lint and cdk-nag.
 */
describe('template checks: examples/platform-catalog.ts', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-catalog-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN the example app with the AwsSolutions pack, WHEN it is synthesized
  const { app, stacks } = buildPlatformCatalogApp(outdir);
  addNagChecks(app);
  const assembly = app.synth();

  test('has one product template per product', () => {
    expect(
      productTemplateFiles(assembly).map((f) => path.basename(f).replace(/[0-9A-F]{8}\.product\.template\.json$/, '')),
    ).toEqual(
      expect.arrayContaining([
        'PlatformCatalogCrossAccountPullPolicyTemplate',
        'PlatformCatalogDockerBuildToEcrTemplate',
        'PlatformCatalogGoSampleBuildTemplate',
      ]),
    );
    expect(productTemplateFiles(assembly)).toHaveLength(3);
  });

  test('cfn-lint reports no error and no warning in the stacks and the product templates', () => {
    const result = cfnLint([...templateFiles(assembly), ...productTemplateFiles(assembly)]);
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test.each(stacks.map((s) => [s.stackName, s]))(
    'cdk-nag AwsSolutions: no unsuppressed error in %s',
    (_name, stack) => {
      expect(nagErrors(stack, assembly)).toEqual([]);
    },
  );

  test('cdk-nag AwsSolutions: no unsuppressed error in any product stack', () => {
    expect(productStackNagErrors(app)).toEqual([]);
  });

  test('Lambda functions run on runtimes Lambda still creates', () => {
    for (const file of [...templateFiles(assembly), ...productTemplateFiles(assembly)]) {
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      for (const resource of Object.values<any>(template.Resources ?? {})) {
        if (resource.Type === 'AWS::Lambda::Function') {
          expect(resource.Properties.Runtime).toMatch(/^(nodejs(22|24)\.x|python3\.1[3-9])$/);
        }
      }
    }
  });

  test('the product-stack nag check can fail', () => {
    // GIVEN a product stack with a bucket that breaks AwsSolutions-S1/S10
    const app2 = new App();
    const parent = new Stack(app2, 'Parent');
    const productStack = new servicecatalog.ProductStack(parent, 'Product');
    new s3.Bucket(productStack, 'Plain');
    new servicecatalog.CloudFormationProduct(parent, 'P', {
      productName: 'p',
      owner: 'o',
      productVersions: [
        { cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromProductStack(productStack) },
      ],
    });
    addNagChecks(app2);
    app2.synth();
    // THEN the errors are found
    expect(productStackNagErrors(app2).join('\n')).toMatch(/Parent\/Product\/Plain\/Resource: AwsSolutions-S10/);
  });
});

/**
 * RegistrySettings in the AWS of 2026 (managed signing, create on push, Chainguard and ECR to ECR
 * upstreams, archive rules and tag mutability exclusions in creation templates): the resources the
 * examples do not hold, in one stack, through cfn-lint and cdk-nag.
 */
describe('template checks: RegistrySettings 2026 features', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-2026-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN a stack with every new RegistrySettings feature, WHEN it is synthesized with the AwsSolutions pack
  const app = new App({ outdir });
  const stack = new Stack(app, 'Registry2026', { env: { account: '111111111111', region: 'us-east-1' } });
  const profile = new signer.SigningProfile(stack, 'SigningProfile', {
    platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA,
  });
  const cacheRole = new iam.Role(stack, 'CacheRole', {
    assumedBy: new iam.ServicePrincipal('pullthroughcache.ecr.amazonaws.com'),
  });
  const chainguardToken = secretsmanager.Secret.fromSecretNameV2(
    stack,
    'ChainguardToken',
    'ecr-pullthroughcache/chainguard',
  );
  new RegistrySettings(stack, 'Registry', {
    signing: RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: ['prod/*'] }]),
    pullThroughCacheRules: [
      new PullThroughCacheRule({ ecrRepositoryPrefix: 'chainguard', upstream: Upstream.chainguard(chainguardToken) }),
      new PullThroughCacheRule({
        ecrRepositoryPrefix: 'central',
        upstream: Upstream.ecrRegistry({
          account: '222222222222',
          region: 'eu-west-1',
          role: cacheRole,
          repositoryPrefix: 'base',
        }),
      }),
    ],
    repositoryCreationTemplates: [
      {
        prefix: 'apps',
        appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageTagMutabilityExclusionFilters: ['latest'],
        lifecycleRules: [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
        archiveImagesNotPulledFor: Duration.days(90),
      },
    ],
  });
  addNagChecks(app);
  const assembly = app.synth();

  test('holds the new resource types and properties', () => {
    const template = JSON.parse(fs.readFileSync(templateFiles(assembly)[0], 'utf-8'));
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::ECR::SigningConfiguration', 'AWS::Signer::SigningProfile']));
  });

  test('cfn-lint reports no error and no warning', () => {
    const result = cfnLint(templateFiles(assembly));
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('cdk-nag AwsSolutions: no unsuppressed error', () => {
    expect(nagErrors(stack, assembly)).toEqual([]);
  });
});
