import * as path from 'path';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The folder of the handlers' code. `../..` works from both `src/private/` and the compiled
 * `lib/private/`.
 */
const LAMBDA_DIRECTORY = path.join(__dirname, '..', '..', 'lambda');
/** The folder under `lambda/` with the code every handler's asset carries (`shared/cfn-response.js`). */
const SHARED_FOLDER = 'shared';

/** How one of the library's custom-resource handlers (`lambda/<name>/index.js`) is deployed. */
export interface HandlerFunctionOptions {
  /**
   * The handler's folder under `lambda/` (its `index.handler`). Its asset holds that folder and
   * `lambda/shared/`, and none of the other handlers' folders.
   */
  readonly folder: 'build-on-deploy' | 'repository-policy';
  /** What the function does (its description, prefixed with the library's name). */
  readonly description: string;
  /** What its role is for. */
  readonly roleDescription: string;
  readonly timeout: Duration;
  /** @default - Lambda's default (2 retries of an asynchronous invocation) */
  readonly retryAttempts?: number;
}

/** The function of a custom-resource handler, with its own role and log group. */
export interface HandlerFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * Creates, under `scope`, the log group (`LogGroup`), role (`Role`) and Node.js function
 * (`Function`) of one of the library's custom-resource handlers. The role is the handler's own rather
 * than the default one: no AWS managed policy, logs limited to its log group; the caller grants the
 * rest.
 */
export function createHandlerFunction(scope: Construct, options: HandlerFunctionOptions): HandlerFunction {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.roleDescription,
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, 'Function', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: `${options.folder}/index.handler`,
    code: lambda.Code.fromAsset(LAMBDA_DIRECTORY, {
      exclude: ['*', ...[options.folder, SHARED_FOLDER].flatMap((folder) => [`!${folder}`, `!${folder}/**`])],
    }),
    role,
    logGroup,
    timeout: options.timeout,
    memorySize: 256,
    retryAttempts: options.retryAttempts,
    description: `cdk-ecr-codebuild: ${options.description}`,
  });
  // lambda.Function makes itself depend on its role, which its GetAtt of the role already does
  // (cfn-lint W3005). Creating the function needs nothing more; the custom resources that invoke it
  // depend on the role and its policies themselves.
  (fn.node.defaultChild as CfnResource).addDeletionOverride('DependsOn');
  return { function: fn, role, logGroup };
}
