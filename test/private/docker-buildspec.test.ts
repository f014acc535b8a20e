import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DockerBuildToEcr, DockerBuildToEcrProps } from '../../src';
import { dockerBuildSpec, joinPosix } from '../../src/private/docker-buildspec';
import { shellQuote } from '../../src/private/shell';
import { phaseCommands, runBuildSpec } from '../support/buildspec-runner';

/** A value that would run commands if anything evaluated it. */
const HOSTILE = 'a "quoted" value; with $(touch MARKER_DOLLAR) and `touch MARKER_TICK` and \'single\' & | > x';

function synth(props: Partial<DockerBuildToEcrProps> = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  new DockerBuildToEcr(stack, 'Image', { source: codebuild.Source.s3({ bucket, path: 'src.zip' }), ...props });
  const [project] = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
  const env: Record<string, unknown> = {};
  for (const v of project.Properties.Environment.EnvironmentVariables) {
    env[v.Name] = v.Value;
  }
  return { buildSpec: JSON.parse(project.Properties.Source.BuildSpec), env };
}

interface Call {
  readonly tool: string;
  readonly args: string[];
  readonly stdin?: string;
}

/**
 * Recording fakes of `aws` and `docker`: each call is written to its own file (arguments NUL-separated,
 * in call order). `aws ecr get-login-password` prints a token; `docker login` records its stdin.
 * FAKE_FAIL=<tool>:<subcommand> makes that call exit 1.
 */
class Fakes {
  public readonly dir: string;
  public readonly bin: string;
  public readonly calls: string;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakes-'));
    this.bin = path.join(this.dir, 'bin');
    this.calls = path.join(this.dir, 'calls');
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.calls);
    const record = [
      '#!/bin/bash',
      'tool="$(basename "$0")"',
      // Commands of one pipeline run at the same time: a lock makes each call take its own number.
      'exec 9>>"$FAKE_CALLS/.lock"',
      'flock 9',
      'n=$(find "$FAKE_CALLS" -name "*-*" ! -name "*.stdin" | wc -l)',
      'file="$FAKE_CALLS/$(printf "%04d" "$n")-$tool"',
      'printf "%s\\0" "$@" > "$file"',
      'flock -u 9',
      'if [ "$tool" = docker ] && [ "${1:-}" = login ]; then cat > "$file.stdin"; fi',
      'if [ "${FAKE_FAIL:-}" = "$tool:${1:-}" ]; then echo "fake $tool $1 failed" >&2; exit 1; fi',
      'if [ "$tool" = aws ] && [ "${2:-}" = get-login-password ]; then echo "FAKE-ECR-TOKEN"; fi',
      'exit 0',
    ].join('\n');
    for (const tool of ['aws', 'docker']) {
      fs.writeFileSync(path.join(this.bin, tool), record + '\n', { mode: 0o755 });
    }
  }

  public read(): Call[] {
    return fs
      .readdirSync(this.calls)
      .filter((f) => !f.endsWith('.stdin') && f !== '.lock')
      .sort()
      .map((f) => {
        const raw = fs.readFileSync(path.join(this.calls, f), 'utf-8');
        const args = raw.length === 0 ? [] : raw.slice(0, -1).split('\0');
        const stdinFile = path.join(this.calls, `${f}.stdin`);
        return {
          tool: f.replace(/^\d+-/, ''),
          args,
          stdin: fs.existsSync(stdinFile) ? fs.readFileSync(stdinFile, 'utf-8') : undefined,
        };
      });
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `aws ecr get-login-password | docker login …` starts both commands at the same time, so which of
 * them records first is up to the scheduler. The buildspec guarantees that the pipeline comes first
 * and that the rest runs after it: the pipeline's two calls are returned sorted by tool (aws, then
 * docker), the calls after it in the order they ran.
 */
function splitLoginPipeline(calls: Call[]): { pipeline: Call[]; after: Call[] } {
  const pipeline = calls.slice(0, 2).sort((a, b) => a.tool.localeCompare(b.tool));
  return { pipeline, after: calls.slice(2) };
}

