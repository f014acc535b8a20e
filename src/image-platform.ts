/**
 * A platform (operating system and CPU architecture) DockerBuildToEcr builds images for.
 */
export class ImagePlatform {
  /** Linux on x86-64 (`linux/amd64`), built on CodeBuild's x86-64 images. */
  public static readonly LINUX_AMD64 = new ImagePlatform('linux', 'amd64');

  /** Linux on 64-bit ARM, e.g. Graviton (`linux/arm64`), built on CodeBuild's ARM images. */
  public static readonly LINUX_ARM64 = new ImagePlatform('linux', 'arm64');

  /** The platform as Docker names it, e.g. `linux/arm64`. */
  public readonly platform: string;

  private constructor(
    /** Operating system, e.g. `linux`. */
    public readonly os: string,
    /** CPU architecture as Docker names it, e.g. `arm64`. */
    public readonly architecture: string,
  ) {
    this.platform = `${os}/${architecture}`;
  }
}
