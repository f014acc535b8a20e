/**
 * Multi-platform builds of DockerBuildToEcr, run for real on the Docker engine (Debian's docker.io
 * 20.10) on loopback: the generated batch build graph is followed step by step (each platform's build
 * with the variables its graph entry sets, then the manifest step), arm64 RUN steps execute under
 * qemu-user-static (binfmt_misc registered for the test and removed after it), and the manifest list
 * is pushed with `docker manifest`. Tools missing => the test FAILS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { DockerBuildToEcr } from '../src/docker-build-to-ecr';
import { ImagePlatform } from '../src/image-platform';
import {
  binfmtState,
  elfMachine,
  networkInterfaceNames,
  projectBuild,
  QemuAarch64,
  RealBuildHarness,
  RealBuildRun,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
  runOk,
} from './support/real-build';

const COMMIT = 'c0ffee0123456789abcdef0123456789abcdef01';
const TAG = COMMIT.slice(0, 7);
const REPOSITORY = 'multi/app';

/** A static program that writes the architecture it runs on: the RUN step of the image runs it. */
const PROBE = [
  'package main',
  '',
  'import (',
  '\t"os"',
  '\t"runtime"',
  ')',
  '',
  'func main() {',
  '\tif err := os.WriteFile(os.Args[1], []byte(runtime.GOARCH+"\\n"), 0o644); err != nil {',
  '\t\tos.Exit(1)',
  '\t}',
  '}',
  '',
].join('\n');

/** No base image: the probe of the target architecture (BuildKit's TARGETARCH) runs in the RUN step. */
const DOCKERFILE = [
  'FROM scratch AS build',
  'ARG TARGETARCH',
  'COPY probe-${TARGETARCH} /probe',
  'RUN ["/probe", "/arch.txt"]',
  'FROM scratch',
  'COPY --from=build /probe /arch.txt /',
  '',
].join('\n');

let harness: RealBuildHarness | undefined;
let qemu: QemuAarch64 | undefined;
let interfacesBefore: string[];
let binfmtBefore: string;

beforeAll(async () => {
  interfacesBefore = networkInterfaceNames();
  binfmtBefore = binfmtState();
  qemu = QemuAarch64.enable();
  harness = await RealBuildHarness.start();
}, 60_000);

afterAll(async () => {
  const problems = [...((await harness?.stop()) ?? []), ...(qemu?.undo() ?? [])];
  expect(problems).toEqual([]);
  if (qemu?.lastUser) {
    // binfmt_misc is as it was before the first user (the state we saw, unless another test run was using it)
    expect(binfmtState()).toBe(qemu.stateBefore);
    if (!binfmtBefore.split(',').includes('qemu-aarch64')) {
      expect(binfmtState()).toBe(binfmtBefore);
    }
  } else {
    // another test run on this machine still uses the registration: it stays
    expect(binfmtState().split(',')).toContain('qemu-aarch64');
  }
  expect(networkInterfaceNames()).toEqual(interfacesBefore);
}, 60_000);

