/**
 * The builder-image path, run for real on loopback (see test/support/real-build/): DockerBuildToEcr
 * builds and pushes a Go builder image, and GoSampleBuild's project (BuilderImage.fromEcrRepository)
 * points at exactly that image: same repository URI, same tag. Tools missing => the test FAILS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuilderImage } from '../src/builder-image';
import { DockerBuildToEcr } from '../src/docker-build-to-ecr';
import { GoSampleBuild } from '../src/go-sample-build';
import {
  DeployContext,
  networkInterfaceNames,
  projectBuild,
  RealBuildHarness,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
  resolveIntrinsics,
} from './support/real-build';

const BUILDER_REPOSITORY = 'cdk-ecr-codebuild/go-builder';
const BUILDER_TAG = 'go1.24';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const DEPLOY: DeployContext = { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION };

/**
 * A stand-in for a Go builder image (no internet here to fetch a Go toolchain): the busybox base
 * with a `go` on PATH where the official image has it. What matters is where it is pushed.
 */
const BUILDER_DOCKERFILE = [
  'ARG BASE_IMAGE',
  'FROM ${BASE_IMAGE}',
  'RUN mkdir -p /usr/local/go/bin \\',
  ' && printf \'#!/bin/sh\\necho "go version go1.24 linux/amd64 (stand-in)"\\n\' > /usr/local/go/bin/go \\',
  ' && chmod 0755 /usr/local/go/bin/go',
  'ENV PATH=/usr/local/go/bin:/bin',
  '',
].join('\n');

let started: RealBuildHarness | undefined;
let interfacesBefore: string[];

beforeAll(() => {
  interfacesBefore = networkInterfaceNames();
});

afterAll(async () => {
  const problems = (await started?.stop()) ?? [];
  expect(problems).toEqual([]);
  expect(networkInterfaceNames()).toEqual(interfacesBefore);
}, 60_000);

test('GoSampleBuild runs in the image DockerBuildToEcr pushed: same repository URI and tag', async () => {
  // GIVEN a builder image built by DockerBuildToEcr, and a GoSampleBuild that uses it
  started = await RealBuildHarness.start();
  const harness = started;
  const app = new App({ outdir: harness.tempDir('cdk.out') });
  const stack = new Stack(app, 'GoBuilderReal', { env: DEPLOY });
  const bucket = new s3.Bucket(stack, 'Sources');
  const builder = new DockerBuildToEcr(stack, 'GoBuilder', {
    source: codebuild.Source.s3({ bucket, path: 'go-builder.zip' }),
    repositoryName: BUILDER_REPOSITORY,
    imageTag: BUILDER_TAG,
    buildArgs: { BASE_IMAGE: harness.baseImage },
  });
  new GoSampleBuild(stack, 'GoSample', {
    source: codebuild.Source.s3({ bucket, path: 'go-app.zip' }),
    builderImage: BuilderImage.fromEcrRepository(builder.repository, BUILDER_TAG),
  });
  const template = Template.fromStack(stack);
  const builderProject = projectBuild(template, 'GoBuilder');
  const goProject = projectBuild(template, 'GoSample');
  const variable = (name: string): unknown => builderProject.environmentVariables.find((v) => v.name === name)?.value;
  const ecrRegistry = resolveIntrinsics(variable('ECR_REGISTRY'), template, DEPLOY);
  const repositoryName = resolveIntrinsics(variable('IMAGE_REPO_NAME'), template, DEPLOY);
  const goImage = resolveIntrinsics(goProject.image, template, DEPLOY);

  // WHEN the builder project runs, against the local registry standing in for ECR
  const source = harness.tempDir('go-builder-src');
  fs.writeFileSync(path.join(source, 'Dockerfile'), BUILDER_DOCKERFILE);
  const run = harness.runBuild({
    project: builderProject,
    deployTimeValues: { IMAGE_REPO_NAME: repositoryName, ECR_REGISTRY: harness.registry.host },
    sourceDir: source,
    resolvedSourceVersion: COMMIT,
  });

  // THEN the image GoSampleBuild points at is one that was pushed
  if (!run.succeeded) {
    throw new Error(`the builder build failed: ${JSON.stringify(run.phaseCodes)}\n${run.stdout}\n${run.stderr}`);
  }
  expect(ecrRegistry).toBe(`${REAL_BUILD_ACCOUNT}.dkr.ecr.${REAL_BUILD_REGION}.amazonaws.com`);
  expect(goImage).toBe(`${ecrRegistry}/${BUILDER_REPOSITORY}:${BUILDER_TAG}`);
  expect(resolveIntrinsics(stack.resolve(builder.imageUri), template, DEPLOY)).toBe(goImage);
  const local = `${harness.registry.host}/`;
  expect(run.pushedImages.every((uri) => uri.startsWith(local))).toBe(true);
  const pushedInEcr = run.pushedImages.map((uri) => `${ecrRegistry}/${uri.slice(local.length)}`);
  expect(pushedInEcr).toEqual([
    `${ecrRegistry}/${BUILDER_REPOSITORY}:${BUILDER_TAG}`,
    `${ecrRegistry}/${BUILDER_REPOSITORY}:latest`,
  ]);
  expect(pushedInEcr).toContain(goImage);
  expect(await harness.registry.tags(BUILDER_REPOSITORY)).toEqual([BUILDER_TAG, 'latest']);
  // (and the registry cache image of the default DockerCache.registry(), in the cache repository:
  // one stage, so one cache tag)
  expect(await harness.registry.tags(`${BUILDER_REPOSITORY}-cache`)).toEqual(['buildcache']);
  const image = harness.pullImage(harness.registry, BUILDER_REPOSITORY, BUILDER_TAG);
  expect(image.has('/usr/local/go/bin/go')).toBe(true);
  expect(image.config.Env).toContain('PATH=/usr/local/go/bin:/bin');
}, 60_000);
