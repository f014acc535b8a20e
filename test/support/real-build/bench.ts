/**
 * Times real runs of DockerBuildToEcr's buildspec on the Docker engine, on loopback (same harness as
 * test/docker-build-to-ecr.real.test.ts): cold (no local layer cache) and warm (cache from the
 * previous build) runs of every phase, and the ECR login alone.
 *
 *   npx ts-node --project test/tsconfig.json test/support/real-build/bench.ts [iterations]
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RealBuildHarness, REAL_BUILD_ACCOUNT, REAL_BUILD_REGION } from './harness';
import { networkInterfaceNames } from './network';
import { run } from './process';
import { projectBuild } from './template';
import { DockerBuildToEcr } from '../../../src/docker-build-to-ecr';
import { DockerCache } from '../../../src/docker-cache';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'docker-app');

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 5);
  const interfacesBefore = networkInterfaceNames();
  const harness = await RealBuildHarness.start();
  try {
    const app = new App({ outdir: harness.tempDir('cdk.out') });
    const stack = new Stack(app, 'Bench', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
    new DockerBuildToEcr(stack, 'Image', {
      source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'docker-app.zip' }),
      target: 'runtime',
      buildArgs: { BASE_IMAGE: harness.baseImage, GREETING: 'hello "bench" $(id)' },
      // The daemon's own layer cache only (cold = removed, warm = the previous build's); the registry
      // cache on an empty daemon is measured by bench/registry-cache.ts.
      cache: DockerCache.none(),
    });
    const project = projectBuild(Template.fromStack(stack), 'Image');
    const source = harness.sourceFrom(EXAMPLE);
    const build = (i: number, kind: string): number => {
      const result = harness.runBuild({
        project,
        deployTimeValues: { IMAGE_REPO_NAME: 'bench/app', ECR_REGISTRY: harness.registry.host },
        sourceDir: source,
        resolvedSourceVersion: (i.toString(16) + kind.length.toString(16)).padStart(40, 'a'),
      });
      if (!result.succeeded) {
        throw new Error(`${kind} build ${i} failed:\n${result.stdout}\n${result.stderr}`);
      }
      return result.durationMs;
    };
    const login = (): number => {
      const started = Date.now();
      const result = run(
        path.join(harness.binDir, 'aws'),
        ['ecr', 'get-login-password', '--region', REAL_BUILD_REGION],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
            HOME: harness.root,
          },
        },
      );
      if (result.status !== 0) {
        throw new Error(result.stderr);
      }
      return Date.now() - started;
    };

    // The buildspec's build phase run alone with PUSH_IMAGE=0: the docker build, no login, tag or push.
    const buildCommand = (project.buildSpec.phases.build.commands as string[]).join('\n');
    const buildStep = (): number => {
      const started = Date.now();
      const result = run('bash', ['-c', buildCommand], {
        cwd: source,
        env: {
          ...harness.docker.env,
          PATH: `${harness.binDir}:${process.env.PATH ?? ''}`,
          HOME: harness.root,
          ECR_REGISTRY: harness.registry.host,
          IMAGE_REPO_NAME: 'bench/step',
          IMAGE_TAG: 'step',
          PUSH_IMAGE: '0',
          WRITE_CACHE: '0',
          MOVE_FIXED_TAGS: '0',
        },
        timeoutMs: 60_000,
      });
      if (result.status !== 0) {
        throw new Error(`docker build failed:\n${result.stdout}\n${result.stderr}`);
      }
      return Date.now() - started;
    };

    const cold: number[] = [];
    const warm: number[] = [];
    const coldStep: number[] = [];
    const warmStep: number[] = [];
    const logins: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // Cold: no image but the base in local storage (every cached layer of the last build removed).
      removeBuiltImages(harness);
      cold.push(build(i, 'cold'));
      warm.push(build(i, 'warm'));
      removeBuiltImages(harness);
      coldStep.push(buildStep());
      warmStep.push(buildStep());
      logins.push(login());
    }
    const stats = (xs: number[]): string => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)]} ms (min ${sorted[0]}, max ${sorted[sorted.length - 1]}, n=${xs.length})`;
    };
    console.log(`cold run of every phase (login, build, tag, push x2, report): ${stats(cold)}`);
    console.log(`warm run of every phase (local layer cache):              ${stats(warm)}`);
    console.log(`the buildspec's docker build command alone, cold:         ${stats(coldStep)}`);
    console.log(`the buildspec's docker build command alone, warm:         ${stats(warmStep)}`);
    console.log(`aws ecr get-login-password alone (awscli v1 -> moto):     ${stats(logins)}`);
    const after = networkInterfaceNames();
    if (JSON.stringify(after) !== JSON.stringify(interfacesBefore)) {
      throw new Error(`network interfaces changed: ${interfacesBefore} -> ${after}`);
    }
  } finally {
    const problems = await harness.stop();
    if (problems.length > 0) {
      console.error(`cleanup problems: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  }
}

/** Removes every image but the base (tagged `<registry>/base:1`), with the build's cached layers. */
function removeBuiltImages(harness: RealBuildHarness): void {
  const images = harness.docker
    .docker(['images', '--all', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter((line) => line.length > 0 && !line.endsWith(harness.baseImage));
  const ids = [...new Set(images.map((line) => line.split(' ')[0]))];
  if (ids.length > 0) {
    harness.docker.docker(['rmi', '--force', ...ids]);
  }
  harness.docker.docker(['builder', 'prune', '--all', '--force']);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
