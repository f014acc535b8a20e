/**
 * Deploys synthesized stacks into moto with the AWS SDK v3 (what `cdk deploy` would do against
 * AWS: publish the file assets, CreateStack, wait), and reads back what was deployed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  Stack as CfnStack,
} from '@aws-sdk/client-cloudformation';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ResolveContext, resolveIntrinsics } from './intrinsics';
import { EmulatedResource, Template } from './moto-template';
import { motoClientConfig } from '../moto-server';

export const REGION = 'us-east-1';

/** SDK clients pointed at the emulator (dummy credentials, never the machine's). */
export interface Clients {
  readonly cloudformation: CloudFormationClient;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly codebuild: CodeBuildClient;
}

export function emulatorClients(endpoint: string): Clients {
  const config = motoClientConfig(endpoint, REGION);
  return {
    cloudformation: new CloudFormationClient(config),
    ecr: new ECRClient(config),
    iam: new IAMClient(config),
    kms: new KMSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ssm: new SSMClient(config),
    codebuild: new CodeBuildClient(config),
  };
}

export function destroyClients(clients: Clients): void {
  Object.values(clients).forEach((c) => c.destroy());
}

/** The SSM parameter the CheckBootstrapVersion rule and BootstrapVersion parameter read. */
export async function putBootstrapVersion(clients: Clients, version = '30', qualifier = 'hnb659fds'): Promise<void> {
  await clients.ssm.send(
    new PutParameterCommand({
      Name: `/cdk-bootstrap/${qualifier}/version`,
      Value: version,
      Type: 'String',
      Overwrite: true,
    }),
  );
}

/**
 * Uploads the file assets of a stack (its `<stack>.assets.json`) to their bootstrap bucket, creating
 * the bucket: Lambda functions and CodeBuild S3 sources point at them. Docker image assets are
 * not published (moto has no registry). Returns the S3 keys uploaded.
 */
export async function publishFileAssets(
  clients: Clients,
  assetManifestPath: string,
  account: string,
): Promise<string[]> {
  const manifest = JSON.parse(fs.readFileSync(assetManifestPath, 'utf-8'));
  const dir = path.dirname(assetManifestPath);
  const uploaded: string[] = [];
  for (const asset of Object.values<any>(manifest.files ?? {})) {
    const source = path.join(dir, asset.source.path);
    const body =
      asset.source.packaging === 'zip' && fs.statSync(source).isDirectory()
        ? zipDirectory(source)
        : fs.readFileSync(source);
    for (const destination of Object.values<any>(asset.destinations)) {
      const bucket = String(destination.bucketName)
        .replace('${AWS::AccountId}', account)
        .replace('${AWS::Region}', REGION)
        .replace('${AWS::Partition}', 'aws');
      await ensureBucket(clients, bucket);
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: destination.objectKey, Body: body }));
      uploaded.push(`${bucket}/${destination.objectKey}`);
    }
  }
  return uploaded;
}

async function ensureBucket(clients: Clients, bucket: string): Promise<void> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Zips a directory (entries relative to it) with Python's zipfile. */
function zipDirectory(directory: string): Buffer {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asset-zip-')), 'asset.zip');
  const script =
    'import os, sys, zipfile\n' +
    'src, out = sys.argv[1], sys.argv[2]\n' +
    'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:\n' +
    '    for root, dirs, files in os.walk(src):\n' +
    '        for f in sorted(files):\n' +
    '            p = os.path.join(root, f)\n' +
    '            z.write(p, os.path.relpath(p, src))\n';
  execFileSync('python3', ['-c', script, directory, out], { timeout: 30_000 });
  const body = fs.readFileSync(out);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return body;
}

/** Creates a stack and waits (bounded) for CREATE_COMPLETE; throws with the status reason otherwise. */
export async function createStack(
  clients: Clients,
  stackName: string,
  template: Template,
  timeoutMs = 60_000,
): Promise<CfnStack> {
  const { StackId } = await clients.cloudformation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(template),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    }),
  );
  return waitForStatus(clients, StackId!, 'CREATE_COMPLETE', timeoutMs);
}

/** Deletes a stack and waits (bounded) for DELETE_COMPLETE. */
export async function deleteStack(clients: Clients, stackId: string, timeoutMs = 60_000): Promise<CfnStack> {
  await clients.cloudformation.send(new DeleteStackCommand({ StackName: stackId }));
  return waitForStatus(clients, stackId, 'DELETE_COMPLETE', timeoutMs);
}

