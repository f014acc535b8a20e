import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { count, ErrorSite, siteError } from './errors';
import { AccountRelation, compareAccounts } from '../shared/accounts';
import { propError, Warning } from '../shared/errors';

/** The prefix ECR requires in the name of an upstream credentials secret. */
export const SECRET_NAME_PREFIX = 'ecr-pullthroughcache/';
/** The longest secret name Secrets Manager takes (CreateSecret `Name`). */
export const MAX_SECRET_NAME_LENGTH = 512;
/**
 * A secret name as Secrets Manager takes it (ASCII letters, digits and `/_+=.@-`), which is also what
 * ECR's `credentialArn` pattern takes after `ecr-pullthroughcache/` (`[a-zA-Z0-9\/_+=.@-]+`).
 */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/**
 * The upstreams (`UpstreamRegistry`) ECR reaches only with credentials in a Secrets Manager secret,
 * by the name a user knows them by. ECR Public, Quay and the Kubernetes registry need none.
 */
export const UPSTREAMS_WITH_CREDENTIALS: Readonly<Record<string, string>> = {
  'docker-hub': 'Docker Hub',
  'github-container-registry': 'GitHub Container Registry',
  'gitlab-container-registry': 'GitLab Container Registry',
  'azure-container-registry': 'Azure Container Registry',
  chainguard: 'Chainguard Registry',
};

/**
 * Fails when an upstream that ECR reaches only with credentials is given none (`site`: the factory,
 * e.g. `Upstream.dockerHub`, or the construct that creates the rule).
 */
export function checkCredentialsGiven(
  site: ErrorSite,
  prop: string,
  registryType: string,
  credentials: secretsmanager.ISecret | undefined,
): void {
  const name = UPSTREAMS_WITH_CREDENTIALS[registryType];
  // `null` from JavaScript callers too.
  if (name === undefined || (credentials !== undefined && credentials !== null)) {
    return;
  }
  throw siteError(
    site,
    prop,
    credentials,
    `leaves ${name} without credentials, and ECR pulls from ${name} only with a Secrets Manager secret`,
    `give a secret named "${SECRET_NAME_PREFIX}…" in the account and region of the registry, holding {"username": …, "accessToken": …}`,
  );
}

/**
 * The name of a secret when known at synth: the literal `secretName` of a secret created in the
 * app, or the name of an imported one (by name, or parsed from a literal ARN). Undefined for a
 * created secret without a name (CloudFormation generates one); a token when only known at deploy.
 */
export function knownSecretName(secret: secretsmanager.ISecret): string | undefined {
  const child = secret.node.defaultChild;
  if (child instanceof secretsmanager.CfnSecret) {
    // `name` is a lazy token over the physical name: resolve it to tell a literal from none.
    const resolved = Stack.of(child).resolve(child.name);
    return typeof resolved === 'string' || resolved === undefined ? resolved : child.name;
  }
  return secret.secretName;
}

/**
 * Checks the credentials secret of a pull-through cache rule: named `ecr-pullthroughcache/…`, in
 * the account and region of the registry. Errors when known to be wrong; returns a warning when the
 * name is only known at deploy time.
 */
export function checkCredentialsSecret(scope: IConstruct, prefix: string, secret: secretsmanager.ISecret): Warning[] {
  const warnings: Warning[] = [];
  const name = knownSecretName(secret);
  if (name === undefined) {
    throw propError(
      scope,
      'upstream credentials',
      secret.node.path,
      `(rule "${prefix}") has no secretName, so CloudFormation generates one, and ECR only accepts secrets named ${SECRET_NAME_PREFIX}…`,
      `create the secret with secretName: "${SECRET_NAME_PREFIX}${prefix}"`,
    );
  }
  if (Token.isUnresolved(name)) {
    warnings.push({
      id: 'credentialsSecretNameUnknown',
      message:
        `the name of secret ${secret.node.path} (rule "${prefix}") is only known at deploy time: ECR rejects the rule ` +
        `unless the name starts with "${SECRET_NAME_PREFIX}"; import the secret by name or by a literal ARN to have it checked at synth`,
    });
  } else if (!name.startsWith(SECRET_NAME_PREFIX) || name.length === SECRET_NAME_PREFIX.length) {
    throw propError(
      scope,
      'upstream credentials',
      name,
      `(secret ${secret.node.path}, rule "${prefix}") does not start with "${SECRET_NAME_PREFIX}", which ECR requires`,
      `store the credentials in a secret named e.g. "${SECRET_NAME_PREFIX}${prefix}"`,
    );
  } else if (!SECRET_NAME.test(name)) {
    const refused = [...new Set([...name].filter((c) => !SECRET_NAME.test(c)))].map((c) => JSON.stringify(c));
    throw propError(
      scope,
      'upstream credentials',
      name,
      `(secret ${secret.node.path}, rule "${prefix}") has ${refused.join(', ')}, which Secrets Manager does not take in a secret name ` +
        "(and ECR's credentialArn does not match)",
      'use ASCII letters, digits and / _ + = . @ - only',
    );
  } else if (name.length > MAX_SECRET_NAME_LENGTH) {
    throw propError(
      scope,
      'upstream credentials',
      name,
      `(secret ${secret.node.path}, rule "${prefix}") has ${count(name.length, 'character')}`,
      `use a secret name of at most ${MAX_SECRET_NAME_LENGTH} characters`,
    );
  }
  const stack = Stack.of(scope);
  if (compareAccounts(secret.env.account, stack.account) === AccountRelation.DIFFERENT) {
    throw propError(
      scope,
      'upstream credentials',
      secret.node.path,
      `(rule "${prefix}") is in account ${secret.env.account}, not in the registry's account ${stack.account}`,
      'ECR reads upstream credentials from the account and region of the rule: create the secret there',
    );
  }
  if (
    !Token.isUnresolved(secret.env.region) &&
    !Token.isUnresolved(stack.region) &&
    secret.env.region !== stack.region
  ) {
    throw propError(
      scope,
      'upstream credentials',
      secret.node.path,
      `(rule "${prefix}") is in region ${secret.env.region}, not in the registry's region ${stack.region}`,
      'ECR reads upstream credentials from the account and region of the rule: create (or replicate) the secret there',
    );
  }
  return warnings;
}

