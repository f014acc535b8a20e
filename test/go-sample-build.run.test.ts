import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GoSampleBuild } from '../src';
import { runBuildSpec, RunBuildSpecResult } from './support/buildspec-runner';
import { unzipTo, zipDirectory, zipEntries } from './support/zip';

/**
 * Runs the buildspec that GoSampleBuild synthesizes, for real, on examples/go-hello: with Debian's
 * Go in place of the CodeBuild image (the `runtime-versions` block is CodeBuild's to honour and is
 * skipped by the runner), no network (GOPROXY=off, GOTOOLCHAIN=local).
 */

const EXAMPLE = path.join(__dirname, '..', 'examples', 'go-hello');

/** What examples/go-hello prints. */
const EXPECTED_OUTPUT = [
  'Hello from GoSampleBuild',
  '2+3+4 = 9',
  '9.0/4.0 = 2.25',
  '10/3 = 3 remainder 1',
  'true && false = false',
  'true || false = true',
  '!false = true',
  '',
].join('\n');

interface Synthesized {
  readonly buildSpec: any;
  readonly projectEnv: Record<string, string>;
}

/** Synthesizes a default GoSampleBuild and takes the buildspec out of the template. */
function synthesize(): Synthesized {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = s3.Bucket.fromBucketName(stack, 'Input', 'input-bucket');
  new GoSampleBuild(stack, 'Go', { source: codebuild.Source.s3({ bucket, path: 'GoSample.zip' }) });
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const [project] = Object.values(projects) as any[];
  const projectEnv: Record<string, string> = {};
  for (const v of project.Properties.Environment.EnvironmentVariables ?? []) {
    projectEnv[v.Name] = v.Value;
  }
  return { buildSpec: JSON.parse(project.Properties.Source.BuildSpec), projectEnv };
}

/** Unzips a source zip into a fresh directory, as CodeBuild does with an S3 source. */
function unpackSource(work: string, zipFile: string): string {
  const src = fs.mkdtempSync(path.join(work, 'src-'));
  unzipTo(zipFile, src);
  return src;
}

/** Runs the buildspec phases in `src` with CodeBuild's usual environment and Debian's Go. */
function runBuild(work: string, synthesized: Synthesized, src: string): RunBuildSpecResult {
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  return runBuildSpec({
    buildSpec: synthesized.buildSpec,
    cwd: src,
    timeoutMs: 240_000,
    env: {
      ...synthesized.projectEnv,
      CODEBUILD_BUILD_ID: 'StackGo:0b4d1a3e-0000-4000-8000-000000000001',
      CODEBUILD_BUILD_ARN:
        'arn:aws:codebuild:eu-west-1:111111111111:build/StackGo:0b4d1a3e-0000-4000-8000-000000000001',
      CODEBUILD_BUILD_NUMBER: '7',
      CODEBUILD_INITIATOR: 'test',
      CODEBUILD_SOURCE_VERSION: 'input-bucket/GoSample.zip',
      CODEBUILD_RESOLVED_SOURCE_VERSION: '',
      CODEBUILD_BUILD_IMAGE: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      HOME: home,
      GOPATH: path.join(work, 'gopath'),
      GOCACHE: path.join(work, 'gocache'),
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOFLAGS: '',
    },
  });
}

/** The files of buildspec `artifacts`, relative to base-directory (discard-paths: no). */
function artifactFiles(buildSpec: any, src: string): { baseDir: string; files: string[] } {
  const artifacts = buildSpec.artifacts;
  expect(artifacts['discard-paths'] ?? 'no').toBe('no');
  const baseDir = path.join(src, artifacts['base-directory'] ?? '.');
  const files: string[] = artifacts.files;
  for (const f of files) {
    // the runner's collector handles plain names only; GoSampleBuild never emits globs
    expect(f).not.toMatch(/[*?[\]{}]/);
  }
  return { baseDir, files };
}

