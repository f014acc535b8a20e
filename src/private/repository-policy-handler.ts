import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';

/** Construct id of the handler, one per stack. */
const HANDLER_ID = 'CdkEcrCodebuildRepositoryPolicyHandler';

/** The ECR actions the handler needs on each repository whose policy it edits. */
export const REPOSITORY_POLICY_ACTIONS = [
  'ecr:GetRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
];

/**
 * The Lambda function (one per stack) behind the custom resources that write statements into the
 * policy of imported repositories, with its role and log group. Its role may touch the policy of
 * the repositories registered with `allow()` and nothing else.
 */
export class RepositoryPolicyHandler extends Construct {
  /** The handler of the stack of `scope`, created on first use from the code in `codeDirectory`. */
  public static of(scope: IConstruct, codeDirectory: string): RepositoryPolicyHandler {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(HANDLER_ID);
    return existing instanceof RepositoryPolicyHandler
      ? existing
      : new RepositoryPolicyHandler(stack, HANDLER_ID, codeDirectory);
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  private readonly allowed = new Set<string>();
  private readonly lastWriter = new Map<string, IConstruct>();

  private constructor(scope: Construct, id: string, codeDirectory: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own rather than the default one: no AWS managed policy, logs limited to the log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Writes cdk-ecr-codebuild statements into the policy of imported ECR repositories',
    });
    this.logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(codeDirectory),
      role: this.role,
      logGroup: this.logGroup,
      timeout: Duration.minutes(2),
      memorySize: 256,
      description: 'cdk-ecr-codebuild: adds and removes its own statements in ECR repository policies',
    });
    // lambda.Function makes itself depend on its role, which its GetAtt of the role already does
    // (cfn-lint W3005). Creating the function needs nothing more; the custom resources that invoke
    // it depend on the role and its policy themselves.
    (this.function.node.defaultChild as CfnResource).addDeletionOverride('DependsOn');
  }

  /** Lets the handler read and write the policy of `repository` (once per repository). */
  public allow(repository: ecr.IRepository): void {
    const key = this.keyOf(repository);
    if (this.allowed.has(key)) {
      return;
    }
    this.allowed.add(key);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: REPOSITORY_POLICY_ACTIONS, resources: [repository.repositoryArn] }),
    );
  }

  /**
   * Orders the writers of one repository's policy: each waits for the previous one, since a
   * read-modify-write of the same policy must not run concurrently.
   */
  public serialize(repository: ecr.IRepository, writer: IConstruct): void {
    const key = this.keyOf(repository);
    const previous = this.lastWriter.get(key);
    if (previous) {
      writer.node.addDependency(previous);
    }
    this.lastWriter.set(key, writer);
  }

  private keyOf(repository: ecr.IRepository): string {
    return JSON.stringify(Stack.of(this).resolve(repository.repositoryArn));
  }
}
