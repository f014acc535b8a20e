/**
 * Base images through a pull-through cache, built for real on loopback: DockerBuildToEcr's generated
 * buildspec builds a Dockerfile whose `FROM` names the cache prefix of a PullThroughCacheRule
 * (`ARG BASE_REGISTRY` + `FROM ${BASE_REGISTRY}/library/busybox:1.36`, and `rule.imageUri(...)` as a
 * whole image reference). A local registry that accepts only moto's ECR token stands in for the
 * ECR registry and its cache: the base image sits under the rule's prefix, where ECR would have
 * cached it from Docker Hub on the first pull.
 *
 * The values CodeBuild would get after deploy are the template's own, resolved for the account
 * and region of the stack, with the ECR registry host replaced by the local registry's: so the
 * test also shows that the prefix points into the registry the build logs in to.
 * See test/support/real-build/. Tools missing => the tests FAIL.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DockerBuildToEcr, PullThroughCacheRule, RegistrySettings, Upstream } from '../src';
import { resolveIntrinsics } from './support/emulator/intrinsics';
import {
  ECR_USER,
  networkInterfaceNames,
  ProjectBuild,
  projectBuild,
  RealBuildHarness,
  RealBuildRun,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
} from './support/real-build';

const EXAMPLE = path.join(__dirname, '..', 'examples', 'docker-app');
const ECR_HOST = `${REAL_BUILD_ACCOUNT}.dkr.ecr.${REAL_BUILD_REGION}.amazonaws.com`;
const REPOSITORY = 'cdk-ecr-codebuild/through-cache';
const COMMIT = '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d';

/** A Dockerfile that takes the cache prefix as a build argument, as the README shows. */
const DOCKERFILE_WITH_PREFIX = [
  'ARG BASE_REGISTRY',
  'FROM ${BASE_REGISTRY}/library/busybox:1.36',
  'RUN echo "built on a base image from the pull-through cache" > /from-cache.txt',
  'CMD ["cat", "/from-cache.txt"]',
  '',
].join('\n');

let harness: RealBuildHarness;
let started: RealBuildHarness | undefined;
let interfacesBefore: string[];

beforeAll(async () => {
  interfacesBefore = networkInterfaceNames();
  started = await RealBuildHarness.start();
  harness = started;
  seedCache(`${harness.registry.host}/docker-hub/library/busybox:1.36`);
}, 90_000);

afterAll(async () => {
  const problems = (await started?.stop()) ?? [];
  expect(problems).toEqual([]);
  expect(networkInterfaceNames()).toEqual(interfacesBefore);
}, 60_000);

/**
 * Puts the harness's busybox base image where ECR keeps a Docker Hub official image pulled through
 * the rule "docker-hub" (what the first pull through the cache would have stored). The only
 * container-engine-specific step of this file.
 */
function seedCache(ref: string): void {
  const docker = harness.docker;
  docker.docker(['tag', harness.baseImage, ref]);
  docker.docker(['login', '--username', ECR_USER, '--password-stdin', ref.split('/')[0]], {
    input: harness.ecrPassword,
  });
  try {
    docker.docker(['push', ref]);
  } finally {
    docker.resetAuth();
  }
  // Untagged locally, so that the builds must pull it from the registry (logged in as the buildspec does).
  docker.docker(['rmi', ref]);
}

/** GIVEN a registry with a Docker Hub rule and a DockerBuildToEcr whose build args come from the rule. */
function synthesize(buildArgs: (rule: PullThroughCacheRule) => Record<string, string>): ProjectBuild {
  const app = new App({ outdir: harness.tempDir('cdk.out') });
  const stack = new Stack(app, 'ThroughCache', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
  const token = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'ecr-pullthroughcache/docker-hub');
  const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(token) });
  const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
  const image = new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'app.zip' }),
    buildArgs: buildArgs(rule),
  });
  registry.grantPullThroughCache(image, 'docker-hub');
  return projectBuild(Template.fromStack(stack), 'Image');
}

/**
 * The deploy-time values of the project's intrinsic variables: the template's, resolved for the
 * stack's account and region, with the ECR host swapped for the local registry's.
 */
function deployTimeValues(project: ProjectBuild): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { name, value } of project.environmentVariables) {
    if (typeof value === 'string') {
      continue;
    }
    if (name === 'IMAGE_REPO_NAME') {
      values[name] = REPOSITORY;
      continue;
    }
    const resolved = String(
      resolveIntrinsics(value, {
        pseudo: {
          'AWS::AccountId': REAL_BUILD_ACCOUNT,
          'AWS::Region': REAL_BUILD_REGION,
          'AWS::Partition': 'aws',
          'AWS::URLSuffix': 'amazonaws.com',
        },
        parameters: {},
        ref: () => REPOSITORY,
        getAtt: (_id, attribute) =>
          attribute === 'Arn'
            ? `arn:aws:ecr:${REAL_BUILD_REGION}:${REAL_BUILD_ACCOUNT}:repository/${REPOSITORY}`
            : undefined,
      }),
    );
    if (!resolved.startsWith(ECR_HOST)) {
      throw new Error(`${name} resolves to ${resolved}, outside the ECR registry ${ECR_HOST}`);
    }
    values[name] = harness.registry.host + resolved.slice(ECR_HOST.length);
  }
  return values;
}

