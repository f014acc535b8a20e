/**
 * Runs DockerBuildToEcr's generated buildspec for real, on loopback only: podman's docker-compatible
 * CLI builds examples/docker-app, `aws ecr get-login-password` gets moto's ECR token, and the image is
 * pushed to a local registry that accepts only that token, then pulled back and inspected.
 * See test/support/real-build/ and /work/shared/REAL-BUILDS.md. Tools missing => the tests FAIL.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DockerBuildToEcr } from '../src/docker-build-to-ecr';
import {
  LocalRegistry,
  networkInterfaceNames,
  ProjectBuild,
  projectBuild,
  RealBuildHarness,
  RealBuildRun,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
} from './support/real-build';

const EXAMPLE = path.join(__dirname, '..', 'examples', 'docker-app');
const REPOSITORY = 'cdk-ecr-codebuild/docker-app';
const COMMIT = '3f2a9c1d5e7b8a6f4c2d0e1b3a5c7e9f1d2b4a60';
const COMMIT_TAG = COMMIT.slice(0, 7);
const SECOND_COMMIT = '9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c';

let harness: RealBuildHarness;
let started: RealBuildHarness | undefined;
let interfacesBefore: string[];
let markers: string;
let greeting: string;
let project: ProjectBuild;

beforeAll(async () => {
  interfacesBefore = networkInterfaceNames();
  started = await RealBuildHarness.start();
  harness = started;
  markers = harness.tempDir('markers');
  // Everything a shell could evaluate: quotes, $(...), backticks, ';', '&', spaces. If any of it
  // ran, a marker file would appear (or the greeting would differ).
  greeting =
    `it's "quoted" $(touch ${markers}/dollar) \`touch ${markers}/backtick\`; ` +
    `touch ${markers}/semicolon & echo  two  spaces`;
  project = synthesizeProject(harness.tempDir('cdk.out'), harness.baseImage, greeting);
}, 60_000);

afterAll(async () => {
  const problems = (await started?.stop()) ?? [];
  expect(problems).toEqual([]);
  expect(networkInterfaceNames()).toEqual(interfacesBefore);
}, 60_000);

/** GIVEN a DockerBuildToEcr stack (multi-stage, target 'runtime', build args, default tags) */
function synthesizeProject(outdir: string, baseImage: string, greetingArg: string): ProjectBuild {
  const app = new App({ outdir });
  const stack = new Stack(app, 'RealBuild', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
  const bucket = new s3.Bucket(stack, 'Sources');
  new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket, path: 'docker-app.zip' }),
    target: 'runtime',
    buildArgs: { BASE_IMAGE: baseImage, GREETING: greetingArg },
  });
  return projectBuild(Template.fromStack(stack), 'Image');
}

/** The values CodeBuild gets after deploy for the project's intrinsic variables, pointed at `registry`. */
function deployTimeValues(registry: LocalRegistry): Record<string, string> {
  return { IMAGE_REPO_NAME: REPOSITORY, ECR_REGISTRY: registry.host };
}

/** Fails with the build's output when the phases did not end as expected. */
function expectPhases(run: RealBuildRun, expected: Record<string, 'ok' | 'failed'>): void {
  const actual: Record<string, string> = {};
  for (const [phase, code] of Object.entries(run.phaseCodes)) {
    actual[phase] = code === 0 ? 'ok' : 'failed';
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `phases ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}\n--- stdout\n${run.stdout.slice(-4000)}\n` +
        `--- stderr\n${run.stderr.slice(-4000)}`,
    );
  }
}

function recordTiming(name: string, ms: number): void {
  const file = process.env.REAL_BUILD_TIMINGS;
  if (file) {
    fs.appendFileSync(file, JSON.stringify({ name, ms }) + '\n');
  }
}