/** The `UpstreamRegistry` of another ECR private registry (ECR to ECR pull through cache). */
export const ECR_UPSTREAM = 'ecr';
/** The service principal a rule's `CustomRoleArn` must trust ("Setting up permissions for cross-account ECR to ECR PTC"). */
export const PULL_THROUGH_CACHE_PRINCIPAL = 'pullthroughcache.ecr.amazonaws.com';
/** `<account>.dkr.ecr.<region>.` at the start of an ECR registry host whose account and region are literals. */
const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\./;

/** How a pull-through cache rule's upstream authenticates, as its resolve step reads it (`Upstream` satisfies it). */
export interface UpstreamAuthentication {
  readonly registryType: string;
  readonly registryUrl: string;
  readonly credentials?: secretsmanager.ISecret;
  readonly role?: iam.IRole;
  readonly upstreamRepositoryPrefix?: string;
}

/**
 * The checks of how ECR reaches an upstream besides its secret: an ECR upstream takes a role and no
 * secret, the other upstreams neither a role nor an upstream repository prefix (`CustomRoleArn` and
 * `UpstreamRepositoryPrefix` are for ECR upstreams only, CreatePullThroughCacheRule, Amazon ECR API
 * Reference); the role is one of the registry's account ("This role must be in the same account as
 * the registry that you are configuring") and, when created in the app, trusts
 * `pullthroughcache.ecr.amazonaws.com` (a warning otherwise); the upstream is not the registry itself.
 */
export function checkUpstreamAuthentication(
  scope: IConstruct,
  prefix: string,
  upstream: UpstreamAuthentication,
): Warning[] {
  const prop = `upstream of rule "${prefix}"`;
  if (upstream.registryType !== ECR_UPSTREAM) {
    const given =
      upstream.role !== undefined
        ? 'role'
        : upstream.upstreamRepositoryPrefix !== undefined
          ? 'repositoryPrefix'
          : undefined;
    if (given !== undefined) {
      throw propError(
        scope,
        prop,
        upstream.registryType,
        `has a ${given}, which ECR takes for an ECR upstream only (CustomRoleArn, UpstreamRepositoryPrefix)`,
        'use Upstream.ecrRegistry({ account, region, role, repositoryPrefix }) for another ECR registry, or give no role or prefix',
      );
    }
    return [];
  }
  if (upstream.credentials !== undefined && upstream.credentials !== null) {
    throw propError(
      scope,
      prop,
      upstream.credentials.node.path,
      'is a secret for an ECR upstream, which ECR reaches with the role (CustomRoleArn) and no secret',
      'give Upstream.ecrRegistry a role and no credentials',
    );
  }
  const role = upstream.role;
  if (role === undefined || role === null) {
    throw propError(
      scope,
      prop,
      upstream.registryUrl,
      'has no role, and ECR pulls from another ECR registry with a role of the registry account',
      'use Upstream.ecrRegistry({ account, region, role })',
    );
  }
  const stack = Stack.of(scope);
  if (compareAccounts(role.env.account, stack.account) === AccountRelation.DIFFERENT) {
    throw propError(
      scope,
      `${prop} role`,
      role.roleArn && !Token.isUnresolved(role.roleArn) ? role.roleArn : role.node.path,
      `is in account ${role.env.account}, not in the registry's account ${stack.account}, and ECR assumes a role of the registry's own account`,
      'create the role in the account of the registry, and let the upstream account allow this account in its registry or repository policy',
    );
  }
  const host = ECR_HOST.exec(upstream.registryUrl);
  if (
    host !== null &&
    compareAccounts(host[1], stack.account) === AccountRelation.SAME &&
    !Token.isUnresolved(stack.region) &&
    host[2] === stack.region
  ) {
    throw propError(
      scope,
      prop,
      `${host[1]}/${host[2]}`,
      'is the registry itself',
      'cache from another region or another account',
    );
  }
  if (role instanceof iam.Role && role.assumeRolePolicy !== undefined) {
    const trust = JSON.stringify(Stack.of(role).resolve(role.assumeRolePolicy.toJSON()));
    if (!trust.includes(PULL_THROUGH_CACHE_PRINCIPAL)) {
      return [
        {
          id: 'pullThroughCacheRoleTrust',
          message:
            `the role ${role.node.path} of rule "${prefix}" does not trust ${PULL_THROUGH_CACHE_PRINCIPAL}: ECR cannot assume it to pull from ` +
            `the upstream registry; create it with assumedBy: new iam.ServicePrincipal('${PULL_THROUGH_CACHE_PRINCIPAL}')`,
        },
      ];
    }
  }
  return [];
}
