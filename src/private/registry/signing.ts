import { Stack, Token } from 'aws-cdk-lib';
import * as signer from 'aws-cdk-lib/aws-signer';
import { count, ErrorSite, siteError } from './errors';
import { checkDistinct } from './validation';

/**
 * Most rules in a signing configuration: `SigningRuleList` of PutSigningConfiguration (ECR API
 * Reference, max 10) and "up to 10 per registry" (Managed signing, Amazon ECR User Guide). The
 * CloudFormation schema of `AWS::ECR::SigningConfiguration` allows 50; ECR takes 10.
 */
export const MAX_SIGNING_RULES = 10;
/** Most repository filters in one signing rule (`SigningRepositoryFilterList`, 1-100; the schema's `RepositoryFilters` too). */
export const MAX_SIGNING_FILTERS = 100;
/** The longest signing repository filter (`SigningRepositoryFilterValue`, 1-256). */
export const MAX_SIGNING_FILTER_LENGTH = 256;
/** The only filter type ECR takes in a signing rule (`SigningRepositoryFilterType`). */
export const SIGNING_FILTER_TYPE = 'WILDCARD_MATCH';
/**
 * The AWS Signer platform of container image signatures (Notation), the one ECR managed signing
 * signs with ("Signing profiles" and "Procedure for signing an image", AWS Signer Developer Guide).
 */
export const NOTATION_PLATFORM = 'Notation-OCI-SHA384-ECDSA';

/** `SigningRepositoryFilterValue` (the schema's `Filter`): repository name components with `*` wildcards. */
const SIGNING_FILTER = /^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/;
/** The name part of `SigningProfileArn` (`/signing-profiles/[a-zA-Z0-9_]{2,}`). */
const PROFILE_NAME = /^[a-zA-Z0-9_]{2,}$/;
/** `SigningProfileArn` as the schema and the API model give it (at most 200 characters). */
const PROFILE_ARN = /^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$/;

/** One signing rule as the checks read it (`SigningRule` satisfies it). */
export interface SigningRuleInputs {
  readonly signingProfile: signer.ISigningProfile;
  readonly repositoryFilters?: string[];
}

/** The properties of `AWS::ECR::SigningConfiguration` (aws-cdk-lib 2.177 has no L1 for it; 2.230 has). */
export interface SigningProperties {
  readonly Rules: Array<{
    readonly SigningProfileArn: string;
    readonly RepositoryFilters?: Array<{ readonly Filter: string; readonly FilterType: string }>;
  }>;
}

/**
 * The checks of `RegistrySigning.managed`: 1-10 rules, each a signing profile of the Notation
 * platform (when it can be told at synth: a profile created in the app with a literal platform)
 * with a profile name or ARN ECR takes, and 1-100 distinct wildcard filters of 1-256 characters
 * when filters are given. Tokens are skipped.
 */
export function validateSigningRules(site: ErrorSite | undefined, rules: readonly SigningRuleInputs[]): void {
  if (rules.length === 0) {
    throw siteError(
      site,
      'rules',
      [],
      'is empty, and a signing configuration without rules signs nothing',
      'give at least one rule (a signing profile, and repositoryFilters to sign some repositories only), or leave signing out',
    );
  }
  if (rules.length > MAX_SIGNING_RULES) {
    throw siteError(
      site,
      'rules',
      `${rules.length} rules`,
      `are more than ECR allows in a signing configuration (${MAX_SIGNING_RULES})`,
      'share a signing profile between repositories with wildcard filters (e.g. "team-*")',
    );
  }
  rules.forEach((rule, i) => {
    const prop = `rules[${i}]`;
    if (rule.signingProfile === undefined || rule.signingProfile === null) {
      throw siteError(
        site,
        `${prop}.signingProfile`,
        rule.signingProfile,
        'is missing',
        'give the signer.ISigningProfile that signs the images',
      );
    }
    validateSigningProfile(site, `${prop}.signingProfile`, rule.signingProfile);
    if (rule.repositoryFilters !== undefined) {
      validateSigningFilters(site, `${prop}.repositoryFilters`, rule.repositoryFilters);
    }
  });
}

