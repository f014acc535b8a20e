/**
 * How many accounts fit in one ECR repository policy (10,240 characters) with CrossAccountPullPolicy
 * and with aws-cdk-lib's `grantPull` (default, and with `@aws-cdk/aws-iam:minimizePolicies`).
 *
 *   npx ts-node --project test/tsconfig.json bench/policy-capacity.ts
 *
 * Each count is found by binary search: synthesize a stack whose repository grants N accounts,
 * measure the RepositoryPolicyText as CloudFormation sends it (compact JSON, intrinsics resolved).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountPullPolicy } from '../src/cross-account-pull-policy';
import { ECR_POLICY_MAX_CHARS, policyTextLength } from '../src/private/pull-policy/policy-size';
import { LONGEST_PSEUDO_VALUES } from '../src/private/shared/intrinsics';

/** The ways of granting accounts that the bench compares. */
export type Approach = 'CrossAccountPullPolicy' | 'grantPull' | 'grantPull (minimizePolicies)';
export const APPROACHES: Approach[] = ['CrossAccountPullPolicy', 'grantPull', 'grantPull (minimizePolicies)'];

/** Pseudo parameters as deployed in the commercial partition, and at their longest. */
export const COMMERCIAL: Record<string, string> = { ...LONGEST_PSEUDO_VALUES, 'AWS::Partition': 'aws' };
export const LONGEST: Record<string, string> = LONGEST_PSEUDO_VALUES;

/** N distinct 12-digit account ids, none of them the stack's own account. */
export function accountIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(100000000000 + i * 7919));
}

/**
 * Synthesizes a repository that grants `count` accounts pull access with `approach` and returns the
 * length of its RepositoryPolicyText. CrossAccountPullPolicy's own size check is bypassed (the
 * stack is resolved, not validated), so sizes past the limit can be measured too.
 */
export function repositoryPolicyLength(
  approach: Approach,
  count: number,
  pseudo: Record<string, string> = COMMERCIAL,
): number {
  const context = approach === 'grantPull (minimizePolicies)' ? { '@aws-cdk/aws-iam:minimizePolicies': true } : {};
  const app = new App({ context });
  const stack = new Stack(app, 'Bench', { env: { account: '000000000000', region: 'us-east-1' } });
  const repository = new ecr.Repository(stack, 'Repository');
  const ids = accountIds(count);
  if (approach === 'CrossAccountPullPolicy') {
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ids });
  } else {
    ids.forEach((id) => repository.grantPull(new iam.AccountPrincipal(id)));
  }
  const cfn = repository.node.defaultChild as ecr.CfnRepository;
  return policyTextLength(stack.resolve(cfn.repositoryPolicyText), pseudo);
}

/** The largest number of accounts whose policy stays within ECR's limit (binary search up to `upper`). */
export function maxAccountsThatFit(
  approach: Approach,
  pseudo: Record<string, string> = COMMERCIAL,
  upper = 2048,
): number {
  let low = 0; // fits
  let high = upper + 1; // assumed not to fit
  if (repositoryPolicyLength(approach, upper, pseudo) <= ECR_POLICY_MAX_CHARS) {
    return upper;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (repositoryPolicyLength(approach, middle, pseudo) <= ECR_POLICY_MAX_CHARS) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low;
}

function main(): void {
  const rows = APPROACHES.map((approach) => {
    const fit = maxAccountsThatFit(approach);
    return {
      approach,
      fit,
      fitLongest: maxAccountsThatFit(approach, LONGEST),
      sizeAt100: repositoryPolicyLength(approach, 100),
    };
  });
  const header = ['approach', 'max accounts (aws)', 'max accounts (aws-us-gov)', 'chars for 100 accounts'];
  const table = [header, ...rows.map((r) => [r.approach, String(r.fit), String(r.fitLongest), String(r.sizeAt100)])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log(`Accounts that fit in one ECR repository policy (${ECR_POLICY_MAX_CHARS} characters):`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  rows.forEach((_, i) => console.log(line(table[i + 1])));
}

if (require.main === module) {
  main();
}
