/**
 * P5: DockerBuildToEcr's registry cache on a fresh host, measured with real builds on the Docker
 * engine (Debian's docker.io 20.10, a dockerd of its own, loopback only; see test/support/real-build/).
 *
 * A Dockerfile with an expensive dependency stage (seconds of real CPU work in a RUN step) and a
 * cheap source stage. Per iteration, in a new repository:
 * - cold: dockerd restarted on an EMPTY data-root, no cache anywhere: the project's buildspec runs
 *   (every phase: login, build, pushes of the image and the cache images, report);
 * - warm: dockerd restarted on an EMPTY data-root again (a fresh CodeBuild host), only the source
 *   stage's input changed, the cache only in the registry: the buildspec runs again.
 * Prints cold, warm and warm/cold (medians) of the build phase (the docker builds and pushes: what
 * the cache acts on; the target is warm <= 0.25 x cold), and of every phase (login included: a fixed
 * cost, here awscli v1 answered by moto, that no cache changes), with each call's time.
 *
 *   npx projen bench:registry-cache [iterations]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DockerBuildToEcr } from '../src';
import {
  networkInterfaceNames,
  projectBuild,
  RealBuildHarness,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
} from '../test/support/real-build';

/**
 * Bytes hashed by the dependency stage: some 10-25 s of CPU for busybox's sha256sum on this machine
 * kind (a modest `npm ci` or `go mod download` takes longer on CodeBuild).
 */
const DEPENDENCY_WORK_BYTES = 1_000_000_000;

const DOCKERFILE = [
  'ARG BASE_IMAGE',
  '# The expensive dependency stage (stands for `npm ci`, `go mod download`, a compiler toolchain).',
  'FROM ${BASE_IMAGE} AS deps',
  `RUN head -c ${DEPENDENCY_WORK_BYTES} /dev/zero | sha256sum > /deps.sha256`,
  '# The cheap source stage.',
  'FROM ${BASE_IMAGE} AS runtime',
  'COPY --from=deps /deps.sha256 /deps.sha256',
  'COPY app.txt /app/app.txt',
  '',
].join('\n');

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 3);
  const interfacesBefore = networkInterfaceNames();
  const harness = await RealBuildHarness.start();
  try {
    const app = new App({ outdir: harness.tempDir('cdk.out') });
    const stack = new Stack(app, 'Bench', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
    new DockerBuildToEcr(stack, 'Image', {
      source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'app.zip' }),
      buildArgs: { BASE_IMAGE: harness.baseImage },
      // cache: the default, DockerCache.registry()
    });
    const project = projectBuild(Template.fromStack(stack), 'Image');

    // Times every `docker` and `aws` call of the buildspec (a wrapper first on PATH, before the harness's).
    const profileDir = harness.tempDir('profile');
    const profileLog = path.join(profileDir, 'calls.log');
    for (const tool of ['docker', 'aws']) {
      fs.writeFileSync(
        path.join(profileDir, tool),
        [
          '#!/bin/bash',
          'started=$(date +%s%N)',
          `'${path.join(harness.binDir, tool)}' "$@"`,
          'rc=$?',
          `echo "$(( ($(date +%s%N) - started) / 1000000 )) ${tool} $1" >> '${profileLog}'`,
          'exit $rc',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
    }
    /** Milliseconds spent in the calls of the last build: login, docker build, docker push. */
    const callTimes = (): Record<string, number> => {
      const out: Record<string, number> = { login: 0, build: 0, push: 0 };
      for (const line of fs
        .readFileSync(profileLog, 'utf-8')
        .split('\n')
        .filter((l) => l.length > 0)) {
        const [ms, tool, sub] = line.split(' ');
        const kind = tool === 'aws' || sub === 'login' ? 'login' : sub;
        if (kind in out) {
          out[kind] += Number(ms);
        }
      }
      fs.writeFileSync(profileLog, '');
      return out;
    };

    const run = (repository: string, appText: string, commit: string): { total: number; buildPhase: number } => {
      const source = harness.tempDir('src');
      fs.writeFileSync(path.join(source, 'Dockerfile'), DOCKERFILE);
      fs.writeFileSync(path.join(source, 'app.txt'), appText);
      const result = harness.runBuild({
        project,
        deployTimeValues: { IMAGE_REPO_NAME: repository, ECR_REGISTRY: harness.registry.host },
        sourceDir: source,
        resolvedSourceVersion: commit,
        timeoutMs: 180_000,
        pathPrepend: [profileDir],
      });
      if (!result.succeeded) {
        throw new Error(`build of ${repository} failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
      }
      return { total: result.durationMs, buildPhase: result.phaseDurationsMs.build };
    };

    const cold: number[] = [];
    const warm: number[] = [];
    const coldPhase: number[] = [];
    const warmPhase: number[] = [];
    const calls = (c: Record<string, number>): string =>
      `login ${c.login} ms, docker build ${c.build} ms, docker push ${c.push} ms`;
    for (let i = 0; i < iterations; i++) {
      const repository = `bench/cache-${i}`;
      await harness.docker.restartEmpty();
      const c = run(repository, `v1 ${i}\n`, 'a'.repeat(39) + i.toString(16));
      const coldCalls = callTimes();
      await harness.docker.restartEmpty();
      const w = run(repository, `v2 ${i}\n`, 'b'.repeat(39) + i.toString(16));
      const warmCalls = callTimes();
      cold.push(c.total);
      warm.push(w.total);
      coldPhase.push(c.buildPhase);
      warmPhase.push(w.buildPhase);
      console.log(`iteration ${i + 1}: cold ${c.total} ms, build phase ${c.buildPhase} ms (${calls(coldCalls)})`);
      console.log(`             warm ${w.total} ms, build phase ${w.buildPhase} ms (${calls(warmCalls)})`);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const list = (xs: number[]): string => `median ${median(xs)} ms (${xs.join(', ')})`;
    const ratio = median(warmPhase) / median(coldPhase);
    console.log(`build phase (docker builds and pushes), cold, empty daemon, no cache:        ${list(coldPhase)}`);
    console.log(`build phase, warm, empty daemon, cache in the registry only, source change: ${list(warmPhase)}`);
    console.log(
      `ratio warm/cold of the build phase (medians): ${ratio.toFixed(3)} (target <= 0.25: ${ratio <= 0.25 ? 'met' : 'NOT met'})`,
    );
    console.log(`every phase (login included), cold:  ${list(cold)}`);
    console.log(`every phase (login included), warm:  ${list(warm)}`);
    console.log(`ratio warm/cold of every phase (medians): ${(median(warm) / median(cold)).toFixed(3)}`);
    const after = networkInterfaceNames();
    if (JSON.stringify(after) !== JSON.stringify(interfacesBefore)) {
      throw new Error(`network interfaces changed: ${interfacesBefore} -> ${after}`);
    }
    if (ratio > 0.25) {
      process.exitCode = 1;
    }
  } finally {
    const problems = await harness.stop();
    if (problems.length > 0) {
      console.error(`cleanup problems: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
