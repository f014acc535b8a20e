import * as crypto from 'crypto';
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { HandlerFunction } from '../shared/handler-function';

/** Construct id of the handler, one per stack. */
const HANDLER_ID = 'CdkEcrCodebuildBuildOnDeployHandler';

/** CloudFormation waits at most this long for a custom resource (`ServiceTimeout` 1..3600 s). */
export const CUSTOM_RESOURCE_MAX_MINUTES = 60;
/** Queued timeout of a deploy-time build (CodeBuild's minimum). */
export const DEPLOY_QUEUED_TIMEOUT_MINUTES = 5;
/** Minutes the waiter gives CodeBuild beyond the build's timeouts (the handler's DEADLINE_SLACK_MINUTES). */
const WAITER_SLACK_MINUTES = 3;
/** Minutes CloudFormation waits beyond the waiter's own deadline, for the last answer. */
const ANSWER_MARGIN_MINUTES = 2;
/**
 * The longest build timeout a deploy-time build can have: queued, build, the waiter's slack and the
 * margin for the answer fit in CloudFormation's hour.
 */
export const MAX_DEPLOY_BUILD_MINUTES =
  CUSTOM_RESOURCE_MAX_MINUTES - DEPLOY_QUEUED_TIMEOUT_MINUTES - WAITER_SLACK_MINUTES - ANSWER_MARGIN_MINUTES;
/** Interval between two BatchGetBuilds of the waiter. */
const POLL_SECONDS = 30;

/** The CodeBuild actions the handler needs on each project it builds. */
export const BUILD_ON_DEPLOY_ACTIONS = [
  'codebuild:StartBuild',
  'codebuild:BatchGetBuilds',
  'codebuild:StopBuild',
  'codebuild:ListBuildsForProject',
];

/**
 * The CodeBuild actions the handler needs, besides BUILD_ON_DEPLOY_ACTIONS, on a batch project
 * (several platforms): start, read, stop and list its batches (the manifest step's build is read
 * with `codebuild:BatchGetBuilds`).
 */
export const BUILD_ON_DEPLOY_BATCH_ACTIONS = [
  'codebuild:StartBuildBatch',
  'codebuild:BatchGetBuildBatches',
  'codebuild:StopBuildBatch',
  'codebuild:ListBuildBatchesForProject',
];

/** What the handler reads in the repository: whether the image of an earlier build is still there. */
export const BUILD_ON_DEPLOY_REPOSITORY_ACTIONS = ['ecr:DescribeImages'];

/** The environment variable in which deploy-time builds record their inputs (set by the handler). */
export const BUILD_INPUTS_VARIABLE = 'CDK_ECR_CODEBUILD_BUILD_INPUTS';

/** The custom resource type of a deploy-time build. */
export const BUILD_RESOURCE_TYPE = 'Custom::CdkEcrCodebuildImageBuild';

/**
 * The timeout of a deploy-time build: the project's, capped so that CloudFormation's hour covers the
 * build's queue, the build and the answer.
 */
export function deployBuildMinutes(projectMinutes: number): number {
  return Math.min(projectMinutes, MAX_DEPLOY_BUILD_MINUTES);
}

/**
 * A fingerprint of what a build of `project` reads from its definition: the source (with the
 * buildspec and, for S3 assets, the object key that carries the asset hash), secondary sources,
 * source versions and the environment. Computed at synth from the resolved template fragments, so an
 * unchanged project gives the same fingerprint and CloudFormation sends no Update.
 */
export function projectFingerprint(project: codebuild.Project): string {
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  return Lazy.string({
    produce: () => {
      const inputs = Stack.of(project).resolve({
        source: cfn.source,
        secondarySources: cfn.secondarySources,
        sourceVersion: cfn.sourceVersion,
        secondarySourceVersions: cfn.secondarySourceVersions,
        environment: cfn.environment,
        buildBatchConfig: cfn.buildBatchConfig,
      });
      return crypto.createHash('sha256').update(stableJson(inputs)).digest('hex');
    },
  });
}

/**
 * The deploy-time values a build reads (source location, source version, environment variables):
 * passed as they are, so that CloudFormation compares what they resolve to and sends an Update when
 * one changes though the template does not (a parameter, an imported value).
 */
function deployTimeInputs(project: codebuild.Project): unknown {
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  return Lazy.any({
    produce: () => {
      const stack = Stack.of(project);
      // The L1 properties, resolved: camelCase keys (CloudFormation's names come at rendering).
      const source = stack.resolve(cfn.source) ?? {};
      const environment = stack.resolve(cfn.environment) ?? {};
      const variables: Record<string, unknown> = {};
      for (const v of environment.environmentVariables ?? []) {
        variables[v.name] = v.value;
      }
      return {
        SourceLocation: source.location ?? '',
        Image: environment.image ?? '',
        Variables: variables,
      };
    },
  });
}

