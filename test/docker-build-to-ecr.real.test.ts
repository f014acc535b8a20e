/**
 * Runs DockerBuildToEcr's generated buildspec for real, on loopback only: podman's docker-compatible
 * CLI builds examples/docker-app, `aws ecr get-login-password` gets moto's ECR token, and the image is
 * pushed to a local registry that accepts only that token, then pulled back and inspected.
 * See test/support/real-build/ and TESTING.md. Tools missing => the tests FAIL.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DockerBuildToEcr, DockerBuildToEcrProps } from '../src/docker-build-to-ecr';
import {
  LocalRegistry,
  networkInterfaceNames,
  ProjectBuild,
  projectBuild,
  RealBuildHarness,
  RealBuildRun,
  REAL_BUILD_ACCOUNT,
  REAL_BUILD_REGION,
  runOk,
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
    // and the registry cache, in its own repository: the final image and the one named stage before it, "build"
    expect(await harness.registry.tags(`${REPOSITORY}-cache`)).toEqual(['buildcache', 'buildcache-build']);
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
    // The RUN step of the build stage was not run again (BuildKit: "#n CACHED").
    expect(rebuild.stdout + rebuild.stderr).toMatch(/\] RUN mkdir -p \/out[^\n]*\n#\d+ sha256:[0-9a-f]+\n#\d+ CACHED/);
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

/** A DockerBuildToEcr project with `props` (S3 source unless given), synthesized. */
function synthesize(props: Partial<DockerBuildToEcrProps>): ProjectBuild {
  const app = new App({ outdir: harness.tempDir('cdk.out') });
  const stack = new Stack(app, 'RealBuild', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
  new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'src.zip' }),
    ...props,
  });
  return projectBuild(Template.fromStack(stack), 'Image');
}

