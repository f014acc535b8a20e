import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** What the consumer function of a test runs, and how its logs are kept. */
export interface ImageConsumerOptions {
  readonly repository: ecr.IRepository;
  /** The digest (or tag) the function is pinned to. */
  readonly tagOrDigest: string;
  readonly retention: logs.RetentionDays;
  /** @default - the log group's default (retain) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A container-image Lambda function pinned to an image of the library, as a user deploys one: with
 * a role (`<id>Role`) and a log group (`<id>Logs`) of its own, so that it brings no AWS managed
 * policy (cdk-nag IAM4) and its template is cfn-lint clean.
 */
export function imageConsumerFunction(scope: Construct, id: string, options: ImageConsumerOptions): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: options.retention,
    removalPolicy: options.removalPolicy,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new lambda.DockerImageFunction(scope, id, {
    code: lambda.DockerImageCode.fromEcr(options.repository, { tagOrDigest: options.tagOrDigest }),
    role,
    logGroup,
  });
  // aws-cdk-lib's function depends on its role though it already reads the role's ARN (cfn-lint
  // W3005): the consumer's own resource, not the library's.
  (fn.node.defaultChild as CfnResource).addDeletionOverride('DependsOn');
  return fn;
}
