import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DockerBuildToEcr, DockerBuildToEcrProps, DockerCache, ImageCompression, ImagePlatform } from '../../../src';
import { dockerBuildSpec, joinPosix } from '../../../src/private/docker/buildspec';
import { shellQuote } from '../../../src/private/shared/shell';
import { phaseCommands, runBuildSpec } from '../../support/buildspec-runner';

/** A value that would run commands if anything evaluated it. */
const HOSTILE = 'a "quoted" value; with $(touch MARKER_DOLLAR) and `touch MARKER_TICK` and \'single\' & | > x';

type PropsOf = Partial<DockerBuildToEcrProps> | ((stack: Stack) => Partial<DockerBuildToEcrProps>);

function synth(propsOf: PropsOf = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  const props = typeof propsOf === 'function' ? propsOf(stack) : propsOf;
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
 * FAKE_FAIL=<tool>:<subcommand> makes that call exit 1. Like Docker 28 with buildx when
 * FAKE_BUILDX=1 (`docker buildx version` succeeds), like Docker 20.10 otherwise. `docker push` and
 * `docker manifest push` print a digest derived from the reference (as the registry would report);
 * `docker manifest inspect` finds nothing unless FAKE_EXISTING=1 (then the tag holds another image).
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
      // `aws ... | docker login`: both start at once; docker records its call only after reading
      // stdin to the end (after aws recorded its own and printed the token), as the real docker login
      // reads the password before it does anything, so their order follows the data, not the scheduler.
      'if [ "$tool" = docker ] && [ "${1:-}" = login ]; then stdin="$(cat; echo x)"; stdin="${stdin%x}"; fi',
      // A lock gives each call its own number, whatever else runs at the same time.
      'exec 9>>"$FAKE_CALLS/.lock"',
      'flock 9',
      'n=$(find "$FAKE_CALLS" -name "*-*" ! -name "*.stdin" | wc -l)',
      'file="$FAKE_CALLS/$(printf "%04d" "$n")-$tool"',
      'printf "%s\\0" "$@" > "$file"',
      'flock -u 9',
      'if [ "$tool" = docker ] && [ "${1:-}" = login ]; then printf "%s" "$stdin" > "$file.stdin"; fi',
      'if [ "${FAKE_FAIL:-}" = "$tool:${1:-}" ]; then echo "fake $tool $1 failed" >&2; exit 1; fi',
      'digest() { printf "sha256:%s" "$(printf "%s" "$1" | sha256sum | cut -c1-64)"; }',
      'if [ "$tool" = aws ] && [ "${2:-}" = get-login-password ]; then echo "FAKE-ECR-TOKEN"; fi',
      'if [ "$tool" = aws ] && [ "${2:-}" = describe-images ]; then digest existing-list; echo; fi',
      'if [ "$tool" = docker ]; then',
      '  case "${1:-} ${2:-}" in',
      '    "buildx version") [ "${FAKE_BUILDX:-}" = 1 ] || { echo "docker: \'buildx\' is not a docker command." >&2; exit 1; } ;;',
      '    "buildx inspect") exit 1 ;;',
      '    "manifest inspect") [ "${FAKE_EXISTING:-}" = 1 ] || exit 1; printf \'{\\n  "Descriptor": {\\n    "digest": "%s"\\n  }\\n}\\n\' "$(digest existing)" ;;',
      '    "manifest push") digest "${@: -1}"; echo ;;',
      '    "image inspect") digest local-image; echo ;;',
      // buildx with an image output and a metadata file (zstd push): the digest of the pushed name.
      '    "buildx build") meta=""; out=""; prev=""; for a in "$@"; do [ "$prev" = --metadata-file ] && meta="$a"; [ "$prev" = --output ] && out="$a"; prev="$a"; done; if [ -n "$meta" ]; then name="${out#*name=}"; name="${name%%,*}"; printf \'{"containerimage.digest": "%s"}\' "$(digest "$name")" > "$meta"; fi ;;',
      // imagetools: inspect --format prints the digest of the reference; a plain inspect finds it only with FAKE_EXISTING=1.
      '    "buildx imagetools") if [ "${3:-}" = inspect ]; then if [ "${5:-}" = --format ]; then digest "$4"; echo; else [ "${FAKE_EXISTING:-}" = 1 ] || exit 1; fi; fi ;;',
      '    "push "*) if [ "${FAKE_PUSH_IMMUTABLE:-}" = 1 ]; then echo "tag invalid: The image tag \'${2##*:}\' already exists in the \'team/app\' repository and cannot be overwritten because the repository is immutable." >&2; exit 1; fi; printf "%s: digest: %s size: 525\\n" "${2##*:}" "$(digest "$2")" ;;',
      '  esac',
      'fi',
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
 * `aws ecr get-login-password | docker login …` starts both commands at the same time. What the
 * buildspec guarantees is that this pipeline comes first and that nothing runs after it fails: the
 * pipeline's two calls are returned sorted by tool (aws, then docker), the calls after it in the
 * order they ran.
 */
function splitLoginPipeline(calls: Call[]): { pipeline: Call[]; after: Call[] } {
  const pipeline = calls.slice(0, 2).sort((a, b) => a.tool.localeCompare(b.tool));
  return { pipeline, after: calls.slice(2) };
}

/** Runs the synthesized buildspec with the fakes first on PATH. */
function runWithFakes(props: PropsOf, extraEnv: Record<string, string> = {}) {
  const fakes = new Fakes();
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'src-'));
  // (the final stage needs runtime, which needs deps; nothing needs test)
  fs.writeFileSync(
    path.join(src, 'Dockerfile'),
    'FROM base AS deps\nRUN make\nFROM deps AS runtime\nFROM base AS test\nRUN exit 1\nFROM scratch\nCOPY --from=runtime /app /app\n',
  );
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
        ...(env.CACHE_REPOSITORY_URI !== undefined ? { CACHE_REPOSITORY_URI: CACHE } : {}),
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
/** The cache repository (a generated name, as CloudFormation gives it). */
const CACHE = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/stack-imagecacherepository-abc123';