/** A source directory holding `files`. */
function sourceWith(files: Record<string, string>): string {
  const dir = harness.tempDir('src');
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function build(
  built: ProjectBuild,
  repository: string,
  sourceDir: string,
  commit: string,
  extra: { extraEnv?: Record<string, string>; secretValues?: Record<string, string> } = {},
): RealBuildRun {
  return harness.runBuild({
    project: built,
    deployTimeValues: { IMAGE_REPO_NAME: repository, ECR_REGISTRY: harness.registry.host },
    sourceDir,
    resolvedSourceVersion: commit,
    ...extra,
  });
}

const OK = { pre_build: 'ok', build: 'ok', post_build: 'ok' } as const;

describe('outputs of every build (issue 12)', () => {
  test('exports IMAGE_URI, IMAGE_TAG and the IMAGE_DIGEST the registry reports; writes the image definitions', async () => {
    // GIVEN a project that writes the image definitions artifact
    const built = synthesize({
      target: 'runtime',
      buildArgs: { BASE_IMAGE: harness.baseImage },
      imageDefinitionsContainerName: 'web',
    });
    const repository = 'outputs/app';
    const source = harness.sourceFrom(EXAMPLE);

    // WHEN it builds
    const run = build(built, repository, source, COMMIT);

    // THEN the exported digest is the one the registry serves for the tag (Docker-Content-Digest)
    expectPhases(run, OK);
    const served = await harness.registry.manifest(repository, COMMIT_TAG);
    expect(served?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const uri = `${harness.registry.host}/${repository}:${COMMIT_TAG}`;
    expect(run.exportedVariables).toEqual({ IMAGE_URI: uri, IMAGE_TAG: COMMIT_TAG, IMAGE_DIGEST: served?.digest });
    expect(JSON.parse(fs.readFileSync(path.join(source, 'imagedefinitions.json'), 'utf-8'))).toEqual([
      { name: 'web', imageUri: uri },
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(source, 'imageDetail.json'), 'utf-8'))).toEqual({
      ImageURI: `${harness.registry.host}/${repository}@${served?.digest}`,
    });
    expect(built.buildSpec.artifacts).toEqual({ files: ['imagedefinitions.json', 'imageDetail.json'] });
  }, 60_000);

  test('a rebuild of the same commit in an IMMUTABLE repository skips the push and keeps the image', async () => {
    // GIVEN an IMMUTABLE repository that holds the image of COMMIT
    const built = synthesize({
      target: 'runtime',
      buildArgs: { BASE_IMAGE: harness.baseImage },
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
    });
    const repository = 'immutable/app';
    const first = build(built, repository, harness.sourceFrom(EXAMPLE), COMMIT);
    expectPhases(first, OK);
    const kept = (await harness.registry.manifest(repository, COMMIT_TAG))?.digest;

    // WHEN the same commit builds again: the same image (layer cache), then a different one
    const same = build(built, repository, harness.sourceFrom(EXAMPLE), COMMIT);
    const changed = harness.sourceFrom(EXAMPLE);
    fs.appendFileSync(path.join(changed, 'app.sh'), '# rebuilt\n');
    const other = build(built, repository, changed, COMMIT);

    // THEN neither pushes, both say why, and both export the digest the tag still holds
    for (const run of [same, other]) {
      expectPhases(run, OK);
      expect(run.pushedImages).toEqual([]);
      expect(run.exportedVariables.IMAGE_DIGEST).toBe(kept);
    }
    expect(same.stdout).toContain(
      `${harness.registry.host}/${repository}:${COMMIT_TAG} already holds this image (${kept}): push skipped`,
    );
    expect(other.stdout).toContain(
      `${harness.registry.host}/${repository}:${COMMIT_TAG} already exists in this IMMUTABLE repository (${kept}`,
    );
    expect(await harness.registry.tags(repository)).toEqual([COMMIT_TAG]);
    expect((await harness.registry.manifest(repository, COMMIT_TAG))?.digest).toBe(kept);
  }, 90_000);

  test('builds of pull requests and other branches move neither latest nor the cache; a push to releaseBranch does', async () => {
    // GIVEN a GitHub source with releaseBranch main
    const built = synthesize({
      source: codebuild.Source.gitHub({ owner: 'octo', repo: 'app' }),
      releaseBranch: 'main',
      target: 'runtime',
      buildArgs: { BASE_IMAGE: harness.baseImage },
    });
    const repository = 'branches/app';
    const commit = (c: string): string => c.repeat(40);

    // WHEN a pull request, a push to another branch, then a push to main build
    const pr = build(built, repository, harness.sourceFrom(EXAMPLE), commit('1'), {
      extraEnv: { CODEBUILD_WEBHOOK_TRIGGER: 'pr/5', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/feature' },
    });
    expectPhases(pr, OK);
    const tagsAfterPr = await harness.registry.tags(repository);
    const feature = build(built, repository, harness.sourceFrom(EXAMPLE), commit('2'), {
      extraEnv: { CODEBUILD_WEBHOOK_TRIGGER: 'branch/feature', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/feature' },
    });
    expectPhases(feature, OK);
    const tagsAfterFeature = await harness.registry.tags(repository);
    const main = build(built, repository, harness.sourceFrom(EXAMPLE), commit('3'), {
      extraEnv: { CODEBUILD_WEBHOOK_TRIGGER: 'branch/main', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/main' },
    });
    expectPhases(main, OK);

    // THEN only the commit tags of the first two exist, and main moved latest and wrote the cache
    expect(tagsAfterPr).toEqual(['1111111']);
    expect(pr.stdout).toContain('the fixed tags and the cache are not moved');
    expect(tagsAfterFeature).toEqual(['1111111', '2222222']);
    expect(await harness.registry.tags(repository)).toEqual(['1111111', '2222222', '3333333', 'latest']);
    // the cache is in a repository of its own, which who may pull the image cannot read
    expect(await harness.registry.tags(`${repository}-cache`)).toEqual(['buildcache', 'buildcache-build']);
    expect((await harness.registry.manifest(repository, 'latest'))?.digest).toBe(main.exportedVariables.IMAGE_DIGEST);
  }, 90_000);
});

describe('registry cache (issue 11)', () => {
  const DOCKERFILE = [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE} AS deps',
    '# The expensive stage: its output is unique to the run that built it.',
    'RUN echo "deps $(cat /proc/sys/kernel/random/uuid)" > /deps.txt',
    'FROM ${BASE_IMAGE} AS runtime',
    'COPY --from=deps /deps.txt /deps.txt',
    'COPY app.txt /app.txt',
    '',
  ].join('\n');

  test('on an EMPTY daemon, a source-only change reuses every stage before it from the registry', async () => {
    // GIVEN a build that wrote the registry cache
    const built = synthesize({ buildArgs: { BASE_IMAGE: harness.baseImage } });
    const repository = 'cache/app';
    const cold = build(built, repository, sourceWith({ Dockerfile: DOCKERFILE, 'app.txt': 'v1\n' }), COMMIT);
    expectPhases(cold, OK);
    expect(cold.stdout).toContain('one image per stage (BuildKit inline cache; no buildx here)');
    const firstDeps = harness.pullImage(harness.registry, repository, COMMIT_TAG).readFile('/deps.txt');

    // WHEN the daemon restarts on an empty data-root (a fresh CodeBuild host) and the source changes
    await harness.docker.restartEmpty();
    expect(harness.docker.docker(['images', '--all', '--quiet']).trim()).toBe('');
    const warm = build(built, repository, sourceWith({ Dockerfile: DOCKERFILE, 'app.txt': 'v2\n' }), SECOND_COMMIT);

    // THEN the deps stage came from the registry (not run again), the source stage was rebuilt
    expectPhases(warm, OK);
    expect(warm.stdout + warm.stderr).toMatch(/importing cache manifest from [^\n]*:buildcache-deps/);
    expect(warm.stdout + warm.stderr).toMatch(/\] RUN echo "deps[^\n]*\n#\d+ sha256:[0-9a-f]+\n#\d+ CACHED/);
    const image = harness.pullImage(harness.registry, repository, SECOND_COMMIT.slice(0, 7));
    expect(image.readFile('/deps.txt')).toBe(firstDeps);
    expect(image.readFile('/app.txt')).toBe('v2\n');
    recordTiming('registry cache: cold build (all phases)', cold.durationMs);
    recordTiming('registry cache: empty daemon, source-only change (all phases)', warm.durationMs);
  }, 90_000);

  test('only the stages the target needs are built and cached: a failing and a slow unused stage are skipped', async () => {
    // GIVEN a target (runtime) that needs deps, beside a test stage that fails and a stage that
    // would take longer than the test may (BuildKit's `docker build --target runtime` skips both)
    const dockerfile = [
      'ARG BASE_IMAGE',
      'FROM ${BASE_IMAGE} AS deps',
      'RUN echo deps > /deps.txt',
      'FROM ${BASE_IMAGE} AS test',
      'RUN echo "the unused test stage ran" && exit 1',
      'FROM ${BASE_IMAGE} AS slow',
      'RUN echo "the unused slow stage ran" && sleep 300',
      'FROM ${BASE_IMAGE} AS runtime',
      'COPY --from=deps /deps.txt /deps.txt',
      '',
    ].join('\n');
    const built = synthesize({ target: 'runtime', buildArgs: { BASE_IMAGE: harness.baseImage } });
    const repository = 'cache/stages';

    // WHEN it builds with the registry cache where there is no buildx
    const run = build(built, repository, sourceWith({ Dockerfile: dockerfile }), COMMIT);
    recordTiming('registry cache: target with two unused stages (all phases)', run.durationMs);

    // THEN it succeeds; no step of test or slow ran; deps got its cache image, they got none
    expectPhases(run, OK);
    const log = run.stdout + run.stderr;
    expect(run.stdout).toContain('one image per stage (BuildKit inline cache; no buildx here)');
    expect(run.stdout).toContain(
      `Building stage deps (cache image ${harness.registry.host}/${repository}-cache:buildcache-deps)`,
    );
    expect(log).toMatch(/\[deps 2\/2\] RUN echo deps/);
    expect(log).not.toMatch(/Building stage (test|slow)|\[(test|slow) \d+\/\d+\]|the unused/);
    expect(await harness.registry.tags(repository)).toEqual([COMMIT_TAG, 'latest']);
    expect(await harness.registry.tags(`${repository}-cache`)).toEqual(['buildcache', 'buildcache-deps']);
    expect(harness.pullImage(harness.registry, repository, COMMIT_TAG).readFile('/deps.txt')).toBe('deps\n');
  }, 90_000);
});

describe('build secrets (issue 11)', () => {
  const SECRET = 'npm_S3cr3t-value-0f-the-test';
  const DOCKERFILE = [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE} AS build',
    "RUN --mount=type=secret,id=npm_token sha256sum /run/secrets/npm_token | cut -d ' ' -f 1 > /token.sha256",
    'FROM ${BASE_IMAGE}',
    'COPY --from=build /token.sha256 /token.sha256',
    '',
  ].join('\n');

  test('the RUN step reads the secret; no layer, no image history and no build log holds it', async () => {
    // GIVEN a project with a build secret (a SECRETS_MANAGER variable)
    const app = new App({ outdir: harness.tempDir('cdk.out') });
    const stack = new Stack(app, 'Secrets', { env: { account: REAL_BUILD_ACCOUNT, region: REAL_BUILD_REGION } });
    new DockerBuildToEcr(stack, 'Image', {
      source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'src.zip' }),
      buildArgs: { BASE_IMAGE: harness.baseImage },
      buildSecrets: { npm_token: new secretsmanager.Secret(stack, 'NpmToken') },
    });
    const built = projectBuild(Template.fromStack(stack), 'Image');
    expect(built.environmentVariables.find((v) => v.name === 'BUILD_SECRET_1')?.type).toBe('SECRETS_MANAGER');
    expect(JSON.stringify(built)).not.toContain(SECRET);
    const repository = 'secrets/app';

    // WHEN it builds with the value CodeBuild fetched
    const run = build(built, repository, sourceWith({ Dockerfile: DOCKERFILE }), COMMIT, {
      secretValues: { BUILD_SECRET_1: SECRET },
    });

    // THEN the step saw it, and it is nowhere else: build log, history, any layer of the image and
    // of the stage's cache image
    expectPhases(run, OK);
    const sha = crypto.createHash('sha256').update(SECRET).digest('hex');
    expect(harness.pullImage(harness.registry, repository, COMMIT_TAG).readFile('/token.sha256')).toBe(`${sha}\n`);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    for (const ref of [
      `${harness.registry.host}/${repository}:${COMMIT_TAG}`,
      `${harness.registry.host}/${repository}-cache:buildcache-build`,
    ]) {
      const history = harness.docker.docker(['history', '--no-trunc', ref]);
      // (the history shows the steps: the stage's RUN command, the final image's COPY)
      expect(history).toContain(ref.endsWith(COMMIT_TAG) ? 'COPY /token.sha256' : 'sha256sum /run/secrets/npm_token');
      expect(history).not.toContain(SECRET);
      const tar = path.join(harness.tempDir('save'), 'image.tar');
      harness.docker.docker(['save', '--output', tar, ref]);
      expect(savedImageContains(tar, SECRET)).toBe(false);
      // the scan finds what is there: the hash the step wrote
      expect(savedImageContains(tar, sha)).toBe(true);
    }
  }, 90_000);
});

/** True when `needle` occurs in any file of a `docker save` tarball, layer tarballs unpacked too. */
function savedImageContains(tarball: string, needle: string): boolean {
  const dir = path.join(path.dirname(tarball), 'unpacked');
  fs.mkdirSync(dir, { recursive: true });
  runOk('tar', ['-xf', tarball, '-C', dir]);
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.isFile()) {
        files.push(full);
      }
    }
  };
  walk(dir);
  expect(files.some((f) => f.endsWith('layer.tar'))).toBe(true);
  // Layers are uncompressed tarballs in `docker save` output: a value in a file of a layer is in its bytes.
  return files.some((f) => fs.readFileSync(f).includes(Buffer.from(needle)));
}

describe('after every build', () => {
  test('no network interface was created (no bridge, no veth)', () => {
    expect(networkInterfaceNames()).toEqual(interfacesBefore);
  });
});
