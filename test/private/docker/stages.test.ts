import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_CACHED_STAGES } from '../../../src/private/docker/cache';
import { NEEDED_STAGES_PROGRAM, neededStagesLines } from '../../../src/private/docker/stages';
import { shellQuote } from '../../../src/private/shared/shell';

/** The Docker documentation each rule comes from. */
const DOCS = {
  format: 'https://docs.docker.com/reference/dockerfile/#format',
  directives: 'https://docs.docker.com/reference/dockerfile/#parser-directives',
  heredocs: 'https://docs.docker.com/reference/dockerfile/#here-documents',
  from: 'https://docs.docker.com/reference/dockerfile/#from',
  copyFrom: 'https://docs.docker.com/reference/dockerfile/#copy---from',
  runMount: 'https://docs.docker.com/reference/dockerfile/#run---mount',
  multiStage: 'https://docs.docker.com/build/building/multi-stage/',
  buildkitSkips: 'https://docs.docker.com/build/building/multi-stage/#differences-between-legacy-builder-and-buildkit',
  stopAt: 'https://docs.docker.com/build/building/multi-stage/#stop-at-a-specific-build-stage',
  previousStage: 'https://docs.docker.com/build/building/multi-stage/#use-a-previous-stage-as-a-new-stage',
};

/**
 * The awk implementations the generated lines run with: the machine's `awk` (mawk on Debian, gawk
 * on CodeBuild's images) and each of gawk, mawk and busybox's that is installed, as `awk` on PATH.
 */
const AWKS: Array<[string, string | undefined]> = [
  ['awk', undefined],
  ...['gawk', 'mawk', 'busybox']
    .map((name) => [name, spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf-8' }).stdout.trim()])
    .filter(([, found]) => found !== '')
    .map(([name, found]) => [name, found] as [string, string]),
];

interface Run {
  readonly stages: string[];
  readonly dir: string;
  readonly stderr: string;
  readonly status: number | null;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/**
 * Runs the generated lines with bash, as in the buildspec (inside a function, the array declared
 * local), in a directory holding `dockerfile`; the array's elements are what it printed.
 */
function run(
  awk: string | undefined,
  dockerfile: string | undefined,
  options: { target?: string; file?: string } = {},
): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stages-'));
  dirs.push(dir);
  const file = options.file ?? 'Dockerfile';
  if (dockerfile !== undefined) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), dockerfile);
  }
  let pathPrefix = '';
  if (awk !== undefined) {
    const bin = path.join(dir, '.bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(awk, path.join(bin, 'awk'));
    pathPrefix = `${bin}:`;
  }
  const lines = neededStagesLines({
    dockerfileWord: shellQuote(file),
    targetWord: options.target !== undefined ? shellQuote(options.target) : undefined,
    maxStages: MAX_CACHED_STAGES,
    arrayName: 'stages',
    indent: '  ',
  });
  const script = [
    'set -u',
    'needed() {',
    '  local stages=()',
    ...lines,
    '  printf "<%s>\\n" "${stages[@]}"',
    '}',
    'needed',
  ].join('\n');
  const proc = spawnSync('bash', ['-c', script], {
    cwd: dir,
    encoding: 'utf-8',
    env: { PATH: `${pathPrefix}${process.env.PATH}`, HOME: dir },
  });
  const stages = proc.stdout
    .split('\n')
    .filter((l) => l !== '' && l !== '<>')
    .map((l) => l.replace(/^<(.*)>$/, '$1'));
  return { stages, dir, stderr: proc.stderr, status: proc.status };
}

test('the program holds no single quote (it is one single-quoted shell word)', () => {
  expect(NEEDED_STAGES_PROGRAM).not.toContain("'");
  expect(AWKS.length).toBeGreaterThan(0);
});

