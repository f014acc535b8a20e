import { CfnResource } from 'aws-cdk-lib';

/** A cdk-nag suppression: the rule, why it does not apply, and (optionally) which findings. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Records cdk-nag suppressions on a resource in the metadata format cdk-nag reads
 * (`cdk_nag.rules_to_suppress`). Written by hand so that the library does not depend on cdk-nag.
 */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  const existing: unknown[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = suppressions.map((s) => ({
    id: s.id,
    reason: s.reason,
    ...(s.appliesTo ? { applies_to: s.appliesTo } : {}),
  }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });
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
