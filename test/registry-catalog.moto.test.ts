/**
 * RegistrySettings and the PlatformCatalog product templates against moto (5.2.1), a local AWS
 * emulator, read back through the service APIs.
 *
 * What moto can exercise, and what it cannot:
 * - Registry-wide ECR resources: moto's CloudFormation deploys none of them (ReplicationConfiguration,
 *   RegistryPolicy, RegistryScanningConfiguration, PullThroughCacheRule, RepositoryCreationTemplate).
 *   Its ECR API implements PutReplicationConfiguration, PutRegistryPolicy and
 *   PutRegistryScanningConfiguration (its replication takes one rule only, ECR's limit before 2023: the
 *   registry here has one; several rules are covered by the unit tests): the template's values, resolved, are sent through them and
 *   read back (DescribeRegistry, GetRegistryPolicy, GetRegistryScanningConfiguration). It has no
 *   API for pull-through cache rules, repository creation templates or signing configurations
 *   (checked below, so that this test says when a new moto gains them). Its lifecycle policy
 *   validation predates archiving (action type "expire" only): a creation template's rules are put
 *   on a repository with PutLifecyclePolicy, the archive rule is refused (checked, so that this test
 *   says when moto gains it), and the archive behaviour is checked against the ECR model of
 *   test/support/ecr-lifecycle.ts only.
 * - Service Catalog: moto 5.2.1 implements neither the CloudFormation types nor the API calls that
 *   create portfolios and products, so the catalog stack itself is not deployed here.
 * - The product templates are ordinary CloudFormation templates: each is deployed into moto as a
 *   stack (launch parameters given as parameter values), with its Lambda code copied into the
 *   asset bucket first (what the catalog stack's BucketDeployment does), and read back.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateStackCommand, DescribeStacksCommand, Stack as CfnStack } from '@aws-sdk/client-cloudformation';
import {
  CreatePullThroughCacheRuleCommand,
  CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
  PutSigningConfigurationCommand,
  DescribeRegistryCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  PutReplicationConfigurationCommand,
} from '@aws-sdk/client-ecr';
import { CopyObjectCommand, CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as signer from 'aws-cdk-lib/aws-signer';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import {
  PlatformCatalog,
  PullThroughCacheRule,
  RegistryScanning,
  RegistrySettings,
  RegistrySigning,
  RepositoryCreationTrigger,
  Upstream,
} from '../src';
import {
  Clients,
  describeDeployed,
  destroyClients,
  emulatorClients,
  publishFileAssets,
  putBootstrapVersion,
  REGION,
} from './support/emulator/deploy';
import { resolveIntrinsics } from './support/emulator/intrinsics';
import { adaptForMoto, motoSupportedTypes, Template } from './support/emulator/moto-template';
import { replayIgnoredProperties } from './support/emulator/replay';
import { checkDeployed, mismatches } from './support/emulator/verify';
import { MotoServer, startMoto } from './support/moto-server';

/** moto's account. */
const ACCOUNT = '123456789012';

let moto: MotoServer | undefined;
let clients: Clients;

beforeAll(async () => {
  moto = await startMoto();
  clients = emulatorClients(moto.endpoint);
  await putBootstrapVersion(clients);
}, 45_000);

afterAll(async () => {
  if (clients) {
    destroyClients(clients);
  }
  await moto?.stop();
}, 20_000);

