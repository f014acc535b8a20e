import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { shellQuote, ShellWords } from '../shared/shell';

/**
 * Directory, relative to the source root, that `go build` writes the binary to and that the
 * artifacts are collected from. Its name starts with "." so that `./...` patterns of the go tool
 * never see it.
 */
export const GO_OUTPUT_DIR = '.go-sample-build-output';

/** Environment variables that carry values only known at deploy time (tokens). */
export const GO_ENV = {
  mainPackage: 'GO_MAIN_PACKAGE',
  binaryName: 'GO_BINARY_NAME',
  goos: 'GO_TARGET_OS',
  goarch: 'GO_TARGET_ARCH',
} as const;

/**
 * A source without `go.mod` (a lone `hello.go` at the root of the zip, as in AWS's sample) becomes a
 * module of its own, so that `go vet ./...` and `go build` work in module mode (the default since
 * Go 1.16): `go mod init` with a local module path, then `go mod tidy` to record what it imports.
 */
export const MODULE_INIT_COMMAND = [
  'if [ ! -f go.mod ]; then',
  '  echo "No go.mod at the source root: building it as module gosamplebuild.local/source"',
  '  go mod init gosamplebuild.local/source && go mod tidy',
  'fi',
].join('\n');

/** What the buildspec builder needs; values are validated literals or tokens. */
export interface GoBuildSpecInput {
  /** `runtime-versions: golang:` of a curated image; absent for a custom image. */
  readonly goVersion?: string;
  readonly runGoVet: boolean;
  readonly runGoTests: boolean;
  /** The main package (directory or file) relative to the source root, e.g. '.', 'cmd/hello'. */
  readonly mainPackage: string;
  /** File name of the binary. */
  readonly binaryName: string;
  readonly cgoEnabled: boolean;
  readonly goos?: string;
  readonly goarch?: string;
}

export interface GoBuildSpec {
  /** The buildspec object, for `BuildSpec.fromObject`. */
  readonly buildSpec: Record<string, unknown>;
  /**
   * Project environment variables for values that are tokens: literals are written into the
   * commands, quoted; tokens cannot be quoted at synth time, so commands read them from the
   * environment inside double quotes, where nothing is re-evaluated.
   */
  readonly environmentVariables: Record<string, string>;
}

/**
 * Builds the buildspec of GoSampleBuild:
 * - install: the Go runtime of a curated image (`runtime-versions`), then `go version`;
 * - pre_build: `CGO_ENABLED` for every later go command, and the output directory;
 * - build: `go vet ./...`, `go test ./...` (each optional), then `go build` of the main package with
 *   GOOS/GOARCH; a failing vet or test skips `go build`, so a failed build never has a binary;
 * - post_build: a one-line report;
 * - artifacts: the binary alone, at the root of the artifact.
 */
export function goBuildSpec(input: GoBuildSpecInput): GoBuildSpec {
  const words = new ShellWords();

  const output = `${GO_OUTPUT_DIR}/`;
  const binaryPath = Token.isUnresolved(input.binaryName)
    ? `${shellQuote(output)}${words.word(input.binaryName, GO_ENV.binaryName)}`
    : shellQuote(output + input.binaryName);
  const mainPackage = Token.isUnresolved(input.mainPackage)
    ? `./${words.word(input.mainPackage, GO_ENV.mainPackage)}`
    : shellQuote(goPackagePath(input.mainPackage));

  const target: string[] = [];
  if (input.goos !== undefined) {
    target.push(`GOOS=${words.word(input.goos, GO_ENV.goos)}`);
  }
  if (input.goarch !== undefined) {
    target.push(`GOARCH=${words.word(input.goarch, GO_ENV.goarch)}`);
  }

  const build: string[] = [];
  if (input.runGoVet) {
    build.push('go vet ./...');
  }
  if (input.runGoTests) {
    build.push('go test ./...');
  }
  build.push([...target, 'go build -trimpath -o', binaryPath, mainPackage].join(' '));

  const report = [
    'if [ "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1 ]; then',
    `  echo "Built binary: "${binaryPath}`,
    'else',
    '  echo "Build failed: no binary was built"',
    'fi',
  ].join('\n');

  const install: Record<string, unknown> = {};
  if (input.goVersion !== undefined) {
    install['runtime-versions'] = { golang: input.goVersion };
  }
  install.commands = ['go version'];

  const buildSpec = {
    // A number: CodeBuild batch builds refuse the string "0.2".
    version: 0.2,
    env: { shell: 'bash' },
    phases: {
      install,
      pre_build: {
        commands: [
          `export CGO_ENABLED=${input.cgoEnabled ? '1' : '0'}`,
          // Module mode whatever the image sets (some curated images set GO111MODULE=auto).
          'export GO111MODULE=on',
          MODULE_INIT_COMMAND,
          `mkdir -p ${shellQuote(GO_OUTPUT_DIR)}`,
        ],
      },
      build: { commands: build },
      post_build: { commands: [report] },
    },
    artifacts: {
      // A deploy-time binary name never enters the buildspec: the output directory holds the binary
      // alone, so every file of it is the artifact.
      files: [Token.isUnresolved(input.binaryName) ? '**/*' : input.binaryName],
      'base-directory': GO_OUTPUT_DIR,
      'discard-paths': 'no',
    },
  };
  return { buildSpec, environmentVariables: words.environment };
}

/**
 * The argument `go build` needs for a package directory or file relative to the source root:
 * `go build cmd/hello` would look up an import path, `go build ./cmd/hello` names the directory.
 */
export function goPackagePath(mainPackage: string): string {
  const normalized = path.posix.normalize(mainPackage.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized === '.' || normalized === '') {
    return '.';
  }
  return `./${normalized.replace(/^\.\//, '')}`;
}
