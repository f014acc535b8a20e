import * as signer from 'aws-cdk-lib/aws-signer';
import { MAX_SIGNING_FILTERS, MAX_SIGNING_RULES, validateSigningRules } from './private/registry/signing';
import { inFactory } from './private/shared/errors';

/** One rule of ECR managed signing: the images pushed to the matching repositories are signed with a profile. */
export interface SigningRule {
  /**
   * The AWS Signer profile that signs the images: a profile of the Notation platform
   * (`signer.Platform.NOTATION_OCI_SHA384_ECDSA`), the one ECR signs container images with.
   * A profile created in the app is checked at synth; an imported one by its ARN only.
   */
  readonly signingProfile: signer.ISigningProfile;

  /**
   * Wildcard filters (`WILDCARD_MATCH`, `*` matches any run of characters) of the repositories
   * whose images the rule signs, e.g. `prod/*` or `*-service`.
   *
   * 1-100 distinct filters of 1-256 characters. An empty list is an error (ECR takes none, and a
   * rule without filters signs every repository): leave the prop out to sign every repository.
   *
   * @default - every repository of the registry
   */
  readonly repositoryFilters?: string[];
}

/**
 * The registry's image signing configuration (`AWS::ECR::SigningConfiguration`): ECR managed signing
 * signs each image pushed to a matching repository with AWS Signer, as the principal that pushes it.
 *
 * That principal needs `signer:SignPayload` on the signing profile besides its push permissions
 * ("Managed signing", Amazon ECR User Guide). A registry has one signing configuration per region:
 * RegistrySettings creates it once per account and region.
 *
 * @example
 * import * as signer from 'aws-cdk-lib/aws-signer';
 * import { RegistrySigning } from 'cdk-ecr-codebuild';
 *
 * const profile = new signer.SigningProfile(this, 'Profile', {
 *   platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA,
 * });
 * const signing = RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: ['prod/*'] }]);
 */
export class RegistrySigning {
  /** Most rules in a signing configuration (ECR's limit, 10). */
  public static readonly MAX_RULES = MAX_SIGNING_RULES;
  /** Most repository filters in one signing rule (ECR's limit, 100). */
  public static readonly MAX_FILTERS_PER_RULE = MAX_SIGNING_FILTERS;

  /**
   * ECR managed signing: ECR signs the images pushed to the repositories of each rule with its
   * profile.
   *
   * @param rules 1-10 rules
   */
  public static managed(rules: SigningRule[]): RegistrySigning {
    return inFactory('RegistrySigning.managed', () => {
      validateSigningRules(undefined, rules);
      return new RegistrySigning(
        rules.map((r) => ({ ...r, repositoryFilters: r.repositoryFilters && [...r.repositoryFilters] })),
      );
    });
  }

  /** The signing rules. */
  public readonly rules: SigningRule[];

  private constructor(rules: SigningRule[]) {
    this.rules = rules;
  }
}