test('amd64 and arm64 built natively per platform, one manifest list under every tag', async () => {
  const h = harness!;
  // GIVEN a project for two platforms (a GitHub source: the tag is the commit) and the probe sources
  const app = new App({ outdir: h.tempDir('cdk.out') });
  const stack = new Stack(app, 'Platforms', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
  new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.gitHub({ owner: 'octo', repo: 'app' }),
    platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
  });
  const project = projectBuild(Template.fromStack(stack), 'Image');
  const source = h.tempDir('src');
  fs.writeFileSync(path.join(source, 'Dockerfile'), DOCKERFILE);
  const probeDir = h.tempDir('probe');
  fs.writeFileSync(path.join(probeDir, 'main.go'), PROBE);
  for (const arch of ['amd64', 'arm64']) {
    runOk('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(source, `probe-${arch}`), 'main.go'], {
      cwd: probeDir,
      env: {
        ...(process.env as Record<string, string>),
        GOOS: 'linux',
        GOARCH: arch,
        CGO_ENABLED: '0',
        GO111MODULE: 'off',
      },
      timeoutMs: 120_000,
    });
  }

  // WHEN the batch build graph runs: every build with its variables, after the builds it depends on
  const graph: Array<{ identifier: string; env: { variables: Record<string, string> }; 'depend-on'?: string[] }> =
    project.buildSpec.batch['build-graph'];
  expect(graph.map((b) => b.identifier)).toEqual(['image_linux_amd64', 'image_linux_arm64', 'manifest']);
  const runs: Record<string, RealBuildRun> = {};
  for (const step of graph) {
    for (const dependency of step['depend-on'] ?? []) {
      expect(runs[dependency]?.succeeded).toBe(true);
    }
    runs[step.identifier] = h.runBuild({
      project,
      deployTimeValues: { IMAGE_REPO_NAME: REPOSITORY, ECR_REGISTRY: h.registry.host },
      sourceDir: source,
      resolvedSourceVersion: COMMIT,
      extraEnv: step.env.variables,
      timeoutMs: 90_000,
    });
    if (!runs[step.identifier].succeeded) {
      const run = runs[step.identifier];
      throw new Error(`${step.identifier} failed:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    }
  }

  // THEN each platform's image has its own tag and cache (in the cache repository), and the list is under every tag
  expect(await h.registry.tags(REPOSITORY)).toEqual([TAG, `${TAG}-amd64`, `${TAG}-arm64`, 'latest'].sort());
  expect(await h.registry.tags(`${REPOSITORY}-cache`)).toEqual(
    ['buildcache-amd64', 'buildcache-amd64-build', 'buildcache-arm64', 'buildcache-arm64-build'].sort(),
  );
  const children: Record<string, string> = {};
  for (const arch of ['amd64', 'arm64']) {
    children[arch] = (await h.registry.manifest(REPOSITORY, `${TAG}-${arch}`))!.digest;
  }
  for (const tag of [TAG, 'latest']) {
    const list = JSON.parse(h.docker.docker(['manifest', 'inspect', `${h.registry.host}/${REPOSITORY}:${tag}`]));
    expect(list.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(list.manifests.map((m: any) => [m.platform.os, m.platform.architecture, m.digest])).toEqual([
      ['linux', 'amd64', children.amd64],
      ['linux', 'arm64', children.arm64],
    ]);
  }
  // The manifest step exports the digest the registry serves for the list.
  const served = await h.registry.manifest(REPOSITORY, TAG);
  expect(served?.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
  expect(runs.manifest.exportedVariables).toEqual({
    IMAGE_URI: `${h.registry.host}/${REPOSITORY}:${TAG}`,
    IMAGE_TAG: TAG,
    IMAGE_DIGEST: served?.digest,
  });
  expect((await h.registry.manifest(REPOSITORY, 'latest'))?.digest).toBe(served?.digest);
  // Each platform's binary is of its architecture, and its RUN step really ran on it (under qemu for arm64).
  const expected: Record<string, number> = { amd64: 62, arm64: 183 };
  for (const arch of ['amd64', 'arm64']) {
    const image = h.pullImage(h.registry, REPOSITORY, 'latest', arch);
    expect(elfMachine(image.readBytes('/probe'))).toBe(expected[arch]);
    expect(image.readFile('/arch.txt')).toBe(`${arch}\n`);
  }
  // A plain (non-batch) build of the project fails and says how to start it.
  const plain = h.runBuild({
    project,
    deployTimeValues: { IMAGE_REPO_NAME: REPOSITORY, ECR_REGISTRY: h.registry.host },
    sourceDir: source,
    resolvedSourceVersion: COMMIT,
  });
  expect(plain.phaseCodes.build).not.toBe(0);
  expect(plain.stderr).toContain('start it as a batch build');
}, 180_000);