describe.each(AWKS)('needed stages, with %s', (_name, awk) => {
  const stages = (dockerfile: string, options: { target?: string; file?: string } = {}): string[] => {
    const result = run(awk, dockerfile, options);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    return result.stages;
  };

  test(`a stage the target does not need is not listed (${DOCS.buildkitSkips})`, () => {
    const dockerfile = [
      'FROM alpine AS deps',
      'RUN make deps',
      'FROM alpine AS test',
      'RUN exit 1',
      'FROM alpine AS slow',
      'RUN sleep 600',
      'FROM alpine AS runtime',
      'COPY --from=deps /out /app',
      '',
    ].join('\n');
    expect(stages(dockerfile, { target: 'runtime' })).toEqual(['deps']);
    expect(stages(dockerfile)).toEqual(['deps']);
    expect(stages(dockerfile, { target: 'test' })).toEqual([]);
  });

  test(`FROM <stage> chains: each earlier stage it names, transitively (${DOCS.previousStage}, ${DOCS.from})`, () => {
    const dockerfile = [
      'FROM alpine AS base',
      'FROM base AS deps',
      'FROM alpine AS unused',
      'FROM deps AS build',
      'FROM build',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['base', 'deps', 'build']);
  });

  test(`COPY --from= by name or by 0-based index, also ADD --from= (${DOCS.copyFrom}, ${DOCS.multiStage})`, () => {
    const dockerfile = [
      'FROM alpine AS zero',
      'FROM alpine AS one',
      'FROM alpine AS two',
      'FROM alpine AS three',
      'FROM alpine AS four',
      'FROM scratch',
      'COPY --from=0 /a /a',
      'COPY --chown=1:1 --from=two --link /b /b',
      'ADD --from=four /c /c',
      'COPY --from="three" /d /d',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['zero', 'two', 'three', 'four']);
  });

  test(`RUN --mount=...,from=<stage>: bind and cache mounts, not tmpfs (${DOCS.runMount})`, () => {
    const dockerfile = [
      'FROM alpine AS tools',
      'FROM alpine AS seed',
      'FROM alpine AS scratchpad',
      'FROM alpine AS unused',
      'FROM alpine',
      'RUN --mount=type=bind,from=tools,source=/bin,target=/tools \\',
      '    --mount=type=cache,target=/cache,from=seed \\',
      '    --mount=type=tmpfs,target=/tmp,from=scratchpad \\',
      '    --network=none /tools/build',
      'RUN --mount=from=1,target=/s ls /s',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['tools', 'seed']);
  });

  test(`a target is a stage name; without one, the last stage is built; the target itself is never listed (${DOCS.stopAt})`, () => {
    const dockerfile = [
      'FROM alpine AS base',
      'FROM base AS build',
      'FROM base AS debug',
      'COPY --from=build /app /app',
      'FROM alpine AS release',
      'COPY --from=build /app /app',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['base', 'build']);
    expect(stages(dockerfile, { target: 'debug' })).toEqual(['base', 'build']);
    expect(stages(dockerfile, { target: 'build' })).toEqual(['base']);
    expect(stages(dockerfile, { target: 'base' })).toEqual([]);
  });

  test(`instructions, AS, stage names and the target are case-insensitive; names keep their spelling (${DOCS.format}, ${DOCS.multiStage})`, () => {
    const dockerfile = [
      'from alpine as Base',
      'FROM alpine As Tools',
      'From base AS Build',
      'copy --FROM=TOOLS /t /t',
      'FROM alpine AS runtime',
      'COPY --from=build /app /app',
      '',
    ].join('\n');
    expect(stages(dockerfile, { target: 'RUNTIME' })).toEqual(['Base', 'Tools', 'Build']);
  });

  test(`an image is not a stage: a reference with a tag, scratch, a name defined later (${DOCS.from}, ${DOCS.copyFrom})`, () => {
    const dockerfile = [
      'FROM alpine AS golang',
      'RUN exit 1',
      'FROM golang:1.22 AS build',
      'COPY --from=golang:1.22 /usr/local/go /go',
      'COPY --from=docker.io/library/golang /usr/local/go /go2',
      'FROM later AS early',
      'FROM scratch AS later',
      'FROM build',
      'COPY --from=early / /',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['build', 'early']);
    // (the exact name does designate the stage)
    expect(stages(`${dockerfile}FROM golang\n`)).toEqual(['golang']);
  });

  test(`a name given twice designates its last stage, as --target does; the earlier one is not listed (${DOCS.multiStage})`, () => {
    const dockerfile = [
      'FROM alpine AS dup',
      'FROM dup AS mid',
      'FROM alpine AS dup',
      'FROM alpine',
      'COPY --from=mid / /',
      'COPY --from=dup / /',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['mid', 'dup']);
    expect(stages(dockerfile.replace('COPY --from=dup / /\n', ''))).toEqual(['mid']);
  });

  test(`a stage without a name is built as part of the target: not listed, but what it needs is (${DOCS.multiStage})`, () => {
    const dockerfile = [
      'FROM alpine AS base',
      'FROM base',
      'RUN make',
      'FROM alpine',
      'FROM alpine AS runtime',
      'COPY --from=1 /out /app',
      '',
    ].join('\n');
    expect(stages(dockerfile, { target: 'runtime' })).toEqual(['base']);
  });

  test(`continuation lines are joined as Docker joins them (no space added; empty lines skipped) (${DOCS.format})`, () => {
    const dockerfile = [
      'FROM alpine \\',
      '  AS deps',
      'FROM alpine AS other',
      'RUN echo one \\   ',
      '',
      '  two',
      'FROM alpine AS runtime',
      'COPY --from=de\\',
      'ps \\',
      '',
      '    /out /app',
      'FROM alpine AS last',
      'COPY --from=other / / \\',
    ].join('\n');
    expect(stages(dockerfile, { target: 'runtime' })).toEqual(['deps']);
    // (a continuation at the end of the file ends the instruction)
    expect(stages(dockerfile)).toEqual(['other']);
  });

  test(`comment lines are ignored, also between continuation lines; parser directives are comments (${DOCS.format}, ${DOCS.directives})`, () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      '# check=skip=all',
      '',
      '# FROM alpine AS commented',
      'FROM alpine AS deps',
      '  # COPY --from=commented / /',
      'FROM alpine AS lint',
      '# a comment that ends like a continuation \\',
      'FROM alpine AS tools',
      'FROM alpine AS runtime',
      'RUN \\',
      '  # (a comment between the instruction and its flags)',
      '  --mount=type=bind,from=tools,target=/t \\',
      '  --mount=type=bind,from=deps,target=/d \\',
      '# --mount=type=bind,from=lint,target=/l \\',
      '    ls /d # COPY --from=lint is text of the command',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['deps', 'tools']);
  });

  test(`the body of a here-document is not read as instructions (${DOCS.heredocs})`, () => {
    const dockerfile = [
      'FROM alpine AS deps',
      'FROM alpine AS unused',
      'FROM python:3 AS runtime',
      'COPY <<EOF /app/main.py',
      'from flask import Flask',
      'FROM unused',
      'EOF',
      'RUN <<-"END" bash',
      '\tcopy --from=unused',
      '\tEND',
      'COPY --from=deps /d /d',
      '',
    ].join('\n');
    expect(stages(dockerfile)).toEqual(['deps']);
  });

  test(`CRLF line ends and a UTF-8 byte order mark are read as Docker reads them (${DOCS.format})`, () => {
    const dockerfile = '\ufeffFROM alpine AS deps\r\nFROM alpine AS runtime\r\nCOPY --from=deps \\\r\n  /d /d\r\n';
    expect(stages(dockerfile)).toEqual(['deps']);
  });

  test(`more than ${MAX_CACHED_STAGES} needed named stages: the first ${MAX_CACHED_STAGES} of the Dockerfile, and a line says so (${DOCS.multiStage})`, () => {
    const names = Array.from({ length: MAX_CACHED_STAGES + 2 }, (_, i) => `s${i + 1}`);
    const dockerfile = [
      'FROM alpine AS unused',
      ...names.map((n) => `FROM alpine AS ${n}`),
      'FROM alpine',
      ...names.map((n) => `COPY --from=${n} /x /${n}`),
      '',
    ].join('\n');
    const result = run(awk, dockerfile);
    expect(result.status).toBe(0);
    expect(result.stages).toEqual(names.slice(0, MAX_CACHED_STAGES));
    expect(result.stderr).toBe(`Only the first ${MAX_CACHED_STAGES} named stages get a cache image\n`);
  });

  test(`a target the Dockerfile does not name: no stage, a line on stderr, and the script goes on to docker's own error (${DOCS.stopAt})`, () => {
    const result = run(awk, 'FROM alpine AS build\nFROM alpine AS runtime\nCOPY --from=build / /\n', {
      target: 'missing',
    });
    expect(result).toMatchObject({ stages: [], stderr: 'No stage missing in the Dockerfile\n', status: 0 });
  });

  test('a Dockerfile that cannot be read, or holds no stage: no stage, and the script goes on', () => {
    const missing = run(awk, undefined);
    expect(missing.stages).toEqual([]);
    expect(missing.status).toBe(0);
    expect(missing.stderr).toContain('Dockerfile: No such file or directory');
    expect(run(awk, '# nothing here\nARG X=1\n')).toMatchObject({ stages: [], stderr: '', status: 0 });
  });

  test('the Dockerfile path and the target are shell words: their text is data, never code', () => {
    const file = "my dir/it's $(touch pwned) `touch pwned`.Dockerfile";
    const quoted = run(awk, 'FROM alpine AS a\nFROM alpine AS b\nCOPY --from=a / /\n', { file, target: 'b' });
    expect(quoted).toMatchObject({ stages: ['a'], stderr: '', status: 0 });
    const hostile = run(awk, 'FROM alpine AS a\n', { target: '$(touch pwned)\'"`touch pwned`' });
    expect(hostile.stderr).toBe('No stage $(touch pwned)\'"`touch pwned` in the Dockerfile\n');
    for (const { dir } of [quoted, hostile]) {
      expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'my dir', 'pwned'))).toBe(false);
    }
  });
});
