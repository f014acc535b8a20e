import * as crypto from 'crypto';
import { CustomResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessLevel } from './access-level';
import { renderAccountIds, splitAccountLists } from './private/pull-policy/account-lists';
import { ECR_POLICY_MAX_CHARS, policyTextLength } from './private/pull-policy/policy-size';
import { RepositoryPolicyHandler } from './private/pull-policy/repository-policy-handler';
import { checkAccounts, duplicatesWarning, resolvePullPolicy } from './private/pull-policy/resolve';
import {
  accessLevelActions,
  accountsStatement,
  CODEBUILD_SERVICE_PRINCIPAL,
  lambdaStatement,
  organizationalUnitsStatement,
  organizationStatement,
  PULL_ACTIONS,
  serviceSourceStatement,
} from './private/pull-policy/statements';
import { propError, validationMessage, warn } from './private/shared/errors';
import { UNKNOWN_REFERENCE_CHARS } from './private/shared/intrinsics';
import { addNagSuppressions } from './private/shared/nag';

/** The hex digits of the owner hash in the Sids the handler writes (handlers/repository-policy/core.ts). */
const OWNER_HASH_CHARS = 16;

/** The kinds of statement, in the order they appear in the policy, and the end of their Sid. */
enum StatementKind {
  ACCOUNTS = 'Accounts',
  ORGANIZATION = 'Organization',
  ORGANIZATIONAL_UNITS = 'OrgPaths',
  CODEBUILD = 'CodeBuild',
  LAMBDA = 'Lambda',
}

/**
 * Properties of a CrossAccountPullPolicy.
 */
export interface CrossAccountPullPolicyProps {
  /**
   * The repository whose policy gets the statements. A repository created in this app
   * (`new ecr.Repository`) gets them in its `RepositoryPolicyText`; an imported one
   * (`Repository.fromRepositoryName/Arn/Attributes`) through a custom resource that edits the
   * policy in place, which needs the repository to be in the account of the stack.
   */
  readonly repository: ecr.IRepository;

  /**
   * AWS accounts (12 digits each) whose principals may use the repository at `accessLevel`. Their
   * principals still need an identity policy that allows the actions and `ecr:GetAuthorizationToken`.
   *
   * @default - no account; add some later with `addAccountIds()`
   */
  readonly accountIds?: string[];

  /**
   * An AWS Organizations id (`o-` and 10-32 letters or digits): every account of the organization
   * may use the repository at `accessLevel` (`aws:PrincipalOrgID`).
   *
   * @default - no organization
   */
  readonly organizationId?: string;

  /**
   * Organizational-unit paths (`aws:PrincipalOrgPaths`), e.g. `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`,
   * or ending with `*` to include the child OUs: the accounts below any of them may use the
   * repository at `accessLevel`.
   *
   * @default - no organizational unit
   */
  readonly organizationalUnitPaths?: string[];

  /**
   * What the accounts, the organization and the organizational units may do. The service
   * principals (`codeBuildProjects`, `lambdaAccountIds`) only ever pull.
   *
   * @default AccessLevel.PULL
   */
  readonly accessLevel?: AccessLevel;

  /**
   * CodeBuild projects that use an image of the repository as build image with `CODEBUILD` pull
   * credentials: `codebuild.amazonaws.com` may pull for them (`aws:SourceArn` = their ARNs,
   * `aws:SourceAccount` = their accounts).
   *
   * @default - no project; add some later with `addCodeBuildProject()`
   */
  readonly codeBuildProjects?: codebuild.IProject[];

  /**
   * Accounts whose container-image Lambda functions use images of the repository:
   * `lambda.amazonaws.com` may fetch images for the functions of these accounts in the
   * repository's region. The identity that creates such a function must be allowed to pull as well
   * (`accountIds`, `organizationId` or `organizationalUnitPaths`).
   *
   * @default - no Lambda access
   */
  readonly lambdaAccountIds?: string[];
}