const DIGEST = (ref: string): string => `sha256:${crypto.createHash('sha256').update(ref).digest('hex')}`;

/** The calls as [tool, ...args], without the read-only probes (buildx version/inspect, manifest and image inspect). */
function actions(calls: Call[]): string[][] {
  const probes = ['buildx version', 'buildx inspect', 'manifest inspect', 'image inspect'];
  return calls.filter((c) => !probes.includes(`${c.args[0]} ${c.args[1]}`)).map((c) => [c.tool, ...c.args]);
}

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret';

const LOGIN_CALLS = [
  ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'],
  ['docker', 'login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com'],
];

describe('generated buildspec, run with recording fakes of aws and docker', () => {
  test('default (registry cache), Docker 20.10 without buildx: inline cache per stage, then push with the reported digest', () => {
    // GIVEN a default DockerBuildToEcr and no commit id (an S3 source)
    // WHEN its phases run where `docker buildx` does not exist
    const { result, calls } = runWithFakes({});
    // THEN every phase succeeds and the calls come in order
    expect(result.phases).toEqual([
      { phase: 'pre_build', exitCode: 0 },
      { phase: 'build', exitCode: 0 },
      { phase: 'post_build', exitCode: 0 },
    ]);
    const cacheFrom = [
      '--cache-from',
      `${CACHE}:buildcache`,
      '--cache-from',
      `${CACHE}:buildcache-deps`,
      '--cache-from',
      `${CACHE}:buildcache-runtime`,
    ];
    expect(actions(calls)).toEqual([
      ...LOGIN_CALLS,
      [
        'docker',
        'build',
        '--target',
        'deps',
        '--build-arg',
        'BUILDKIT_INLINE_CACHE=1',
        ...cacheFrom,
        '--tag',
        `${CACHE}:buildcache-deps`,
        '--file',
        'Dockerfile',
        '.',
      ],
      [
        'docker',
        'build',
        '--target',
        'runtime',
        '--build-arg',
        'BUILDKIT_INLINE_CACHE=1',
        ...cacheFrom,
        '--tag',
        `${CACHE}:buildcache-runtime`,
        '--file',
        'Dockerfile',
        '.',
      ],
      [
        'docker',
        'build',
        '--build-arg',
        'BUILDKIT_INLINE_CACHE=1',
        ...cacheFrom,
        '--tag',
        `${REPO}:build-42`,
        '--file',
        'Dockerfile',
        '.',
      ],
      ['docker', 'tag', `${REPO}:build-42`, `${CACHE}:buildcache`],
      ['docker', 'push', `${CACHE}:buildcache-deps`],
      ['docker', 'push', `${CACHE}:buildcache-runtime`],
      ['docker', 'push', `${CACHE}:buildcache`],
      ['docker', 'push', `${REPO}:build-42`],
      ['docker', 'tag', `${REPO}:build-42`, `${REPO}:latest`],
      ['docker', 'push', `${REPO}:latest`],
    ]);
    expect(calls.find((c) => c.args[0] === 'login')!.stdin).toBe('FAKE-ECR-TOKEN\n');
    expect(result.stdout).toContain(`Pushed image: ${REPO}:build-42\n`);
    expect(result.stdout).toContain(`Pushed image: ${REPO}:latest\n`);
    expect(result.exportedVariables).toEqual({
      IMAGE_URI: `${REPO}:build-42`,
      IMAGE_TAG: 'build-42',
      IMAGE_DIGEST: DIGEST(`${REPO}:build-42`),
    });
  });

  test('registry cache with buildx (Docker 28, recording fakes only): mode=max registry cache ECR accepts, no provenance', () => {
    const { result, calls } = runWithFakes({}, { FAKE_BUILDX: '1' });
    expect(result.succeeded).toBe(true);
    expect(actions(calls)).toEqual([
      ...LOGIN_CALLS,
      ['docker', 'buildx', 'create', '--name', 'cdk-ecr-codebuild', '--driver', 'docker-container', '--bootstrap'],
      [
        'docker',
        'buildx',
        'build',
        '--builder',
        'cdk-ecr-codebuild',
        '--load',
        '--provenance=false',
        '--cache-from',
        `type=registry,ref=${CACHE}:buildcache`,
        '--cache-to',
        `type=registry,ref=${CACHE}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true`,
        '--tag',
        `${REPO}:build-42`,
        '--file',
        'Dockerfile',
        '.',
      ],
      ['docker', 'push', `${REPO}:build-42`],
      ['docker', 'tag', `${REPO}:build-42`, `${REPO}:latest`],
      ['docker', 'push', `${REPO}:latest`],
    ]);
    // the builder is created once per host: an existing one is reused
    expect(calls.findIndex((c) => c.args[0] === 'buildx' && c.args[1] === 'inspect')).toBeGreaterThan(-1);
  });

  test('a pull request build reads the cache but writes none, and moves no fixed tag (with and without buildx)', () => {
    for (const buildx of ['1', '0']) {
      const { result, calls } = runWithFakes(
        { source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }) },
        { FAKE_BUILDX: buildx, CODEBUILD_WEBHOOK_TRIGGER: 'pr/12', CODEBUILD_RESOLVED_SOURCE_VERSION: 'ab'.repeat(20) },
      );
      expect(result.succeeded).toBe(true);
      const flat = actions(calls).map((c) => c.join(' '));
      expect(flat.filter((c) => c.includes('--cache-to') || c.includes('push') || c.startsWith('docker tag'))).toEqual([
        `docker push ${REPO}:ababab${'a'}`,
      ]);
      expect(flat.some((c) => c.includes('--cache-from'))).toBe(true);
    }
  });

  // zstd: Docker docs, "Image and registry exporters" (compression=zstd, force-compression,
  // oci-mediatypes) and "Build metadata" (--metadata-file: containerimage.digest). Recording fakes only:
  // no buildx here (REAL-BUILDS: Debian ships none).
  test('zstd on the registry cache (buildx): loaded for the checks, then every tag pushed by buildx with zstd layers', () => {
    const { result, calls } = runWithFakes({ compression: ImageCompression.ZSTD }, { FAKE_BUILDX: '1' });
    expect(result.succeeded).toBe(true);
    const zstdOutput = (tag: string) =>
      `type=image,name=${REPO}:${tag},push=true,compression=zstd,force-compression=true,oci-mediatypes=true`;
    const flat = actions(calls).slice(2);
    expect(flat[1]).toEqual(expect.arrayContaining(['buildx', 'build', '--load', '--cache-from']));
    expect(flat.slice(2)).toEqual([
      [
        'docker',
        'buildx',
        'build',
        '--builder',
        'cdk-ecr-codebuild',
        '--provenance=false',
        '--metadata-file',
        expect.any(String),
        '--output',
        zstdOutput('build-42'),
        '--file',
        'Dockerfile',
        '.',
      ],
      ['docker', 'tag', `${REPO}:build-42`, `${REPO}:latest`],
      [
        'docker',
        'buildx',
        'build',
        '--builder',
        'cdk-ecr-codebuild',
        '--provenance=false',
        '--metadata-file',
        expect.any(String),
        '--output',
        zstdOutput('latest'),
        '--file',
        'Dockerfile',
        '.',
      ],
    ]);
    // no docker push: the engine would push gzip layers
    expect(calls.filter((c) => c.args[0] === 'push')).toEqual([]);
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST(`${REPO}:build-42`));
    expect(result.stdout).toContain(`Pushed ${REPO}:build-42 with zstd layers`);
  });

  test('zstd with a target: the push run builds the same target', () => {
    const { calls } = runWithFakes({ compression: ImageCompression.ZSTD, target: 'runtime' }, { FAKE_BUILDX: '1' });
    const pushes = calls.filter((c) => c.args.includes('--metadata-file'));
    expect(pushes).toHaveLength(2);
    for (const p of pushes) {
      expect(p.args[p.args.indexOf('--target') + 1]).toBe('runtime');
    }
  });

  test('zstd without a cache: a buildx build of its own (no cache flags)', () => {
    const { result, calls } = runWithFakes(
      { compression: ImageCompression.ZSTD, cache: DockerCache.none() },
      { FAKE_BUILDX: '1' },
    );
    expect(result.succeeded).toBe(true);
    const builds = actions(calls).filter((c) => c[1] === 'buildx' && c[2] === 'build');
    expect(builds[0]).toEqual([
      'docker',
      'buildx',
      'build',
      '--builder',
      'cdk-ecr-codebuild',
      '--load',
      '--provenance=false',
      '--tag',
      `${REPO}:build-42`,
      '--file',
      'Dockerfile',
      '.',
    ]);
    expect(builds.slice(1).every((b) => b.includes('--metadata-file'))).toBe(true);
  });

  test('zstd on an image without buildx: the build fails with the reason, and nothing is built or pushed', () => {
    for (const cache of [DockerCache.registry(), DockerCache.none()]) {
      const { result, calls } = runWithFakes({ compression: ImageCompression.ZSTD, cache }, { FAKE_BUILDX: '0' });
      expect(result.succeeded).toBe(false);
      expect(result.stderr).toContain('compression ZSTD needs docker buildx, which this build image lacks');
      expect(calls.filter((c) => ['build', 'push', 'tag'].includes(c.args[0]) || c.args[1] === 'build')).toEqual([]);
    }
  });

  test('Docker server: one plain build on the server (no builder, no cache flags), pushed with docker push', () => {
    const { result, calls } = runWithFakes({ cache: DockerCache.dockerServer() }, { FAKE_BUILDX: '1' });
    expect(result.succeeded).toBe(true);
    expect(actions(calls).slice(2)).toEqual([
      ['docker', 'build', '--tag', `${REPO}:build-42`, '--file', 'Dockerfile', '.'],
      ['docker', 'push', `${REPO}:build-42`],
      ['docker', 'tag', `${REPO}:build-42`, `${REPO}:latest`],
      ['docker', 'push', `${REPO}:latest`],
    ]);
    expect(result.stdout).toContain("Docker layer cache: CodeBuild's Docker server");
  });

  test('none and local caches: one plain BuildKit build without cache flags', () => {
    for (const cache of [DockerCache.none(), DockerCache.local()]) {
      const { calls } = runWithFakes({ cache });
      const builds = actions(calls).filter((c) => c[1] === 'build' || c[1] === 'buildx');
      expect(builds).toEqual([['docker', 'build', '--tag', `${REPO}:build-42`, '--file', 'Dockerfile', '.']]);
    }
  });

  test('tags with the short commit when the source has one', () => {
    const { calls } = runWithFakes(
      {},
      { CODEBUILD_RESOLVED_SOURCE_VERSION: '0123456789abcdef0123456789abcdef01234567' },
    );
    expect(
      calls.filter((c) => c.args[0] === 'push' && !c.args[1].includes('buildcache')).map((c) => c.args[1]),
    ).toEqual([`${REPO}:0123456`, `${REPO}:latest`]);
  });

  test('a source version that is not a commit (S3 object version) falls back to the build number', () => {
    const { calls } = runWithFakes({}, { CODEBUILD_RESOLVED_SOURCE_VERSION: 'yB3tTcv8p.Ae_GwnQ9vkE1pM0e3Bx3V' });
    expect(calls.filter((c) => c.args[0] === 'build').pop()!.args).toContain(`${REPO}:build-42`);
  });

  test('a fixed imageTag, and IMAGE_TAG overridden at start-build', () => {
    const fixed = runWithFakes({ imageTag: 'v1.2.3', additionalTags: ['stable', 'prod'], cache: DockerCache.none() });
    expect(fixed.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([
      `${REPO}:v1.2.3`,
      `${REPO}:stable`,
      `${REPO}:prod`,
    ]);
    const overridden = runWithFakes({ cache: DockerCache.none() }, { IMAGE_TAG: 'hotfix-7' });
    expect(overridden.calls.find((c) => c.args[0] === 'build')!.args).toContain(`${REPO}:hotfix-7`);
  });

  test('a fixed imageTag is built but not pushed by a pull request', () => {
    const { result, calls } = runWithFakes(
      { imageTag: 'v1', source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }) },
      { CODEBUILD_WEBHOOK_TRIGGER: 'pr/3' },
    );
    expect(result.succeeded).toBe(true);
    expect(calls.filter((c) => c.args[0] === 'push')).toEqual([]);
    expect(result.stdout).toContain('Image built, not pushed: its tag v1 is fixed');
    expect(result.exportedVariables.IMAGE_DIGEST).toBeUndefined();
  });

  test('releaseBranch: only a push to that branch (or a build started on it) moves the fixed tags', () => {
    const props = {
      releaseBranch: 'main',
      cache: DockerCache.none(),
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
    };
    const pushed = (env: Record<string, string>) =>
      runWithFakes(props, env)
        .calls.filter((c) => c.args[0] === 'push')
        .map((c) => c.args[1].split(':').pop());
    expect(pushed({ CODEBUILD_WEBHOOK_TRIGGER: 'branch/main', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/main' })).toEqual(
      ['build-42', 'latest'],
    );
    expect(pushed({ CODEBUILD_WEBHOOK_TRIGGER: 'branch/dev', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/dev' })).toEqual([
      'build-42',
    ]);
    expect(pushed({ CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1', CODEBUILD_WEBHOOK_HEAD_REF: 'refs/tags/v1' })).toEqual([
      'build-42',
    ]);
    expect(pushed({ CODEBUILD_WEBHOOK_TRIGGER: 'pr/1' })).toEqual(['build-42']);
    expect(pushed({})).toEqual(['build-42', 'latest']);
    expect(pushed({ CODEBUILD_SOURCE_VERSION: 'main' })).toEqual(['build-42', 'latest']);
    expect(pushed({ CODEBUILD_SOURCE_VERSION: 'feature' })).toEqual(['build-42']);
    expect(pushed({ CODEBUILD_SOURCE_VERSION: 'pr/4' })).toEqual(['build-42']);
  });

  test('a tag that already holds another image: pushed again in a MUTABLE repository, kept in an IMMUTABLE one', () => {
    const mutable = runWithFakes({ cache: DockerCache.none() }, { FAKE_EXISTING: '1' });
    expect(mutable.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([
      `${REPO}:build-42`,
      `${REPO}:latest`,
    ]);
    const immutable = runWithFakes({ imageTagMutability: ecr.TagMutability.IMMUTABLE }, { FAKE_EXISTING: '1' });
    expect(immutable.result.succeeded).toBe(true);
    // no push to the image repository (the cache, in its own MUTABLE repository, is still written)
    const pushes = immutable.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1]);
    expect(pushes.filter((ref) => !ref.startsWith(`${CACHE}:`))).toEqual([]);
    expect(immutable.result.stdout).toContain('already exists in this IMMUTABLE repository');
    expect(immutable.result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST('existing'));
  });

  // ECR API reference: BatchGetImage (the manifest and its media type) and PutImage (a manifest
  // under a new tag; ImageAlreadyExistsException when the tag already points at it).
  test('IMMUTABLE with latest excluded: a rebuilt commit keeps its image, and latest moves to that image', () => {
    // the commit tag already holds another image (a rebuild of the same commit): it is kept, and
    // latest (movable through the exclusion filter) is pointed at it with the ECR API, not pushed
    const { result, calls } = runWithFakes(
      { imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: ['latest'] },
      { FAKE_EXISTING: '1' },
    );
    expect(result.succeeded).toBe(true);
    const pushes = calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1]);
    expect(pushes.filter((ref) => !ref.startsWith(`${CACHE}:`))).toEqual([]);
    expect(result.stdout).toContain('already exists in this IMMUTABLE repository');
    const existing = DIGEST('existing');
    const ecrCalls = calls.filter((c) => c.tool === 'aws' && c.args[0] === 'ecr').map((c) => c.args.slice(1, 2)[0]);
    expect(ecrCalls).toEqual(['get-login-password', 'batch-get-image', 'batch-get-image', 'put-image']);
    const put = calls.find((c) => c.args[1] === 'put-image')!.args;
    expect(put.slice(put.indexOf('--repository-name'), put.indexOf('--repository-name') + 4)).toEqual([
      '--repository-name',
      'team/app',
      '--image-tag',
      'latest',
    ]);
    const get = calls.find((c) => c.args[1] === 'batch-get-image')!.args;
    expect(get).toContain(`imageDigest=${existing}`);
    expect(result.stdout).toContain(`${REPO}:latest now points at the kept image ${existing}`);
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(existing);
  });

  test('the same without a rebuild: latest is tagged from the new image and pushed', () => {
    const { calls } = runWithFakes({
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: ['latest'],
    });
    const pushes = calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1]);
    expect(pushes.filter((ref) => !ref.startsWith(`${CACHE}:`))).toEqual([`${REPO}:build-42`, `${REPO}:latest`]);
    expect(calls.some((c) => c.args[1] === 'put-image')).toBe(false);
  });

  test('an imported repository that turns out IMMUTABLE: ECR refuses to overwrite the tag, the existing image is kept', () => {
    const stack = new Stack(new App(), 'Imported', { env: { account: '111111111111', region: 'eu-west-1' } });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'team/app');
    const { result } = runWithFakes(
      { repository, additionalTags: [], cache: DockerCache.none() },
      { FAKE_EXISTING: '1', FAKE_PUSH_IMMUTABLE: '1' },
    );
    expect(result.succeeded).toBe(true);
    expect(result.stdout).toContain('already exists and the repository is IMMUTABLE');
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST('existing'));
    // without an existing tag, a refused push still fails the build
    const refused = runWithFakes(
      { repository, additionalTags: [], cache: DockerCache.none() },
      { FAKE_PUSH_IMMUTABLE: '1' },
    );
    expect(refused.result.phases.find((p) => p.phase === 'build')?.exitCode).toBe(1);
  });

  test('build secrets reach docker as --secret id=...,env=... only; Docker Hub login reads the password from stdin', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const { result, calls } = runWithFakes(
      {
        cache: DockerCache.none(),
        buildSecrets: {
          npm_token: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Npm', `${SECRET_ARN}:npm-AbCdEf`),
        },
        dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hub', `${SECRET_ARN}:hub-AbCdEf`),
      },
      { BUILD_SECRET_1: 'npm-value', DOCKERHUB_USERNAME: 'hubuser', DOCKERHUB_PASSWORD: 'hub-pass word' },
    );
    expect(result.succeeded).toBe(true);
    const logins = calls.filter((c) => c.args[0] === 'login');
    expect(logins.map((c) => c.args)).toEqual([
      ['login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com'],
      ['login', '--username', 'hubuser', '--password-stdin'],
    ]);
    expect(logins[1].stdin).toBe('hub-pass word');
    const buildIndex = calls.findIndex((c) => c.args[0] === 'build');
    expect(calls.indexOf(logins[1])).toBeLessThan(buildIndex);
    expect(calls[buildIndex].args).toEqual([
      'build',
      '--tag',
      `${REPO}:build-42`,
      '--file',
      'Dockerfile',
      '--secret',
      'id=npm_token,env=BUILD_SECRET_1',
      '.',
    ]);
    const everything = JSON.stringify(calls.map((c) => c.args)) + result.stdout + result.stderr;
    expect(everything).not.toContain('npm-value');
    expect(everything).not.toContain('hub-pass word');
  });

  test('every tag is built or tagged before it is pushed, and login comes before any push', () => {
    const { calls } = runWithFakes({ imageTag: 'v9', additionalTags: ['a', 'b', 'c'] });
    const login = calls.findIndex((c) => c.args[0] === 'login');
    const pushes = calls.map((c, i) => [c, i] as const).filter(([c]) => c.args[0] === 'push');
    expect(pushes).toHaveLength(4 + 3);
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
      cache: DockerCache.none(),
    });
    // THEN docker receives each as one argument, unchanged, and no marker file was created
    expect(result.succeeded).toBe(true);
    expect(markers).toEqual([]);
    expect(calls.find((c) => c.args[0] === 'build')!.args).toEqual([
      'build',
      '--target',
      'runtime',
      '--tag',
      `${REPO}:build-42`,
      '--file',
      "app dir/it's/Dockerfile",
      '--build-arg',
      `GREETING=${HOSTILE}`,
      '--build-arg',
      'EMPTY=',
      '--build-arg',
      'SPACES=  two  spaces  ',
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
    const { result, calls } = runWithFakes({ cache: DockerCache.none() }, { FAKE_FAIL: 'docker:push' });
    expect(result.phases.find((p) => p.phase === 'build')).toEqual({ phase: 'build', exitCode: 1 });
    // the first push failed, so the second never ran
    expect(calls.filter((c) => c.args[0] === 'push')).toHaveLength(1);
  });

  test('a cache image that cannot be written does not fail the build (inline cache)', () => {
    const { result } = runWithFakes({ additionalTags: [] }, { FAKE_FAIL: 'docker:push' });
    // the cache pushes fail first (warned), then the image push fails the build
    expect(result.stdout).toContain('Warning: cache image');
    expect(result.phases.find((p) => p.phase === 'build')?.exitCode).toBe(1);
  });
});

