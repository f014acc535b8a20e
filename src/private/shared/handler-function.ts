import * as path from 'path';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerNodeRuntime } from './runtimes';

/**
 * The folder of the handlers' code. `../../..` works from both `src/private/shared/` and the compiled
 * `lib/private/shared/`.
 */
const LAMBDA_DIRECTORY = path.join(__dirname, '..', '..', '..', 'lambda');
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

/**
 * One of the library's custom-resource handlers: under this construct, the log group (`LogGroup`),
 * role (`Role`) and Node.js function (`Function`). The role is the handler's own rather than the
 * default one: no AWS managed policy, logs limited to its log group; the subclass grants the rest.
 */
export abstract class HandlerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  protected constructor(scope: Construct, id: string, options: HandlerFunctionOptions) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: options.roleDescription,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      // The newest Node.js of the user's aws-cdk-lib (Node.js 22 at the least): AwsSolutions-L1 holds.
      runtime: handlerNodeRuntime(),
      handler: `${options.folder}/index.handler`,
      code: lambda.Code.fromAsset(LAMBDA_DIRECTORY, {
        exclude: ['*', ...[options.folder, SHARED_FOLDER].flatMap((folder) => [`!${folder}`, `!${folder}/**`])],
      }),
      role: this.role,
      logGroup: this.logGroup,
      timeout: options.timeout,
      memorySize: 256,
      retryAttempts: options.retryAttempts,
      description: `cdk-ecr-codebuild: ${options.description}`,
    });
    // lambda.Function makes itself depend on its role, which its GetAtt of the role already does
    // (cfn-lint W3005). Creating the function needs nothing more; the custom resources that invoke it
    // depend on the role and its policies themselves.
    (this.function.node.defaultChild as CfnResource).addDeletionOverride('DependsOn');
  }
}
