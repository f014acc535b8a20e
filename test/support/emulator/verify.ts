/**
 * Compares what a stack deployed (read back through the service APIs) with what its template
 * says, resolved against the deployed stack. Every comparison is recorded, so a test can assert
 * both that nothing differs and that the comparisons it expects did run.
 */
import { isDeepStrictEqual } from 'util';
import { BatchGetProjectsCommand, Project } from '@aws-sdk/client-codebuild';
import {
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { Clients, DeployedStack } from './deploy';
import { Template } from './moto-template';
import { codeBuildProjectInput } from './replay';

export interface Check {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** What was compared, e.g. 'imageScanningConfiguration.scanOnPush'. */
  readonly what: string;
  /** 'deployed': set by moto's CloudFormation; 'replayed': sent through the API by replay.ts. */
  readonly how: 'deployed' | 'replayed';
  readonly expected: unknown;
  readonly actual: unknown;
  readonly ok: boolean;
}

export interface CheckReport {
  readonly checks: Check[];
  /** Resources no comparison covers, with the reason. */
  readonly unchecked: Array<{ logicalId: string; type: string; reason: string }>;
  /** Properties of checked resources that moto cannot reproduce, so are not compared. */
  readonly skipped: Array<{ logicalId: string; type: string; what: string }>;
}

/** Mismatches of a report, one line each. */
export function mismatches(report: CheckReport): string[] {
  return report.checks
    .filter((c) => !c.ok)
    .map(
      (c) =>
        `${c.stackName}/${c.logicalId} (${c.type}) ${c.what}: template says ${JSON.stringify(c.expected)}, ` +
        `deployed ${JSON.stringify(c.actual)}${difference(asJson(c.expected), asJson(c.actual), '')}`,
    );
}

/** Where two JSON values first differ, for the mismatch message. */
function difference(expected: unknown, actual: unknown, at: string): string {
  if (isDeepStrictEqual(expected, actual)) {
    return '';
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const d = difference((expected as any)[key], (actual as any)[key], `${at}/${key}`);
      if (d) {
        return d;
      }
    }
  }
  return ` (first difference at ${at || '/'}: ${JSON.stringify(expected)} vs ${JSON.stringify(actual)})`;
}

/** Compares every resource of `template` with what is deployed. */
export async function checkDeployed(
  clients: Clients,
  deployed: DeployedStack,
  template: Template,
): Promise<CheckReport> {
  const checks: Check[] = [];
  const unchecked: CheckReport['unchecked'] = [];
  const skipped: CheckReport['skipped'] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const type = resource.Type;
    const props: Record<string, any> = deployed.resolve(resource.Properties ?? {});
    const physicalId = deployed.physicalIds[logicalId];
    const compare = (what: string, expected: unknown, actual: unknown, how: Check['how'] = 'deployed'): void => {
      checks.push({
        stackName: deployed.stackName,
        logicalId,
        type,
        what,
        how,
        expected,
        actual,
        ok: isDeepStrictEqual(asJson(expected), asJson(actual)),
      });
    };
    switch (type) {
      case 'AWS::ECR::Repository':
        await checkRepository(clients, physicalId, props, compare);
        break;
      case 'AWS::IAM::Role':
        await checkRole(clients, physicalId, props, compare);
        break;
      case 'AWS::IAM::Policy':
        for (const roleName of props.Roles ?? []) {
          await checkInlinePolicy(clients, roleName, props.PolicyName, props.PolicyDocument, compare);
        }
        if ((props.Users ?? []).length + (props.Groups ?? []).length > 0) {
          unchecked.push({ logicalId, type, reason: 'policies of users and groups are not read back' });
        }
        break;
      case 'AWS::KMS::Key': {
        const { KeyRotationEnabled } = await clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: physicalId }));
        compare('keyRotationEnabled', props.EnableKeyRotation ?? false, KeyRotationEnabled);
        const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: physicalId }));
        compare('enabled', props.Enabled ?? true, KeyMetadata?.Enabled);
        if (props.KeyPolicy !== undefined) {
          const { Policy } = await clients.kms.send(
            new GetKeyPolicyCommand({ KeyId: physicalId, PolicyName: 'default' }),
          );
          compare('keyPolicy', props.KeyPolicy, parsePolicy(Policy), 'replayed');
        }
        break;
      }
      case 'AWS::S3::Bucket':
        await checkBucket(clients, physicalId, props, compare, (what) => skipped.push({ logicalId, type, what }));
        break;
      case 'AWS::S3::BucketPolicy': {
        const { Policy } = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: props.Bucket }));
        compare('policy', props.PolicyDocument, parsePolicy(Policy), 'replayed');
        break;
      }
      case 'AWS::CodeBuild::Project':
        await checkProject(clients, physicalId, props, compare);
        break;
      default:
        unchecked.push({ logicalId, type, reason: 'no read-back written for this type' });
    }
  }
  return { checks, unchecked, skipped };
}