describe('RegistrySettings', () => {
  // GIVEN the registry settings of moto's account
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'registry-moto-')) });
  const stack = new Stack(app, 'Registry', { env: { account: ACCOUNT, region: REGION } });
  const token = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'ecr-pullthroughcache/docker-hub');
  new RegistrySettings(stack, 'Registry', {
    replicationRules: [
      {
        destinations: [{ region: 'eu-west-1' }, { region: 'us-east-1', accountId: '222222222222' }],
        repositoryPrefixes: ['prod-'],
      },
    ],
    replicationSourceAccountIds: ['333333333333'],
    scanning: RegistryScanning.enhanced({ continuousScanFilters: ['prod-*'], scanOnPushFilters: ['*'] }),
    pullThroughCacheRules: [
      new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(token) }),
    ],
    repositoryCreationTemplates: [
      {
        prefix: 'docker-hub',
        appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE],
        lifecycleRules: [{ tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageCount: 20 }],
      },
    ],
  });
  const template = app.synth().getStackByName('Registry').template as Template;
  const resolve = (value: unknown): any =>
    resolveIntrinsics(value, {
      pseudo: {
        'AWS::AccountId': ACCOUNT,
        'AWS::Region': REGION,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      },
      parameters: {},
      ref: () => undefined,
      getAtt: () => undefined,
    });
  const propsOf = (type: string): any => {
    const found = Object.values(template.Resources).filter((r) => r.Type === type);
    expect(found).toHaveLength(1);
    return resolve(found[0].Properties);
  };

  test("moto's CloudFormation deploys none of the registry-wide types (so they are sent through the ECR API)", async () => {
    const supported = await motoSupportedTypes();
    const types = [...new Set(Object.values(template.Resources).map((r) => r.Type))].sort();
    expect(types).toEqual([
      'AWS::ECR::PullThroughCacheRule',
      'AWS::ECR::RegistryPolicy',
      'AWS::ECR::RegistryScanningConfiguration',
      'AWS::ECR::ReplicationConfiguration',
      'AWS::ECR::RepositoryCreationTemplate',
    ]);
    expect(types.filter((t) => supported.has(t))).toEqual([]);
  }, 60_000);

  test('the replication configuration is accepted and read back', async () => {
    // WHEN the template's rules are put, with the member names of the API
    const props = propsOf('AWS::ECR::ReplicationConfiguration');
    const rules = props.ReplicationConfiguration.Rules.map((r: any) => ({
      destinations: r.Destinations.map((d: any) => ({ region: d.Region, registryId: d.RegistryId })),
      ...(r.RepositoryFilters
        ? { repositoryFilters: r.RepositoryFilters.map((f: any) => ({ filter: f.Filter, filterType: f.FilterType })) }
        : {}),
    }));
    await clients.ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
    // THEN DescribeRegistry returns them
    const registry = await clients.ecr.send(new DescribeRegistryCommand({}));
    expect(registry.registryId).toBe(ACCOUNT);
    expect(registry.replicationConfiguration?.rules).toEqual([
      {
        destinations: [
          { region: 'eu-west-1', registryId: ACCOUNT },
          { region: 'us-east-1', registryId: '222222222222' },
        ],
        repositoryFilters: [{ filter: 'prod-', filterType: 'PREFIX_MATCH' }],
      },
    ]);
  });

  test('the registry policy is accepted and read back', async () => {
    const props = propsOf('AWS::ECR::RegistryPolicy');
    await clients.ecr.send(new PutRegistryPolicyCommand({ policyText: JSON.stringify(props.PolicyText) }));
    const { policyText, registryId } = await clients.ecr.send(new GetRegistryPolicyCommand({}));
    expect(registryId).toBe(ACCOUNT);
    expect(JSON.parse(policyText!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CdkEcrCodebuildReplication',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::333333333333:root' },
          Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
        },
      ],
    });
  });

  test('the scanning configuration is accepted and read back', async () => {
    const props = propsOf('AWS::ECR::RegistryScanningConfiguration');
    await clients.ecr.send(
      new PutRegistryScanningConfigurationCommand({
        scanType: props.ScanType,
        rules: props.Rules.map((r: any) => ({
          scanFrequency: r.ScanFrequency,
          repositoryFilters: r.RepositoryFilters.map((f: any) => ({ filter: f.Filter, filterType: f.FilterType })),
        })),
      }),
    );
    const { scanningConfiguration } = await clients.ecr.send(new GetRegistryScanningConfigurationCommand({}));
    expect(scanningConfiguration?.scanType).toBe('ENHANCED');
    expect(scanningConfiguration?.rules).toEqual(
      expect.arrayContaining([
        { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
        { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD' }] },
      ]),
    );
    expect(scanningConfiguration?.rules).toHaveLength(2);
  });

  test('moto 5.2.1 has no API for pull-through cache rules and creation templates (read them back here once it has)', async () => {
    const rule = propsOf('AWS::ECR::PullThroughCacheRule');
    const created = clients.ecr.send(
      new CreatePullThroughCacheRuleCommand({
        ecrRepositoryPrefix: rule.EcrRepositoryPrefix,
        upstreamRegistryUrl: rule.UpstreamRegistryUrl,
        upstreamRegistry: rule.UpstreamRegistry,
        credentialArn: rule.CredentialArn,
      }),
    );
    await expect(created).rejects.toThrow();
    const creationTemplate = propsOf('AWS::ECR::RepositoryCreationTemplate');
    const templated = clients.ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: creationTemplate.Prefix,
        appliedFor: creationTemplate.AppliedFor,
        lifecyclePolicy: creationTemplate.LifecyclePolicy,
      }),
    );
    await expect(templated).rejects.toThrow();
  });
});

