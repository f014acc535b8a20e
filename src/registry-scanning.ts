import { siteError } from './private/registry/errors';
import { validateScanFilters } from './private/registry/validation';

/**
 * Options of basic (free) registry scanning.
 *
 * Basic scanning scans on push only: continuous scanning is enhanced scanning's
 * (`RegistryScanning.enhanced`), and `basic()` refuses `continuousScanFilters` (e.g. enhanced
 * options passed to it).
 */
export interface BasicScanningOptions {
  /**
   * Repository filters (wildcards `*` allowed, e.g. `prod-*`) of the repositories whose images are
   * scanned when pushed. An empty list scans nothing on push (manual scans only).
   *
   * @default ['*'] - every repository
   */
  readonly scanOnPushFilters?: string[];
}

/**
 * Options of enhanced (Amazon Inspector) registry scanning. A repository that matches both lists is
 * scanned continuously.
 *
 * @example
 * import { RegistryScanning } from 'cdk-ecr-codebuild';
 *
 * const scanning = RegistryScanning.enhanced({
 *   continuousScanFilters: ['prod-*'],
 *   scanOnPushFilters: ['*'],
 * });
 */
export interface EnhancedScanningOptions {
  /**
   * Repository filters (wildcards allowed) of the repositories scanned when an image is pushed.
   *
   * @default - none besides the continuous ones
   */
  readonly scanOnPushFilters?: string[];

  /**
   * Repository filters (wildcards allowed) of the repositories whose images are scanned on push and
   * again whenever Inspector learns of a new vulnerability.
   *
   * @default ['*'] - every repository, when `scanOnPushFilters` is not given either
   */
  readonly continuousScanFilters?: string[];
}

/** One rule of the registry scanning configuration. */
export interface RegistryScanningRule {
  /** `SCAN_ON_PUSH` or `CONTINUOUS_SCAN`. */
  readonly scanFrequency: string;
  /** Wildcard filters of the repositories the rule applies to. */
  readonly filters: string[];
}

/**
 * The registry's scanning configuration (`AWS::ECR::RegistryScanningConfiguration`): basic scanning
 * on push, or enhanced scanning by Amazon Inspector on push and continuously.
 *
 * @example
 * import { RegistryScanning } from 'cdk-ecr-codebuild';
 *
 * const basic = RegistryScanning.basic(); // scan on push, every repository
 */
export class RegistryScanning {
  /** Maximum number of filters per scanning rule (ECR's limit). */
  public static readonly MAX_FILTERS_PER_RULE = 100;

  /**
   * Basic scanning: images of the matching repositories are scanned when pushed (ECR's only frequency
   * for basic scanning besides manual scans).
   */
  public static basic(options: BasicScanningOptions = {}): RegistryScanning {
    // Not a prop of BasicScanningOptions, but EnhancedScanningOptions are assignable to it (and
    // JavaScript passes anything): they were dropped without a word.
    const continuous = (options as { readonly continuousScanFilters?: unknown }).continuousScanFilters;
    if (continuous !== undefined) {
      throw siteError(
        'RegistryScanning.basic',
        'continuousScanFilters',
        continuous,
        'is not an option of basic scanning, which ECR runs on push only (CONTINUOUS_SCAN is for enhanced scanning)',
        'use RegistryScanning.enhanced({ continuousScanFilters, scanOnPushFilters }) for continuous scans (Amazon Inspector), ' +
          'or give basic() scanOnPushFilters only',
      );
    }
    const onPush = options.scanOnPushFilters ?? ['*'];
    validateScanFilters('RegistryScanning.basic', 'scanOnPushFilters', onPush);
    return new RegistryScanning('BASIC', [{ scanFrequency: 'SCAN_ON_PUSH', filters: [...onPush] }]);
  }

  /**
   * Enhanced scanning by Amazon Inspector, charged by Inspector.
   *
   * Inspector is enabled for ECR in the account when the configuration is applied.
   */
  public static enhanced(options: EnhancedScanningOptions = {}): RegistryScanning {
    const given = options.scanOnPushFilters !== undefined || options.continuousScanFilters !== undefined;
    const continuous = options.continuousScanFilters ?? (given ? [] : ['*']);
    const onPush = options.scanOnPushFilters ?? [];
    validateScanFilters('RegistryScanning.enhanced', 'continuousScanFilters', continuous);
    validateScanFilters('RegistryScanning.enhanced', 'scanOnPushFilters', onPush);
    const rules: RegistryScanningRule[] = [];
    if (onPush.length > 0) {
      rules.push({ scanFrequency: 'SCAN_ON_PUSH', filters: [...onPush] });
    }
    if (continuous.length > 0) {
      rules.push({ scanFrequency: 'CONTINUOUS_SCAN', filters: [...continuous] });
    }
    return new RegistryScanning('ENHANCED', rules);
  }

  /** `BASIC` or `ENHANCED`. */
  public readonly scanType: string;
  /** The scanning rules, as rendered into the template. */
  public readonly rules: RegistryScanningRule[];

  private constructor(scanType: string, rules: RegistryScanningRule[]) {
    this.scanType = scanType;
    this.rules = rules;
  }
}
