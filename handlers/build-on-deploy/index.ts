/**
 * Custom resource handler of cdk-ecr-codebuild's DockerBuildToEcr `buildOnDeploy`: starts a build of
 * the project when the build inputs change, waits for it, and answers CloudFormation with what the
 * build pushed (or with the build id and log links when it fails).
 *
 * TypeScript, bundled by esbuild into `lib/handlers/build-on-deploy/index.js`.
 * `@aws-sdk/client-codebuild`, `@aws-sdk/client-lambda` and `@aws-sdk/client-ecr` come with the
 * Lambda Node.js runtime (left out of the bundle). The handler answers CloudFormation itself (HTTPS
 * PUT to the pre-signed `ResponseURL`, `../shared/cfn-response.ts`), so one invocation may end
 * without answering: it then hands the wait over to a new
 * asynchronous invocation of itself (`{ Waiter: { Request, BuildId, Deadline } }`), which is how a
 * build longer than Lambda's 15 minutes is waited for. Every path ends with exactly one answer.
 *
 * Resource properties (CloudFormation passes every value as a string):
 * - `ProjectName`: the CodeBuild project;
 * - `BuildInputs`: fingerprint of the project's definition (buildspec, source, environment) at synth;
 * - `DeployTimeInputs`: values only known at deploy time that feed the build (source location...);
 * - `SourceVersion` (optional): the commit, branch or tag to build;
 * - `TimeoutMinutes`, `QueuedTimeoutMinutes`: overrides for the build started here;
 * - `PollSeconds`: interval between two `BatchGetBuilds`;
 * - `Batch` (optional, `'true'`): the project is a batch project (several platforms): the handler
 *   starts a batch build (StartBuildBatch), polls it (BatchGetBuildBatches) and reads the attributes
 *   from the build of the batch's step `ManifestStep` (default `manifest`), the one that pushes the
 *   manifest list. The physical id is then the batch id, and the attributes add `BuildBatchId` and
 *   `BuildBatchArn`; reuse looks through the project's batches (ListBuildBatchesForProject), and
 *   Delete stops a running batch (StopBuildBatch). The waiter's deadline covers the whole batch.
 * Attributes (`Data`): `ImageUri`, `ImageTag`, `ImageDigest` (the build's exported variables),
 * `ImageDigestHex` (the digest without `sha256:`), `BuildId`, `BuildArn`. The physical id is the id
 * of the build that produced them.
 *
 * Every build started here carries `CDK_ECR_CODEBUILD_BUILD_INPUTS`, a hash of the properties that feed
 * it. An Update first looks for the newest finished build of the project with the same hash whose
 * image is still in the repository, and answers with it instead of building: a rollback (which
 * sends the previous properties while the project still has the new definition) or a return to
 * earlier inputs then builds nothing.
 *
 * Delete never touches the repository or its images. It stops the build of this resource only when
 * that build is still running (a cancelled or rolled-back deployment), so that it does not push.
 *
 * Environment: `AWS_ENDPOINT_URL_CODEBUILD` / `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL_ECR` (or
 * `AWS_ENDPOINT_URL`) override the endpoints (tests point them at an emulator).
 *
 * The modules: `handle.ts` (request routing), `kinds.ts` (CodeBuild single and batch), `wait.ts`
 * (waiting and hand-over), `reuse.ts` (builds that need not run), `inputs.ts` and `outcome.ts`
 * (the pure core: what a request asks for, what a build's state means), `deps.ts` and
 * `lambda-deps.ts` (the I/O, injected).
 */
import { handle } from './handle';
import { LambdaContext, lambdaDeps } from './lambda-deps';
import { sendResponse } from '../shared/cfn-response';

export { handle, lambdaDeps, sendResponse };
export {
  inputsChanged,
  inputsKey,
  isBatch,
  parseImageUri,
  startBuildBatchInput,
  startBuildInput,
  waitDeadline,
} from './inputs';
export {
  batchConsoleUrl,
  batchOutcome,
  buildConsoleUrl,
  buildIdOfArn,
  buildOutcome,
  exportedVariables,
} from './outcome';

/** The Lambda entry point. */
export async function handler(event: Record<string, any>, context: LambdaContext): Promise<'answered' | 'handed-over'> {
  const request = event.Waiter ? event.Waiter.Request : event;
  console.log(
    JSON.stringify({
      ...(event.Waiter ? { Waiter: { BuildId: event.Waiter.BuildId, Deadline: event.Waiter.Deadline } } : {}),
      RequestType: request.RequestType,
      LogicalResourceId: request.LogicalResourceId,
      PhysicalResourceId: request.PhysicalResourceId,
      ResourceProperties: request.ResourceProperties,
    }),
  );
  return handle(event, lambdaDeps(context));
}
