import * as events from 'aws-cdk-lib/aws-events';
import { FindingSeverity } from '../../scan-findings';

/** Severities from the least to the most severe. */
const ORDER = [
  FindingSeverity.INFORMATIONAL,
  FindingSeverity.LOW,
  FindingSeverity.MEDIUM,
  FindingSeverity.HIGH,
  FindingSeverity.CRITICAL,
];

/** The detail-type of ECR basic-scan results. */
export const ECR_SCAN_DETAIL_TYPE = 'ECR Image Scan';
/** The detail-type of Amazon Inspector findings (enhanced scanning). */
export const INSPECTOR_FINDING_DETAIL_TYPE = 'Inspector2 Finding';

/** The severities at or above `min`, as each scanner spells them. */
export function severitiesAtOrAbove(min: FindingSeverity): { ecr: string[]; inspector: string[] } {
  const levels = ORDER.slice(ORDER.indexOf(min));
  const lowest = min === FindingSeverity.INFORMATIONAL;
  return {
    // ECR basic scanning counts findings without a severity as UNDEFINED, Inspector as UNTRIAGED.
    ecr: [...levels, ...(lowest ? ['UNDEFINED'] : [])],
    inspector: [...levels, ...(lowest ? ['UNTRIAGED'] : [])],
  };
}

/**
 * The event pattern of scan findings at or above `minSeverity` for one repository:
 * - ECR basic scanning: an `ECR Image Scan` event of the repository whose `finding-severity-counts`
 *   has a count above 0 for one of the severities (one `$or` branch per severity, numeric matching);
 * - enhanced scanning: an active `Inspector2 Finding` of one of the severities on an image of the
 *   repository.
 * Each branch names fields only its own event has, so an event matches the branch of its source only.
 */
export function scanFindingsPattern(repositoryName: string, minSeverity: FindingSeverity): events.EventPattern {
  const { ecr, inspector } = severitiesAtOrAbove(minSeverity);
  const basic = ecr.map((severity) => ({
    'repository-name': [repositoryName],
    'scan-status': ['COMPLETE'],
    'finding-severity-counts': { [severity]: [{ numeric: ['>', 0] }] },
  }));
  const enhanced = {
    severity: inspector,
    status: ['ACTIVE'],
    resources: { details: { awsEcrContainerImage: { repositoryName: [repositoryName] } } },
  };
  return {
    source: ['aws.ecr', 'aws.inspector2'],
    detailType: [ECR_SCAN_DETAIL_TYPE, INSPECTOR_FINDING_DETAIL_TYPE],
    detail: { $or: [...basic, enhanced] },
  };
}
