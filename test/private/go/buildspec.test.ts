import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lazy } from 'aws-cdk-lib';
import { GO_ENV, GO_OUTPUT_DIR, goBuildSpec, GoBuildSpecInput, goPackagePath } from '../../../src/private/go/buildspec';
import { phaseCommands } from '../../support/buildspec-runner';

const BASE: GoBuildSpecInput = {
  goVersion: '1.24',
  runGoVet: true,
  runGoTests: true,
  mainPackage: '.',
  binaryName: 'hello',
  cgoEnabled: false,
};

function commands(input: GoBuildSpecInput, phase: string): string[] {
  return (goBuildSpec(input).buildSpec.phases as any)[phase].commands;
}

describe('goBuildSpec', () => {
  test('runtime-versions golang for a curated image, with the version as a string', () => {
    // WHEN
    const spec: any = goBuildSpec(BASE).buildSpec;
    // THEN
    expect(spec.phases.install['runtime-versions']).toEqual({ golang: '1.24' });
  });

  test('no runtime-versions for a custom image', () => {
    // WHEN
    const spec: any = goBuildSpec({ ...BASE, goVersion: undefined }).buildSpec;
    // THEN
    expect(spec.phases.install).not.toHaveProperty('runtime-versions');
    expect(spec.phases.install.commands).toEqual(['go version']);
  });

  test('vet, test, then build, in the build phase', () => {
    expect(commands(BASE, 'build')).toEqual([
      'go vet ./...',
      'go test ./...',
      `go build -trimpath -o '${GO_OUTPUT_DIR}/hello' '.'`,
    ]);
  });

  test('runGoVet and runGoTests false leave only go build', () => {
    expect(commands({ ...BASE, runGoVet: false, runGoTests: false }, 'build')).toEqual([
      `go build -trimpath -o '${GO_OUTPUT_DIR}/hello' '.'`,
    ]);
  });

  test('CGO_ENABLED=0 by default, 1 with cgoEnabled', () => {
    expect(commands(BASE, 'pre_build')).toContain('export CGO_ENABLED=0');
    expect(commands({ ...BASE, cgoEnabled: true }, 'pre_build')).toContain('export CGO_ENABLED=1');
  });

  test('GOOS and GOARCH apply to go build only, quoted', () => {
    const build = commands({ ...BASE, goos: 'darwin', goarch: 'arm64' }, 'build');
    expect(build[0]).toBe('go vet ./...');
    expect(build[2]).toBe(`GOOS='darwin' GOARCH='arm64' go build -trimpath -o '${GO_OUTPUT_DIR}/hello' '.'`);
  });

  test('mainPackage directories become ./ paths', () => {
    expect(commands({ ...BASE, mainPackage: 'cmd/hello/' }, 'build')[2]).toMatch(/ '\.\/cmd\/hello'$/);
    expect(goPackagePath('.')).toBe('.');
    expect(goPackagePath('./')).toBe('.');
    expect(goPackagePath('./cmd//x')).toBe('./cmd/x');
    expect(goPackagePath('hello.go')).toBe('./hello.go');
  });

  test('artifacts: the binary alone, from the output directory', () => {
    const spec: any = goBuildSpec({ ...BASE, binaryName: 'app' }).buildSpec;
    expect(spec.artifacts).toEqual({ files: ['app'], 'base-directory': GO_OUTPUT_DIR, 'discard-paths': 'no' });
  });

  test('tokens go through environment variables, in double quotes', () => {
    // GIVEN values known only at deploy time
    const token = (v: string) => Lazy.string({ produce: () => v });
    // WHEN
    const result = goBuildSpec({
      ...BASE,
      mainPackage: token('cmd'),
      binaryName: token('bin'),
      goos: token('linux'),
      goarch: token('arm64'),
    });
    // THEN
    expect(Object.keys(result.environmentVariables).sort()).toEqual(
      [GO_ENV.binaryName, GO_ENV.goarch, GO_ENV.goos, GO_ENV.mainPackage].sort(),
    );
    const build = (result.buildSpec.phases as any).build.commands[2];
    expect(build).toBe(
      `GOOS="$${GO_ENV.goos}" GOARCH="$${GO_ENV.goarch}" go build -trimpath -o '${GO_OUTPUT_DIR}/'"$${GO_ENV.binaryName}" ./"$${GO_ENV.mainPackage}"`,
    );
  });

  test('literals need no environment variables', () => {
    expect(goBuildSpec(BASE).environmentVariables).toEqual({});
  });
});