describe('RegistrySettings 2026 features', () => {
  // GIVEN a creation template with an archive rule and a signing configuration
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'registry-2026-moto-')) });
  const stack = new Stack(app, 'Registry2026', { env: { account: ACCOUNT, region: REGION } });
  const profile = new signer.SigningProfile(stack, 'Profile', { platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA });
  new RegistrySettings(stack, 'Registry', {
    signing: RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: ['prod/*'] }]),
    repositoryCreationTemplates: [
      {
        prefix: 'apps',
        appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
        lifecycleRules: [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
        archiveImagesNotPulledFor: Duration.days(90),
      },
    ],
  });
  const template = app.synth().getStackByName('Registry2026').template as Template;
  const propsOf = (type: string): any => Object.values(template.Resources).find((r) => r.Type === type)!.Properties;

  test("moto 5.2.1's lifecycle policy validation predates archiving: it takes the template's rules and refuses only the transition action", async () => {
    // moto has no creation template API: the policy is put on a repository of the prefix instead.
    const policy = JSON.parse(propsOf('AWS::ECR::RepositoryCreationTemplate').LifecyclePolicy);
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'apps/archived' }));
    const withArchive = clients.ecr.send(
      new PutLifecyclePolicyCommand({ repositoryName: 'apps/archived', lifecyclePolicyText: JSON.stringify(policy) }),
    );
    await expect(withArchive).rejects.toThrow(/Lifecycle policy validation failure: .*(transition|targetStorageClass)/);
    const expireOnly = { rules: policy.rules.filter((r: any) => r.action.type === 'expire') };
    await clients.ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'apps/archived',
        lifecyclePolicyText: JSON.stringify(expireOnly),
      }),
    );
    const { lifecyclePolicyText } = await clients.ecr.send(
      new GetLifecyclePolicyCommand({ repositoryName: 'apps/archived' }),
    );
    expect(JSON.parse(lifecyclePolicyText!)).toEqual(expireOnly);
  });

  test('moto 5.2.1 has no signing configuration API (read it back here once it has)', async () => {
    const props = propsOf('AWS::ECR::SigningConfiguration');
    const put = clients.ecr.send(
      new PutSigningConfigurationCommand({
        signingConfiguration: {
          rules: props.Rules.map((r: any) => ({
            signingProfileArn: `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/ecr_signing`,
            repositoryFilters: r.RepositoryFilters.map((f: any) => ({ filter: f.Filter, filterType: f.FilterType })),
          })),
        },
      }),
    );
    await expect(put).rejects.toThrow();
  });
});

