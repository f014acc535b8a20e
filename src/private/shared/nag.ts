import * as cdk from 'aws-cdk-lib';
import { AspectPriority, Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** A cdk-nag suppression: the rule, why it does not apply, and (optionally) which findings. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Records cdk-nag suppressions on a resource for both cdk-nag majors, written by hand so that the
 * library does not depend on cdk-nag:
 * - cdk-nag 2 (an Aspect) reads the `cdk_nag.rules_to_suppress` metadata of the template resource,
 *   where `appliesTo` narrows a rule to the findings it lists (strings or regular expressions);
 * - cdk-nag 3 (an aws-cdk-lib policy-validation plugin) reads only acknowledgements
 *   (`Validations.of(scope).acknowledge()`, aws-cdk-lib >= 2.257), one per granular finding
 *   (`AwsSolutions-IAM5[Resource::…]`), with no prefix or pattern matching. Which findings a rule
 *   reports is known only once the tree is complete, so an Aspect (read-only priority, after the
 *   mutating ones) renders them the way cdk-nag does ({@link granularFindings}) and acknowledges those
 *   the suppression covers, exactly as cdk-nag 2 would match them: a finding on the same resource that
 *   no suppression names (a wildcard a user adds later) stays reported under both majors.
 */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  const existing: unknown[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = suppressions.map((s) => ({
    id: s.id,
    reason: s.reason,
    ...(s.appliesTo ? { applies_to: s.appliesTo } : {}),
  }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });

  const pending = PENDING.get(resource);
  if (pending !== undefined) {
    pending.push(...suppressions);
    return;
  }
  PENDING.set(resource, [...suppressions]);
  Aspects.of(resource).add(new AcknowledgeSuppressions(resource), { priority: AspectPriority.READONLY });
}

const PENDING = new WeakMap<CfnResource, NagSuppression[]>();

/** The construct metadata key aws-cdk-lib's `Validations.acknowledge()` writes and cdk-nag 3 reads. */
export const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

/** Turns the suppressions of one resource into cdk-nag 3 acknowledgements when the tree is complete. */
class AcknowledgeSuppressions implements IAspect {
  private done = false;

  constructor(private readonly resource: CfnResource) {}

  public visit(node: IConstruct): void {
    if (node !== this.resource || this.done) {
      return;
    }
    this.done = true;
    for (const ack of acknowledgementsFor(this.resource, PENDING.get(this.resource) ?? [])) {
      acknowledge(this.resource, ack.id, ack.reason);
    }
  }
}

/**
 * The cdk-nag 3 acknowledgements (rule ids, granular where the rule reports findings) that cover
 * exactly what `suppressions` cover under cdk-nag 2 on `resource`.
 */
export function acknowledgementsFor(
  resource: CfnResource,
  suppressions: NagSuppression[],
): Array<{ id: string; reason: string }> {
  const out = new Map<string, string>();
  for (const suppression of suppressions) {
    const findings = granularFindings(resource, suppression.id);
    if (findings === undefined) {
      // A rule without granular findings: cdk-nag 3 reports (and acknowledges) the rule id itself.
      out.set(suppression.id, out.get(suppression.id) ?? suppression.reason);
      continue;
    }
    for (const finding of findings) {
      if (covers(suppression, finding)) {
        const id = `${suppression.id}[${finding}]`;
        out.set(id, out.get(id) ?? suppression.reason);
      }
    }
  }
  return [...out].map(([id, reason]) => ({ id, reason }));
}

/** cdk-nag 2's rule: a suppression without `appliesTo` covers every finding of its rule. */
function covers(suppression: NagSuppression, finding: string): boolean {
  if (suppression.appliesTo === undefined) {
    return true;
  }
  return suppression.appliesTo.some((a) => (typeof a === 'string' ? a === finding : toRegExp(a.regex).test(finding)));
}

/** cdk-nag's form of a regular expression in `appliesTo`: `/body/flags`. */
function toRegExp(literal: string): RegExp {
  const m = literal.match(/^\/(.*)\/([a-z]*)$/s);
  if (m === null) {
    throw new Error(`cdk-nag suppression pattern ${literal} is not of the form /body/flags`);
  }
  return new RegExp(m[1], m[2]);
}

/**
 * The findings a granular AwsSolutions rule reports on `resource`, rendered as cdk-nag 2 and 3 render
 * them (their IAMNoWildcardPermissions and IAMNoManagedPolicies rules and `flattenCfnReference`), or
 * undefined when `ruleId` is not a granular rule (cdk-nag then reports the rule id alone).
 */
export function granularFindings(resource: CfnResource, ruleId: string): string[] | undefined {
  const stack = Stack.of(resource);
  if (ruleId === 'AwsSolutions-IAM5') {
    if (resource instanceof iam.CfnRole || resource instanceof iam.CfnUser || resource instanceof iam.CfnGroup) {
      const policies: any[] = stack.resolve(resource.policies) ?? [];
      return unique(policies.flatMap((p) => wildcardFindings(stack.resolve(stack.resolve(p).policyDocument))));
    }
    if (resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy) {
      return wildcardFindings(stack.resolve(resource.policyDocument));
    }
    return [];
  }
  if (ruleId === 'AwsSolutions-IAM4') {
    if (resource instanceof iam.CfnRole || resource instanceof iam.CfnUser || resource instanceof iam.CfnGroup) {
      const arns: unknown[] = stack.resolve(resource.managedPolicyArns) ?? [];
      return unique(
        arns
          .map((arn) => flattenCfnReference(stack.resolve(arn)))
          .filter((arn) => arn.includes(':iam::aws:'))
          .map((arn) => `Policy::${arn}`),
      );
    }
    return [];
  }
  return undefined;
}

function wildcardFindings(document: any): string[] {
  const findings: string[] = [];
  for (const statement of document?.Statement ?? []) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    for (const action of asArray(statement.Action)) {
      if (typeof action === 'string' && action.includes('*')) {
        findings.push(`Action::${action}`);
      }
    }
    for (const resource of asArray(statement.Resource).map(flattenCfnReference)) {
      if (resource.includes('*')) {
        findings.push(`Resource::${resource}`);
      }
    }
  }
  return unique(findings);
}

