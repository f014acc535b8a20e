/**
 * A platform (operating system and CPU architecture) DockerBuildToEcr builds images for.
 *
 * A TypeScript enum, so that every language compares it by value (`==` in Python, Java and Go);
 * each member's value is the platform as Docker names it.
 */
export enum ImagePlatform {
  /** Linux on x86-64 (`linux/amd64`), built on CodeBuild's x86-64 images. */
  LINUX_AMD64 = 'linux/amd64',

  /** Linux on 64-bit ARM, e.g. Graviton (`linux/arm64`), built on CodeBuild's ARM images. */
  LINUX_ARM64 = 'linux/arm64',
}
