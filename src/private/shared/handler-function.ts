import * as path from 'path';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerNodeRuntime } from './runtimes';

/**
 * The folder of the handlers' bundles: `lib/handlers/<name>/index.js`, built by esbuild from
 * `handlers/<name>/` (`npx projen bundle:handlers`, in `pre-compile`). `../../../lib` works from both
 * `src/private/shared/` and the compiled `lib/private/shared/`.
 */
const BUNDLES_DIRECTORY = path.join(__dirname, '..', '..', '..', 'lib', 'handlers');

/** How one of the library's custom-resource handlers (`handlers/<name>/index.ts`) is deployed. */
export interface HandlerFunctionOptions {
  /**
   * The handler's folder under `handlers/` (its `index.handler`). Its asset is that handler's
   * bundle folder, `lib/handlers/<name>/`: its `index.js` and nothing else.
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
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(BUNDLES_DIRECTORY, options.folder)),
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