describe('a build of examples/docker-app from a commit', () => {
  let run: RealBuildRun;

  beforeAll(() => {
    // WHEN CodeBuild runs the project's buildspec
    run = harness.runBuild({
      project,
      deployTimeValues: deployTimeValues(harness.registry),
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: COMMIT,
      buildNumber: '7',
    });
    recordTiming('cold build (runBuildSpec, all phases)', run.durationMs);
  }, 60_000);

  test('succeeds in every phase', () => {
    expectPhases(run, { pre_build: 'ok', build: 'ok', post_build: 'ok' });
    expect(run.succeeded).toBe(true);
  });

  test('logs in with the password of the ECR token (the registry accepts no other)', () => {
    expect(harness.docker.storedLogins()).toEqual({ [harness.registry.host]: `AWS:${harness.ecrPassword}` });
  });

  test('pushes every tag the construct promises: the short commit and latest, to one image', async () => {
    expect(await harness.registry.tags(REPOSITORY)).toEqual([COMMIT_TAG, 'latest']);
    const commitImage = await harness.registry.manifest(REPOSITORY, COMMIT_TAG);
    const latestImage = await harness.registry.manifest(REPOSITORY, 'latest');
    expect(commitImage?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(latestImage?.digest).toBe(commitImage?.digest);
  });

  test('prints the URI of every pushed image', () => {
    expect(run.pushedImages).toEqual([
      `${harness.registry.host}/${REPOSITORY}:${COMMIT_TAG}`,
      `${harness.registry.host}/${REPOSITORY}:latest`,
    ]);
    expect(run.stdout).toContain(`Image tag: ${COMMIT_TAG}`);
  });

  test('the pulled-back image holds the runtime stage only', () => {
    const image = harness.pullImage(harness.registry, REPOSITORY, COMMIT_TAG);
    expect(image.has('/app/greeting.txt')).toBe(true);
    expect(image.has('/app/app.sh')).toBe(true);
    expect(image.has('/work/build-stage.txt')).toBe(false);
    expect(image.files.filter((f) => f === 'work' || f.startsWith('work/'))).toEqual([]);
    expect(image.config.Cmd).toEqual(['/app/app.sh']);
  });

  test('the build argument arrives verbatim and nothing in it executes', () => {
    const image = harness.pullImage(harness.registry, REPOSITORY, 'latest');
    expect(image.readFile('/app/greeting.txt')).toBe(greeting + '\n');
    expect(fs.readdirSync(markers)).toEqual([]);
  });

  test('a rebuild from another commit reuses the local layer cache and adds its tag', async () => {
    const before = await harness.registry.manifest(REPOSITORY, 'latest');
    const rebuild = harness.runBuild({
      project,
      deployTimeValues: deployTimeValues(harness.registry),
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: SECOND_COMMIT,
      buildNumber: '8',
    });
    recordTiming('warm rebuild (runBuildSpec, all phases)', rebuild.durationMs);
    expectPhases(rebuild, { pre_build: 'ok', build: 'ok', post_build: 'ok' });
    // The RUN step of the build stage was not run again.
    expect(rebuild.stdout + rebuild.stderr).toMatch(/RUN mkdir -p \/out[^\n]*\n ---> Using cache/);
    expect(await harness.registry.tags(REPOSITORY)).toEqual([COMMIT_TAG, SECOND_COMMIT.slice(0, 7), 'latest'].sort());
    expect((await harness.registry.manifest(REPOSITORY, SECOND_COMMIT.slice(0, 7)))?.digest).toBe(before?.digest);
    expect(fs.readdirSync(markers)).toEqual([]);
  }, 60_000);
});

describe('failures', () => {
  test('a Dockerfile that does not build fails the build phase and pushes nothing', async () => {
    // GIVEN the example with a build stage that fails, and the state of the repository before
    const source = harness.sourceFrom(EXAMPLE);
    const dockerfile = path.join(source, 'Dockerfile');
    const broken = fs
      .readFileSync(dockerfile, 'utf-8')
      .replace('WORKDIR /work\n', 'WORKDIR /work\nRUN echo "this stage is broken" >&2 && exit 3\n');
    expect(broken).toContain('exit 3');
    fs.writeFileSync(dockerfile, broken);
    const repository = 'cdk-ecr-codebuild/broken';

    // WHEN
    const run = harness.runBuild({
      project,
      deployTimeValues: { IMAGE_REPO_NAME: repository, ECR_REGISTRY: harness.registry.host },
      sourceDir: source,
      resolvedSourceVersion: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      buildNumber: '9',
    });

    // THEN
    expectPhases(run, { pre_build: 'ok', build: 'failed', post_build: 'ok' });
    expect(run.succeeded).toBe(false);
    expect(run.stdout + run.stderr).toContain('this stage is broken');
    expect(run.stdout).toContain('Build failed: no image was pushed by this phase');
    expect(run.pushedImages).toEqual([]);
    expect(await harness.registry.tags(repository)).toBeUndefined();
  }, 60_000);

  test('a broken build leaves the tags of an existing repository where they were', async () => {
    // GIVEN the repository the successful builds pushed to
    const tagsBefore = await harness.registry.tags(REPOSITORY);
    const latestBefore = await harness.registry.manifest(REPOSITORY, 'latest');
    expect(tagsBefore).toContain('latest');
    const source = harness.sourceFrom(EXAMPLE);
    fs.appendFileSync(path.join(source, 'Dockerfile'), 'RUN exit 4\n');

    // WHEN
    const run = harness.runBuild({
      project,
      deployTimeValues: deployTimeValues(harness.registry),
      sourceDir: source,
      resolvedSourceVersion: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    });

    // THEN
    expectPhases(run, { pre_build: 'ok', build: 'failed', post_build: 'ok' });
    expect(run.pushedImages).toEqual([]);
    expect(await harness.registry.tags(REPOSITORY)).toEqual(tagsBefore);
    expect((await harness.registry.manifest(REPOSITORY, 'latest'))?.digest).toBe(latestBefore?.digest);
  }, 60_000);

  test('a registry that refuses the ECR token fails the build in pre_build and nothing is pushed', async () => {
    // GIVEN a registry whose password is not moto's token
    const registry = await harness.addRegistry({ password: 'not-the-ecr-token' });

    // WHEN
    const run = harness.runBuild({
      project,
      deployTimeValues: deployTimeValues(registry),
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: COMMIT,
    });

    // THEN the login fails, the build phase (which pushes) never runs
    expect(run.succeeded).toBe(false);
    expect(run.phaseCodes.pre_build).not.toBe(0);
    expect(run.phaseCodes.build).toBeUndefined();
    expect(run.stderr).toMatch(/unauthorized|invalid username\/password/i);
    expect(harness.docker.storedLogins()).toEqual({});
    expect(run.pushedImages).toEqual([]);
    expect(await registry.tags(REPOSITORY)).toBeUndefined();
  }, 60_000);

  test('a registry that refuses the push fails the build phase', async () => {
    // GIVEN a registry that takes the token but refuses every write
    const registry = await harness.addRegistry({ readOnly: true });

    // WHEN
    const run = harness.runBuild({
      project,
      deployTimeValues: deployTimeValues(registry),
      sourceDir: harness.sourceFrom(EXAMPLE),
      resolvedSourceVersion: COMMIT,
    });

    // THEN the login worked, the push was refused, and the build is reported failed
    expectPhases(run, { pre_build: 'ok', build: 'failed', post_build: 'ok' });
    expect(harness.docker.storedLogins()).toEqual({ [registry.host]: `AWS:${harness.ecrPassword}` });
    expect(run.stderr).toMatch(/405|method not allowed/i);
    expect(run.stdout).toContain('Build failed: no image was pushed by this phase');
    expect(run.pushedImages).toEqual([]);
    expect(await registry.tags(REPOSITORY)).toBeUndefined();
  }, 60_000);
});

describe('after every build', () => {
  test('no network interface was created (no bridge, no veth)', () => {
    expect(networkInterfaceNames()).toEqual(interfacesBefore);
  });
});
