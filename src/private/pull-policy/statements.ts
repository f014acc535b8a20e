import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessLevel } from '../../access-level';

/**
 * Builders of repository-policy statements. None of them sets a `Resource` element: a repository
 * policy applies to its repository, and ECR rejects a policy that names one.
 */

/** The actions a client needs to pull an image (`docker pull`). */
export const PULL_ACTIONS: string[] = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
];

/** The actions a client needs, on top of {@link PULL_ACTIONS}, to push an image (`docker push`). */
export const PUSH_ACTIONS: string[] = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
];

/** The ECR actions an access level allows, in the order they appear in the policy. */
export function accessLevelActions(level: AccessLevel): string[] {
  switch (level) {
    case AccessLevel.PULL:
      return [...PULL_ACTIONS];
    case AccessLevel.PULL_PUSH:
      return [...PULL_ACTIONS, ...PUSH_ACTIONS];
    default:
      throw new Error(`Unknown AccessLevel ${JSON.stringify(level)}: use AccessLevel.PULL or AccessLevel.PULL_PUSH`);
  }
}

/** True when the access level lets the grantee push images. */
export function accessLevelAllowsPush(level: AccessLevel): boolean {
  const actions = accessLevelActions(level);
  return PUSH_ACTIONS.every((action) => actions.includes(action));
}

/** The actions Lambda needs to fetch the image of a container-image function (Lambda developer guide). */
export const LAMBDA_PULL_ACTIONS: string[] = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** The service principal CodeBuild uses when it pulls a build image with `CODEBUILD` credentials. */
export const CODEBUILD_SERVICE_PRINCIPAL = 'codebuild.amazonaws.com';

/** The service principal Lambda uses when it pulls the image of a container-image function. */
export const LAMBDA_SERVICE_PRINCIPAL = 'lambda.amazonaws.com';

/**
 * A repository-policy statement that lets CodeBuild (the `codebuild.amazonaws.com` service
 * principal) pull on behalf of the given projects only: `aws:SourceArn` holds the project ARNs and
 * `aws:SourceAccount` their account, which guards against the confused-deputy problem.
 */
export function codeBuildPullStatement(
  sid: string,
  projectArns: string[],
  sourceAccount: string,
  actions: string[],
): iam.PolicyStatement {
  return serviceSourceStatement(sid, CODEBUILD_SERVICE_PRINCIPAL, actions, projectArns, [sourceAccount]);
}

/**
 * A statement for a service principal acting on behalf of the given source resources
 * (`ArnLike aws:SourceArn`) of the given accounts (`StringEquals aws:SourceAccount`).
 * The lists may be `Lazy.list` tokens.
 */
export function serviceSourceStatement(
  sid: string,
  service: string,
  actions: string[],
  sourceArns: string[],
  sourceAccounts: string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(service)],
    actions: [...actions],
    conditions: {
      StringEquals: { 'aws:SourceAccount': compactList(sourceAccounts) },
      ArnLike: { 'aws:SourceArn': compactList(sourceArns) },
    },
  });
}

/**
 * Principals of the listed accounts, as `Principal: {AWS: "*"}` narrowed by `aws:PrincipalAccount`:
 * 15 characters per account instead of the 33 of an `arn:aws:iam::<account>:root` principal, and
 * an account that does not exist (yet) does not make ECR reject the policy.
 */
export function accountsStatement(sid: string, accountIds: string[], actions: string[]): iam.PolicyStatement {
  return anyPrincipalStatement(sid, actions, 'StringEquals', 'aws:PrincipalAccount', accountIds);
}

/** Principals of the accounts of an organization (`aws:PrincipalOrgID`). */
export function organizationStatement(sid: string, organizationId: string, actions: string[]): iam.PolicyStatement {
  return anyPrincipalStatement(sid, actions, 'StringEquals', 'aws:PrincipalOrgID', [organizationId]);
}

/**
 * Principals of the accounts below any of the given organizational-unit paths
 * (`ForAnyValue:StringLike` on the multivalued `aws:PrincipalOrgPaths`).
 */
export function organizationalUnitsStatement(sid: string, paths: string[], actions: string[]): iam.PolicyStatement {
  return anyPrincipalStatement(sid, actions, 'ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', paths);
}

/**
 * Lambda (`lambda.amazonaws.com`) fetching the image of container-image functions of the given
 * accounts, as the Lambda developer guide shows it: `StringLike aws:SourceArn
 * arn:<partition>:lambda:<region>:<account>:function:*`.
 */
export function lambdaStatement(
  sid: string,
  partition: string,
  region: string,
  accountIds: string[],
): iam.PolicyStatement {
  const functionArns = accountIds.map((account) => `arn:${partition}:lambda:${region}:${account}:function:*`);
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(LAMBDA_SERVICE_PRINCIPAL)],
    actions: [...LAMBDA_PULL_ACTIONS],
    conditions: { StringLike: { 'aws:SourceArn': compactList(functionArns) } },
  });
}

function anyPrincipalStatement(
  sid: string,
  actions: string[],
  operator: string,
  key: string,
  values: string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.ALLOW,
    principals: [new iam.AnyPrincipal()],
    actions: [...actions],
    conditions: { [operator]: { [key]: compactList(values) } },
  });
}

/** A one-element list as its element (shorter policy text), any other list (or list token) as is. */
function compactList(values: string[]): string | string[] {
  return values.length === 1 && !Token.isUnresolved(values) ? values[0] : [...values];
}