describe('GoSampleBuild buildspec, run for real on examples/go-hello', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-sample-run-'));
  const synthesized = synthesize();
  const sourceZip = path.join(work, 'GoSample.zip');

  beforeAll(() => {
    // Go is required: the test fails, not skips, without it
    try {
      execFileSync('go', ['version'], { stdio: 'pipe' });
    } catch (e: any) {
      throw new Error(`go is not on PATH (apt-get install -y golang-go): ${e.message}`);
    }
    // the S3 source: the files of the module at the zip's root, no top folder
    zipDirectory(EXAMPLE, sourceZip);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the source zip has the module files at its root', () => {
    expect(zipEntries(sourceZip).sort()).toEqual(['calc.go', 'go.mod', 'main.go', 'main_test.go']);
  });

  test("the curated image's runtime-versions is in the buildspec (CodeBuild honours it; the runner skips it)", () => {
    expect(synthesized.buildSpec.phases.install['runtime-versions']).toEqual({ golang: '1.26' });
  });

  test('builds, tests and produces a binary whose artifact runs and prints the expected output', () => {
    // GIVEN the unzipped source
    const src = unpackSource(work, sourceZip);
    // WHEN the buildspec runs
    const result = runBuild(work, synthesized, src);
    // THEN every phase succeeded
    if (!result.succeeded) {
      throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
    }
    expect(result.phases.map((p) => [p.phase, p.exitCode])).toEqual([
      ['install', 0],
      ['pre_build', 0],
      ['build', 0],
      ['post_build', 0],
    ]);
    expect(result.stdout).toMatch(/^go version go1\.\d+/m);
    expect(result.stdout).toMatch(/^ok\s+example\.com\/go-hello/m);

    // WHEN the artifacts are collected and zipped (packaging ZIP), then unzipped elsewhere
    const { baseDir, files } = artifactFiles(synthesized.buildSpec, src);
    const artifactZip = path.join(work, 'GoOutputArtifact.zip');
    zipDirectory(baseDir, artifactZip, files);
    expect(zipEntries(artifactZip)).toEqual(['hello']);
    const out = fs.mkdtempSync(path.join(work, 'artifact-'));
    unzipTo(artifactZip, out);

    // THEN the binary is executable and prints exactly what the program prints
    const binary = path.join(out, 'hello');
    expect(() => fs.accessSync(binary, fs.constants.X_OK)).not.toThrow();
    const output = execFileSync(binary, { encoding: 'utf-8', env: {} });
    expect(output).toBe(EXPECTED_OUTPUT);
  });

  test('a failing go test fails the build phase and no binary is produced', () => {
    // GIVEN the source with a broken test
    const src = unpackSource(work, sourceZip);
    const testFile = path.join(src, 'main_test.go');
    const broken = fs.readFileSync(testFile, 'utf-8').replace('got != 9', 'got != 10');
    expect(broken).not.toBe(fs.readFileSync(testFile, 'utf-8'));
    fs.writeFileSync(testFile, broken);
    // WHEN the buildspec runs
    const result = runBuild(work, synthesized, src);
    // THEN the build phase failed, post_build reported it, and there is no binary
    expect(result.succeeded).toBe(false);
    expect(result.phases.find((p) => p.phase === 'build')?.exitCode).not.toBe(0);
    expect(result.phases.find((p) => p.phase === 'post_build')?.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/--- FAIL: TestSum/);
    expect(result.stdout).toMatch(/Build failed: no binary was built/);
    const { baseDir, files } = artifactFiles(synthesized.buildSpec, src);
    for (const f of files) {
      expect(fs.existsSync(path.join(baseDir, f))).toBe(false);
    }
  });
});

/** The layout of the AWS sample: one .go file at the zip root, no go.mod (examples/go-seed-layout). */
const SEED_LAYOUT = path.join(__dirname, '..', 'examples', 'go-seed-layout');

describe('GoSampleBuild buildspec, run for real on a module-less source (one .go file, no go.mod)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-seed-layout-run-'));
  const synthesized = synthesize();
  const sourceZip = path.join(work, 'GoSample.zip');

  beforeAll(() => {
    try {
      execFileSync('go', ['version'], { stdio: 'pipe' });
    } catch (e: any) {
      throw new Error(`go is not on PATH (apt-get install -y golang-go): ${e.message}`);
    }
    zipDirectory(SEED_LAYOUT, sourceZip);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the source zip holds one .go file and no go.mod', () => {
    expect(zipEntries(sourceZip)).toEqual(['greet.go']);
  });

  test('builds with the defaults, and the zipped binary prints exactly what the program prints', () => {
    const src = unpackSource(work, sourceZip);
    const result = runBuild(work, synthesized, src);
    if (!result.succeeded) {
      throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
    }
    expect(result.stdout).toMatch(/No go.mod at the source root: building it as module gosamplebuild.local\/source/);
    const { baseDir, files } = artifactFiles(synthesized.buildSpec, src);
    const artifactZip = path.join(work, 'GoOutputArtifact.zip');
    zipDirectory(baseDir, artifactZip, files);
    expect(zipEntries(artifactZip)).toEqual(['hello']);
    const out = fs.mkdtempSync(path.join(work, 'artifact-'));
    unzipTo(artifactZip, out);
    const output = execFileSync(path.join(out, 'hello'), { encoding: 'utf-8', env: {} });
    expect(output).toBe('NO GO.MOD NEEDED!\n5 words\n');
  });
});
