import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { checkCredentialsGiven } from './private/registry/secrets';

/**
 * The registry a pull-through cache rule caches images from: the `UpstreamRegistry` and
 * `UpstreamRegistryUrl` of an `AWS::ECR::PullThroughCacheRule`, and the Secrets Manager secret
 * with the credentials for the upstreams that need one.
 *
 * Docker Hub, GitHub Container Registry and GitLab Container Registry need a secret (a factory
 * without one fails); ECR Public, Quay and the Kubernetes registry need none. The secret must be
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
    return new Upstream('ecr-public', 'public.ecr.aws', undefined, undefined);
  }

  /** Quay (`quay.io`); no credentials. */
  public static quay(): Upstream {
    return new Upstream('quay', 'quay.io', undefined, undefined);
  }

  /** The Kubernetes container image registry (`registry.k8s.io`); no credentials. */
  public static kubernetes(): Upstream {
    return new Upstream('k8s', 'registry.k8s.io', undefined, undefined);
  }

  /**
   * Docker Hub (`registry-1.docker.io`). Official images live under `library/` there:
   * `PullThroughCacheRule.imageUri('node:20')` adds it.
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static dockerHub(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.dockerHub', 'credentials', 'docker-hub', credentials);
    return new Upstream('docker-hub', 'registry-1.docker.io', credentials, 'library');
  }

  /**
   * GitHub Container Registry (`ghcr.io`).
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static githubContainerRegistry(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.githubContainerRegistry', 'credentials', 'github-container-registry', credentials);
    return new Upstream('github-container-registry', 'ghcr.io', credentials, undefined);
  }

  /**
   * GitLab Container Registry of GitLab.com (`registry.gitlab.com`; ECR supports the SaaS offering only).
   *
   * @param credentials a secret named `ecr-pullthroughcache/…` holding `{"username": …, "accessToken": …}`
   */
  public static gitlab(credentials: secretsmanager.ISecret): Upstream {
    checkCredentialsGiven('Upstream.gitlab', 'credentials', 'gitlab-container-registry', credentials);
    return new Upstream('gitlab-container-registry', 'registry.gitlab.com', credentials, undefined);
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

  private constructor(
    registryType: string,
    registryUrl: string,
    credentials: secretsmanager.ISecret | undefined,
    officialImageNamespace: string | undefined,
  ) {
    this.registryType = registryType;
    this.registryUrl = registryUrl;
    this.credentials = credentials;
    this.officialImageNamespace = officialImageNamespace;
  }
}
