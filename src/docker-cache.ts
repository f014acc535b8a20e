import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CacheKind } from './private/docker/cache';

/**
 * Options of `DockerCache.registry()`.
 */
export interface RegistryCacheOptions {
  /**
   * Tag (and tag prefix) of the cache images in the image repository. Every build reads the cache
   * from `<tag>` (one image per platform: `<tag>-<arch>` when `platforms` holds several) and, where
   * the build runs without buildx, from `<tag>-<stage>` for each named stage of the Dockerfile. The
   * lifecycle presets of this construct never count or expire images tagged with this prefix, and no
   * image tag of the build may start with it.
   *
   * @default 'buildcache'
   */
  readonly tag?: string;
}

/**
 * Options of `DockerCache.dockerServer()`.
 */
export interface DockerServerCacheOptions {
  /**
   * Compute of the Docker server, which runs the builds: `ComputeType.SMALL` (2 vCPUs, 4 GiB),
   * `MEDIUM`, `LARGE`, `X_LARGE` or `X2_LARGE` (CodeBuild's DockerServer compute types).
   *
   * @default - the project's `computeType` (ComputeType.SMALL unless set)
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Security groups of the Docker server, 1-5, in the project's `vpc` (only with `vpc`). Each gets a
   * rule that admits the build's security groups on TCP 9876, the port the build reaches the server
   * on.
   *
   * @default - with `vpc`: a security group is created that admits the build on TCP 9876 only;
   * without `vpc`: none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Where a DockerBuildToEcr build keeps Docker layers between builds.
 *
 * CodeBuild starts every build on a fresh host: without a cache, every layer (the expensive
 * dependency stages included) is rebuilt each time.
 */
export class DockerCache {
  /** No cache: every build starts cold. */
  public static none(): DockerCache {
    return new DockerCache(CacheKind.NONE);
  }

  /**
   * CodeBuild's LOCAL cache (`LocalCacheMode.DOCKER_LAYER`): the layers stay on the build host.
   * Best-effort: a build only finds them when it lands on a host that ran a recent build of the same
   * project (CodeBuild drops the cache some 30-60 minutes after a build), so most builds that are
   * not back-to-back start cold.
   */
  public static local(): DockerCache {
    return new DockerCache(CacheKind.LOCAL);
  }

  /**
   * Layers of every stage cached in a repository of the build's own (`DockerBuildToEcr.cacheRepository`,
   * which who may pull the image cannot read), under a cache tag (see `RegistryCacheOptions.tag`): any
   * build, on any fresh host, starts from the layers of the last build that wrote the cache. Builds of
   * pull requests read the cache but never write it.
   *
   * With buildx (CodeBuild's current images, Docker 28): one registry cache image per platform with
   * `mode=max` (every stage), written by a `docker-container` builder. Without buildx (older Docker):
   * BuildKit's inline cache, one cache image per named stage the target needs.
   */
  public static registry(options: RegistryCacheOptions = {}): DockerCache {
    return new DockerCache(CacheKind.REGISTRY, options.tag);
  }

  /**
   * CodeBuild's Docker server: a Docker engine of the project's own, which runs every build's
   * `docker build` and keeps its layers between builds (for up to a month), so a build finds the
   * layers of the ones before it without pulling any cache. The project's `Environment.DockerServer`
   * is set; the build uses the server's own builder (no `docker-container` builder, no cache export).
   *
   * Choose it over `registry()` when builds are frequent and their layers large: no cache is pulled
   * or pushed. It costs the server's compute while builds run, one server serves one project (its
   * builds share it), a new or recycled server starts cold, and it runs only in CodeBuild (it
   * cannot be tried locally). Not for several `platforms` (one server has one architecture) nor
   * `ImageCompression.ZSTD`.
   */
  public static dockerServer(options: DockerServerCacheOptions = {}): DockerCache {
    return new DockerCache(CacheKind.DOCKER_SERVER, undefined, options);
  }

  /** @internal */
  public readonly _kind: CacheKind;
  /** @internal */
  public readonly _tag?: string;
  /** @internal */
  public readonly _dockerServer?: DockerServerCacheOptions;

  private constructor(kind: CacheKind, tag?: string, dockerServer?: DockerServerCacheOptions) {
    this._kind = kind;
    this._tag = tag;
    this._dockerServer = dockerServer;
  }
}
