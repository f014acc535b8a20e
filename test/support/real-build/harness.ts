import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runBuildSpec, RunBuildSpecResult } from '../buildspec-runner';
import { MotoServer, startMoto } from '../moto-server';
import { DockerSandbox, mountsUnder } from './dockerd';
import { fetchEcrPassword } from './ecr-token';
import { PulledImage, readImageDir } from './image';
import { runOk } from './process';
import { LocalRegistry } from './registry';
import { ProjectBuild, resolveBuildEnvironment } from './template';
import { requireRealBuildTools } from './tools';

/** Account and region of moto (its default account) and of the stacks the real-build tests synthesize. */
export const REAL_BUILD_ACCOUNT = '123456789012';
export const REAL_BUILD_REGION = 'us-east-1';
/** The user ECR logins use. */
export const ECR_USER = 'AWS';

export interface RunBuildOptions {
  /** The synthesized project (buildspec and environment variables). */
  readonly project: ProjectBuild;
  /** Values of the project's variables that are CloudFormation intrinsics (e.g. ECR_REGISTRY). */
  readonly deployTimeValues: Record<string, string>;
  /** Source directory of the build (`CODEBUILD_SRC_DIR`). */
  readonly sourceDir: string;
  /** `CODEBUILD_RESOLVED_SOURCE_VERSION`: a commit id, or '' for an S3 source. */
  readonly resolvedSourceVersion: string;
  /** `CODEBUILD_BUILD_NUMBER`. @default '1' */
  readonly buildNumber?: string;
  /** @default 45_000 */
  readonly timeoutMs?: number;
  /** Values of the project's SECRETS_MANAGER variables (what CodeBuild fetches at build start). */
  readonly secretValues?: Record<string, string>;
  /** More variables for the build (e.g. what CodeBuild sets for webhook or batch builds). */
  readonly extraEnv?: Record<string, string>;
  /** Directories put first on PATH, before the harness's wrappers (e.g. recording fakes). */
  readonly pathPrepend?: string[];
}

export interface RealBuildRun extends RunBuildSpecResult {
  /** The URIs of the `Pushed image: <uri>` lines, in order. */
  readonly pushedImages: string[];
  /** Exit code per phase that ran. */
  readonly phaseCodes: Record<string, number>;
  /** Wall time of the whole run (every phase). */
  readonly durationMs: number;
}

/**
 * Everything a real build of a generated buildspec needs, on loopback only:
 * - the real Docker engine (Debian's docker.io 20.10): a dockerd of its own on a unix socket in a
 *   temp dir, no bridge, and a `docker` wrapper first on PATH (RUN steps without network);
 * - moto (ECR's GetAuthorizationToken) and an `aws` wrapper first on PATH that sends the machine's
 *   awscli v1 to it (the buildspec's `aws ecr get-login-password` cannot take --endpoint-url);
 * - a local registry (docker-registry) whose only password is moto's ECR token, holding a busybox
 *   base image `<registry>/base:1`.
 * Every server runs on 127.0.0.1 and a free port (dockerd: a unix socket) and is stopped by PID in
 * `stop()`, which also unmounts what dockerd left mounted and deletes the temp dir.
 */
export class RealBuildHarness {
  /**
   * Starts the harness; on any failure, stops what was started and rethrows. Fails (never skips)
   * when a tool is missing.
   */
  public static async start(): Promise<RealBuildHarness> {
    requireRealBuildTools();
    const harness = new RealBuildHarness(fs.mkdtempSync(path.join(os.tmpdir(), 'real-build-')));
    try {
      await harness.init();
      return harness;
    } catch (error) {
      const problems = await harness.stop();
      if (problems.length > 0) {
        (error as Error).message += `\ncleanup problems: ${problems.join('; ')}`;
      }
      throw error;
    }
  }

  /** Directory of the `docker` and `aws` wrappers. */
  public readonly binDir: string;
  private dockerSandbox?: DockerSandbox;
  private motoServer?: MotoServer;
  private password?: string;
  private mainRegistry?: LocalRegistry;
  private readonly registries: LocalRegistry[] = [];
  private counter = 0;
  private stopped = false;