function validateSigningProfile(site: ErrorSite | undefined, prop: string, profile: signer.ISigningProfile): void {
  const child = profile.node.defaultChild;
  if (child instanceof signer.CfnSigningProfile) {
    const platform = child.platformId;
    if (!Token.isUnresolved(platform) && platform !== NOTATION_PLATFORM) {
      throw siteError(
        site,
        prop,
        platform,
        `(profile ${profile.node.path}) is not the signing platform of container images, and ECR managed signing signs with ${NOTATION_PLATFORM} profiles`,
        `create the profile with platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA`,
      );
    }
    // `ProfileName` reaches the L1 from aws-cdk-lib versions newer than 2.177 (which drops
    // signingProfileName, and CloudFormation generates a name that ECR takes).
    const given = (child as unknown as { readonly profileName?: string }).profileName;
    const name = given === undefined ? undefined : Stack.of(child).resolve(given);
    if (typeof name === 'string' && !PROFILE_NAME.test(name)) {
      throw siteError(
        site,
        prop,
        name,
        `(profile ${profile.node.path}) is not a signing profile name ECR takes in a signing rule`,
        'use 2 or more ASCII letters, digits and "_" (no "-")',
      );
    }
    return;
  }
  // An imported profile: its name (a literal even when the ARN holds the partition token) and its ARN.
  const name = profile.signingProfileName;
  if (!Token.isUnresolved(name) && !PROFILE_NAME.test(name)) {
    throw siteError(
      site,
      prop,
      name,
      `(profile ${profile.node.path}) is not a signing profile name ECR takes in a signing rule`,
      'use 2 or more ASCII letters, digits and "_" (no "-")',
    );
  }
  const arn = profile.signingProfileArn;
  if (!Token.isUnresolved(arn) && (arn.length > 200 || !PROFILE_ARN.test(arn))) {
    throw siteError(
      site,
      prop,
      arn,
      'is not a signing profile ARN ECR takes in a signing rule',
      'import the profile by its ARN, arn:<partition>:signer:<region>:<account>:/signing-profiles/<name> (a name of 2+ letters, digits and "_", no version)',
    );
  }
}

/** The repository filters of a signing rule (WILDCARD_MATCH). */
export function validateSigningFilters(site: ErrorSite | undefined, prop: string, filters: readonly string[]): void {
  if (filters.length === 0) {
    throw siteError(
      site,
      prop,
      [],
      'is empty, and a rule without filters signs the images of every repository',
      'leave repositoryFilters out to sign every repository, or list the filters (e.g. "prod/*")',
    );
  }
  if (filters.length > MAX_SIGNING_FILTERS) {
    throw siteError(
      site,
      prop,
      `${filters.length} filters`,
      `are more than ECR allows in one signing rule (${MAX_SIGNING_FILTERS})`,
      'use wildcards (e.g. "team-*"), or split the filters over two rules with the same profile',
    );
  }
  for (const filter of filters) {
    if (Token.isUnresolved(filter)) {
      continue;
    }
    if (filter.length < 1 || filter.length > MAX_SIGNING_FILTER_LENGTH) {
      throw siteError(
        site,
        prop,
        filter,
        `has ${count(filter.length, 'character')}`,
        `use a filter of 1-${MAX_SIGNING_FILTER_LENGTH} characters`,
      );
    }
    if (!SIGNING_FILTER.test(filter)) {
      throw siteError(
        site,
        prop,
        filter,
        'is not a signing repository filter',
        'use repository name components of lowercase letters, digits and "*" joined by single ".", "_", "-" or "/" (e.g. "prod/*", "*-service" or "*")',
      );
    }
  }
  checkDistinct(
    site,
    prop,
    filters.filter((f) => !Token.isUnresolved(f)),
    'filter',
  );
}

/** The rules rendered as `AWS::ECR::SigningConfiguration` takes them. */
export function signingProperties(rules: readonly SigningRuleInputs[]): SigningProperties {
  return {
    Rules: rules.map((rule) => ({
      SigningProfileArn: rule.signingProfile.signingProfileArn,
      ...(rule.repositoryFilters !== undefined
        ? { RepositoryFilters: rule.repositoryFilters.map((Filter) => ({ Filter, FilterType: SIGNING_FILTER_TYPE })) }
        : {}),
    })),
  };
}
