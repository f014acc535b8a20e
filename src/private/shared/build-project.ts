import { SecretValue, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IConstruct } from 'constructs';
import { propError, validationMessage } from './errors';
import { LONGEST_PSEUDO_VALUES, renderIntrinsics } from './intrinsics';
import { addNagSuppressions } from './nag';

/**
 * What the two build constructs (DockerBuildToEcr, GoSampleBuild) share about their CodeBuild
 * project: limits, the inline buildspec's size, and the policies that keep each grant the library
 * makes apart from what a user adds to the role later.
 */

/** CodeBuild's build timeout limits, in minutes. */
export const MIN_TIMEOUT_MINUTES = 5;
export const MAX_TIMEOUT_MINUTES = 2160;

/**
 * The longest inline buildspec CodeBuild accepts, in characters. Not in the CodeBuild quotas page:
 * found by aws-cdk-lib's pipelines module (aws/aws-cdk#14974, "An inline buildspec has a size limit
 * of 25600 characters"), which moved its asset buildspec to a file because of it.
 */
export const BUILDSPEC_MAX_CHARS = 25_600;

/**
 * How many characters a reference inside a buildspec is counted as: a CloudFormation String
 * parameter value can be 4,096 characters long. (This library writes no reference into a buildspec:
 * deploy-time values reach the build through environment variables. A user's override could.)
 */
export const BUILDSPEC_REFERENCE_CHARS = 4_096;

/** The compute types that run a build in Lambda: no Docker daemon, no runtime-versions, no custom image. */
export function isLambdaComputeType(computeType: codebuild.ComputeType | undefined): boolean {
  return computeType !== undefined && !Token.isUnresolved(computeType) && computeType.startsWith('BUILD_LAMBDA_');
}

/** Refuses a Lambda compute type: these constructs run container images in an EC2 environment. */
export function validateComputeType(
  scope: IConstruct,
  computeType: codebuild.ComputeType | undefined,
  why: string,
): void {
  if (isLambdaComputeType(computeType)) {
    throw propError(
      scope,
      'computeType',
      computeType,
      `is a Lambda compute type, which ${why}`,
      'use an EC2 compute type, e.g. ComputeType.SMALL, MEDIUM or LARGE',
    );
  }
}

/** `subnetSelection` only means something with a `vpc`: refuse it alone instead of dropping it. */
export function validateSubnetSelection(
  scope: IConstruct,
  vpc: ec2.IVpc | undefined,
  subnetSelection: ec2.SubnetSelection | undefined,
  securityGroups: ec2.ISecurityGroup[] | undefined,
): void {
  if (vpc !== undefined) {
    return;
  }
  if (subnetSelection !== undefined) {
    throw propError(
      scope,
      'subnetSelection',
      '(set)',
      'has no effect without vpc',
      'set vpc too, or remove subnetSelection',
    );
  }
  if (securityGroups !== undefined && securityGroups.length > 0) {
    throw propError(
      scope,
      'securityGroups',
      `${securityGroups.length} group(s)`,
      'have no effect without vpc',
      'set vpc too, or remove securityGroups',
    );
  }
}

/**
 * True when a value is, or holds, a secret: a `SecretValue` token, or a CloudFormation dynamic
 * reference to Secrets Manager or an SSM SecureString. Such a value in a PLAINTEXT environment
 * variable or in a buildspec would be readable by anyone who can read the project.
 */