  private constructor(public readonly root: string) {
    this.binDir = path.join(root, 'docker', 'bin');
    fs.mkdirSync(path.join(root, 'home'), { recursive: true });
    fs.mkdirSync(path.join(root, 'aws'), { recursive: true });
  }

  /** The Docker engine of the builds. */
  public get docker(): DockerSandbox {
    return defined(this.dockerSandbox, 'dockerd');
  }

  /** moto's endpoint. */
  public get moto(): MotoServer {
    return defined(this.motoServer, 'moto');
  }

  /** The password of moto's ECR token (what `aws ecr get-login-password` prints). */
  public get ecrPassword(): string {
    return defined(this.password, 'ECR password');
  }

  /** The registry that accepts moto's token and holds the base image. */
  public get registry(): LocalRegistry {
    return defined(this.mainRegistry, 'registry');
  }

  /** The busybox base image in `registry`. */
  public get baseImage(): string {
    return `${this.registry.host}/base:1`;
  }

  /** A new, empty directory under the harness root. */
  public tempDir(prefix: string): string {
    const dir = path.join(this.root, `${prefix}-${++this.counter}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Starts another registry (stopped with the harness): by default it takes moto's token; give
   * another `password` for a registry that refuses the token, `readOnly` for one that refuses pushes.
   */
  public async addRegistry(options: { password?: string; readOnly?: boolean } = {}): Promise<LocalRegistry> {
    const registry = await LocalRegistry.start({
      dir: this.tempDir('registry'),
      user: ECR_USER,
      password: options.password ?? this.ecrPassword,
      readOnly: options.readOnly,
    });
    this.registries.push(registry);
    return registry;
  }

  /**
   * Runs every phase of the project's buildspec with bash, as CodeBuild does (runBuildSpec), with
   * the project's environment variables, CodeBuild's own, dummy AWS credentials, and the `docker`
   * and `aws` wrappers first on PATH. Each build starts logged out, like a new CodeBuild build.
   */
  public runBuild(options: RunBuildOptions): RealBuildRun {
    // The registry cache's repository (a name CloudFormation generates) stands in as
    // `<image repository>-cache` in the same registry, unless the test names it.
    const hasCacheRepository = options.project.environmentVariables.some((v) => v.name === 'CACHE_REPOSITORY_URI');
    const deployTimeValues =
      hasCacheRepository && !('CACHE_REPOSITORY_URI' in options.deployTimeValues)
        ? {
            ...options.deployTimeValues,
            CACHE_REPOSITORY_URI: `${options.deployTimeValues.ECR_REGISTRY}/${options.deployTimeValues.IMAGE_REPO_NAME}-cache`,
          }
        : options.deployTimeValues;
    const projectEnv = resolveBuildEnvironment(
      options.project.environmentVariables,
      deployTimeValues,
      options.secretValues,
    );
    const env: Record<string, string> = {
      ...projectEnv,
      CODEBUILD_RESOLVED_SOURCE_VERSION: options.resolvedSourceVersion,
      CODEBUILD_SOURCE_VERSION: options.resolvedSourceVersion,
      CODEBUILD_BUILD_NUMBER: options.buildNumber ?? '1',
      CODEBUILD_BUILD_ID: `${options.project.logicalId}:00000000-0000-0000-0000-${String(++this.counter).padStart(12, '0')}`,
      CODEBUILD_BUILD_IMAGE: 'aws/codebuild/standard:7.0',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: path.join(this.root, 'aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.root, 'aws', 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: path.join(this.root, 'home'),
      LANG: 'C.UTF-8',
      ...options.extraEnv,
      ...this.docker.env,
    };
    const clash = Object.keys(projectEnv).filter((name) => name.startsWith('CODEBUILD_') || name in this.docker.env);
    if (clash.length > 0) {
      throw new Error(`the project sets variables the harness owns: ${clash.join(', ')}`);
    }
    this.docker.resetAuth();
    const started = Date.now();
    const result = runBuildSpec({
      buildSpec: options.project.buildSpec,
      env,
      cwd: options.sourceDir,
      pathPrepend: [...(options.pathPrepend ?? []), this.binDir],
      timeoutMs: options.timeoutMs ?? 45_000,
    });
    const durationMs = Date.now() - started;
    const pushedImages = [...result.stdout.matchAll(/^Pushed image: (.*)$/gm)].map((m) => m[1]);
    const phaseCodes: Record<string, number> = {};
    for (const phase of result.phases) {
      phaseCodes[phase.phase] = phase.exitCode;
    }
    return { ...result, pushedImages, phaseCodes, durationMs };
  }

  /** Copies `dir` (e.g. examples/docker-app) to a new source directory of a build. */
  public sourceFrom(dir: string): string {
    const target = this.tempDir('src');
    fs.cpSync(dir, target, { recursive: true });
    return target;
  }

  /**
   * Pulls `repository:tag` back from `registry` with skopeo (its own client, not the build's login)
   * and unpacks it for inspection; nothing of the image runs.
   */
  public pullImage(registry: LocalRegistry, repository: string, tag: string, architecture?: string): PulledImage {
    const reference = `${registry.host}/${repository}:${tag}`;
    const dir = this.tempDir('pulled');
    this.skopeo([
      ...(architecture !== undefined ? ['--override-arch', architecture] : []),
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `${registry.user}:${registry.password}`,
      `docker://${reference}`,
      `dir:${dir}`,
    ]);
    return readImageDir(reference, dir);
  }

  /** Stops every server by PID, stops dockerd (and its containerd) by PID, unmounts what it left, deletes the temp dir. Never throws. */
  public async stop(): Promise<string[]> {
    if (this.stopped) {
      return [];
    }
    this.stopped = true;
    const problems: string[] = [];
    for (const registry of this.registries) {
      await registry.stop().catch((e) => problems.push(`stop ${registry.host}: ${e}`));
    }
    await this.motoServer?.stop().catch((e) => problems.push(`stop moto: ${e}`));
    if (this.dockerSandbox !== undefined) {
      problems.push(...(await this.dockerSandbox.destroy()));
    }
    if (mountsUnder(this.root).length === 0) {
      fs.rmSync(this.root, { recursive: true, force: true });
    } else {
      problems.push(`${this.root} still has mounts: ${mountsUnder(this.root).join(', ')}`);
    }
    return problems;
  }

  private async init(): Promise<void> {
    this.dockerSandbox = await DockerSandbox.start(path.join(this.root, 'docker'));
    this.motoServer = await startMoto();
    this.password = await fetchEcrPassword(this.motoServer.endpoint, REAL_BUILD_REGION);
    this.writeAwsWrapper(this.motoServer.endpoint);
    this.mainRegistry = await this.addRegistry();
    this.docker.importBusyboxBase(this.baseImage, ECR_USER, this.ecrPassword);
  }

  /**
   * Runs skopeo (a registry client independent of the build's docker) with a policy that accepts
   * any image, so the machine's /etc/containers/policy.json is not needed; throws on a non-zero exit.
   */
  public skopeo(args: string[], timeoutMs = 30_000): string {
    const policy = path.join(this.root, 'skopeo-policy.json');
    if (!fs.existsSync(policy)) {
      fs.writeFileSync(policy, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    }
    const tmp = this.tempDir('skopeo-tmp');
    return runOk('skopeo', ['--policy', policy, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp },
      timeoutMs,
    });
  }

  private writeAwsWrapper(endpoint: string): void {
    const python = runOk('python3', ['-c', 'import sys; print(sys.executable)']).trim();
    fs.writeFileSync(
      path.join(this.binDir, 'aws'),
      [
        '#!/bin/sh',
        "# The machine's awscli v1, sent to moto: the buildspec's `aws ...` commands run unchanged.",
        `exec '${python}' -m awscli --endpoint-url '${endpoint}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the real-build harness has no ${what} (not started, or start failed)`);
  }
  return value;
}
