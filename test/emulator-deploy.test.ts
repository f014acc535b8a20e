/**
 * Deploys every stack of the example app (examples/seed-pipeline.ts) into moto, a local AWS
 * emulator, with the AWS SDK's CloudFormation CreateStack; reads back what was deployed through
 * the service APIs and compares it with the template; then deletes the stack and checks that
 * only the resources with DeletionPolicy Retain remain.
 *
 * moto's CloudFormation ignores some of what the templates say (see support/emulator/moto-template.ts
 * and replay.ts): those parts are replayed through the service APIs with the template's values,
 * resolved against the deployed stack, and read back, so that the resolved values are at least
 * accepted by the API and wired to the right deployed resources. Needs python3 with moto (fails,
 * not skips, without it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { AssetManifestArtifact, CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildSeedApp } from '../examples/seed-pipeline';
import {
  Clients,
  createStack,
  deleteStack,
  DeployedStack,
  describeDeployed,
  destroyClients,
  emulatorClients,
  publishFileAssets,
  putBootstrapVersion,
} from './support/emulator/deploy';
import { adaptForMoto, motoSupportedTypes, Template } from './support/emulator/moto-template';
import { replayIgnoredProperties, ReplayResult } from './support/emulator/replay';
import { checkDeployed, CheckReport, mismatches, parsePolicy, resourceExists } from './support/emulator/verify';
import { MotoServer, startMoto } from './support/moto-server';

/** Types the test deploys but does not read back, and why. A new type fails the test until it is read back or listed. */
const NOT_READ_BACK: Record<string, string> = {
  'AWS::Logs::LogGroup': 'no CloudWatch Logs client among the dev dependencies',
  'AWS::Lambda::Function': 'no Lambda client among the dev dependencies',
  'AWS::Lambda::Permission': 'no Lambda client among the dev dependencies',
  'AWS::CDK::Metadata': 'not a service resource',
};

/** Types whose existence after stack deletion the test reads back. */
const DELETION_CHECKED = ['AWS::ECR::Repository', 'AWS::IAM::Role', 'AWS::S3::Bucket', 'AWS::KMS::Key'];

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-deploy-'));
const assembly: CloudAssembly = buildSeedApp(outdir).app.synth();
const stacks: CloudFormationStackArtifact[] = assembly.stacks;

let moto: MotoServer | undefined;
let clients: Clients;
let supportedTypes: Set<string>;

beforeAll(async () => {
  const [server, types] = await Promise.all([startMoto(), motoSupportedTypes()]);
  moto = server;
  supportedTypes = types;
  clients = emulatorClients(server.endpoint);
  // The BootstrapVersion parameter of every CDK template reads this SSM parameter (moto resolves
  // SSM parameter types; it does not evaluate the CheckBootstrapVersion rule).
  await putBootstrapVersion(clients);
}, 45_000);

afterAll(async () => {
  if (clients) {
    destroyClients(clients);
  }
  await moto?.stop();
  fs.rmSync(outdir, { recursive: true, force: true });
}, 20_000);

test('the example app has stacks to deploy', () => {
  expect(stacks.length).toBeGreaterThan(0);
});