type Compare = (what: string, expected: unknown, actual: unknown, how?: Check['how']) => void;

async function checkRepository(clients: Clients, name: string, props: Record<string, any>, compare: Compare) {
  const { repositories } = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
  const repo = repositories![0];
  if (props.RepositoryName !== undefined) {
    compare('repositoryName', props.RepositoryName, repo.repositoryName);
  }
  compare(
    'imageScanningConfiguration.scanOnPush',
    props.ImageScanningConfiguration?.ScanOnPush ?? false,
    repo.imageScanningConfiguration?.scanOnPush ?? false,
  );
  compare('imageTagMutability', props.ImageTagMutability ?? 'MUTABLE', repo.imageTagMutability);
  compare(
    'encryptionConfiguration.encryptionType',
    props.EncryptionConfiguration?.EncryptionType ?? 'AES256',
    repo.encryptionConfiguration?.encryptionType,
  );
  if (props.EncryptionConfiguration?.KmsKey !== undefined) {
    compare(
      'encryptionConfiguration.kmsKey',
      props.EncryptionConfiguration.KmsKey,
      repo.encryptionConfiguration?.kmsKey,
    );
  }
  if (props.LifecyclePolicy?.LifecyclePolicyText !== undefined) {
    const { lifecyclePolicyText } = await clients.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    compare(
      'lifecyclePolicy',
      JSON.parse(props.LifecyclePolicy.LifecyclePolicyText),
      parsePolicy(lifecyclePolicyText),
      'replayed',
    );
  }
  if (props.RepositoryPolicyText !== undefined) {
    const { policyText } = await clients.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
    const expected =
      typeof props.RepositoryPolicyText === 'string'
        ? JSON.parse(props.RepositoryPolicyText)
        : props.RepositoryPolicyText;
    compare('repositoryPolicyText', expected, parsePolicy(policyText), 'replayed');
  }
}

async function checkRole(clients: Clients, name: string, props: Record<string, any>, compare: Compare) {
  const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: name }));
  compare('assumeRolePolicyDocument', props.AssumeRolePolicyDocument, parsePolicy(Role?.AssumeRolePolicyDocument));
  if (props.Description !== undefined) {
    compare('description', props.Description, Role?.Description);
  }
  const { AttachedPolicies } = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  compare(
    'managedPolicyArns',
    [...(props.ManagedPolicyArns ?? [])].sort(),
    (AttachedPolicies ?? []).map((p) => p.PolicyArn).sort(),
  );
  for (const policy of props.Policies ?? []) {
    await checkInlinePolicy(clients, name, policy.PolicyName, policy.PolicyDocument, compare);
  }
}

async function checkInlinePolicy(
  clients: Clients,
  roleName: string,
  policyName: string,
  document: unknown,
  compare: Compare,
) {
  const { PolicyNames } = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  compare(`inline policies of role ${roleName} include ${policyName}`, true, (PolicyNames ?? []).includes(policyName));
  if ((PolicyNames ?? []).includes(policyName)) {
    const { PolicyDocument } = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
    );
    compare(`policy ${policyName} of role ${roleName}`, document, parsePolicy(PolicyDocument));
  }
}