async function waitForStatus(clients: Clients, stackId: string, wanted: string, timeoutMs: number): Promise<CfnStack> {
  const deadline = Date.now() + timeoutMs;
  let stack: CfnStack | undefined;
  while (Date.now() < deadline) {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
    stack = Stacks?.[0];
    const status = stack?.StackStatus ?? '';
    if (status === wanted) {
      return stack!;
    }
    if (!status.endsWith('_IN_PROGRESS')) {
      throw new Error(`stack ${stackId} is ${status}, not ${wanted}: ${stack?.StackStatusReason ?? '(no reason)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`stack ${stackId} not ${wanted} within ${timeoutMs / 1000}s (last: ${stack?.StackStatus})`);
}

/** A deployed stack: physical ids and attributes of its resources, and a resolver for its template. */
export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly account: string;
  /** Physical ids by logical id: moto's for deployed resources, the test's for emulated ones. */
  readonly physicalIds: Record<string, string>;
  /** Fn::GetAtt values by logical id, read from the services (or computed where moto has no API). */
  readonly attributes: Record<string, Record<string, string>>;
  readonly emulated: Record<string, EmulatedResource>;
  readonly context: ResolveContext;
  /** Resolves a value of the original template as CloudFormation would have sent it. */
  resolve(value: unknown): any;
}

/** Reads back the physical ids (DescribeStackResources) and attributes of a CREATE_COMPLETE stack. */
export async function describeDeployed(
  clients: Clients,
  stack: CfnStack,
  original: Template,
  emulated: Record<string, EmulatedResource>,
): Promise<DeployedStack> {
  const stackId = stack.StackId!;
  const account = stackId.split(':')[4];
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack.StackName!,
    'AWS::StackId': stackId,
  };
  const parameters: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(original.Parameters ?? {})) {
    parameters[name] = p.Default;
  }
  for (const p of stack.Parameters ?? []) {
    parameters[p.ParameterKey!] = p.ResolvedValue ?? p.ParameterValue;
  }

  const physicalIds: Record<string, string> = {};
  const { StackResources } = await clients.cloudformation.send(
    new DescribeStackResourcesCommand({ StackName: stackId }),
  );
  for (const r of StackResources ?? []) {
    if (r.LogicalResourceId && r.PhysicalResourceId) {
      physicalIds[r.LogicalResourceId] = r.PhysicalResourceId;
    }
  }
  const missing = Object.keys(original.Resources).filter((id) => !(id in physicalIds) && !(id in emulated));
  if (missing.length > 0) {
    throw new Error(
      `moto reports no physical id for ${missing.map((id) => `${id} (${original.Resources[id].Type})`).join(', ')}: ` +
        'it probably skipped the resource type; emulate it in moto-template.ts',
    );
  }

  const attributes: Record<string, Record<string, string>> = {};
  const context: ResolveContext = {
    pseudo,
    parameters,
    ref: (id) => physicalIds[id],
    getAtt: (id, attribute) => attributes[id]?.[attribute],
  };
  for (const [id, resource] of Object.entries(original.Resources)) {
    if (!(id in emulated)) {
      attributes[id] = await readAttributes(clients, resource.Type, physicalIds[id], pseudo);
    }
  }
  // Emulated resources: their names and attributes are template values, resolved in the stack.
  for (const e of Object.values(emulated)) {
    if (e.physicalId !== undefined) {
      physicalIds[e.logicalId] = String(resolveIntrinsics(e.physicalId, context));
    }
    attributes[e.logicalId] = Object.fromEntries(
      Object.entries(e.attributes).map(([k, v]) => [k, String(resolveIntrinsics(v, context))]),
    );
  }
  return {
    stackName: stack.StackName!,
    stackId,
    account,
    physicalIds,
    attributes,
    emulated,
    context,
    resolve: (value) => resolveIntrinsics(value, context),
  };
}

/** Fn::GetAtt values of a deployed resource, read from its service where the value is not derived. */
async function readAttributes(
  clients: Clients,
  type: string,
  physicalId: string,
  pseudo: Record<string, string>,
): Promise<Record<string, string>> {
  const [partition, region, account] = [pseudo['AWS::Partition'], pseudo['AWS::Region'], pseudo['AWS::AccountId']];
  switch (type) {
    case 'AWS::ECR::Repository': {
      const { repositories } = await clients.ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: [physicalId] }),
      );
      return { Arn: repositories![0].repositoryArn!, RepositoryUri: repositories![0].repositoryUri! };
    }
    case 'AWS::IAM::Role': {
      const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: physicalId }));
      return { Arn: Role!.Arn!, RoleId: Role!.RoleId! };
    }
    case 'AWS::KMS::Key': {
      // ListKeys, not DescribeKey: moto keeps a CloudFormation KeyPolicy as an object, on which its
      // DescribeKey fails until replay.ts puts the policy as a string.
      for (let marker: string | undefined, more = true; more;) {
        const page = await clients.kms.send(new ListKeysCommand({ Marker: marker }));
        const key = page.Keys?.find((k) => k.KeyId === physicalId);
        if (key) {
          return { Arn: key.KeyArn!, KeyId: key.KeyId! };
        }
        [marker, more] = [page.NextMarker, page.Truncated === true];
      }
      throw new Error(`KMS key ${physicalId} is not listed`);
    }
    case 'AWS::S3::Bucket':
      return {
        Arn: `arn:${partition}:s3:::${physicalId}`,
        DomainName: `${physicalId}.s3.amazonaws.com`,
        RegionalDomainName: `${physicalId}.s3.${region}.amazonaws.com`,
        DualStackDomainName: `${physicalId}.s3.dualstack.${region}.amazonaws.com`,
        WebsiteURL: `http://${physicalId}.s3-website-${region}.amazonaws.com`,
      };
    case 'AWS::Logs::LogGroup':
      // moto's value: CloudFormation's Arn of a log group ends in ":*", moto's does not.
      return { Arn: `arn:${partition}:logs:${region}:${account}:log-group:${physicalId}` };
    case 'AWS::Lambda::Function':
      return { Arn: `arn:${partition}:lambda:${region}:${account}:function:${physicalId}` };
    default:
      return {};
  }
}
