import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * A CodeBuild standard image and the Go versions its `runtime-versions` section accepts.
 *
 * Source: "Available runtimes" of the CodeBuild user guide,
 * https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html
 * (golang rows), checked against each image's definition, `runtimes.yml` in
 * https://github.com/aws/aws-codebuild-docker-images (ubuntu/standard/7.0 and 8.0,
 * al/x86_64/standard/5.0 and 6.0, al/aarch64/standard/3.0). Older images (Ubuntu 5.0/6.0, Amazon
 * Linux 2 4.0) are left out: their Go versions (1.15-1.18) are long out of support.
 */
export interface CuratedGoImage {
  /** The image id, as CodeBuild names it. */
  readonly imageId: string;
  /** Other ids of the same image (CodeBuild renamed `amazonlinux2-` to `amazonlinux-` in 2024). */
  readonly aliases: string[];
  /** A name people recognize. */
  readonly label: string;
  /** The Go versions (major.minor) of `runtime-versions: golang:`. */
  readonly goVersions: string[];
  /** The aws-cdk-lib build image. */
  readonly buildImage: () => codebuild.IBuildImage;
}

/** In order of preference: the first image that has the requested Go version is the default. */
export const CURATED_GO_IMAGES: readonly CuratedGoImage[] = [
  {
    imageId: 'aws/codebuild/standard:7.0',
    aliases: [],
    label: 'Ubuntu 22.04 standard:7.0 (x86_64)',
    goVersions: ['1.20', '1.21', '1.22', '1.23'],
    buildImage: () => codebuild.LinuxBuildImage.STANDARD_7_0,
  },
  {
    imageId: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
    aliases: ['aws/codebuild/amazonlinux2-x86_64-standard:5.0'],
    label: 'Amazon Linux 2023 standard:5.0 (x86_64)',
    goVersions: ['1.20', '1.21', '1.22', '1.23', '1.24'],
    buildImage: () => codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5,
  },
  {
    imageId: 'aws/codebuild/standard:8.0',
    aliases: [],
    label: 'Ubuntu 24.04 standard:8.0 (x86_64)',
    goVersions: ['1.24', '1.25', '1.26'],
    buildImage: () => codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0'),
  },
  {
    imageId: 'aws/codebuild/amazonlinux-x86_64-standard:6.0',
    aliases: ['aws/codebuild/amazonlinux2-x86_64-standard:6.0'],
    label: 'Amazon Linux 2023 standard:6.0 (x86_64)',
    goVersions: ['1.24', '1.25', '1.26'],
    buildImage: () => codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-x86_64-standard:6.0'),
  },
  {
    imageId: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
    aliases: ['aws/codebuild/amazonlinux2-aarch64-standard:3.0'],
    label: 'Amazon Linux 2023 standard:3.0 (aarch64)',
    goVersions: ['1.20', '1.21', '1.22', '1.23'],
    buildImage: () => codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
  },
];

/** The curated image with this id (or alias), if it is one that has Go runtimes. */
export function findCuratedGoImage(imageId: string): CuratedGoImage | undefined {
  return CURATED_GO_IMAGES.find((i) => i.imageId === imageId || i.aliases.includes(imageId));
}

/** Every Go version some curated image accepts, oldest first. */
export function allCuratedGoVersions(): string[] {
  const versions = new Set<string>();
  CURATED_GO_IMAGES.forEach((i) => i.goVersions.forEach((v) => versions.add(v)));
  return [...versions].sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
