import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { allCuratedGoVersions, CURATED_GO_IMAGES, findCuratedGoImage } from './private/go/runtimes';
import { factoryError, inFactory } from './private/shared/errors';
import { validateImageTag } from './private/shared/validation';

/** An image digest as ECR accepts it in place of a tag. */
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The image a GoSampleBuild runs in: a CodeBuild curated image with a Go runtime, or a custom image
 * of yours in ECR that has Go installed.
 *
 * @example
 * import * as ecr from 'aws-cdk-lib/aws-ecr';
 * import { BuilderImage } from 'cdk-ecr-codebuild';
 *
 * // Go 1.23 on the newest image that still carries it (Ubuntu standard:7.0)
 * const curated = BuilderImage.curated('1.23');
 *
 * // an image with Go that you build and push yourself (e.g. with DockerBuildToEcr)
 * declare const repository: ecr.IRepository;
 * const custom = BuilderImage.fromEcrRepository(repository, 'latest');
 */
export class BuilderImage {
  /**
   * The Go version of the default builder image: the newest that every curated image this library
   * knows carries (Ubuntu standard:8.0 and 7.0, Amazon Linux 2023 x86_64 standard:6.0 and 5.0,
   * aarch64 standard:4.0 and 3.0; aws-codebuild-docker-images release 26.03.25, unchanged on 2026-04-09).
   */
  public static readonly DEFAULT_GO_VERSION = '1.26';

  /**
   * A CodeBuild curated (standard) image. The buildspec selects Go with
   * `runtime-versions: golang: <goVersion>`.
   *
   * @param goVersion the Go version, major.minor (e.g. '1.24'); it must be one the image carries
   * @param buildImage the curated image, e.g. `codebuild.LinuxBuildImage.STANDARD_7_0`; default: the
   * first of Ubuntu standard:8.0, Amazon Linux 2023 standard:6.0, Ubuntu standard:7.0, Amazon Linux
   * 2023 standard:5.0 (x86_64), Amazon Linux 2023 standard:4.0 and 3.0 (aarch64) that carries
   * `goVersion`: the newest image for Go 1.24-1.26, Ubuntu standard:7.0 for Go 1.20-1.23
   */
  public static curated(goVersion: string, buildImage?: codebuild.IBuildImage): BuilderImage {
    const factory = 'BuilderImage.curated';
    if (Token.isUnresolved(goVersion)) {
      throw factoryError(
        factory,
        'goVersion',
        goVersion,
        'is a token',
        'give the Go version as a literal, e.g. "1.24"',
      );
    }
    if (buildImage !== undefined) {
      const entry = findCuratedGoImage(buildImage.imageId);
      if (entry === undefined) {
        throw factoryError(
          factory,
          'buildImage',
          buildImage.imageId,
          'is not a CodeBuild curated image with Go runtimes',
          `use one of ${CURATED_GO_IMAGES.map((i) => i.imageId).join(', ')}, or BuilderImage.fromEcrRepository for a custom image`,
        );
      }
      if (!entry.goVersions.includes(goVersion)) {
        throw factoryError(
          factory,
          'goVersion',
          goVersion,
          `is not available on ${entry.label}`,
          `use one of ${entry.goVersions.join(', ')} (see https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html)`,
        );
      }
      return new BuilderImage(goVersion, buildImage, undefined, undefined, undefined);
    }
    const entry = CURATED_GO_IMAGES.find((i) => i.goVersions.includes(goVersion));
    if (entry === undefined) {
      throw factoryError(
        factory,
        'goVersion',
        goVersion,
        'is not available on any CodeBuild curated image',
        `use one of ${allCuratedGoVersions().join(', ')} (see https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html), ` +
          'or a custom image with BuilderImage.fromEcrRepository',
      );
    }
    return new BuilderImage(goVersion, entry.buildImage(), undefined, undefined, undefined);
  }

  /**
   * A custom image in ECR that has Go on its PATH. Custom images have no `runtime-versions`: the Go
   * of the image is used.
   *
   * The credentials CodeBuild pulls it with are chosen by GoSampleBuild: `CODEBUILD` for a
   * repository created in the same account by this CDK app (the repository policy gets a statement
   * for `codebuild.amazonaws.com` limited to that project), otherwise `SERVICE_ROLE` (the project's
   * role gets pull permissions).
   *
   * @param repository the repository of the image
   * @param tag the tag (or `sha256:` digest) of the image. Default 'latest'
   * @param imagePullCredentials the credentials CodeBuild pulls the image with. Default: chosen as
   * described above. `CODEBUILD` is refused for a repository of another account (CodeBuild rejects it).
   */
  public static fromEcrRepository(
    repository: ecr.IRepository,
    tag?: string,
    imagePullCredentials?: codebuild.ImagePullPrincipalType,
  ): BuilderImage {
    const tagOrDigest = tag ?? 'latest';
    if (!IMAGE_DIGEST.test(tagOrDigest)) {
      inFactory('BuilderImage.fromEcrRepository', () => validateImageTag(undefined, 'tag', tagOrDigest));
    }
    return new BuilderImage(undefined, undefined, repository, tagOrDigest, imagePullCredentials);
  }

  /**
   * The Go versions a CodeBuild curated image accepts in `runtime-versions`. Empty for an image
   * this library does not know.
   */
  public static goVersionsOf(buildImage: codebuild.IBuildImage): string[] {
    return [...(findCuratedGoImage(buildImage.imageId)?.goVersions ?? [])];
  }

  /** The Go version of `runtime-versions`, for a curated image. Undefined for a custom image. */
  public readonly goVersion?: string;
  /** The curated image. Undefined for a custom image. */
  public readonly curatedImage?: codebuild.IBuildImage;
  /** The repository of a custom image. Undefined for a curated image. */
  public readonly repository?: ecr.IRepository;
  /** The tag or digest of a custom image. Undefined for a curated image. */
  public readonly tag?: string;
  /** The pull credentials asked for explicitly. Undefined when they are chosen automatically. */
  public readonly imagePullCredentials?: codebuild.ImagePullPrincipalType;

  private constructor(
    goVersion: string | undefined,
    curatedImage: codebuild.IBuildImage | undefined,
    repository: ecr.IRepository | undefined,
    tag: string | undefined,
    imagePullCredentials: codebuild.ImagePullPrincipalType | undefined,
  ) {
    this.goVersion = goVersion;
    this.curatedImage = curatedImage;
    this.repository = repository;
    this.tag = tag;
    this.imagePullCredentials = imagePullCredentials;
  }
}
