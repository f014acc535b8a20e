import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { CURATED_IMAGES } from '../shared/build-images';

/**
 * A CodeBuild standard image and the Go versions its `runtime-versions` section accepts.
 *
 * Source: each image's definition, `runtimes.yml` (golang section) in
 * https://github.com/aws/aws-codebuild-docker-images, release 26.03.25 (March 2026), unchanged at
 * commit 1590e48 (2026-04-09, which added al/aarch64/standard/4.0):
 * ubuntu/standard/7.0, al/x86_64/standard/5.0 and al/aarch64/standard/3.0 carry golang 1.20-1.26;
 * ubuntu/standard/8.0, al/x86_64/standard/6.0 and al/aarch64/standard/4.0 carry 1.24-1.26. Older
 * images (Ubuntu 5.0/6.0, Amazon Linux 2 4.0) are left out: their Go versions are out of support.
 * The images themselves: `../shared/build-images.ts`.
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

const GO_1_20_TO_1_26 = ['1.20', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26'];
const GO_1_24_TO_1_26 = ['1.24', '1.25', '1.26'];

/**
 * In order of preference, newest first: the first image that has the requested Go version is the
 * default (Go 1.24-1.26: Ubuntu standard:8.0; 1.20-1.23, which the newest images dropped: standard:7.0).
 */
export const CURATED_GO_IMAGES: readonly CuratedGoImage[] = [
  {
    imageId: 'aws/codebuild/standard:8.0',
    aliases: [],
    label: 'Ubuntu 24.04 standard:8.0 (x86_64)',
    goVersions: GO_1_24_TO_1_26,
    buildImage: CURATED_IMAGES.STANDARD_8_0,
  },
  {
    imageId: 'aws/codebuild/amazonlinux-x86_64-standard:6.0',
    aliases: ['aws/codebuild/amazonlinux2-x86_64-standard:6.0'],
    label: 'Amazon Linux 2023 standard:6.0 (x86_64)',
    goVersions: GO_1_24_TO_1_26,
    buildImage: CURATED_IMAGES.AMAZON_LINUX_2023_6_0,
  },
  {
    imageId: 'aws/codebuild/standard:7.0',
    aliases: [],
    label: 'Ubuntu 22.04 standard:7.0 (x86_64)',
    goVersions: GO_1_20_TO_1_26,
    buildImage: CURATED_IMAGES.STANDARD_7_0,
  },
  {
    imageId: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
    aliases: ['aws/codebuild/amazonlinux2-x86_64-standard:5.0'],
    label: 'Amazon Linux 2023 standard:5.0 (x86_64)',
    goVersions: GO_1_20_TO_1_26,
    buildImage: CURATED_IMAGES.AMAZON_LINUX_2023_5_0,
  },
  {
    imageId: 'aws/codebuild/amazonlinux-aarch64-standard:4.0',
    aliases: ['aws/codebuild/amazonlinux2-aarch64-standard:4.0'],
    label: 'Amazon Linux 2023 standard:4.0 (aarch64)',
    goVersions: GO_1_24_TO_1_26,
    buildImage: CURATED_IMAGES.AARCH64_4_0,
  },
  {
    imageId: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
    aliases: ['aws/codebuild/amazonlinux2-aarch64-standard:3.0'],
    label: 'Amazon Linux 2023 standard:3.0 (aarch64)',
    goVersions: GO_1_20_TO_1_26,
    buildImage: CURATED_IMAGES.AARCH64_3_0,
  },
];

/**
 * The newest Go version that every image carries: the default of GoSampleBuild, so that it works
 * on whichever of them a user picks.
 */
export function newestCommonGoVersion(): string {
  const common = CURATED_GO_IMAGES.map((i) => i.goVersions).reduce((a, b) => a.filter((v) => b.includes(v)));
  return [...common].sort(compareVersions)[common.length - 1];
}

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
