import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { validateOrganizationalUnitPath, validateOrganizationId } from './principal-validation';
import { accessLevelAllowsPush } from './statements';
import { AccessLevel } from '../../access-level';
import { AccountRelation, compareAccounts } from '../shared/accounts';
import { propError, Warning } from '../shared/errors';
import { validateAccountId } from '../shared/validation';

/**
 * What CrossAccountPullPolicy's props hold, as {@link resolvePullPolicy} reads them.
 * `CrossAccountPullPolicyProps` satisfies this structurally, so that no private module imports the
 * construct's file.
 */
export interface PullPolicyInputs {
  readonly repository: ecr.IRepository;
  readonly accountIds?: string[];
  readonly organizationId?: string;
  readonly organizationalUnitPaths?: string[];
  readonly accessLevel?: AccessLevel;
  readonly codeBuildProjects?: codebuild.IProject[];
  readonly lambdaAccountIds?: string[];
}

/** CrossAccountPullPolicy's props, validated, with the defaults applied. */
export interface ResolvedPullPolicy {
  readonly accessLevel: AccessLevel;
  readonly organizationId?: string;
  /** Without repeats. */
  readonly organizationalUnitPaths: string[];
  /** Without repeats. */
  readonly lambdaAccountIds: string[];
  /**
   * The `AWS::ECR::Repository` of a repository created in this app (its policy is set on it);
   * undefined for an imported repository (a custom resource writes into its policy).
   */
  readonly cfnRepository?: ecr.CfnRepository;
  /** Warnings for the construct to emit, in order. */
  readonly warnings: Warning[];
}

/**
 * The checks of CrossAccountPullPolicy's props that come before any resource: the organization, its
 * units, the Lambda accounts, and the account of an imported repository. The account ids go through
 * `addAccountIds`, which checks them (the same path as ids added later); the policy's size is
 * checked at synth, once every statement is known.
 */
export function resolvePullPolicy(scope: IConstruct, props: PullPolicyInputs): ResolvedPullPolicy {
  const warnings: Warning[] = [];
  const accessLevel = props.accessLevel ?? AccessLevel.PULL;

  validateOrganizationId(scope, 'organizationId', props.organizationId);
  const organizationalUnitPaths = dedupe(props.organizationalUnitPaths ?? []);
  organizationalUnitPaths.forEach((p) => validateOrganizationalUnitPath(scope, 'organizationalUnitPaths', p));
  const lambdaAccounts = checkAccounts(scope, 'lambdaAccountIds', props.lambdaAccountIds ?? []);
  if (lambdaAccounts.duplicates.length > 0) {
    warnings.push(duplicatesWarning('lambdaAccountIds', lambdaAccounts.duplicates));
  }

  const child = props.repository.node.defaultChild;
  const cfnRepository = child instanceof ecr.CfnRepository ? child : undefined;
  if (cfnRepository === undefined) {
    warnings.push(...checkImportedRepositoryAccount(scope, props.repository));
  }

  if (props.organizationId !== undefined && accessLevelAllowsPush(accessLevel)) {
    warnings.push({
      id: 'pushToOrganization',
      message:
        `accessLevel PULL_PUSH lets every account of organization ${props.organizationId} push images to the repository: ` +
        'grant PULL to the organization and PULL_PUSH to the accounts that build images, in a second CrossAccountPullPolicy',
    });
  }
  return {
    accessLevel,
    organizationId: props.organizationId,
    organizationalUnitPaths,
    lambdaAccountIds: lambdaAccounts.unique,
    cfnRepository,
    warnings,
  };
}

/** Validates account ids; returns them without repeats, and the repeated ones. */
export function checkAccounts(
  scope: IConstruct,
  prop: string,
  accountIds: string[],
): { unique: string[]; duplicates: string[] } {
  accountIds.forEach((id) => validateAccountId(scope, prop, id));
  const unique = dedupe(accountIds);
  const duplicates = dedupe(accountIds.filter((id, i) => accountIds.indexOf(id) !== i));
  return { unique, duplicates };
}

/** The warning about account ids given more than once. */
export function duplicatesWarning(prop: string, accountIds: string[]): Warning {
  return {
    id: 'duplicateAccountId',
    message: `${prop} ${accountIds.map((a) => `"${a}"`).join(', ')} given more than once: each account is granted once`,
  };
}

/**
 * An imported repository's policy is written by a custom resource in the stack's account, which can
 * only change the policy of a repository of that account: an error when the repository is in
 * another account, a warning when that is only known at deploy time.
 */
function checkImportedRepositoryAccount(scope: IConstruct, repository: ecr.IRepository): Warning[] {
  const repositoryAccount = repository.env.account;
  const stackAccount = Stack.of(scope).account;
  const relation = compareAccounts(repositoryAccount, stackAccount);
  if (relation === AccountRelation.DIFFERENT) {
    throw propError(
      scope,
      'repository',
      repository.node.path,
      `is in account ${repositoryAccount}, not in the stack's account ${stackAccount}: the custom resource that writes ` +
        "statements into an imported repository's policy runs in the stack's account, and a repository policy can " +
        'only be changed from the account that owns the repository',
      `create the CrossAccountPullPolicy in a stack deployed to account ${repositoryAccount}`,
    );
  }
  if (relation === AccountRelation.UNKNOWN) {
    return [
      {
        id: 'repositoryAccountUnknown',
        message:
          `cannot tell whether repository ${repository.node.path} is in the stack's account: the custom resource can ` +
          "only edit the policy of a repository of the stack's account, and deployment fails otherwise",
      },
    ];
  }
  return [];
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
