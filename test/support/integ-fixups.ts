import { Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The Lambda runtime for the assertion providers of @aws-cdk/integ-tests-alpha. */
export const ASSERTION_RUNTIME = 'nodejs22.x';

/** Id of the assertion stack that IntegTest creates. */
const ASSERT_STACK_ID = 'DeployAssert';

/**
 * Fixes three things in the assertion stack that @aws-cdk/integ-tests-alpha 2.187 synthesizes, so that
 * its templates pass cfn-lint and really deploy. Our own constructs need none of this; it only
 * touches `DeployAssert` stacks.
 * - Its provider functions take their runtime from a regional map of `nodejs20.x`, which Lambda no
 *   longer creates (cfn-lint W1034): they get `nodejs22.x` (their bundled handler runs on it), and
 *   the map, now unused (W7001), is removed.
 * - Its waiter state machine depends on its role although it already reads the role's ARN (W3005):
 *   when that is its only dependency, the redundant DependsOn is dropped; the order is unchanged.
 */
class AssertionStackFixups implements IAspect {
  public visit(node: IConstruct): void {
    if (Stack.isStack(node) && node.node.id === ASSERT_STACK_ID) {
      node.node.tryRemoveChild('LatestNodeRuntimeMap');
      return;
    }
    if (!(node instanceof CfnResource) || Stack.of(node).node.id !== ASSERT_STACK_ID) {
      return;
    }
    if (node.cfnResourceType === 'AWS::Lambda::Function') {
      node.addPropertyOverride('Runtime', ASSERTION_RUNTIME);
    }
    if (node.cfnResourceType === 'AWS::StepFunctions::StateMachine') {
      const dependencies = node.node.scopes.flatMap((scope) => scope.node.dependencies);
      const onlyRoles = dependencies.every((d) =>
        d.node.defaultChild instanceof CfnResource
          ? (d.node.defaultChild as CfnResource).cfnResourceType === 'AWS::IAM::Role'
          : d instanceof CfnResource && d.cfnResourceType === 'AWS::IAM::Role',
      );
      if (dependencies.length > 0 && onlyRoles) {
        node.addDeletionOverride('DependsOn');
      }
    }
  }
}

/** Applies AssertionStackFixups to every DeployAssert stack under `scope`. */
export function applyIntegFixups(scope: IConstruct): void {
  Aspects.of(scope).add(new AssertionStackFixups());
}
