/**
 * Replays, through the service APIs, the parts of a template that moto's CloudFormation ignores:
 * the value sent is the template's, with its intrinsics resolved against the deployed stack, so
 * that what is read back afterwards is what CloudFormation would have configured.
 *
 * - AWS::ECR::Repository `LifecyclePolicy` -> PutLifecyclePolicy, `RepositoryPolicyText` -> SetRepositoryPolicy
 * - AWS::KMS::Key `KeyPolicy` -> PutKeyPolicy (moto keeps it as an object, which its DescribeKey cannot read)
 * - AWS::S3::Bucket `PublicAccessBlockConfiguration` -> PutPublicAccessBlock
 * - AWS::S3::BucketPolicy (not deployed by moto) -> PutBucketPolicy
 * - AWS::CodeBuild::Project (not deployed by moto) -> CreateProject
 */
import { CreateProjectCommand, CreateProjectCommandInput } from '@aws-sdk/client-codebuild';
import { PutLifecyclePolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PutBucketPolicyCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { Clients, DeployedStack } from './deploy';
import { Template } from './moto-template';

export interface Replayed {
  readonly logicalId: string;
  readonly type: string;
  /** What was replayed (a property, or 'resource'). */
  readonly what: string;
}

export interface ReplayResult {
  readonly replayed: Replayed[];
  /** Emulated resources the test cannot create (e.g. Custom::*), with the reason. */
  readonly notReplayed: Array<Replayed & { reason: string }>;
}

export async function replayIgnoredProperties(
  clients: Clients,
  deployed: DeployedStack,
  template: Template,
): Promise<ReplayResult> {
  const replayed: Replayed[] = [];
  const notReplayed: Array<Replayed & { reason: string }> = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const type = resource.Type;
    const props = deployed.resolve(resource.Properties ?? {});
    const physicalId = deployed.physicalIds[logicalId];
    const done = (what: string): void => {
      replayed.push({ logicalId, type, what });
    };
    if (type === 'AWS::ECR::Repository') {
      if (props.LifecyclePolicy?.LifecyclePolicyText !== undefined) {
        await clients.ecr.send(
          new PutLifecyclePolicyCommand({
            repositoryName: physicalId,
            registryId: props.LifecyclePolicy.RegistryId,
            lifecyclePolicyText: props.LifecyclePolicy.LifecyclePolicyText,
          }),
        );
        done('LifecyclePolicy');
      }
      if (props.RepositoryPolicyText !== undefined) {
        await clients.ecr.send(
          new SetRepositoryPolicyCommand({
            repositoryName: physicalId,
            policyText: policyText(props.RepositoryPolicyText),
          }),
        );
        done('RepositoryPolicyText');
      }
    } else if (type === 'AWS::KMS::Key' && props.KeyPolicy !== undefined) {
      await clients.kms.send(
        new PutKeyPolicyCommand({ KeyId: physicalId, PolicyName: 'default', Policy: policyText(props.KeyPolicy) }),
      );
      done('KeyPolicy');
    } else if (type === 'AWS::S3::Bucket' && !(logicalId in deployed.emulated)) {
      if (props.PublicAccessBlockConfiguration !== undefined) {
        await clients.s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: physicalId,
            PublicAccessBlockConfiguration: props.PublicAccessBlockConfiguration,
          }),
        );
        done('PublicAccessBlockConfiguration');
      }
    } else if (logicalId in deployed.emulated) {
      if (type === 'AWS::S3::BucketPolicy') {
        await clients.s3.send(
          new PutBucketPolicyCommand({ Bucket: props.Bucket, Policy: policyText(props.PolicyDocument) }),
        );
        done('resource');
      } else if (type === 'AWS::CodeBuild::Project') {
        await clients.codebuild.send(new CreateProjectCommand(codeBuildProjectInput(physicalId, props)));
        done('resource');
      } else {
        notReplayed.push({ logicalId, type, what: 'resource', reason: "moto's CloudFormation does not deploy it" });
      }
    }
  }
  return { replayed, notReplayed };
}

/** A policy document as CloudFormation sends it (an object is serialized; a string is sent as is). */
export function policyText(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/**
 * AWS::CodeBuild::Project properties (resolved) in the CreateProject shape: the API's member
 * names are the CloudFormation names in camelCase, except `BuildSpec` -> `buildspec`; properties
 * CreateProject does not take (Triggers, Visibility, ResourceAccessRole) are left out.
 */
export function codeBuildProjectInput(name: string, props: Record<string, any>): CreateProjectCommandInput {
  const { Triggers: _t, Visibility: _v, ResourceAccessRole: _r, ...rest } = props;
  return { ...(camelCase(rest) as CreateProjectCommandInput), name };
}

const RENAMES: Record<string, string> = { BuildSpec: 'buildspec' };

function camelCase(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(camelCase);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      RENAMES[k] ?? k.charAt(0).toLowerCase() + k.slice(1),
      camelCase(v),
    ]),
  );
}