/**
 * Lets other AWS accounts, an organization, organizational units, CodeBuild projects and Lambda
 * functions pull (or pull and push) the images of an ECR repository, by adding statements to the
 * repository's resource policy.
 *
 * Accounts are granted as `Principal: {"AWS": "*"}` narrowed by the condition
 * `StringEquals aws:PrincipalAccount [ids]`, not as one `arn:aws:iam::<id>:root` principal each.
 * That costs 15 characters per account instead of 33, so that more than 600 accounts fit in ECR's
 * 10,240-character policy limit, and an account that does not exist yet does not make ECR reject
 * the policy. It grants exactly the principals of those accounts, like account principals do, but
 * reads as `"*"` to a reviewer or scanner that looks at the principal only (cdk-nag AwsSolutions-ECR1
 * is suppressed on the repository with that reason). One statement per kind of grantee, never one
 * per account.
 *
 * The statements have fixed `Sid`s: a prefix followed by `Accounts`, `Organization`, `OrgPaths`,
 * `CodeBuild` or `Lambda`. In the policy of a repository of this app the prefix is `sidPrefix`
 * (`CdkEcrCodebuild` and 8 hex digits derived from the construct path). On an imported repository the
 * custom resource owns the prefix `CdkEcrCodebuildS` and 16 hex digits derived from the stack id and
 * its logical id, unique across apps, accounts and regions: it replaces or removes exactly those
 * statements (and, on its first update, those it wrote with the earlier `sidPrefix` scheme), leaves
 * every other statement alone, and takes a lease on the repository (a DynamoDB item in the table
 * `cdk-ecr-codebuild-locks`, created on first use) so that stacks deploying at the same time neither
 * lose a grant nor revive a revoked one.
 *
 * The policy is rendered once at synthesis: accounts and projects added after construction count,
 * and synthesis fails when the repository policy would exceed 10,240 characters (measured with the
 * longest partition, region and account names where they are only known at deploy time).
 *
 * For an imported repository, a Lambda function (one per stack, Node.js, with a role that may only
 * read and write the policy of the imported repositories) backs a custom resource that merges the
 * statements into the existing policy on create and update and removes them on delete.
 *
 * @example
 * import * as codebuild from 'aws-cdk-lib/aws-codebuild';
 * import * as ecr from 'aws-cdk-lib/aws-ecr';
 * import { CrossAccountPullPolicy } from 'cdk-ecr-codebuild';
 *
 * declare const repository: ecr.IRepository;
 * declare const project: codebuild.IProject;
 *
 * const policy = new CrossAccountPullPolicy(this, 'SharedImages', {
 *   repository,
 *   accountIds: ['111111111111', '222222222222'],
 *   organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'],
 *   codeBuildProjects: [project],
 * });
 * policy.addAccountIds('333333333333');
 */
export class CrossAccountPullPolicy extends Construct {
  /**
   * The start of the Sid of every statement written by any CrossAccountPullPolicy.
   */
  public static readonly SID_PREFIX = 'CdkEcrCodebuild';

  /** The repository whose policy gets the statements. */
  public readonly repository: ecr.IRepository;

  /** What the accounts, the organization and the organizational units may do. */
  public readonly accessLevel: AccessLevel;

  /**
   * The start of the Sid of the statements of this construct in the policy of a repository of this
   * app: `CdkEcrCodebuild<hash of the construct path>`. On an imported repository the custom resource
   * writes Sids of its own (`CdkEcrCodebuildS<hash of stack id and logical id>`) and removes the
   * statements with this prefix that earlier versions wrote there.
   */
  public readonly sidPrefix: string;

  /**
   * The custom resource that writes the statements into the policy of an imported repository.
   *
   * @default - undefined for a repository created in this app (its policy is part of the template)
   */
  public readonly repositoryPolicy?: CustomResource;

  private readonly accountIds: string[] = [];
  /** The repository's own account when it was given in accountIds (and dropped: it needs no grant). */
  private readonly ownAccountIdsGiven: string[] = [];
  /** List tokens given to accountIds (deploy-time lists). */
  private readonly accountIdLists: string[][] = [];
  private readonly organizationalUnitPaths: string[];
  private readonly organizationId?: string;
  private readonly lambdaAccountIds: string[];
  private readonly codeBuildProjects: codebuild.IProject[] = [];
  private readonly statements = new Map<StatementKind, iam.PolicyStatement>();
  /** The `AWS::ECR::Repository` of a repository created in this app. */
  private readonly cfnRepository?: ecr.CfnRepository;
  private ecrOpenAccessSuppressed = false;

