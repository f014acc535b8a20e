import { Aws, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct, IConstruct } from 'constructs';
import { parseImageReference } from './private/registry/image-reference';
import { validateCachePrefix } from './private/registry/validation';
import { Upstream } from './upstream';

/**
 * Properties of a PullThroughCacheRule.
 */
export interface PullThroughCacheRuleProps {
  /**
   * The repository name prefix of the cache in your registry (2-30 characters, e.g. `docker-hub`):
   * `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream repository>` pulls through the rule.
   */
  readonly ecrRepositoryPrefix: string;

  /** The registry the images come from. */
  readonly upstream: Upstream;
}

/**
 * A pull-through cache rule: pulls of `<registry>/<prefix>/<image>` are served from the cache
 * repositories ECR creates in your registry, and fetched from the upstream when missing or stale.
 * Add it to a RegistrySettings to create it (`AWS::ECR::PullThroughCacheRule`).
 *
 * The image helpers (`imageUri`, `repositoryName`, `registryPrefix`) name the registry of the
 * RegistrySettings the rule was added to; before that (or for a rule created outside this app),
 * the account and region of the stack that uses the value.
 *
 * @example
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { PullThroughCacheRule, Upstream } from 'cdk-ecr-codebuild';
 *
 * declare const dockerHubToken: secretsmanager.ISecret; // named ecr-pullthroughcache/docker-hub
 * const dockerHub = new PullThroughCacheRule({
 *   ecrRepositoryPrefix: 'docker-hub',
 *   upstream: Upstream.dockerHub(dockerHubToken),
 * });
 * // <account>.dkr.ecr.<region>.amazonaws.com/docker-hub/library/node:20
 * const node = dockerHub.imageUri('node:20');
 */
export class PullThroughCacheRule {
  /** The repository name prefix of the cache. */
  public readonly ecrRepositoryPrefix: string;
  /** The registry the images come from. */
  public readonly upstream: Upstream;
  private registryScope?: IConstruct;

  constructor(props: PullThroughCacheRuleProps) {
    validateCachePrefix('PullThroughCacheRule', 'ecrRepositoryPrefix', props.ecrRepositoryPrefix);
    this.ecrRepositoryPrefix = props.ecrRepositoryPrefix;
    this.upstream = props.upstream;
  }

  /**
   * The registry host and cache prefix, `<account>.dkr.ecr.<region>.<url suffix>/<prefix>`: what a
   * Dockerfile puts in front of the upstream image name, e.g. with `ARG BASE_REGISTRY` and
   * `FROM ${BASE_REGISTRY}/library/node:20` given `buildArgs: { BASE_REGISTRY: rule.registryPrefix }`.
   */
  public get registryPrefix(): string {
    const { account, region, urlSuffix } = this.environment();
    return `${account}.dkr.ecr.${region}.${urlSuffix}/${this.ecrRepositoryPrefix}`;
  }

  /**
   * The name of the cache repository of an upstream image, e.g. `node:20` through Docker Hub ->
   * `docker-hub/library/node` (official Docker Hub images get their `library/` namespace).
   *
   * @param image an upstream image reference: `name`, `namespace/name`, with `:tag` or `@sha256:…`
   * (ignored here), optionally starting with the upstream's host
   */
  public repositoryName(image: string): string {
    return `${this.ecrRepositoryPrefix}/${parseImageReference('PullThroughCacheRule.repositoryName', 'image', image, this.upstream).repository}`;
  }

  /**
   * The URI to pull an upstream image through the cache, e.g. `node:20` through Docker Hub ->
   * `<account>.dkr.ecr.<region>.amazonaws.com/docker-hub/library/node:20`. Without a tag or digest,
   * `latest`.
   *
   * @param image an upstream image reference: `name`, `namespace/name`, with `:tag` or `@sha256:…`,
   * optionally starting with the upstream's host
   */
  public imageUri(image: string): string {
    const ref = parseImageReference('PullThroughCacheRule.imageUri', 'image', image, this.upstream);
    return `${this.registryPrefix}/${ref.repository}${ref.reference}`;
  }

  /**
   * The cache repository of an upstream image as an `ecr.IRepository` (imported by ARN in the
   * rule's registry), e.g. for `BuilderImage.fromEcrRepository(rule.importRepository(this, 'Go',
   * 'golang'), '1.24')`. The repository exists after the first pull through the rule: grant the
   * puller `RegistrySettings.grantPullThroughCache` so that the first pull may create it.
   *
   * @param scope the scope of the imported repository
   * @param id its construct id
   * @param image an upstream image reference (a tag or digest in it is ignored)
   */
  public importRepository(scope: Construct, id: string, image: string): ecr.IRepository {
    const { account, region, partition } = this.environment();
    const repository = parseImageReference('PullThroughCacheRule.importRepository', 'image', image, this.upstream);
    const name = `${this.ecrRepositoryPrefix}/${repository.repository}`;
    return ecr.Repository.fromRepositoryAttributes(scope, id, {
      repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${name}`,
      repositoryName: name,
    });
  }

  /** @internal the RegistrySettings the rule is a rule of, once added to one */
  public get _registry(): IConstruct | undefined {
    return this.registryScope;
  }

  /**
   * @internal records the RegistrySettings (or any construct in its stack) that creates the rule;
   * the registry checks first that the rule is no other registry's (`resolvePullThroughCacheRule`)
   */
  public _bind(registry: IConstruct): void {
    this.registryScope = registry;
  }

  private environment(): { account: string; region: string; urlSuffix: string; partition: string } {
    if (this.registryScope === undefined) {
      return { account: Aws.ACCOUNT_ID, region: Aws.REGION, urlSuffix: Aws.URL_SUFFIX, partition: Aws.PARTITION };
    }
    const stack = Stack.of(this.registryScope);
    return { account: stack.account, region: stack.region, urlSuffix: stack.urlSuffix, partition: stack.partition };
  }
}