export function isSecretValue(scope: IConstruct, value: string): boolean {
  if (Token.isUnresolved(value) && Tokenization.reverseString(value).tokens.some((t) => SecretValue.isSecretValue(t))) {
    return true;
  }
  const text = Token.isUnresolved(value) ? JSON.stringify(Stack.of(scope).resolve(value)) : value;
  return /\{\{resolve:(secretsmanager|ssm-secure):/.test(text);
}

/**
 * Adds a check, run at synthesis, that the project's inline buildspec fits in CodeBuild's
 * {@link BUILDSPEC_MAX_CHARS}: the buildspec as CloudFormation passes it, references counted at
 * {@link BUILDSPEC_REFERENCE_CHARS}. `contributions` tells, only when it is too long, how many
 * characters each prop adds, so that the error names the one to shorten.
 */
export function addBuildSpecLengthCheck(
  scope: Construct,
  project: codebuild.Project,
  contributions: () => Record<string, number>,
  buildSpec?: Record<string, unknown>,
): void {
  // A buildspec without tokens has its length now (as BuildSpec.fromObject renders it): when it is
  // within the limit, nothing can make it longer, and the check (a resolve of the whole source at
  // synth) is not needed.
  if (buildSpec !== undefined) {
    const text = JSON.stringify(buildSpec, undefined, 2);
    if (!Token.isUnresolved(text) && text.length <= BUILDSPEC_MAX_CHARS) {
      return;
    }
  }
  scope.node.addValidation({
    validate: () => {
      const length = buildSpecLength(project);
      if (length === undefined || length <= BUILDSPEC_MAX_CHARS) {
        return [];
      }
      const ranked = Object.entries(contributions())
        .filter(([, chars]) => chars > 0)
        .sort((a, b) => b[1] - a[1]);
      const [prop, chars] = ranked[0] ?? ['the buildspec', length];
      const others = ranked
        .slice(1, 3)
        .map(([p, c]) => `${p} ${c.toLocaleString('en-US')}`)
        .join(', ');
      // (CDK prefixes a validation message with the construct path: the message carries the class.)
      return [
        validationMessage(
          scope,
          prop,
          `(${chars.toLocaleString('en-US')} characters of the buildspec)`,
          `makes the inline buildspec ${length.toLocaleString('en-US')} characters long, more than CodeBuild's limit of ` +
            `${BUILDSPEC_MAX_CHARS.toLocaleString('en-US')}` +
            (others ? ` (next largest: ${others})` : ''),
          `shorten ${prop}: pass long values and many items in a file of the source instead`,
        ),
      ];
    },
  });
}

/** The length of the project's inline buildspec as deployed (references counted pessimistically). */
export function buildSpecLength(project: codebuild.Project): number | undefined {
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  const source = Stack.of(project).resolve(cfn.source) as { buildSpec?: unknown; BuildSpec?: unknown } | undefined;
  const buildSpec = source?.buildSpec ?? source?.BuildSpec;
  if (buildSpec === undefined) {
    return undefined;
  }
  const rendered = renderIntrinsics(buildSpec, LONGEST_PSEUDO_VALUES, BUILDSPEC_REFERENCE_CHARS);
  return typeof rendered === 'string' ? rendered.length : JSON.stringify(rendered).length;
}

/** Build environment variables of type PLAINTEXT (CodeBuild's default), from a name-to-value map. */
export function plaintextVariables(vars: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { value }]));
}

/**
 * A principal that stands for `role` (its identity, account and trust) but decides itself where the
 * statements granted to it go.
 */
abstract class RoleStandIn implements iam.IPrincipal {
  public readonly assumeRoleAction: string;
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly principalAccount: string | undefined;

  constructor(protected readonly role: iam.IRole) {
    this.assumeRoleAction = role.assumeRoleAction;
    this.principalAccount = role.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public abstract addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult;
}

/**
 * A principal that adds every statement granted to it to a policy of its own, attached to `role`
 * (created on the first statement, so that a grant of nothing adds no resource). Used so that the
 * cdk-nag suppressions of a library grant sit on that policy only, never on the role's default
 * policy, where statements a user adds later land.
 */
export class DedicatedPolicyPrincipal extends RoleStandIn {
  /** The policy, once a statement was added. */
  public policy?: iam.Policy;

