/**
 * The real dependencies of an invocation: the SDK v3 clients (from the Lambda runtime), the
 * CloudFormation response, the hand-over to the next invocation, the clock.
 */
import {
  BatchGetBuildBatchesCommand,
  BatchGetBuildsCommand,
  CodeBuildClient,
  ListBuildBatchesForProjectCommand,
  ListBuildsForProjectCommand,
  StartBuildBatchCommand,
  StartBuildCommand,
  StopBuildBatchCommand,
  StopBuildCommand,
} from '@aws-sdk/client-codebuild';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Deps } from './deps';
import { parseImageUri } from './inputs';
import { sendResponse } from '../shared/cfn-response';

/** What the handler reads of Lambda's context. */
export interface LambdaContext {
  readonly invokedFunctionArn?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * The endpoint override for a service: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`.
 */
export function endpointFor(service: string): string | undefined {
  return process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
}

/**
 * The real dependencies of an invocation.
 * @param {{ invokedFunctionArn?: string, getRemainingTimeInMillis?: () => number }} context
 */
export function lambdaDeps(context: LambdaContext): Deps {
  const codebuildEndpoint = endpointFor('CODEBUILD');
  const codebuild = new CodeBuildClient(codebuildEndpoint ? { endpoint: codebuildEndpoint } : {});
  return {
    codebuild,
    commands: {
      StartBuild: StartBuildCommand,
      BatchGetBuilds: BatchGetBuildsCommand,
      StopBuild: StopBuildCommand,
      ListBuildsForProject: ListBuildsForProjectCommand,
      StartBuildBatch: StartBuildBatchCommand,
      BatchGetBuildBatches: BatchGetBuildBatchesCommand,
      StopBuildBatch: StopBuildBatchCommand,
      ListBuildBatchesForProject: ListBuildBatchesForProjectCommand,
    },
    imageExists: async (image) => {
      const repository = parseImageUri(image.ImageUri);
      if (!repository) {
        return false;
      }
      const ecrEndpoint = endpointFor('ECR');
      const ecr = new ECRClient(ecrEndpoint ? { endpoint: ecrEndpoint } : {});
      try {
        const found = await ecr.send(
          new DescribeImagesCommand({ ...repository, imageIds: [{ imageDigest: image.ImageDigest }] }),
        );
        return (found.imageDetails || []).length > 0;
      } catch (error) {
        const name = error && typeof error === 'object' ? (error as any).name : undefined;
        if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') {
          return false;
        }
        throw error;
      } finally {
        ecr.destroy();
      }
    },
    respond: sendResponse,
    handOver: async (payload) => {
      const lambdaEndpoint = endpointFor('LAMBDA');
      const lambda = new LambdaClient(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {});
      await lambda.send(
        new InvokeCommand({
          FunctionName: context.invokedFunctionArn,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(payload)),
        }),
      );
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    remainingMs: () => (context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 0),
  };
}
