import * as crypto from 'crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { HandlerFunction } from '../shared/handler-function';

/** Construct id of the handler, one per stack. */
const HANDLER_ID = 'CdkEcrCodebuildRepositoryPolicyHandler';

/** The ECR actions the handler needs on each repository whose policy it edits. */
export const REPOSITORY_POLICY_ACTIONS = [
  'ecr:GetRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
];

/**
 * The DynamoDB table that holds the leases on repository policies (`handlers/repository-policy/lease.ts`):
 * one per account and region, with a fixed name so that every stack and app that edits a repository
 * takes the same lock. The handler creates it on first use and nobody deletes it.
 */
export const LOCK_TABLE_NAME = 'cdk-ecr-codebuild-locks';

/** What the handler does with the lock table: create it once, then take, renew and release leases (never delete). */
export const LOCK_TABLE_ACTIONS = [
  'dynamodb:CreateTable',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/**
 * The time one invocation may take: waiting for the lease (other stacks editing the same
 * repository), one read-merge-write cycle, and the answer to CloudFormation.
 */
export const HANDLER_TIMEOUT = Duration.minutes(5);

/**
 * The Lambda function (one per stack) behind the custom resources that write statements into the
 * policy of imported repositories, with its role and log group. Its role may touch the policy of
 * the repositories registered with `allow()` and nothing else.
 */
export class RepositoryPolicyHandler extends HandlerFunction {
  /** The handler of the stack of `scope`, created on first use. */
  public static of(scope: IConstruct): RepositoryPolicyHandler {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(HANDLER_ID);
    return existing instanceof RepositoryPolicyHandler ? existing : new RepositoryPolicyHandler(stack, HANDLER_ID);
  }

  private readonly allowed = new Map<string, iam.Policy>();
  private readonly lastWriter = new Map<string, IConstruct>();

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      folder: 'repository-policy',
      description: 'adds and removes its own statements in ECR repository policies',
      roleDescription: 'Writes cdk-ecr-codebuild statements into the policy of imported ECR repositories',
      timeout: HANDLER_TIMEOUT,
    });
  }

  /**
   * Lets the handler read and write the policy of `repository` and use its lock, in a policy of its
   * own (one per repository, its logical id derived from the repository), which the custom resources
   * that write into that repository must depend on.
   *
   * Why not one statement per repository in the role's default policy: when a grant moves to another
   * repository, CloudFormation updates the role's policy first, then the custom resource, and only
   * then, in the cleanup, sends the Delete that removes the statements from the old repository. By
   * then the old repository would be gone from the policy, the Delete would fail and the revoked
   * statements would stay. A policy of its own is removed in the cleanup too, after the custom
   * resources that depended on it in the previous template (reverse dependency order).
   */
  public allow(repository: ecr.IRepository): iam.Policy {
    const key = this.keyOf(repository);
    const existing = this.allowed.get(key);
    if (existing) {
      return existing;
    }
    const stack = Stack.of(this);
    const lockTable = stack.formatArn({
      service: 'dynamodb',
      region: repository.env.region,
      account: repository.env.account,
      resource: 'table',
      resourceName: LOCK_TABLE_NAME,
    });
    const policy = new iam.Policy(this, `Repository${shortHash(key)}`, {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: REPOSITORY_POLICY_ACTIONS, resources: [repository.repositoryArn] }),
        new iam.PolicyStatement({ actions: LOCK_TABLE_ACTIONS, resources: [lockTable] }),
      ],
    });
    this.allowed.set(key, policy);
    return policy;
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

/** 8 hex digits of a string: the same across synths. */
function shortHash(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}