/** cdk-nag's flat form of a CloudFormation value: references as `<LogicalId>`, `<LogicalId.Attr>`. */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flattenCfnReference(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flattenCfnReference(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flattenCfnReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * Acknowledges a rule on `scope` for cdk-nag 3: through `Validations.of(scope).acknowledge()` where
 * the user's aws-cdk-lib has it (>= 2.257, detected at run time: the library's floor is older), and
 * otherwise by writing the construct metadata that method writes and cdk-nag 3 reads.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const validations = (cdk as any).Validations;
  if (typeof validations?.of === 'function') {
    const of = validations.of(scope);
    if (typeof of.acknowledge === 'function') {
      of.acknowledge({ id, reason });
      return;
    }
  }
  scope.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/** How cdk-nag renders an ARN part: a literal, or a token as `<AWS::Region>`, `<LogicalId>`... */
const PARTITION = '(<AWS::Partition>|[\\w-]+)';
const REGION = '(<AWS::Region>|[\\w-]+)';
const ACCOUNT = '(<AWS::AccountId>|\\d{12})';
const NAME = '(<[\\w.]+>|[\\w-]+)';

/**
 * cdk-nag IAM5 findings (regex form of `applies_to`) for the ARNs that end in `*` because CodeBuild
 * names them per build: the log streams of the project's log group (`log-group:/aws/codebuild/<name>:*`).
 */
export const CODEBUILD_LOG_STREAMS_FINDING = {
  regex: `/^Resource::arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:\\/aws\\/codebuild\\/${NAME}:\\*$/g`,
};

/**
 * Both of CodeBuild's per-build findings in one pattern: the log streams of the project's log group
 * (`log-group:/aws/codebuild/<name>:*`) and the reports of its report groups (`report-group/<name>-*`).
 */
export const CODEBUILD_PER_BUILD_FINDINGS = {
  regex:
    `/^Resource::arn:${PARTITION}:(logs|codebuild):${REGION}:${ACCOUNT}:` +
    `(log-group:\\/aws\\/codebuild\\/${NAME}:|report-group\\/${NAME}-)\\*$/g`,
};