describe.each(stacks.map((s) => [s.stackName, s] as const))('stack %s', (stackName, artifact) => {
  const template = artifact.template as Template;
  let deployed: DeployedStack;
  let replay: ReplayResult;
  let report: CheckReport;

  test('is CREATE_COMPLETE in the emulator', async () => {
    // GIVEN the file assets in their bootstrap bucket, as `cdk deploy` publishes them
    const assets = assembly.artifacts.filter(
      (a): a is AssetManifestArtifact => a instanceof AssetManifestArtifact && artifact.dependencies.includes(a),
    );
    for (const manifest of assets) {
      await publishFileAssets(clients, manifest.file, '123456789012');
    }
    const { template: sent, emulated } = adaptForMoto(stackName, template, supportedTypes);

    // WHEN
    const stack = await createStack(clients, stackName, sent, 60_000);

    // THEN
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    deployed = await describeDeployed(clients, stack, template, emulated);
    replay = await replayIgnoredProperties(clients, deployed, template);
    expect(replay.notReplayed.filter((r) => !r.type.startsWith('Custom::'))).toEqual([]);
  }, 75_000);

  test('every resource matches its template', async () => {
    report = await checkDeployed(clients, deployed, template);

    expect(mismatches(report)).toEqual([]);
    // Every resource was compared, or its type is listed as not read back.
    const uncovered = report.unchecked.filter((u) => !(u.type in NOT_READ_BACK) && !u.type.startsWith('Custom::'));
    expect(uncovered).toEqual([]);
    const notCompared = Object.entries(template.Resources)
      .filter(([, r]) => !(r.Type in NOT_READ_BACK) && !r.Type.startsWith('Custom::'))
      .filter(([id]) => !report.checks.some((c) => c.logicalId === id))
      .map(([id, r]) => `${id} (${r.Type})`);
    expect(notCompared).toEqual([]);
    // The properties the issue names were compared wherever the template has them.
    const compared = new Set(report.checks.map((c) => `${c.type} ${c.what}`));
    const types = new Set(Object.values(template.Resources).map((r) => r.Type));
    if (types.has('AWS::ECR::Repository')) {
      expect(compared).toContain('AWS::ECR::Repository imageScanningConfiguration.scanOnPush');
      expect(compared).toContain('AWS::ECR::Repository imageTagMutability');
      expect(compared).toContain('AWS::ECR::Repository encryptionConfiguration.encryptionType');
    }
    const has = (type: string, prop: string): boolean =>
      Object.values(template.Resources).some((r) => r.Type === type && r.Properties?.[prop] !== undefined);
    if (has('AWS::ECR::Repository', 'LifecyclePolicy')) {
      expect(compared).toContain('AWS::ECR::Repository lifecyclePolicy');
    }
    if (has('AWS::ECR::Repository', 'RepositoryPolicyText')) {
      expect(compared).toContain('AWS::ECR::Repository repositoryPolicyText');
    }
    if (has('AWS::S3::Bucket', 'BucketEncryption')) {
      expect(compared).toContain('AWS::S3::Bucket serverSideEncryptionConfiguration (algorithm, key)');
    }
    if (has('AWS::S3::Bucket', 'PublicAccessBlockConfiguration')) {
      expect(compared).toContain('AWS::S3::Bucket publicAccessBlockConfiguration');
    }
    if (types.has('AWS::KMS::Key')) {
      expect(compared).toContain('AWS::KMS::Key keyRotationEnabled');
    }
    if (types.has('AWS::CodeBuild::Project')) {
      expect(compared).toContain('AWS::CodeBuild::Project source.buildspec');
      expect(compared).toContain('AWS::CodeBuild::Project environment.environmentVariables');
    }
  });

  test('each Docker build project pushes to a repository of the stack with its own role', async () => {
    const projects = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CodeBuild::Project');
    for (const [logicalId, resource] of projects) {
      const props = deployed.resolve(resource.Properties);
      const env: Record<string, string> = Object.fromEntries(
        (props.Environment.EnvironmentVariables ?? []).map((v: any) => [v.Name, v.Value]),
      );
      if (env.IMAGE_REPO_NAME === undefined) {
        continue; // not a DockerBuildToEcr project
      }
      // The repository named in the environment is one this stack deployed (or an imported one).
      const repoId = Object.keys(template.Resources).find(
        (id) =>
          template.Resources[id].Type === 'AWS::ECR::Repository' && deployed.physicalIds[id] === env.IMAGE_REPO_NAME,
      );
      expect({ logicalId, repository: env.IMAGE_REPO_NAME, found: repoId !== undefined }).toEqual({
        logicalId,
        repository: env.IMAGE_REPO_NAME,
        found: true,
      });
      const repoArn = deployed.attributes[repoId!].Arn;
      expect(env.ECR_REGISTRY).toBe(`${deployed.account}.dkr.ecr.us-east-1.amazonaws.com`);
      expect(env.AWS_ACCOUNT_ID).toBe(deployed.account);
      expect(env.AWS_DEFAULT_REGION).toBe('us-east-1');
      expect(props.Environment.PrivilegedMode).toBe(true);

      // The service role is a role of the stack, and its deployed inline policies let it push there.
      const roleId = Object.keys(deployed.attributes).find((id) => deployed.attributes[id].Arn === props.ServiceRole);
      expect(roleId).toBeDefined();
      const roleName = deployed.physicalIds[roleId!];
      const { PolicyNames } = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
      const statements: any[] = [];
      for (const policyName of PolicyNames ?? []) {
        const { PolicyDocument } = await clients.iam.send(
          new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
        );
        statements.push(...(parsePolicy(PolicyDocument) as any).Statement);
      }
      const allows = (action: string, arn: string): boolean =>
        statements.some(
          (s) => s.Effect === 'Allow' && [s.Action].flat().includes(action) && [s.Resource].flat().includes(arn),
        );
      expect(allows('ecr:PutImage', repoArn)).toBe(true);
      expect(allows('ecr:InitiateLayerUpload', repoArn)).toBe(true);
      expect(allows('ecr:GetAuthorizationToken', '*')).toBe(true);
      expect(allows('ecr:PutImage', '*')).toBe(false);
    }
  });

  test('deletes, keeping exactly the resources with DeletionPolicy Retain', async () => {
    const stack = await deleteStack(clients, deployed.stackId, 60_000);
    expect(stack.StackStatus).toBe('DELETE_COMPLETE');

    const outcome: Array<{ logicalId: string; type: string; retain: boolean; exists: boolean | undefined }> = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (DELETION_CHECKED.includes(resource.Type) && !(logicalId in deployed.emulated)) {
        const exists = await resourceExists(clients, resource.Type, deployed.physicalIds[logicalId]);
        outcome.push({ logicalId, type: resource.Type, retain: resource.DeletionPolicy === 'Retain', exists });
      }
    }
    expect(outcome.length).toBeGreaterThan(0);
    expect(outcome.filter((o) => o.exists !== o.retain)).toEqual([]);
  }, 75_000);

  test('deploys again after the delete: retained resources (log groups, buckets, keys) do not block it', async () => {
    // GIVEN the retained resources of the deleted stack, e.g. a build log group. A repository the app
    // names itself (repositoryName) is the user's to import or remove before deploying again: removed here.
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'AWS::ECR::Repository' && resource.Properties?.RepositoryName !== undefined) {
        await clients.ecr.send(
          new DeleteRepositoryCommand({ repositoryName: deployed.physicalIds[logicalId], force: true }),
        );
      }
    }
    const { template: sent } = adaptForMoto(stackName, template, supportedTypes);
    // WHEN the same stack is created again
    const stack = await createStack(clients, stackName, sent, 60_000);
    // THEN it is CREATE_COMPLETE (a retained log group with a fixed name fails it: "already exists")
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const again = await deleteStack(clients, stack.StackId!, 60_000);
    expect(again.StackStatus).toBe('DELETE_COMPLETE');
  }, 150_000);
});