async function checkBucket(
  clients: Clients,
  name: string,
  props: Record<string, any>,
  compare: Compare,
  skip: (what: string) => void,
) {
  if (props.BucketEncryption !== undefined) {
    // moto's CloudFormation keeps the algorithm and key of the first rule only: BucketKeyEnabled
    // (and any further rule) is dropped, so it is not compared.
    const { ServerSideEncryptionConfiguration } = await clients.s3.send(
      new GetBucketEncryptionCommand({ Bucket: name }),
    );
    const rules = props.BucketEncryption.ServerSideEncryptionConfiguration ?? [];
    const expected = rules.slice(0, 1).map((rule: any) => ({
      sseAlgorithm: rule.ServerSideEncryptionByDefault?.SSEAlgorithm,
      kmsMasterKeyId: rule.ServerSideEncryptionByDefault?.KMSMasterKeyID,
    }));
    const actual = (ServerSideEncryptionConfiguration?.Rules ?? []).map((rule) => ({
      sseAlgorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
      kmsMasterKeyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
    }));
    compare('serverSideEncryptionConfiguration (algorithm, key)', expected, actual);
    if (rules.some((r: any) => r.BucketKeyEnabled !== undefined) || rules.length > 1) {
      skip('BucketEncryption BucketKeyEnabled and rules after the first: dropped by moto');
    }
  }
  if (props.PublicAccessBlockConfiguration !== undefined) {
    const { PublicAccessBlockConfiguration } = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: name }));
    const keys = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;
    compare(
      'publicAccessBlockConfiguration',
      Object.fromEntries(keys.map((k) => [k, props.PublicAccessBlockConfiguration[k] ?? false])),
      Object.fromEntries(keys.map((k) => [k, PublicAccessBlockConfiguration?.[k] ?? false])),
      'replayed',
    );
  }
}

/** The fields of a project that matter for a build, as BatchGetProjects returns them. */
async function checkProject(clients: Clients, name: string, props: Record<string, any>, compare: Compare) {
  const { projects } = await clients.codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
  const actual: Project | undefined = projects?.[0];
  const expected = codeBuildProjectInput(name, props);
  compare('name', name, actual?.name, 'replayed');
  compare('source.type', expected.source?.type, actual?.source?.type, 'replayed');
  compare('source.location', expected.source?.location, actual?.source?.location, 'replayed');
  compare('source.buildspec', expected.source?.buildspec, actual?.source?.buildspec, 'replayed');
  compare('environment.type', expected.environment?.type, actual?.environment?.type, 'replayed');
  compare('environment.image', expected.environment?.image, actual?.environment?.image, 'replayed');
  compare('environment.computeType', expected.environment?.computeType, actual?.environment?.computeType, 'replayed');
  compare(
    'environment.privilegedMode',
    expected.environment?.privilegedMode ?? false,
    actual?.environment?.privilegedMode ?? false,
    'replayed',
  );
  compare(
    'environment.imagePullCredentialsType',
    expected.environment?.imagePullCredentialsType,
    actual?.environment?.imagePullCredentialsType,
    'replayed',
  );
  compare(
    'environment.environmentVariables',
    expected.environment?.environmentVariables ?? [],
    (actual?.environment?.environmentVariables ?? []).map((v) => ({ name: v.name, type: v.type, value: v.value })),
    'replayed',
  );
  compare('serviceRole', expected.serviceRole, actual?.serviceRole, 'replayed');
  compare('artifacts', expected.artifacts, actual?.artifacts, 'replayed');
  compare('timeoutInMinutes', expected.timeoutInMinutes ?? 60, actual?.timeoutInMinutes, 'replayed');
}

/** Plain JSON data (same realm, no undefined members), so that only values are compared. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** A policy document read from an API: JSON, or URL-encoded JSON (IAM). */
export function parsePolicy(text: string | undefined): unknown {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(decodeURIComponent(text));
  }
}

/** Whether a resource still exists after its stack was deleted (undefined: the test cannot tell). */
export async function resourceExists(clients: Clients, type: string, physicalId: string): Promise<boolean | undefined> {
  try {
    switch (type) {
      case 'AWS::ECR::Repository':
        await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [physicalId] }));
        return true;
      case 'AWS::IAM::Role':
        await clients.iam.send(new GetRoleCommand({ RoleName: physicalId }));
        return true;
      case 'AWS::S3::Bucket':
        await clients.s3.send(new HeadBucketCommand({ Bucket: physicalId }));
        return true;
      case 'AWS::KMS::Key': {
        const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: physicalId }));
        return KeyMetadata !== undefined && KeyMetadata.KeyState !== 'PendingDeletion';
      }
      default:
        return undefined;
    }
  } catch (e: any) {
    if (
      e instanceof RepositoryNotFoundException ||
      e instanceof NoSuchEntityException ||
      e?.name === 'NotFound' ||
      e?.name === 'NoSuchBucket' ||
      e?.name === 'NotFoundException' ||
      e?.$metadata?.httpStatusCode === 404
    ) {
      return false;
    }
    throw e;
  }
}