describe('PlatformCatalog product templates', () => {
  // GIVEN the catalog in moto's account, with a fixed asset bucket name
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-moto-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Catalog', { env: { account: ACCOUNT, region: REGION } });
  const catalog = new PlatformCatalog(stack, 'Catalog', {
    portfolioName: 'Container builds',
    providerName: 'Platform team',
  });
  const assembly = app.synth();
  const assetBucketName = stack.resolve((catalog.assetBucket!.node.defaultChild as s3.CfnBucket).bucketName) as unknown;
  const artifact = assembly.getStackByName('Catalog');
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  /** Launch parameters of each product: what a user types in the Service Catalog console. */
  const LAUNCH: Record<string, Record<string, string>> = {
    DockerBuildToEcr: { SourceBucket: 'team-sources', SourceKey: 'app/source.zip', RepositoryName: 'team/app-image' },
    CrossAccountPullPolicy: { RepositoryName: 'team/shared-image', AccountIds: '222222222222,333333333333' },
    GoSampleBuild: {
      SourceBucket: 'team-sources',
      SourceKey: 'go/hello.zip',
      TargetPlatform: 'linux/arm64',
      BinaryName: 'hello',
    },
  };

  test.each(Object.keys(LAUNCH))(
    'the %s product deploys with launch parameters, and matches its template',
    async (product) => {
      // GIVEN the product's Lambda code in the asset bucket (what the catalog's BucketDeployment copies)
      const supported = await motoSupportedTypes();
      const manifest = assembly.artifacts.find(
        (a): a is AssetManifestArtifact => a instanceof AssetManifestArtifact && artifact.dependencies.includes(a),
      )!;
      const uploaded = await publishFileAssets(clients, manifest.file, ACCOUNT);
      expect(typeof assetBucketName).toBe('string');
      await clients.s3.send(new CreateBucketCommand({ Bucket: assetBucketName as string })).catch(() => undefined);
      for (const object of uploaded) {
        const [bucket, ...key] = object.split('/');
        await clients.s3.send(
          new CopyObjectCommand({
            Bucket: assetBucketName as string,
            Key: key.join('/'),
            CopySource: `${bucket}/${key.join('/')}`,
          }),
        );
      }
      const file = fs
        .readdirSync(assembly.directory)
        .find((f) => f.startsWith(`Catalog${product}Template`) && f.endsWith('.product.template.json'))!;
      const template = JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf-8')) as Template;
      const { template: sent, emulated } = adaptForMoto(`Launch${product}`, template, supported);

      // WHEN a user launches it
      const stackName = `Launch${product}`;
      const launched = await createStackWithParameters(stackName, sent, LAUNCH[product]);

      // THEN every resource moto deploys matches the template, resolved with the launch parameters
      expect(launched.StackStatus).toBe('CREATE_COMPLETE');
      const deployed = await describeDeployed(clients, launched, template, emulated);
      const replay = await replayIgnoredProperties(clients, deployed, template);
      expect(replay.notReplayed.filter((r) => !r.type.startsWith('Custom::'))).toEqual([]);
      const report = await checkDeployed(clients, deployed, template);
      expect(mismatches(report)).toEqual([]);
      expect(report.checks.length).toBeGreaterThan(0);
      const objects = await clients.s3.send(new ListObjectsV2Command({ Bucket: assetBucketName as string }));
      expect((objects.Contents ?? []).length).toBeGreaterThan(0);

      // and the launch parameters reached the resources
      if (product === 'DockerBuildToEcr') {
        const repoId = Object.keys(template.Resources).find(
          (id) => template.Resources[id].Type === 'AWS::ECR::Repository',
        )!;
        expect(deployed.physicalIds[repoId]).toBe('team/app-image');
      }
      if (product === 'GoSampleBuild' || product === 'DockerBuildToEcr') {
        const [, project] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::CodeBuild::Project')!;
        const props = deployed.resolve(project.Properties);
        expect(props.Source.Location).toBe(`team-sources/${LAUNCH[product].SourceKey}`);
        if (product === 'GoSampleBuild') {
          const env = Object.fromEntries(props.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
          expect(Object.values(env)).toEqual(expect.arrayContaining(['linux', 'arm64', 'hello']));
        }
      }
      if (product === 'CrossAccountPullPolicy') {
        const [, policy] = Object.entries(template.Resources).find(([, r]) => r.Type.startsWith('Custom::'))!;
        const props = deployed.resolve(policy.Properties);
        expect(props.RepositoryArn).toBe(`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/shared-image`);
        // The list parameter itself is the condition's value: CloudFormation splits it at the commas.
        // (moto keeps a CommaDelimitedList parameter as the repr of a Python list, "['a', 'b']", where
        // CloudFormation reports "a,b": both are read as the list of account ids.)
        expect(policy.Properties!.Statements[0].Condition).toEqual({
          StringEquals: { 'aws:PrincipalAccount': { Ref: 'AccountIds' } },
        });
        const given = launched.Parameters?.find((p) => p.ParameterKey === 'AccountIds')?.ParameterValue;
        const accounts = given?.startsWith('[') ? JSON.parse(given.replace(/'/g, '"')) : given?.split(',');
        expect(accounts).toEqual(['222222222222', '333333333333']);
      }
    },
    120_000,
  );
});

/** CreateStack with parameter values, waiting (bounded) for CREATE_COMPLETE. */
async function createStackWithParameters(
  stackName: string,
  template: Template,
  parameters: Record<string, string>,
): Promise<CfnStack> {
  const { StackId } = await clients.cloudformation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(template),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    }),
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: StackId }));
    const status = Stacks?.[0]?.StackStatus ?? '';
    if (status === 'CREATE_COMPLETE') {
      return Stacks![0];
    }
    if (!status.endsWith('_IN_PROGRESS')) {
      throw new Error(`stack ${stackName} is ${status}: ${Stacks?.[0]?.StackStatusReason ?? '(no reason)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`stack ${stackName} not CREATE_COMPLETE within 60s (waiting for the product launch)`);
}