describe('multi-platform batch build, run with recording fakes', () => {
  const props = {
    platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
    source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
  };
  const commit = { CODEBUILD_RESOLVED_SOURCE_VERSION: 'cd'.repeat(20) };

  test('the graph: one build per platform on an image of its architecture, then the manifest step', () => {
    const { buildSpec } = synth(props);
    expect(buildSpec.version).toBe(0.2);
    expect(buildSpec.batch).toEqual({
      'fast-fail': true,
      'build-graph': [
        {
          identifier: 'image_linux_amd64',
          env: { 'privileged-mode': true, variables: { IMAGE_PLATFORM: 'linux/amd64' } },
          'ignore-failure': false,
        },
        {
          identifier: 'image_linux_arm64',
          env: {
            type: 'ARM_CONTAINER',
            image: 'aws/codebuild/amazonlinux-aarch64-standard:4.0',
            'privileged-mode': true,
            variables: { IMAGE_PLATFORM: 'linux/arm64' },
          },
          'ignore-failure': false,
        },
        {
          identifier: 'manifest',
          env: { 'privileged-mode': true, variables: { IMAGE_MANIFEST_STEP: '1' } },
          'depend-on': ['image_linux_amd64', 'image_linux_arm64'],
          'ignore-failure': false,
        },
      ],
    });
  });

  test('a platform build pushes its per-architecture tag and cache; buildx uses a per-architecture cache ref', () => {
    const { calls } = runWithFakes(props, { ...commit, IMAGE_PLATFORM: 'linux/arm64', FAKE_BUILDX: '1' });
    const build = calls.find((c) => c.args[1] === 'build')!.args;
    expect(build).toContain('--platform');
    expect(build[build.indexOf('--platform') + 1]).toBe('linux/arm64');
    expect(build).toContain(`type=registry,ref=${CACHE}:buildcache-arm64`);
    expect(calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([`${REPO}:cdcdcdc-arm64`]);
  });

  test('the manifest step pushes one list under every tag and exports its digest', () => {
    const { result, calls } = runWithFakes(props, { ...commit, IMAGE_MANIFEST_STEP: '1' });
    expect(result.succeeded).toBe(true);
    const children = [`${REPO}:cdcdcdc-amd64`, `${REPO}:cdcdcdc-arm64`];
    expect(actions(calls).slice(2)).toEqual([
      ['docker', 'manifest', 'create', '--amend', `${REPO}:cdcdcdc`, ...children],
      ['docker', 'manifest', 'push', '--purge', `${REPO}:cdcdcdc`],
      ['docker', 'manifest', 'create', '--amend', `${REPO}:latest`, ...children],
      ['docker', 'manifest', 'push', '--purge', `${REPO}:latest`],
    ]);
    expect(result.exportedVariables).toEqual({
      IMAGE_URI: `${REPO}:cdcdcdc`,
      IMAGE_TAG: 'cdcdcdc',
      IMAGE_DIGEST: DIGEST(`${REPO}:cdcdcdc`),
    });
  });

  test('the manifest step keeps an existing list in an IMMUTABLE repository and reads its digest from ECR', () => {
    const { result, calls } = runWithFakes(
      { ...props, imageTagMutability: ecr.TagMutability.IMMUTABLE },
      { ...commit, IMAGE_MANIFEST_STEP: '1', FAKE_EXISTING: '1' },
    );
    expect(result.succeeded).toBe(true);
    expect(calls.filter((c) => c.args[0] === 'manifest' && c.args[1] !== 'inspect')).toEqual([]);
    expect(calls.find((c) => c.tool === 'aws' && c.args[1] === 'describe-images')!.args).toEqual([
      'ecr',
      'describe-images',
      '--repository-name',
      'team/app',
      '--image-ids',
      'imageTag=cdcdcdc',
      '--query',
      'imageDetails[0].imageDigest',
      '--output',
      'text',
    ]);
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST('existing-list'));
    expect(result.stdout).toContain('already exists in this IMMUTABLE repository');
  });

  test('the manifest step of IMMUTABLE with latest excluded: the kept list keeps its tag, latest moves to it', () => {
    const { result, calls } = runWithFakes(
      { ...props, imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: ['latest'] },
      { ...commit, IMAGE_MANIFEST_STEP: '1', FAKE_EXISTING: '1' },
    );
    expect(result.succeeded).toBe(true);
    expect(calls.filter((c) => c.args[0] === 'manifest' && c.args[1] !== 'inspect')).toEqual([]);
    const put = calls.find((c) => c.args[1] === 'put-image')!.args;
    expect(put[put.indexOf('--image-tag') + 1]).toBe('latest');
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST('existing-list'));
  });

  test('zstd: the manifest step writes the index with buildx imagetools (OCI manifests) and reads its digest', () => {
    const { result, calls } = runWithFakes(
      { ...props, compression: ImageCompression.ZSTD },
      { ...commit, IMAGE_MANIFEST_STEP: '1', FAKE_BUILDX: '1' },
    );
    expect(result.succeeded).toBe(true);
    const children = [`${REPO}:cdcdcdc-amd64`, `${REPO}:cdcdcdc-arm64`];
    expect(actions(calls).slice(2)).toEqual([
      ['docker', 'buildx', 'imagetools', 'create', '--tag', `${REPO}:cdcdcdc`, ...children],
      ['docker', 'buildx', 'imagetools', 'inspect', `${REPO}:cdcdcdc`, '--format', '{{.Manifest.Digest}}'],
      ['docker', 'buildx', 'imagetools', 'create', '--tag', `${REPO}:latest`, ...children],
      ['docker', 'buildx', 'imagetools', 'inspect', `${REPO}:latest`, '--format', '{{.Manifest.Digest}}'],
    ]);
    expect(result.exportedVariables.IMAGE_DIGEST).toBe(DIGEST(`${REPO}:cdcdcdc`));
    expect(calls.filter((c) => c.args[0] === 'manifest')).toEqual([]);
  });

  test('a build started without the batch fails and says how to start it', () => {
    const { result } = runWithFakes(props, commit);
    expect(result.phases.find((p) => p.phase === 'build')?.exitCode).toBe(1);
    expect(result.stderr).toContain('start it as a batch build');
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
    ['no cache', { cache: DockerCache.none() }],
    ['local cache', { cache: DockerCache.local() }],
    [
      'platforms, secrets, Docker Hub, release branch, image definitions, IMMUTABLE',
      {
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
        releaseBranch: 'main',
        imageDefinitionsContainerName: 'web',
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        buildSecrets: {
          a: secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'A', `${SECRET_ARN}:a-AbCdEf`),
        },
        dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'H', `${SECRET_ARN}:h-AbCdEf`),
      },
    ],
    ['zstd on the registry cache', { compression: ImageCompression.ZSTD }],
    ['zstd without a cache', { compression: ImageCompression.ZSTD, cache: DockerCache.none() }],
    [
      'zstd, several platforms, IMMUTABLE',
      {
        compression: ImageCompression.ZSTD,
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
      },
    ],
    ['Docker server', { cache: DockerCache.dockerServer() }],
    [
      'IMMUTABLE with latest excluded, several platforms',
      {
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageTagMutabilityExclusionFilters: ['latest'],
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      },
    ],
    [
      'IMMUTABLE with latest excluded',
      { imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: ['latest'] },
    ],
    [
      'one platform, registry cache with a tag',
      { platforms: [ImagePlatform.LINUX_ARM64], cache: DockerCache.registry({ tag: 'cache' }) },
    ],
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

describe('the cache repository in another registry than the image (an image repository of another region)', () => {
  test('a repository of the stack, or imported from its account and region: one login (the same registry)', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const same = ecr.Repository.fromRepositoryArn(stack, 'Same', 'arn:aws:ecr:eu-west-1:111111111111:repository/app');
    for (const props of [{}, { repository: same }]) {
      const { buildSpec } = synth(props);
      expect(JSON.stringify(buildSpec.phases.pre_build)).not.toContain('CACHE_REGISTRY');
    }
  });

  test('the build logs in to both registries, each with its own region', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const repository = ecr.Repository.fromRepositoryArn(
      stack,
      'Other',
      'arn:aws:ecr:us-east-1:222222222222:repository/shared/app',
    );
    const { result, calls } = runWithFakes(
      { repository, additionalTags: [] },
      {
        ECR_REGISTRY: '222222222222.dkr.ecr.us-east-1.amazonaws.com',
        IMAGE_REPO_NAME: 'shared/app',
        AWS_DEFAULT_REGION: 'us-east-1',
      },
    );
    expect(result.succeeded).toBe(true);
    const logins = calls.filter((c) => c.args[1] === 'get-login-password' || c.args[0] === 'login');
    expect(logins.map((c) => [c.tool, ...c.args])).toEqual([
      ['aws', 'ecr', 'get-login-password', '--region', 'us-east-1'],
      ['docker', 'login', '--username', 'AWS', '--password-stdin', '222222222222.dkr.ecr.us-east-1.amazonaws.com'],
      ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'],
      ['docker', 'login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com'],
    ]);
  });
});

