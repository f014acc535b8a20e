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

  /** @internal */
  public readonly _kind: CacheKind;
  /** @internal */
  public readonly _tag?: string;

  private constructor(kind: CacheKind, tag?: string) {
    this._kind = kind;
    this._tag = tag;
  }
}
