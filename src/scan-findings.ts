import * as events from 'aws-cdk-lib/aws-events';

/**
 * Severity of a vulnerability finding, as ECR basic scanning and Amazon Inspector (enhanced
 * scanning) report it, from the least to the most severe.
 */
export enum FindingSeverity {
  /** Informational findings, and findings without a severity (ECR `UNDEFINED`, Inspector `UNTRIAGED`). */
  INFORMATIONAL = 'INFORMATIONAL',
  /** Low severity. */
  LOW = 'LOW',
  /** Medium severity. */
  MEDIUM = 'MEDIUM',
  /** High severity. */
  HIGH = 'HIGH',
  /** Critical severity. */
  CRITICAL = 'CRITICAL',
}

/**
 * Options of `DockerBuildToEcr.onImageScanFindings()`.
 */
export interface ImageScanFindingsOptions extends events.OnEventOptions {
  /**
   * The least severe finding that matches: findings of this severity or above.
   *
   * @default FindingSeverity.HIGH
   */
  readonly minSeverity?: FindingSeverity;
}