  constructor(scope: Construct, id: string, props: CrossAccountPullPolicyProps) {
    super(scope, id);
    this.repository = props.repository;
    this.sidPrefix = CrossAccountPullPolicy.SID_PREFIX + shortHash(this.node.path);

    // Props -> inputs: the checks and defaults (src/private/pull-policy/resolve.ts), before any resource exists.
    const inputs = resolvePullPolicy(this, props);
    for (const warning of inputs.warnings) {
      warn(this, warning.id, warning.message);
    }
    this.accessLevel = inputs.accessLevel;
    this.organizationId = inputs.organizationId;
    this.organizationalUnitPaths = inputs.organizationalUnitPaths;
    this.lambdaAccountIds = inputs.lambdaAccountIds;
    this.cfnRepository = inputs.cfnRepository;
    if (this.cfnRepository === undefined) {
      this.repositoryPolicy = this.createRepositoryPolicy();
    }

    this.addAccountIds(...(props.accountIds ?? []));
    if (this.organizationId !== undefined) {
      this.addStatement(
        StatementKind.ORGANIZATION,
        organizationStatement(
          this.sid(StatementKind.ORGANIZATION),
          this.organizationId,
          accessLevelActions(this.accessLevel),
        ),
      );
    }
    if (this.organizationalUnitPaths.length > 0) {
      this.addStatement(
        StatementKind.ORGANIZATIONAL_UNITS,
        organizationalUnitsStatement(
          this.sid(StatementKind.ORGANIZATIONAL_UNITS),
          this.organizationalUnitPaths,
          accessLevelActions(this.accessLevel),
        ),
      );
    }
    if (this.lambdaAccountIds.length > 0) {
      const region = this.repository.env.region;
      this.addStatement(
        StatementKind.LAMBDA,
        lambdaStatement(this.sid(StatementKind.LAMBDA), Stack.of(this).partition, region, this.lambdaAccountIds),
      );
    }
    (props.codeBuildProjects ?? []).forEach((project) => this.addCodeBuildProject(project));

    this.node.addValidation({ validate: () => this.validatePolicy() });
  }

  /**
   * Lets the principals of more accounts use the repository at `accessLevel`. Duplicates are
   * dropped with a warning, as is the repository's own account (its principals need no repository
   * policy).
   */
  public addAccountIds(...accountIds: string[]): void {
    // A list token (e.g. a CommaDelimitedList parameter's valueAsList) is only known at deploy time:
    // its elements cannot be checked, it is rendered as given.
    const { lists, literals } = splitAccountLists(accountIds);
    this.accountIdLists.push(...lists);
    const { unique, duplicates } = checkAccounts(this, 'accountIds', literals);
    const repeated = [...duplicates, ...unique.filter((a) => this.accountIds.includes(a))];
    if (repeated.length > 0) {
      const warning = duplicatesWarning('accountIds', repeated);
      warn(this, warning.id, warning.message);
    }
    const own = this.repository.env.account;
    const added = unique.filter((a) => !this.accountIds.includes(a));
    if (!Token.isUnresolved(own) && added.includes(own)) {
      warn(
        this,
        'ownAccountId',
        `accountIds "${own}" is the account of the repository, whose principals need no repository policy (an identity ` +
          'policy suffices, and a repository policy would let every principal of the account pull): it is not added',
      );
    }
    if (!Token.isUnresolved(own)) {
      this.ownAccountIdsGiven.push(...literals.filter((a) => a === own));
    }
    this.accountIds.push(...added.filter((a) => a !== own));
    if (this.accountIds.length + this.accountIdLists.length > 0 && !this.statements.has(StatementKind.ACCOUNTS)) {
      const accounts = Lazy.list({ produce: () => renderAccountIds(this.accountIds, this.accountIdLists) });
      this.addStatement(
        StatementKind.ACCOUNTS,
        accountsStatement(this.sid(StatementKind.ACCOUNTS), accounts, accessLevelActions(this.accessLevel)),
      );
    }
  }