describe('generated shell', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-buildspec-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const hostile = `x'; touch pwned; echo '$(touch pwned2)\`touch pwned3\``;
  const cases: Array<[string, GoBuildSpecInput]> = [
    ['defaults', BASE],
    [
      'custom image, no vet/tests, target',
      { ...BASE, goVersion: undefined, runGoVet: false, runGoTests: false, goos: 'windows', goarch: 'amd64' },
    ],
    ['cgo and a nested package', { ...BASE, cgoEnabled: true, mainPackage: 'cmd/hello world' }],
    ['hostile values', { ...BASE, mainPackage: hostile, binaryName: hostile, goos: hostile, goarch: hostile }],
    [
      'tokens',
      {
        ...BASE,
        mainPackage: Lazy.string({ produce: () => 'x' }),
        binaryName: Lazy.string({ produce: () => 'y' }),
        goos: Lazy.string({ produce: () => 'linux' }),
        goarch: Lazy.string({ produce: () => 'amd64' }),
      },
    ],
  ];

  test.each(cases)('shellcheck --shell=bash is clean: %s', (_name, input) => {
    // GIVEN every command of the buildspec, with the variables it reads declared first
    const result = goBuildSpec(input);
    const declared = ['CODEBUILD_BUILD_SUCCEEDING', 'CODEBUILD_SRC_DIR', ...Object.keys(result.environmentVariables)];
    const header = declared.map((name) => `${name}="\${${name}:-}"`).join('\n');
    const all = phaseCommands(result.buildSpec);
    expect(all.length).toBeGreaterThanOrEqual(5);
    all.forEach(({ phase, command }, i) => {
      const file = path.join(work, `${_name.replace(/\W/g, '_')}-${i}-${phase}.sh`);
      fs.writeFileSync(file, `${header}\n${command}\n`);
      // WHEN shellcheck checks it (for the hostile values, SC2016 "expressions don't expand in single
      // quotes" is the point: a user's `$(...)` must stay literal, as the next test shows)
      const exclude = _name === 'hostile values' ? ['--exclude=SC2016'] : [];
      const proc = spawnSync('shellcheck', ['--shell=bash', ...exclude, file], { encoding: 'utf-8' });
      if (proc.error) {
        throw new Error(`shellcheck could not run (apt-get install -y shellcheck): ${proc.error.message}`);
      }
      // THEN it reports nothing
      expect(`${proc.stdout}${proc.stderr}`).toBe('');
      expect(proc.status).toBe(0);
    });
  });

  test('shellcheck flags an unquoted variable (the check can fail)', () => {
    const file = path.join(work, 'bad.sh');
    fs.writeFileSync(file, 'X="${X:-}"\ngo build -o $X .\n');
    const proc = spawnSync('shellcheck', ['--shell=bash', file], { encoding: 'utf-8' });
    expect(proc.status).not.toBe(0);
    expect(proc.stdout).toMatch(/SC2086/);
  });

  test('user values reach go verbatim: nothing in them is evaluated', () => {
    // GIVEN a fake `go` that records its arguments and environment, and hostile values
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const record = path.join(work, 'args.txt');
    fs.writeFileSync(
      path.join(bin, 'go'),
      `#!/bin/bash\nif [ "$1" = build ]; then printf '%s\\n' "GOOS=$GOOS" "GOARCH=$GOARCH" "$@" > '${record}'; fi\n`,
      { mode: 0o755 },
    );
    const cwd = fs.mkdtempSync(path.join(work, 'src-'));
    const build = commands(
      { ...BASE, mainPackage: hostile, binaryName: hostile, goos: hostile, goarch: hostile },
      'build',
    )[2];
    // WHEN the build command runs in bash
    // --norc: with an environment of PATH alone (no SHLVL) and stdin a socket (Node's pipes are socket
    // pairs), Debian's bash takes itself for an ssh session and reads ~/.bashrc, which may put the real
    // `go` in front of the fake one.
    const proc = spawnSync('bash', ['--norc', '--noprofile', '-c', build], {
      cwd,
      encoding: 'utf-8',
      env: { PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // THEN go got the values as they were, and no command inside them ran
    expect(proc.status).toBe(0);
    expect(fs.readFileSync(record, 'utf-8').split('\n').slice(0, 7)).toEqual([
      `GOOS=${hostile}`,
      `GOARCH=${hostile}`,
      'build',
      '-trimpath',
      '-o',
      `${GO_OUTPUT_DIR}/${hostile}`,
      goPackagePath(hostile),
    ]);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
