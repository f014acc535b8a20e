import { Aws, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { siteError } from './private/registry/errors';
import { checkCredentialsGiven } from './private/registry/secrets';
import { validateRegion, validateUpstreamRepositoryPrefix } from './private/registry/validation';
import { inFactory } from './private/shared/errors';
import { validateAccountId } from './private/shared/validation';

/**
 * Options of `Upstream.ecrRegistry`: another Amazon ECR private registry (another region of this
 * account, or another account) whose images a pull-through cache rule caches.
 */
export interface EcrRegistryUpstreamOptions {
  /** The account of the upstream registry (12 digits). */
  readonly account: string;

  /** The region of the upstream registry, e.g. `eu-west-1`. */
  readonly region: string;

  /**
   * The role ECR assumes to pull from the upstream registry (the rule's `CustomRoleArn`).
   *
   * It must be a role of the registry's own account (ECR: "This role must be in the same account
   * as the registry that you are configuring"), trust the service principal
   * `pullthroughcache.ecr.amazonaws.com` (`sts:AssumeRole`), and allow `ecr:GetAuthorizationToken`,
   * `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`, `ecr:BatchImportUpstreamImage`,
   * `ecr:GetImageCopyStatus`, `ecr:InitiateLayerUpload`, `ecr:UploadLayerPart`,
   * `ecr:CompleteLayerUpload` and `ecr:PutImage` ("Setting up permissions for cross-account ECR to
   * ECR PTC", Amazon ECR User Guide). For another account, that account's registry or repository
   * policy must also allow this account `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`,
   * `ecr:BatchImportUpstreamImage` and `ecr:GetImageCopyStatus`. RegistrySettings checks the account
   * of the role and, for a role created in the app, its trust policy.
   */
  readonly role: iam.IRole;

  /**
   * The repository name prefix in the upstream registry that the rule pulls from (the rule's
   * `UpstreamRepositoryPrefix`: 2-30 characters of a repository name, or `ROOT`).
   *
   * @default - ROOT: every repository of the upstream registry
   */
  readonly repositoryPrefix?: string;
}

/**
 * The registry a pull-through cache rule caches images from: the `UpstreamRegistry` and
 * `UpstreamRegistryUrl` of an `AWS::ECR::PullThroughCacheRule`, and the Secrets Manager secret
 * with the credentials for the upstreams that need one.
 *
 * Docker Hub, GitHub Container Registry, GitLab Container Registry and the Chainguard Registry need
 * a secret (a factory without one fails); ECR Public, Quay and the Kubernetes registry need none,
 * and another ECR registry (`ecrRegistry`) is reached with an IAM role instead. The secret must be
 * named `ecr-pullthroughcache/<name>` (Secrets Manager's characters: ASCII letters, digits and
 * `/_+=.@-`, at most 512 in all) and live in the account and region of the rule; RegistrySettings
 * checks the name and the place at synth when it can tell.
 *
 * @example
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { Upstream } from 'cdk-ecr-codebuild';
 *
 * declare const dockerHubToken: secretsmanager.ISecret; // named ecr-pullthroughcache/docker-hub
 * const publicGallery = Upstream.ecrPublic();
 * const dockerHub = Upstream.dockerHub(dockerHubToken);
 */
export class Upstream {
  /** The prefix ECR requires in the name of an upstream credentials secret. */
  public static readonly SECRET_NAME_PREFIX = 'ecr-pullthroughcache/';

  /** The Amazon ECR Public Gallery (`public.ecr.aws`); no credentials. */
  public static ecrPublic(): Upstream {
    return new Upstream('ecr-public', 'public.ecr.aws', undefined, undefined, undefined, undefined);
  }

  /** Quay (`quay.io`); no credentials. */
  public static quay(): Upstream {
    return new Upstream('quay', 'quay.io', undefined, undefined, undefined, undefined);
  }

  /** The Kubernetes container image registry (`registry.k8s.io`); no credentials. */
  public static kubernetes(): Upstream {
    return new Upstream('k8s', 'registry.k8s.io', undefined, undefined, undefined, undefined);
  }

  /**
   * Docker Hub (`registry-1.docker.io`). Official images live under `library/` there:
   * `PullThroughCacheRule.imageUri('node:20')` adds it.
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static dockerHub(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.dockerHub', 'credentials', 'docker-hub', credentials);
    return new Upstream('docker-hub', 'registry-1.docker.io', credentials, 'library', undefined, undefined);
  }

  /**
   * GitHub Container Registry (`ghcr.io`).
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static githubContainerRegistry(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.githubContainerRegistry', 'credentials', 'github-container-registry', credentials);
    return new Upstream('github-container-registry', 'ghcr.io', credentials, undefined, undefined, undefined);
  }

  /**
   * GitLab Container Registry of GitLab.com (`registry.gitlab.com`; ECR supports the SaaS offering only).
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static gitlab(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.gitlab', 'credentials', 'gitlab-container-registry', credentials);
    return new Upstream(
      'gitlab-container-registry',
      'registry.gitlab.com',
      credentials,
      undefined,
      undefined,
      undefined,
    );
  }

  /**
   * The Chainguard Registry (`cgr.dev`). ECR reaches it only with credentials: a Chainguard pull
   * token ("Creating a pull through cache rule in Amazon ECR", Amazon ECR User Guide).
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   * (the pull token's identity id and the token)
   */
  public static chainguard(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.chainguard', 'credentials', 'chainguard', credentials);
    return new Upstream('chainguard', 'cgr.dev', credentials, undefined, undefined, undefined);
  }

  /**
   * Another Amazon ECR private registry (`<account>.dkr.ecr.<region>.amazonaws.com`): ECR to ECR
   * pull through cache, across regions, accounts or both. ECR authenticates with `role`, not with a
   * secret.
   *
   * The host uses the DNS suffix of the upstream region's partition when the region is a literal
   * that aws-cdk-lib knows (e.g. `amazonaws.com.cn` for `cn-north-1`), else the one of the stack
   * that uses it (`AWS::URLSuffix`; ECR to ECR stays within a partition).
   */
  public static ecrRegistry(options: EcrRegistryUpstreamOptions): Upstream {
    return inFactory('Upstream.ecrRegistry', () => {
      validateAccountId(undefined, 'account', options.account);
      validateRegion(undefined, 'region', options.region);
      // `null` from JavaScript callers too.
      if (options.role === undefined || options.role === null) {
        throw siteError(
          undefined,
          'role',
          options.role,
          'leaves the ECR upstream without a role, and ECR pulls from another ECR registry with a role of the registry account',
          'give a role that trusts pullthroughcache.ecr.amazonaws.com and may pull from the upstream registry',
        );
      }
      if (options.repositoryPrefix !== undefined) {
        validateUpstreamRepositoryPrefix(undefined, 'repositoryPrefix', options.repositoryPrefix);
      }
      const known = Token.isUnresolved(options.region) ? undefined : RegionInfo.get(options.region).domainSuffix;
      const host = `${options.account}.dkr.ecr.${options.region}.${known ?? Aws.URL_SUFFIX}`;
      return new Upstream('ecr', host, undefined, undefined, options.role, options.repositoryPrefix);
    });
  }

  /** The upstream's name as `AWS::ECR::PullThroughCacheRule` `UpstreamRegistry` takes it, e.g. `docker-hub`. */
  public readonly registryType: string;
  /** The upstream registry's host, e.g. `registry-1.docker.io`. */
  public readonly registryUrl: string;
  /** The secret with the upstream credentials. Undefined for upstreams without authentication. */
  public readonly credentials?: secretsmanager.ISecret;
  /**
   * The namespace of the upstream's official images (`library` for Docker Hub), added in front of
   * image names without a namespace. Undefined when the upstream has none.
   */
  public readonly officialImageNamespace?: string;
  /**
   * The role ECR assumes to pull from the upstream (the rule's `CustomRoleArn`). Only an ECR
   * upstream (`ecrRegistry`) has one.
   */
  public readonly role?: iam.IRole;
  /**
   * The repository name prefix in the upstream registry (the rule's `UpstreamRepositoryPrefix`).
   * Only an ECR upstream (`ecrRegistry`) takes one; undefined for ROOT.
   */
  public readonly upstreamRepositoryPrefix?: string;

  private constructor(
    registryType: string,
    registryUrl: string,
    credentials: secretsmanager.ISecret | undefined,
    officialImageNamespace: string | undefined,
    role: iam.IRole | undefined,
    upstreamRepositoryPrefix: string | undefined,
  ) {
    this.registryType = registryType;
    this.registryUrl = registryUrl;
    this.credentials = credentials;
    this.officialImageNamespace = officialImageNamespace;
    this.role = role;
    this.upstreamRepositoryPrefix = upstreamRepositoryPrefix;
  }
}
