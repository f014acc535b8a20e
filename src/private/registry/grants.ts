import { Aws, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { PULL_ACTIONS } from '../pull-policy/statements';
import { DedicatedPolicyPrincipal } from '../shared/build-project';
import { addNagSuppressions } from '../shared/nag';

/** What the first pull of an image through a pull-through cache rule needs, besides pull. */
export const PULL_THROUGH_CACHE_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/**
 * Grants pull, `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository` on the cache repositories
 * `repository/<prefix>/*` of the registry of `registry`'s stack (or, without it, of the stack the
 * grantee's policy is in), plus `ecr:GetAuthorizationToken`. When the grantee is a Role of the app,
 * the statements go to a policy of their own attached to it (`PullThroughCache<prefix>`, a child of
 * the role, so whatever depends on the role waits for it too), and the cdk-nag suppression of the
 * wildcards sits on that policy only: a wildcard a user adds to the role's default policy is still
 * reported.
 */
export function grantCacheRepositories(grantee: iam.IGrantable, prefix: string, registry?: IConstruct): iam.Grant {
  const resourceName = `${prefix}/*`;
  const cacheRepositories = registry
    ? Stack.of(registry).formatArn({ service: 'ecr', resource: 'repository', resourceName })
    : `arn:${Aws.PARTITION}:ecr:${Aws.REGION}:${Aws.ACCOUNT_ID}:repository/${resourceName}`;
  const role = grantee.grantPrincipal;
  const dedicated = role instanceof iam.Role ? dedicatedPolicyFor(role, prefix) : undefined;
  const target: iam.IGrantable = dedicated ?? grantee;
  ecr.AuthorizationToken.grantRead(target);
  const grant = iam.Grant.addToPrincipal({
    grantee: target,
    actions: [...PULL_ACTIONS, ...PULL_THROUGH_CACHE_ACTIONS],
    resourceArns: [cacheRepositories],
  });
  return grant;
}

/** The registry host and cache prefix in the registry of the stack that uses the value. */
export function ownRegistryPrefix(prefix: string): string {
  return `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${prefix}`;
}

/** The policy of the pull-through grants of `prefix` on `role` (one per role and prefix). */
function dedicatedPolicyFor(role: iam.Role, prefix: string): DedicatedPolicyPrincipal {
  const id = `PullThroughCache${prefix.replace(/[^A-Za-z0-9]/g, '')}`;
  const existing = POLICIES.get(role)?.get(id);
  if (existing !== undefined) {
    return existing;
  }
  const principal = new DedicatedPolicyPrincipal(role, id, role, (policy) => suppressCacheWildcard(policy, prefix));
  const byId = POLICIES.get(role) ?? new Map<string, DedicatedPolicyPrincipal>();
  byId.set(id, principal);
  POLICIES.set(role, byId);
  return principal;
}

const POLICIES = new WeakMap<iam.Role, Map<string, DedicatedPolicyPrincipal>>();

function suppressCacheWildcard(policy: iam.Policy, prefix: string): void {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  addNagSuppressions(policy.node.defaultChild as iam.CfnPolicy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        `Pull-through cache repositories under "${prefix}/" are created by ECR on the first pull of each upstream image, ` +
        'so their names are not known in advance; ecr:GetAuthorizationToken supports only Resource "*"',
      appliesTo: [
        'Resource::*',
        {
          regex: `/^Resource::arn:(<AWS::Partition>|[\\w-]+):ecr:(<AWS::Region>|[\\w-]+):(<AWS::AccountId>|\\d{12}):repository\\/${escaped}\\/\\*$/g`,
        },
      ],
    },
  ]);
}