/** JSON with sorted keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What a deploy-time build needs from DockerBuildToEcr. */
export interface BuildOnDeployOptions {
  readonly project: codebuild.Project;
  /** The repository the project pushes to. */
  readonly repository: ecr.IRepository;
  /** The project's service role: the build starts after its policies exist. */
  readonly role: iam.IRole;
  /** The project's build timeout in minutes. */
  readonly projectTimeoutMinutes: number;
  /** Commit, branch or tag to build (repository sources). */
  readonly sourceVersion?: string;
  /**
   * The build-graph identifier of the step whose exported variables are the image's, when the
   * project is a batch project (several platforms): the deploy-time build is then a batch build.
   */
  readonly batchManifestStep?: string;
}

/**
 * The custom resource that builds the image when the stack deploys and the build inputs changed.
 * Its attributes (`ImageDigest`, `ImageDigestHex`, `ImageUri`, `ImageTag`, `BuildId`) are what the
 * build exported.
 */
export class BuildOnDeploy extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, options: BuildOnDeployOptions) {
    super(scope, id);
    const handler = BuildOnDeployHandler.of(this);
    handler.allow(options.project, options.repository, options.batchManifestStep !== undefined);
    const timeoutMinutes = deployBuildMinutes(options.projectTimeoutMinutes);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.function.functionArn,
      resourceType: BUILD_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(
        timeoutMinutes + DEPLOY_QUEUED_TIMEOUT_MINUTES + WAITER_SLACK_MINUTES + ANSWER_MARGIN_MINUTES,
      ),
      properties: {
        ProjectName: options.project.projectName,
        BuildInputs: projectFingerprint(options.project),
        DeployTimeInputs: deployTimeInputs(options.project),
        ...(options.sourceVersion !== undefined ? { SourceVersion: options.sourceVersion } : {}),
        ...(options.batchManifestStep !== undefined ? { Batch: 'true', ManifestStep: options.batchManifestStep } : {}),
        TimeoutMinutes: timeoutMinutes,
        QueuedTimeoutMinutes: DEPLOY_QUEUED_TIMEOUT_MINUTES,
        PollSeconds: POLL_SECONDS,
      },
      // Deleting the resource deletes no image (see the handler): nothing to retain.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The build runs as the project's role: its grants (push, source read, logs) must exist first.
    // The handler's permissions too (its role's policies, the self-invoke policy).
    this.resource.node.addDependency(options.role, handler.role, handler.selfInvoke);
    if (options.batchManifestStep !== undefined) {
      // A batch starts its builds through the project's batch service role (with its policy).
      const batchRole = options.project.enableBatchBuilds()?.role;
      if (batchRole !== undefined) {
        this.resource.node.addDependency(batchRole);
      }
    }
  }

  /** An attribute of the build resource. */
  public attribute(name: string): string {
    return this.resource.getAttString(name);
  }
}

/**
 * The Lambda function (one per stack) behind the deploy-time builds, with its role and log group.
 * Its role may start, read and stop the builds of the projects registered with `allow()`, and invoke
 * itself (to wait longer than one invocation), and nothing else.
 */
export class BuildOnDeployHandler extends HandlerFunction {
  /** The handler of the stack of `scope`, created on first use. */
  public static of(scope: IConstruct): BuildOnDeployHandler {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(HANDLER_ID);
    return existing instanceof BuildOnDeployHandler ? existing : new BuildOnDeployHandler(stack, HANDLER_ID);
  }

  /** The policy that lets the function invoke itself. */
  public readonly selfInvoke: iam.Policy;
  private readonly allowed = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      folder: 'build-on-deploy',
      description: 'builds images when the stack deploys and waits for the build',
      roleDescription: 'Starts and waits for the deploy-time builds of cdk-ecr-codebuild DockerBuildToEcr projects',
      // Each invocation polls for up to this long, then hands the wait over to a new one.
      timeout: Duration.minutes(15),
      // An invocation that fails is not retried: a retry would wait for (or start) the build twice.
      // The handler answers CloudFormation on every error it can catch; ServiceTimeout covers the rest.
      retryAttempts: 0,
    });
    // Invoking itself: in a policy of its own, since the function's ARN in the role's default policy
    // would make the role depend on the function that depends on the role.
    this.selfInvoke = new iam.Policy(this, 'SelfInvoke', {
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      ],
    });
    this.role.attachInlinePolicy(this.selfInvoke);
  }

  /**
   * Lets the handler start, list, read and stop the builds of `project` (and its batches when
   * `batch`), and look for images in `repository` (once per project and per repository).
   */
  public allow(project: codebuild.IProject, repository: ecr.IRepository, batch = false): void {
    this.allowOnce(project.projectArn, BUILD_ON_DEPLOY_ACTIONS);
    if (batch) {
      this.allowOnce(project.projectArn, BUILD_ON_DEPLOY_BATCH_ACTIONS);
    }
    this.allowOnce(repository.repositoryArn, BUILD_ON_DEPLOY_REPOSITORY_ACTIONS);
  }

  private allowOnce(arn: string, actions: string[]): void {
    const key = JSON.stringify([Stack.of(this).resolve(arn), actions]);
    if (this.allowed.has(key)) {
      return;
    }
    this.allowed.add(key);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [arn] }));
  }
}
