/**
 * How the layers of the image DockerBuildToEcr pushes are compressed.
 *
 * A TypeScript enum, so that every language compares it by value.
 */
export enum ImageCompression {
  /** gzip: what every registry and runtime reads. */
  GZIP = 'gzip',

  /**
   * zstd (OCI media types): smaller layers that decompress faster, e.g. on AWS Fargate, which pulls
   * zstd-compressed images. Written by buildx (CodeBuild's Docker 28 images), on the registry cache
   * or without a cache; not with `DockerCache.local()` or `DockerCache.dockerServer()`, whose Docker
   * engine image store pushes gzip layers.
   */
  ZSTD = 'zstd',
}
