import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { BuilderImage } from '../src';
import { allCuratedGoVersions, CURATED_GO_IMAGES, findCuratedGoImage } from '../src/private/go/runtimes';

describe('BuilderImage.curated', () => {
  // aws-codebuild-docker-images (2026-04-09): standard:8.0 carries Go 1.24-1.26, standard:7.0 1.20-1.26.
  test('picks the newest curated image that carries the Go version', () => {
    expect(BuilderImage.curated('1.20').curatedImage?.imageId).toBe('aws/codebuild/standard:7.0');
    expect(BuilderImage.curated('1.23').curatedImage?.imageId).toBe('aws/codebuild/standard:7.0');
    expect(BuilderImage.curated('1.24').curatedImage?.imageId).toBe('aws/codebuild/standard:8.0');
    expect(BuilderImage.curated('1.26').curatedImage?.imageId).toBe('aws/codebuild/standard:8.0');
    expect(BuilderImage.curated(BuilderImage.DEFAULT_GO_VERSION).curatedImage?.imageId).toBe(
      'aws/codebuild/standard:8.0',
    );
  });

  test('keeps the Go version for runtime-versions, and no repository', () => {
    const image = BuilderImage.curated('1.22');
    expect(image.goVersion).toBe('1.22');
    expect(image.repository).toBeUndefined();
    expect(image.imagePullCredentials).toBeUndefined();
  });

  test('accepts an explicit curated image that carries the version, under either of its names', () => {
    expect(BuilderImage.curated('1.21', codebuild.LinuxBuildImage.AMAZON_LINUX_2_5).curatedImage).toBe(
      codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
    );
    expect(BuilderImage.curated('1.23', codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0).goVersion).toBe(
      '1.23',
    );
  });

  test('the default Go version is available on an image aws-cdk-lib names', () => {
    expect(BuilderImage.goVersionsOf(codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5)).toContain(
      BuilderImage.DEFAULT_GO_VERSION,
    );
  });

  test("goVersionsOf lists an image's versions, and nothing for an unknown image", () => {
    expect(BuilderImage.goVersionsOf(codebuild.LinuxBuildImage.STANDARD_7_0)).toEqual([
      '1.20',
      '1.21',
      '1.22',
      '1.23',
      '1.24',
      '1.25',
      '1.26',
    ]);
    expect(
      BuilderImage.goVersionsOf(
        codebuild.LinuxArmBuildImage.fromCodeBuildImageId('aws/codebuild/amazonlinux-aarch64-standard:4.0'),
      ),
    ).toEqual(['1.24', '1.25', '1.26']);
    expect(BuilderImage.goVersionsOf(codebuild.LinuxBuildImage.STANDARD_5_0)).toEqual([]);
  });

  test("fails when the Go version is on no curated image (the seed's 1.13)", () => {
    expect(() => BuilderImage.curated('1.13')).toThrow(
      /^BuilderImage\.curated: goVersion "1\.13" is not available on any CodeBuild curated image: use one of 1\.20, 1\.21, .*1\.26 /,
    );
  });

  test('fails when the Go version is a token', () => {
    const stack = new Stack();
    const goVersion = new CfnParameter(stack, 'GoVersion').valueAsString;
    expect(() => BuilderImage.curated(goVersion)).toThrow(
      /^BuilderImage\.curated: goVersion "\$\{Token\[.*\]\}" is a token: give the Go version as a literal, e\.g\. "1\.24"$/,
    );
  });

  test('fails when the Go version is not in major.minor form', () => {
    expect(() => BuilderImage.curated('go1.24')).toThrow(/goVersion "go1\.24" is not available/);
    expect(() => BuilderImage.curated('1.24.1')).toThrow(/goVersion "1\.24\.1" is not available/);
  });

  test('fails when the explicit image does not carry the Go version, listing the ones it does', () => {
    expect(() =>
      BuilderImage.curated('1.23', codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0')),
    ).toThrow(
      /^BuilderImage\.curated: goVersion "1\.23" is not available on Ubuntu 24\.04 standard:8\.0 \(x86_64\): use one of 1\.24, 1\.25, 1\.26 /,
    );
  });

  test('fails when the explicit image is not a curated image with Go runtimes', () => {
    const stack = new Stack();
    const repo = new ecr.Repository(stack, 'Repo');
    expect(() => BuilderImage.curated('1.23', codebuild.LinuxBuildImage.fromEcrRepository(repo))).toThrow(
      /^BuilderImage\.curated: buildImage .* is not a CodeBuild curated image with Go runtimes: use one of aws\/codebuild\/standard:8\.0, .*BuilderImage\.fromEcrRepository/,
    );
  });
});

describe('BuilderImage.fromEcrRepository', () => {
  test('tag defaults to latest; no Go version (custom images have no runtime-versions)', () => {
    const stack = new Stack(new App(), 'S');
    const repo = new ecr.Repository(stack, 'Repo');
    const image = BuilderImage.fromEcrRepository(repo);
    expect(image.tag).toBe('latest');
    expect(image.goVersion).toBeUndefined();
    expect(image.curatedImage).toBeUndefined();
    expect(image.repository).toBe(repo);
  });

  test('keeps a tag, a digest and the pull-credentials override', () => {
    const stack = new Stack(new App(), 'S');
    const repo = new ecr.Repository(stack, 'Repo');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(BuilderImage.fromEcrRepository(repo, 'go-1.22').tag).toBe('go-1.22');
    expect(BuilderImage.fromEcrRepository(repo, digest).tag).toBe(digest);
    expect(
      BuilderImage.fromEcrRepository(repo, undefined, codebuild.ImagePullPrincipalType.SERVICE_ROLE)
        .imagePullCredentials,
    ).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
  });

  test('fails when the tag is not a valid image tag', () => {
    const stack = new Stack(new App(), 'S');
    const repo = new ecr.Repository(stack, 'Repo');
    expect(() => BuilderImage.fromEcrRepository(repo, 'latest!')).toThrow(
      /^BuilderImage\.fromEcrRepository: tag "latest!" is not a valid tag: use 1-128 of/,
    );
  });
});

describe('curated image table', () => {
  test('every image id is unique, and aliases resolve', () => {
    const ids = CURATED_GO_IMAGES.flatMap((i) => [i.imageId, ...i.aliases]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(findCuratedGoImage('aws/codebuild/amazonlinux2-x86_64-standard:5.0')?.imageId).toBe(
      'aws/codebuild/amazonlinux-x86_64-standard:5.0',
    );
  });

  test("the aws-cdk-lib image of each entry has the entry's id", () => {
    for (const entry of CURATED_GO_IMAGES) {
      expect([entry.imageId, ...entry.aliases]).toContain(entry.buildImage().imageId);
    }
  });

  test('versions are major.minor, sorted oldest first overall', () => {
    const all = allCuratedGoVersions();
    all.forEach((v) => expect(v).toMatch(/^1\.\d+$/));
    expect(all[0]).toBe('1.20');
    expect(all[all.length - 1]).toBe('1.26');
  });
});
