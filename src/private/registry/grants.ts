import { Aws, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { addNagSuppressions } from '../nag';
import { PULL_ACTIONS } from '../pull-policy';

/** What the first pull of an image through a pull-through cache rule needs, besides pull. */
export const PULL_THROUGH_CACHE_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/**
 * Grants pull, `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository` on the cache repositories
 * `repository/<prefix>/*` of the registry of `registry`'s stack (or, without it, of the stack the
 * grantee's policy is in), plus `ecr:GetAuthorizationToken`; records the cdk-nag suppression for
 * the wildcard on the grantee's default policy when it is a Role of the app.
 */
export function grantCacheRepositories(grantee: iam.IGrantable, prefix: string, registry?: IConstruct): iam.Grant {
  const resourceName = `${prefix}/*`;
  const cacheRepositories = registry
    ? Stack.of(registry).formatArn({ service: 'ecr', resource: 'repository', resourceName })
    : `arn:${Aws.PARTITION}:ecr:${Aws.REGION}:${Aws.ACCOUNT_ID}:repository/${resourceName}`;
  ecr.AuthorizationToken.grantRead(grantee);
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...PULL_ACTIONS, ...PULL_THROUGH_CACHE_ACTIONS],
    resourceArns: [cacheRepositories],
  });
  suppressCacheWildcard(grantee, prefix);
  return grant;
}

/** The registry host and cache prefix in the registry of the stack that uses the value. */
export function ownRegistryPrefix(prefix: string): string {
  return `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${prefix}`;
}

function suppressCacheWildcard(grantee: iam.IGrantable, prefix: string): void {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role)) {
    return;
  }
  const policy = principal.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!(policy instanceof iam.CfnPolicy)) {
    return;
  }
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  addNagSuppressions(policy, [
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