describe('the comparison', () => {
  // A server of its own, so that the resources the stacks above retained (fixed names) are not in the way.
  let probeMoto: MotoServer | undefined;
  let probeClients: Clients;

  beforeAll(async () => {
    probeMoto = await startMoto();
    probeClients = emulatorClients(probeMoto.endpoint);
    await putBootstrapVersion(probeClients);
  }, 45_000);

  afterAll(async () => {
    if (probeClients) {
      destroyClients(probeClients);
    }
    await probeMoto?.stop();
  }, 20_000);

  test('reports a deployment that differs from its template', async () => {
    // GIVEN a stack of the app with a repository and a role policy
    const artifact = stacks.find((s) =>
      ['AWS::ECR::Repository', 'AWS::IAM::Policy'].every((t) =>
        Object.values((s.template as Template).Resources).some((r) => r.Type === t),
      ),
    );
    expect(artifact).toBeDefined();
    const expected = JSON.parse(JSON.stringify(artifact!.template)) as Template;
    // WHEN the deployed template drifts: no scan on push, and one role policy loses ecr:PutImage
    const drifted = JSON.parse(JSON.stringify(expected)) as Template;
    // (the repositories scanned on push: a cache repository is not scanned, so it cannot drift there)
    const repoIds = Object.keys(drifted.Resources).filter(
      (id) =>
        drifted.Resources[id].Type === 'AWS::ECR::Repository' &&
        drifted.Resources[id].Properties?.ImageScanningConfiguration?.ScanOnPush === true,
    );
    expect(repoIds.length).toBeGreaterThan(0);
    for (const id of repoIds) {
      drifted.Resources[id].Properties = {
        ...drifted.Resources[id].Properties,
        ImageScanningConfiguration: { ScanOnPush: false },
      };
    }
    const policyId = Object.keys(drifted.Resources).find(
      (id) =>
        drifted.Resources[id].Type === 'AWS::IAM::Policy' &&
        JSON.stringify(drifted.Resources[id].Properties!.PolicyDocument).includes('ecr:PutImage'),
    )!;
    for (const statement of drifted.Resources[policyId].Properties!.PolicyDocument.Statement) {
      if (Array.isArray(statement.Action)) {
        statement.Action = statement.Action.filter((a: string) => a !== 'ecr:PutImage');
      }
    }
    const stackName = 'DriftProbe';
    const { template: sent, emulated } = adaptForMoto(stackName, drifted, supportedTypes);
    const stack = await createStack(probeClients, stackName, sent, 60_000);
    const deployed = await describeDeployed(probeClients, stack, drifted, emulated);
    await replayIgnoredProperties(probeClients, deployed, drifted);
    const report = await checkDeployed(probeClients, deployed, expected);
    await deleteStack(probeClients, deployed.stackId, 60_000);

    // THEN exactly the drifted properties are reported
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.logicalId} ${c.what.split(' of role')[0]}`);
    expect(failed.sort()).toEqual(
      [
        ...repoIds.map((id) => `${id} imageScanningConfiguration.scanOnPush`),
        `${policyId} policy ${deployed.resolve(expected.Resources[policyId].Properties!.PolicyName)}`,
      ].sort(),
    );
    expect(mismatches(report).join('\n')).toMatch(/scanOnPush: template says true, deployed false/);
  }, 75_000);
});
