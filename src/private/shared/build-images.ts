import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * CodeBuild's current curated Linux images, and the ones before them. Source: the image definitions
 * in https://github.com/aws/aws-codebuild-docker-images (commit 1590e48 of 2026-04-09, "add new
 * image amazonlinux-aarch64-standard:4.0", after release 26.03.25): ubuntu/standard/8.0 (Ubuntu
 * 24.04), al/x86_64/standard/6.0 and al/aarch64/standard/4.0 (Amazon Linux 2023) install Docker
 * 28.5.2 with buildx 0.32.1, as do ubuntu/standard/7.0, al/x86_64/standard/5.0 and
 * al/aarch64/standard/3.0. aws-cdk-lib 2.177 has no constant for the newest three: they are named by id.
 */
export const CURATED_IMAGES = {
  /** Ubuntu 24.04, x86_64: the default x86_64 image of DockerBuildToEcr and GoSampleBuild. */
  STANDARD_8_0: () => codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0'),
  /** Ubuntu 22.04, x86_64. */
  STANDARD_7_0: () => codebuild.LinuxBuildImage.STANDARD_7_0,
  /** Amazon Linux 2023, x86_64. */
  AMAZON_LINUX_2023_6_0: () =>
    codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-x86_64-standard:6.0'),
  /** Amazon Linux 2023, x86_64. */
  AMAZON_LINUX_2023_5_0: () => codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5,
  /** Amazon Linux 2023, aarch64: the default ARM image (CodeBuild has no Ubuntu ARM standard image). */
  AARCH64_4_0: () =>
    codebuild.LinuxArmBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-aarch64-standard:4.0'),
  /** Amazon Linux 2023, aarch64. */
  AARCH64_3_0: () => codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
};

/**
 * The image each architecture builds on unless the user picks one: the newest curated image of that
 * architecture (Ubuntu standard:8.0 for x86_64, the successor of aws-cdk-lib's default standard:7.0;
 * Amazon Linux 2023 aarch64 standard:4.0 for ARM). Both run Docker 28.5 with buildx 0.32.
 */
export function defaultBuildImage(architecture: string): codebuild.IBuildImage {
  return architecture === 'arm64' ? CURATED_IMAGES.AARCH64_4_0() : CURATED_IMAGES.STANDARD_8_0();
}