  /**
   * Lets `codebuild.amazonaws.com` pull images for this project (its ARN in `aws:SourceArn`, its
   * account in `aws:SourceAccount`): needed when the project uses an image of the repository as
   * build image with `CODEBUILD` pull credentials.
   */
  public addCodeBuildProject(project: codebuild.IProject): void {
    if (this.codeBuildProjects.includes(project)) {
      return;
    }
    this.codeBuildProjects.push(project);
    if (!this.statements.has(StatementKind.CODEBUILD)) {
      const arns = Lazy.list({ produce: () => this.codeBuildProjects.map((p) => p.projectArn) });
      const accounts = Lazy.list({ produce: () => dedupe(this.codeBuildProjects.map((p) => p.env.account)) });
      this.addStatement(
        StatementKind.CODEBUILD,
        serviceSourceStatement(
          this.sid(StatementKind.CODEBUILD),
          CODEBUILD_SERVICE_PRINCIPAL,
          PULL_ACTIONS,
          arns,
          accounts,
        ),
      );
    }
  }

  private sid(kind: StatementKind): string {
    // On an imported repository the handler owns the Sids: it prefixes the kind with a hash of the
    // stack id and the custom resource's logical id.
    return this.cfnRepository ? this.sidPrefix + kind : kind;
  }

  private addStatement(kind: StatementKind, statement: iam.PolicyStatement): void {
    this.statements.set(kind, statement);
    if (!this.cfnRepository) {
      return; // rendered into the custom resource at synthesis
    }
    const result = this.repository.addToResourcePolicy(statement);
    if (!result.statementAdded) {
      throw propError(
        this,
        'repository',
        this.repository.node.path,
        `did not take the statement ${statement.sid} into its policy (its addToResourcePolicy added nothing)`,
        'pass an ecr.Repository of this app, or import the repository (e.g. ecr.Repository.fromRepositoryName) to have its policy written at deploy time',
      );
    }
    const anyPrincipal =
      kind === StatementKind.ACCOUNTS ||
      kind === StatementKind.ORGANIZATION ||
      kind === StatementKind.ORGANIZATIONAL_UNITS;
    if (anyPrincipal && !this.ecrOpenAccessSuppressed) {
      this.ecrOpenAccessSuppressed = true;
      addNagSuppressions(this.cfnRepository, [
        {
          id: 'AwsSolutions-ECR1',
          reason:
            `Statements ${this.sidPrefix}Accounts/Organization/OrgPaths use Principal AWS "*" only together with an ` +
            'aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalOrgPaths condition: they grant the listed accounts, not the public',
        },
      ]);
    }
  }

  /** An imported repository must be in the stack's account: the custom resource can only edit repositories there. */
  private createRepositoryPolicy(): CustomResource {
    const handler = RepositoryPolicyHandler.of(this);
    const permissions = handler.allow(this.repository);
    const resource = new CustomResource(this, 'RepositoryPolicy', {
      serviceToken: handler.function.functionArn,
      resourceType: 'Custom::CdkEcrCodebuildRepositoryPolicy',
      properties: {
        RepositoryArn: this.repository.repositoryArn,
        // Sids are the kinds; the handler prefixes them with the owner derived from the stack id and
        // the logical id (see handlers/repository-policy/core.ts).
        Statements: Lazy.any({ produce: () => this.renderStatements() }),
      },
    });
    // The role and its policies must be in place before the handler runs, and the permissions on
    // this repository must outlive the custom resource (deleted after it, in reverse order).
    resource.node.addDependency(handler.role, permissions);
    handler.serialize(this.repository, resource);
    return resource;
  }

  private renderStatements(): unknown[] {
    return Object.values(StatementKind)
      .map((kind) => this.statements.get(kind))
      .filter((s): s is iam.PolicyStatement => s !== undefined)
      .map((s) => s.toStatementJson());
  }