// Deploy-time values (tokens) are skipped at synth; the build checks them before use, with the
// library's message naming the prop. Rules: ECR imageTag (API_PutImage), ECS container name
// (ContainerDefinition name), git check-ref-format (https://git-scm.com/docs/git-check-ref-format).
describe('deploy-time values checked by the build', () => {
  const tokens = (stack: Stack): Partial<DockerBuildToEcrProps> => ({
    source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
    cache: DockerCache.registry({ tag: new CfnParameter(stack, 'CacheTag').valueAsString }),
    releaseBranch: new CfnParameter(stack, 'Branch').valueAsString,
    imageDefinitionsContainerName: new CfnParameter(stack, 'Container').valueAsString,
  });
  const good = { DOCKER_CACHE_TAG: 'layers', RELEASE_BRANCH_NAME: 'main', IMAGE_DEFINITIONS_CONTAINER: 'web' };

  test('valid values: the build runs, and imagedefinitions.json is valid JSON with the name', () => {
    const { result } = runWithFakes(tokens, { ...good, CODEBUILD_RESOLVED_SOURCE_VERSION: 'a'.repeat(40) });
    expect(result.phases.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(result.stdout).toContain('Wrote imagedefinitions.json');
  });

  test.each([
    [
      'IMAGE_DEFINITIONS_CONTAINER',
      'we"b',
      'imageDefinitionsContainerName "we"b" is not an ECS container name: use 1-255 letters',
    ],
    ['IMAGE_DEFINITIONS_CONTAINER', '', 'imageDefinitionsContainerName "" is not an ECS container name'],
    ['IMAGE_DEFINITIONS_CONTAINER', 'a'.repeat(256), 'is not an ECS container name'],
    ['DOCKER_CACHE_TAG', 'no good', 'cache "no good" is not an image tag of at most 112 characters'],
    ['DOCKER_CACHE_TAG', '.dot', 'cache ".dot" is not an image tag'],
    ['DOCKER_CACHE_TAG', 'c'.repeat(113), 'is not an image tag of at most 112 characters'],
    ['RELEASE_BRANCH_NAME', 'refs heads', 'releaseBranch "refs heads" is not a branch name'],
    [
      'RELEASE_BRANCH_NAME',
      'main.lock',
      'releaseBranch "main.lock" is a name git refuses for a branch (git check-ref-format)',
    ],
    ['RELEASE_BRANCH_NAME', 'release/.x', 'is a name git refuses for a branch'],
    ['RELEASE_BRANCH_NAME', 'a//b', 'is a name git refuses for a branch'],
    ['RELEASE_BRANCH_NAME', 'main.', 'is a name git refuses for a branch'],
    ['RELEASE_BRANCH_NAME', '$(touch /tmp/pwned)', 'is not a branch name'],
  ])('fails in pre_build when %s is %j, naming the prop', (variable, value, message) => {
    const { result, calls } = runWithFakes(tokens, { ...good, [variable]: value });
    expect(result.phases[0]).toEqual({ phase: 'pre_build', exitCode: 1 });
    expect(result.stderr).toContain('[Stack/Image] DockerBuildToEcr: ');
    expect(result.stderr).toContain(message);
    // nothing ran before the check: no login, no build
    expect(calls).toEqual([]);
  });

  test('accepts the neighbours: 255-character container name, 112-character cache tag, release/2.x', () => {
    const { result } = runWithFakes(tokens, {
      DOCKER_CACHE_TAG: 'c'.repeat(112),
      RELEASE_BRANCH_NAME: 'release/2.x',
      IMAGE_DEFINITIONS_CONTAINER: 'a'.repeat(255),
    });
    expect(result.phases[0]).toEqual({ phase: 'pre_build', exitCode: 0 });
  });

  test('literal values get no check in the build (they were checked at synth)', () => {
    const { buildSpec } = synth({
      source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
      releaseBranch: 'main',
      imageDefinitionsContainerName: 'web',
    });
    expect(JSON.stringify(buildSpec)).not.toContain('deploy_time_value_error');
  });
});