  constructor(
    private readonly scope: Construct,
    private readonly id: string,
    role: iam.IRole,
    private readonly onCreate?: (policy: iam.Policy) => void,
  ) {
    super(role);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.policy === undefined) {
      this.policy = new iam.Policy(this.scope, this.id, { roles: [this.role] });
      this.onCreate?.(this.policy);
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

/**
 * The grants a build construct makes to its project's role while it builds the project: its own
 * statements and those aws-cdk-lib's Project adds in its constructor (source read, logs, key, VPC
 * interface permission) go into one policy of their own, `BuildPolicy` (attached to the role),
 * which carries the construct's cdk-nag suppressions. Once {@link close}d, what is granted to the
 * role (a pipeline action, the user's `role.addToPolicy`) goes to the role's default policy as usual,
 * which carries no suppression: a wildcard added there is reported. (Not the role's inline policy:
 * a resource whose policy names the role, e.g. the key of a build secret, would then be in a
 * dependency cycle with it.)
 */
export class BuildRoleGrants {
  private readonly principal: DedicatedPolicyPrincipal;
  private open = true;
  /** The role as the project and the construct's grants see it. */
  public readonly buildRole: iam.IRole;

  /**
   * @param withhold statements aws-cdk-lib adds that the construct replaces with narrower ones
   * (e.g. the default log group statement of a project that logs to a group of its own): dropped.
   */
  constructor(
    role: iam.Role,
    private readonly withhold: (statement: iam.PolicyStatement) => boolean = () => false,
  ) {
    // A child of the role: what depends on the role (e.g. the deploy-time build) waits for it too.
    this.principal = new DedicatedPolicyPrincipal(role, 'BuildPolicy', role);
    const addToPrincipalPolicy = (statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult => {
      if (!this.open) {
        return role.addToPrincipalPolicy(statement);
      }
      if (this.withhold(statement)) {
        return { statementAdded: true, policyDependable: new DependencyGroup() };
      }
      return this.principal.addToPrincipalPolicy(statement);
    };
    const proxy: iam.IRole = new Proxy(role, {
      get: (target, key) => {
        if (key === 'addToPrincipalPolicy') {
          return addToPrincipalPolicy;
        }
        if (key === 'addToPolicy') {
          return (statement: iam.PolicyStatement) => addToPrincipalPolicy(statement).statementAdded;
        }
        if (key === 'grantPrincipal') {
          return proxy;
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    this.buildRole = proxy;
  }

  /** The policy (created on the first statement). */
  public get policy(): iam.Policy | undefined {
    return this.principal.policy;
  }

  /**
   * From now on, grants go to the role's default policy; `project` waits for the construct's policy
   * (its builds need it).
   */
  public close(project: codebuild.Project): void {
    this.open = false;
    if (this.principal.policy !== undefined) {
      project.node.addDependency(this.principal.policy);
    }
  }
}

/** Artifacts whose grants go to `principal` instead of the project's role. */
export function artifactsGrantingTo(artifacts: codebuild.IArtifacts, principal: iam.IPrincipal): codebuild.IArtifacts {
  return {
    get identifier() {
      return artifacts.identifier;
    },
    type: artifacts.type,
    bind: (scope, project) => artifacts.bind(scope, projectGrantingTo(project, principal)),
  };
}

/** The project, seen through a proxy whose grant principal is `principal`. */
function projectGrantingTo(project: codebuild.IProject, principal: iam.IPrincipal): codebuild.IProject {
  return new Proxy(project, {
    get: (target, key, receiver) => (key === 'grantPrincipal' ? principal : Reflect.get(target, key, receiver)),
  });
}

/**
 * Suppressions for the two statements aws-cdk-lib's Project adds when it runs in a VPC, on the
 * policies they land in: the `ec2:*NetworkInterface*`/`Describe*` actions on "*" (its own
 * `PolicyDocument` policy) and `ec2:CreateNetworkInterfacePermission` on `network-interface/*` (in
 * the construct's own policy, see {@link BuildRoleGrants}; conditioned on the subnets and on
 * CodeBuild as authorized service).
 */
export function suppressVpcFindings(project: codebuild.Project, policy: iam.Policy): void {
  const vpcPolicy = project.node.tryFindChild('PolicyDocument')?.node.defaultChild as iam.CfnPolicy | undefined;
  if (vpcPolicy !== undefined) {
    addNagSuppressions(vpcPolicy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'CodeBuild creates, describes and deletes the network interface of each build in the VPC: ' +
          'ec2:CreateNetworkInterface and the Describe actions support no resource scope',
        appliesTo: ['Resource::*'],
      },
    ]);
  }
  addNagSuppressions(policy.node.defaultChild as iam.CfnPolicy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'ec2:CreateNetworkInterfacePermission on the interfaces CodeBuild creates per build, only in the ' +
        "build's subnets and only for codebuild.amazonaws.com",
      appliesTo: [
        {
          regex:
            '/^Resource::arn:(<AWS::Partition>|[\\w-]+):ec2:(<AWS::Region>|[\\w-]+):(<AWS::AccountId>|\\d{12}):network-interface\\/\\*$/g',
        },
      ],
    },
  ]);
}

/**
 * A principal that keeps the statements granted to it without attaching them to anything: for an
 * aws-cdk-lib grant that is broader than the construct needs and that the construct replaces with
 * its own, narrower statements (see GoSampleBuild's artifact upload grant). `statements` holds what
 * was withheld, for tests.
 */
export class WithheldGrantPrincipal extends RoleStandIn {
  public readonly statements: iam.PolicyStatement[] = [];

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.statements.push(statement);
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}

/**
 * The statement aws-cdk-lib's Project always adds for CodeBuild's default log group
 * (`/aws/codebuild/<project>`: create the group, its streams, put events). A project that logs to
 * a log group of its own (the group's write grant) needs none of it: {@link BuildRoleGrants} withholds it.
 */
export function isDefaultLogGroupStatement(statement: iam.PolicyStatement): boolean {
  const actions = [...statement.actions].sort().join(',');
  return (
    actions === 'logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents' &&
    statement.resources.length > 0 &&
    statement.resources.every((resource) => resource.includes(':log-group:/aws/codebuild/'))
  );
}