/** Runs the synthesized buildspec with the fakes first on PATH. */
function runWithFakes(props: Partial<DockerBuildToEcrProps>, extraEnv: Record<string, string> = {}) {
  const fakes = new Fakes();
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'src-'));
  try {
    const { buildSpec, env } = synth(props);
    const literalEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
      if (typeof v === 'string') {
        literalEnv[k] = v;
      }
    }
    const result = runBuildSpec({
      buildSpec,
      cwd: src,
      pathPrepend: [fakes.bin],
      env: {
        ...literalEnv,
        // values CloudFormation fills in at deploy time
        IMAGE_REPO_NAME: 'team/app',
        ECR_REGISTRY: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
        CODEBUILD_BUILD_NUMBER: '42',
        FAKE_CALLS: fakes.calls,
        ...extraEnv,
      },
    });
    const markers = ['MARKER_DOLLAR', 'MARKER_TICK'].filter((m) => fs.existsSync(path.join(src, m)));
    return { result, calls: fakes.read(), markers };
  } finally {
    fakes.dispose();
    fs.rmSync(src, { recursive: true, force: true });
  }
}

const REPO = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app';

describe('generated buildspec, run with recording fakes of aws and docker', () => {
  test('logs in, then builds, tags and pushes every tag (S3 source: build-number tag)', () => {
    // GIVEN a default DockerBuildToEcr and no commit id (an S3 source)
    // WHEN its phases run
    const { result, calls } = runWithFakes({});
    // THEN every phase succeeds and the calls come in order
    expect(result.phases).toEqual([
      { phase: 'pre_build', exitCode: 0 },
      { phase: 'build', exitCode: 0 },
      { phase: 'post_build', exitCode: 0 },
    ]);
    const { pipeline, after } = splitLoginPipeline(calls);
    expect(pipeline.map((c) => [c.tool, ...c.args])).toEqual([
      ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'],
      ['docker', 'login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com'],
    ]);
    expect(after.map((c) => [c.tool, ...c.args])).toEqual([
      ['docker', 'build', '--file', 'Dockerfile', '--tag', `${REPO}:build-42`, '.'],
      ['docker', 'tag', `${REPO}:build-42`, `${REPO}:latest`],
      ['docker', 'push', `${REPO}:build-42`],
      ['docker', 'push', `${REPO}:latest`],
    ]);
    expect(pipeline[1].stdin).toBe('FAKE-ECR-TOKEN\n');
    expect(result.stdout).toContain(`Pushed image: ${REPO}:build-42\n`);
    expect(result.stdout).toContain(`Pushed image: ${REPO}:latest\n`);
  });

  test('tags with the short commit when the source has one', () => {
    const { calls } = runWithFakes(
      {},
      { CODEBUILD_RESOLVED_SOURCE_VERSION: '0123456789abcdef0123456789abcdef01234567' },
    );
    expect(calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([
      `${REPO}:0123456`,
      `${REPO}:latest`,
    ]);
  });

  test('a source version that is not a commit (S3 object version) falls back to the build number', () => {
    const { calls } = runWithFakes({}, { CODEBUILD_RESOLVED_SOURCE_VERSION: 'yB3tTcv8p.Ae_GwnQ9vkE1pM0e3Bx3V' });
    expect(calls.find((c) => c.args[0] === 'build')!.args).toContain(`${REPO}:build-42`);
  });

  test('a fixed imageTag, and IMAGE_TAG overridden at start-build', () => {
    const fixed = runWithFakes({ imageTag: 'v1.2.3', additionalTags: ['stable', 'prod'] });
    expect(fixed.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([
      `${REPO}:v1.2.3`,
      `${REPO}:stable`,
      `${REPO}:prod`,
    ]);
    const overridden = runWithFakes({}, { IMAGE_TAG: 'hotfix-7' });
    expect(overridden.calls.find((c) => c.args[0] === 'build')!.args).toContain(`${REPO}:hotfix-7`);
  });

  test('every tag is built or tagged before it is pushed, and login comes before any push', () => {
    const { calls } = runWithFakes({ imageTag: 'v9', additionalTags: ['a', 'b', 'c'] });
    const login = calls.findIndex((c) => c.args[0] === 'login');
    const pushes = calls.map((c, i) => [c, i] as const).filter(([c]) => c.args[0] === 'push');
    expect(pushes).toHaveLength(4);
    for (const [push, index] of pushes) {
      expect(login).toBeLessThan(index);
      const made = calls.findIndex(
        (c) =>
          (c.args[0] === 'build' && c.args.includes(push.args[1])) ||
          (c.args[0] === 'tag' && c.args[2] === push.args[1]),
      );
      expect(made).toBeGreaterThan(login);
      expect(made).toBeLessThan(index);
    }
  });

  test('build args, target, dockerfile and context reach docker verbatim; nothing executes', () => {
    // GIVEN values full of shell syntax
    const { result, calls, markers } = runWithFakes({
      buildContext: 'app dir',
      dockerfile: "it's/Dockerfile",
      target: 'runtime',
      buildArgs: { GREETING: HOSTILE, EMPTY: '', SPACES: '  two  spaces  ' },
    });
    // THEN docker receives each as one argument, unchanged, and no marker file was created
    expect(result.succeeded).toBe(true);
    expect(markers).toEqual([]);
    expect(calls.find((c) => c.args[0] === 'build')!.args).toEqual([
      'build',
      '--file',
      "app dir/it's/Dockerfile",
      '--target',
      'runtime',
      '--build-arg',
      `GREETING=${HOSTILE}`,
      '--build-arg',
      'EMPTY=',
      '--build-arg',
      'SPACES=  two  spaces  ',
      '--tag',
      `${REPO}:build-42`,
      'app dir',
    ]);
  });

  test('token values reach docker verbatim through the environment', () => {
    // GIVEN a build arg whose value is only known at deploy time
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const param = new CfnParameter(stack, 'Greeting').valueAsString;
    const spec = dockerBuildSpec({
      dockerfile: 'Dockerfile',
      buildContext: '.',
      buildArgs: { G: param },
      additionalTags: [],
    });
    expect(Object.keys(spec.environmentVariables)).toEqual(['DOCKER_BUILD_ARG_G']);
    const fakes = new Fakes();
    try {
      // WHEN CloudFormation has filled the variable with a hostile value
      const result = runBuildSpec({
        buildSpec: spec.buildSpec,
        cwd: fakes.dir,
        pathPrepend: [fakes.bin],
        env: {
          AWS_DEFAULT_REGION: 'eu-west-1',
          ECR_REGISTRY: 'r.example',
          IMAGE_REPO_NAME: 'x',
          FAKE_CALLS: fakes.calls,
          DOCKER_BUILD_ARG_G: HOSTILE,
        },
      });
      // THEN it arrives unchanged
      expect(result.succeeded).toBe(true);
      expect(fakes.read().find((c) => c.args[0] === 'build')!.args).toContain(`G=${HOSTILE}`);
      expect(fs.existsSync(path.join(fakes.dir, 'MARKER_DOLLAR'))).toBe(false);
    } finally {
      fakes.dispose();
    }
  });

  test('a Dockerfile path or context that is a token reaches docker through the environment', () => {
    const stack = new Stack(new App(), 'Stack');
    const file = new CfnParameter(stack, 'File').valueAsString;
    const context = new CfnParameter(stack, 'Context').valueAsString;
    const spec = dockerBuildSpec({ dockerfile: file, buildContext: context, buildArgs: {}, additionalTags: [] });
    expect(stack.resolve(spec.environmentVariables)).toEqual({
      DOCKERFILE_PATH: { 'Fn::Join': ['', [{ Ref: 'Context' }, '/', { Ref: 'File' }]] },
      DOCKER_BUILD_CONTEXT: { Ref: 'Context' },
    });
    const inRoot = dockerBuildSpec({ dockerfile: file, buildContext: '.', buildArgs: {}, additionalTags: [] });
    expect(stack.resolve(inRoot.environmentVariables)).toEqual({ DOCKERFILE_PATH: { Ref: 'File' } });
  });

  test('a failed docker build fails the build phase and pushes nothing', () => {
    const { result, calls } = runWithFakes({}, { FAKE_FAIL: 'docker:build' });
    expect(result.succeeded).toBe(false);
    expect(result.phases).toEqual([
      { phase: 'pre_build', exitCode: 0 },
      { phase: 'build', exitCode: 1 },
      { phase: 'post_build', exitCode: 0 },
    ]);
    expect(calls.filter((c) => c.args[0] === 'push' || c.args[0] === 'tag')).toEqual([]);
    expect(result.stdout).toContain('Build failed: no image was pushed by this phase');
    expect(result.stdout).not.toContain('Pushed image:');
  });

  test('a failed login ends the build before any build or push', () => {
    const { result, calls } = runWithFakes({}, { FAKE_FAIL: 'docker:login' });
    expect(result.succeeded).toBe(false);
    expect(result.phases).toEqual([{ phase: 'pre_build', exitCode: 1 }]);
    // the login pipeline ran (both of its commands) and failed; nothing ran after it
    const { pipeline, after } = splitLoginPipeline(calls);
    expect(pipeline.map((c) => [c.tool, c.args[0]])).toEqual([
      ['aws', 'ecr'],
      ['docker', 'login'],
    ]);
    expect(after).toEqual([]);
  });

  test('a failed push fails the build phase', () => {
    const { result, calls } = runWithFakes({}, { FAKE_FAIL: 'docker:push' });
    expect(result.phases.find((p) => p.phase === 'build')).toEqual({ phase: 'build', exitCode: 1 });
    // the first push failed, so the second never ran
    expect(calls.filter((c) => c.args[0] === 'push')).toHaveLength(1);
  });
});

describe('generated buildspec passes shellcheck', () => {
  /** The variables CodeBuild and the project define, declared for shellcheck. */
  const DECLARED = [
    'AWS_DEFAULT_REGION',
    'AWS_ACCOUNT_ID',
    'IMAGE_REPO_NAME',
    'IMAGE_TAG',
    'ECR_REGISTRY',
    'CODEBUILD_RESOLVED_SOURCE_VERSION',
    'CODEBUILD_BUILD_NUMBER',
    'CODEBUILD_BUILD_SUCCEEDING',
  ];

  function shellcheck(script: string): { status: number; output: string } {
    const proc = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
      input: script,
      encoding: 'utf-8',
    });
    if (proc.error) {
      throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${proc.error.message}`);
    }
    return { status: proc.status ?? 1, output: proc.stdout + proc.stderr };
  }

  const stack = new Stack(new App(), 'Tokens');
  const tokenArg = new CfnParameter(stack, 'P').valueAsString;
  const configurations: Array<[string, Partial<DockerBuildToEcrProps>]> = [
    ['defaults', {}],
    [
      'every option',
      {
        buildContext: 'app dir',
        dockerfile: "it's/Dockerfile",
        target: 'runtime',
        buildArgs: { GREETING: HOSTILE, EMPTY: '' },
        imageTag: 'v1',
        additionalTags: ['stable', 'prod'],
      },
    ],
    ['no additional tags', { additionalTags: [] }],
  ];

  test.each(configurations)('%s: every command is shellcheck-clean', (_name, props) => {
    const { buildSpec } = synth(props);
    for (const { phase, command } of phaseCommands(buildSpec)) {
      const script = ['#!/bin/bash', ...DECLARED.map((v) => `${v}="\${${v}:-x}"; export ${v}`), command, ''].join('\n');
      const result = shellcheck(script);
      expect({ phase, command, output: result.output }).toEqual({ phase, command, output: '' });
      expect(result.status).toBe(0);
    }
  });

  test('commands with token values are shellcheck-clean', () => {
    const spec = dockerBuildSpec({
      dockerfile: 'Dockerfile',
      buildContext: '.',
      buildArgs: { G: tokenArg },
      additionalTags: [tokenArg],
    });
    const vars = [...DECLARED, ...Object.keys(spec.environmentVariables)];
    for (const { command } of phaseCommands(spec.buildSpec)) {
      const script = ['#!/bin/bash', ...vars.map((v) => `${v}="\${${v}:-x}"; export ${v}`), command, ''].join('\n');
      expect(shellcheck(script).output).toBe('');
    }
  });

  test('shellcheck does flag an unquoted variable (the check can fail)', () => {
    expect(shellcheck('#!/bin/bash\nX="a b"\necho $X\n').status).not.toBe(0);
  });
});

describe('shell helpers', () => {
  test.each(['', 'plain', "it's", '$(id) `id` "q" \\ ; & | \n newline'])(
    'shellQuote(%j) round-trips through bash',
    (v) => {
      const out = execFileSync('bash', ['-c', `printf '%s' ${shellQuote(v)}`], { encoding: 'utf-8' });
      expect(out).toBe(v);
    },
  );

  test.each([
    ['.', 'Dockerfile', 'Dockerfile'],
    ['./app', './Dockerfile', 'app/Dockerfile'],
    ['app/', 'docker/Dockerfile', 'app/docker/Dockerfile'],
    ['.', '.', '.'],
  ])('joinPosix(%j, %j) = %j', (a, b, expected) => {
    expect(joinPosix(a, b)).toBe(expected);
  });
});