  /**
   * The statements as the handler writes them into an imported repository's policy: Sids prefixed
   * with an owner prefix of the length the handler uses (so that the size check counts them).
   */
  private renderStatementsAsWritten(): Array<Record<string, unknown>> {
    const ownerPrefix = CrossAccountPullPolicy.SID_PREFIX + 'S' + '0'.repeat(OWNER_HASH_CHARS);
    return (Stack.of(this).resolve(this.renderStatements()) as Array<Record<string, unknown>>).map((s) => ({
      ...s,
      Sid: ownerPrefix + String(s.Sid),
    }));
  }

  private validatePolicy(): string[] {
    if (this.statements.size === 0) {
      if (this.ownAccountIdsGiven.length > 0) {
        const own = this.ownAccountIdsGiven[0];
        const whose = sameLiteralAccount(own, Stack.of(this).account)
          ? "this stack's own account"
          : "the repository's own account";
        return [
          validationMessage(
            this,
            'accountIds',
            [own],
            `holds only ${whose}, which needs no cross-account grant (its principals pull with an identity policy), ` +
              'and no organization, organizational unit, CodeBuild project or Lambda account is given, so the policy would grant nothing',
            'list the accounts of the other teams that pull, or drop this CrossAccountPullPolicy',
          ),
        ];
      }
      return [
        validationMessage(
          this,
          'accountIds',
          [],
          'and organizationId, organizationalUnitPaths, codeBuildProjects and lambdaAccountIds are all empty, so the policy would grant nothing',
          'give at least one of them, or call addAccountIds() / addCodeBuildProject()',
        ),
      ];
    }
    const stack = Stack.of(this.repository);
    const policy = this.cfnRepository
      ? stack.resolve(this.cfnRepository.repositoryPolicyText)
      : { Version: '2012-10-17', Statement: this.renderStatementsAsWritten() };
    if (this.ecrOpenAccessSuppressed) {
      this.warnAboutOpenStatements(policy);
    }
    const length = policyTextLength(policy);
    if (length <= ECR_POLICY_MAX_CHARS) {
      return [];
    }
    const whose = this.cfnRepository ? 'the policy of repository' : 'the statements of this construct for repository';
    const [prop, count] =
      this.lambdaAccountIds.length > this.accountIds.length
        ? ['lambdaAccountIds', this.lambdaAccountIds.length]
        : ['accountIds', this.accountIds.length];
    return [
      validationMessage(
        this,
        prop,
        `${count} accounts`,
        `make ${whose} ${this.repository.node.path} ${length.toLocaleString('en-US')} characters long, more than ECR's limit of ` +
          `${ECR_POLICY_MAX_CHARS.toLocaleString('en-US')} (partition, region and account counted at their longest, ` +
          `other references at ${UNKNOWN_REFERENCE_CHARS} characters)`,
        'grant the accounts through their organization (organizationId) or organizational units (organizationalUnitPaths) ' +
          'instead of listing them, or spread them over several repositories',
      ),
    ];
  }

  /**
   * The AwsSolutions-ECR1 suppression this construct puts on the repository covers the whole
   * policy: point out statements of others that it would hide (Principal "*" without a condition).
   */
  private warnAboutOpenStatements(policy: { Statement?: Array<Record<string, unknown>> }): void {
    const open = (policy.Statement ?? []).filter(
      (s) =>
        s.Effect === 'Allow' &&
        !String(s.Sid ?? '').startsWith(CrossAccountPullPolicy.SID_PREFIX) &&
        JSON.stringify(s.Principal ?? '').includes('*') &&
        s.Condition === undefined,
    );
    if (open.length > 0) {
      warn(
        this,
        'openRepositoryPolicy',
        `the policy of repository ${this.repository.node.path} has ${open.length} statement(s) with Principal "*" and no ` +
          `condition (${open.map((s) => s.Sid ?? '(no Sid)').join(', ')}), which let anyone with an AWS account use it; ` +
          'the AwsSolutions-ECR1 suppression added for the statements of this construct does not vouch for them',
      );
    }
  }
}

/** 8 hex digits derived from the construct path: the same across synths, distinct per instance. */
function shortHash(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}

/** True when two literal account ids are the same account (false when either is a token). */
function sameLiteralAccount(a: string, b: string): boolean {
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a === b;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