function expectPhases(run: RealBuildRun, expected: Record<string, 'ok' | 'failed'>): void {
  const actual = Object.fromEntries(Object.entries(run.phaseCodes).map(([p, c]) => [p, c === 0 ? 'ok' : 'failed']));
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `phases ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}\n--- stdout\n${run.stdout.slice(-4000)}\n` +
        `--- stderr\n${run.stderr.slice(-4000)}`,
    );
  }
}

/** A copy of examples/docker-app with `Dockerfile` replaced. */
function sourceWithDockerfile(dockerfile: string): string {
  const source = harness.sourceFrom(EXAMPLE);
  fs.writeFileSync(path.join(source, 'Dockerfile'), dockerfile);
  return source;
}

describe('FROM ${BASE_REGISTRY}/library/... with BASE_REGISTRY = rule.registryPrefix', () => {
  let project: ProjectBuild;
  let values: Record<string, string>;
  let run: RealBuildRun;

  beforeAll(() => {
    project = synthesize((rule) => ({ BASE_REGISTRY: rule.registryPrefix }));
    values = deployTimeValues(project);
    // WHEN CodeBuild runs the buildspec
    run = harness.runBuild({
      project,
      deployTimeValues: values,
      sourceDir: sourceWithDockerfile(DOCKERFILE_WITH_PREFIX),
      resolvedSourceVersion: COMMIT,
    });
  }, 90_000);

  test('the prefix is in the registry the build logs in to', () => {
    expect(values.ECR_REGISTRY).toBe(harness.registry.host);
    expect(values.DOCKER_BUILD_ARG_BASE_REGISTRY).toBe(`${harness.registry.host}/docker-hub`);
  });

  test('pulls the base image from the cache prefix, builds on it and pushes', async () => {
    expectPhases(run, { pre_build: 'ok', build: 'ok', post_build: 'ok' });
    // The base image is only in the registry (seedCache untagged it locally): the build pulled it
    // from there (podman: "Trying to pull <host>/docker-hub/library/busybox:1.36", docker: "Pulling
    // from docker-hub/library/busybox").
    expect(run.stdout + run.stderr).toContain('docker-hub/library/busybox');
    // the commit tag, the fixed tag, and the layer cache of the default DockerCache.registry()
    expect(await harness.registry.tags(REPOSITORY)).toEqual([COMMIT.slice(0, 7), 'buildcache', 'latest']);
    const image = harness.pullImage(harness.registry, REPOSITORY, 'latest');
    expect(image.readFile('/from-cache.txt')).toBe('built on a base image from the pull-through cache\n');
    expect(image.has('/bin/busybox')).toBe(true);
  });
});

describe('FROM ${BASE_IMAGE} with BASE_IMAGE = rule.imageUri("busybox:1.36")', () => {
  test('the official image gets its library/ path and the build succeeds', async () => {
    const project = synthesize((rule) => ({ BASE_IMAGE: rule.imageUri('busybox:1.36') }));
    const values = deployTimeValues(project);
    expect(values.DOCKER_BUILD_ARG_BASE_IMAGE).toBe(`${harness.registry.host}/docker-hub/library/busybox:1.36`);
    const run = harness.runBuild({
      project,
      deployTimeValues: values,
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: COMMIT,
    });
    expectPhases(run, { pre_build: 'ok', build: 'ok', post_build: 'ok' });
    const image = harness.pullImage(harness.registry, REPOSITORY, 'latest');
    expect(image.has('/app/greeting.txt')).toBe(true);
  }, 90_000);

  test('an image the cache does not hold fails the build phase and nothing is pushed', async () => {
    const repository = 'cdk-ecr-codebuild/not-cached';
    const project = synthesize((rule) => ({ BASE_IMAGE: rule.imageUri('alpine:3.20') }));
    const values = { ...deployTimeValues(project), IMAGE_REPO_NAME: repository };
    const run = harness.runBuild({
      project,
      deployTimeValues: values,
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: COMMIT,
    });
    expectPhases(run, { pre_build: 'ok', build: 'failed', post_build: 'ok' });
    expect(run.stdout + run.stderr).toContain('docker-hub/library/alpine');
    expect(run.pushedImages).toEqual([]);
    expect(await harness.registry.tags(repository)).toBeUndefined();
  }, 90_000);
});
