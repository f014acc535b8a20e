/**
 * Integration test: CrossAccountPullPolicy on a repository created in the stack (statements in its
 * RepositoryPolicyText) and on an imported one (statements merged in by the custom resource).
 *
 * - `npm test` compares the synthesized templates with the committed snapshot (no deploy).
 * - `npm run integ:deploy` deploys it and reads both repository policies back.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { AccessLevel, CrossAccountPullPolicy } from '../src';
import { applyIntegFixups } from './support/integ-fixups';

/** A second account that may pull (any 12-digit id: ECR does not check condition values). */
const CONSUMER = '111122223333';

export function buildIntegApp(app = new App()): { app: App; stacks: Stack[] } {
  const stack = new Stack(app, 'IntegCrossAccountPullPolicy');

  // A repository created here: the statements go into its RepositoryPolicyText.
  const created = new ecr.Repository(stack, 'Created', { removalPolicy: RemovalPolicy.DESTROY });
  new CrossAccountPullPolicy(stack, 'CreatedSharing', {
    repository: created,
    accountIds: [CONSUMER],
    organizationId: 'o-a1b2c3d4e5',
  });

  // An existing repository, imported by name: the custom resource merges the statements in.
  const target = new ecr.Repository(stack, 'ImportTarget', { removalPolicy: RemovalPolicy.DESTROY });
  const imported = ecr.Repository.fromRepositoryName(stack, 'Imported', target.repositoryName);
  // (the custom resource references the repository's ARN, so it is created after it)
  new CrossAccountPullPolicy(stack, 'ImportedSharing', {
    repository: imported,
    accountIds: [CONSUMER],
    accessLevel: AccessLevel.PULL_PUSH,
  });

  const integ = new IntegTest(app, 'CrossAccountPullPolicyTest', { testCases: [stack] });
  integ.assertions.awsApiCall('ECR', 'getRepositoryPolicy', { repositoryName: created.repositoryName }).expect(
    ExpectedResult.objectLike({
      policyText: Match.serializedJson({
        Statement: Match.arrayWith([
          Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalAccount': [CONSUMER] } } }),
          Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
        ]),
      }),
    }),
  );
  integ.assertions.awsApiCall('ECR', 'getRepositoryPolicy', { repositoryName: target.repositoryName }).expect(
    ExpectedResult.objectLike({
      policyText: Match.serializedJson({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['ecr:PutImage']),
            Condition: { StringEquals: { 'aws:PrincipalAccount': [CONSUMER] } },
          }),
        ]),
      }),
    }),
  );
  applyIntegFixups(app);
  return { app, stacks: [stack] };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
