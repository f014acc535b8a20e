import * as fs from 'fs';
import * as path from 'path';
import { run, runOk, startServer, ServerProcess } from './process';
import { DEBIAN_DOCKER, STATIC_BUSYBOX } from './tools';

/**
 * The real Docker engine (Debian's docker.io, Docker 20.10), started by the test and scoped to one
 * temp directory:
 * - `dockerd` on a unix socket in that directory, data-root and exec-root there, no bridge, no
 *   iptables, no IP forwarding or masquerading (no network interface is created);
 * - the client is Debian's `/usr/bin/docker` (20.10), through a `docker` wrapper first on PATH that
 *   adds `--network none` to every build (there is no bridge: RUN steps get no network) and
 *   `--insecure` to `docker manifest` (the local registries speak plain HTTP);
 * - the client config (logins) lives in `DOCKER_CONFIG` inside the directory;
 * - stopped by the PID of its pidfile (its containerd child goes with it), whatever happens.
 */
export class DockerSandbox {
  /** Starts dockerd; throws (after stopping it) when it is not ready within `readyTimeoutMs`. */
  public static async start(root: string, readyTimeoutMs = 30_000): Promise<DockerSandbox> {
    const sandbox = new DockerSandbox(root);
    await sandbox.startDaemon(readyTimeoutMs);
    return sandbox;
  }

  /** Variables that point the docker CLI at this daemon and config. */
  public readonly env: Record<string, string>;
  /** Directory of the `docker` wrapper, to put first on PATH. */
  public readonly binDir: string;
  private daemon?: ServerProcess;
  private dataRootCount = 0;
  private exitHookInstalled = false;

  private constructor(public readonly root: string) {
    for (const dir of ['bin', 'config', 'tmp']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    this.binDir = path.join(root, 'bin');
    this.env = {
      DOCKER_HOST: `unix://${path.join(root, 'docker.sock')}`,
      DOCKER_CONFIG: path.join(root, 'config'),
    };
    this.resetAuth();
    fs.writeFileSync(
      path.join(this.binDir, 'docker'),
      [
        '#!/bin/sh',
        "# Debian's docker CLI (20.10) for the real-build tests: builds get no network (no bridge here),",
        '# `docker manifest` talks plain HTTP to the loopback registries. Everything else is unchanged.',
        'case "$1" in',
        `  build) shift; exec ${DEBIAN_DOCKER} build --network none "$@" ;;`,
        '  manifest)',
        '    case "$2" in',
        `      create|push|inspect) sub="$2"; shift 2; exec ${DEBIAN_DOCKER} manifest "$sub" --insecure "$@" ;;`,
        '    esac ;;',
        'esac',
        `exec ${DEBIAN_DOCKER} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  /** PID of the running dockerd (from its pidfile), or undefined. */
  public get pid(): number | undefined {
    return this.daemon?.running() ? this.daemon.pid : undefined;
  }

  /**
   * Stops dockerd and starts it again on a NEW, empty data-root: no image, no layer, no build cache
   * (as on a fresh CodeBuild host). Logins are kept (they are client-side).
   */
  public async restartEmpty(readyTimeoutMs = 30_000): Promise<void> {
    const problems = await this.stopDaemon();
    if (problems.length > 0) {
      throw new Error(`dockerd did not stop cleanly: ${problems.join('; ')}`);
    }
    await this.startDaemon(readyTimeoutMs);
  }

  /** Forgets every login (a new CodeBuild build starts without credentials). */
  public resetAuth(): void {
    fs.writeFileSync(path.join(this.env.DOCKER_CONFIG, 'config.json'), '{"auths":{}}\n');
  }

  /** The `auth` entries of the client config (what `docker login` stored), by registry. */
  public storedLogins(): Record<string, string> {
    const config = JSON.parse(fs.readFileSync(path.join(this.env.DOCKER_CONFIG, 'config.json'), 'utf-8'));
    const out: Record<string, string> = {};
    for (const [registry, entry] of Object.entries<any>(config.auths ?? {})) {
      out[registry] = Buffer.from(String(entry.auth ?? ''), 'base64').toString('utf-8');
    }
    return out;
  }

  /** Runs the docker CLI (through the wrapper) against this daemon; throws on a non-zero exit. */
  public docker(
    args: string[],
    options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
  ): string {
    return runOk(path.join(this.binDir, 'docker'), args, {
      env: { ...this.processEnv(), ...options.env },
      input: options.input,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** Like `docker` but returns the status and output instead of throwing. */
  public tryDocker(args: string[], timeoutMs = 60_000): { status: number; stdout: string; stderr: string } {
    return run(path.join(this.binDir, 'docker'), args, { env: this.processEnv(), timeoutMs });
  }

  /**
   * Creates `ref` from a rootfs holding only a static busybox (`/bin/busybox`, `/bin/sh`), with
   * `PATH=/bin`, and pushes it with `user`/`password`: a base image without any pull from the internet.
   */
  public importBusyboxBase(ref: string, user: string, password: string): void {
    const rootfs = path.join(this.root, 'base-rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.copyFileSync(STATIC_BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'sh'));
    const tarball = path.join(this.root, 'base-rootfs.tar');
    runOk('tar', ['-C', rootfs, '-cf', tarball, '.']);
    this.docker(['import', '--change', 'ENV PATH=/bin', tarball, ref]);
    const registry = ref.split('/')[0];
    this.docker(['login', '--username', user, '--password-stdin', registry], { input: password });
    try {
      this.docker(['push', ref]);
    } finally {
      this.resetAuth();
    }
  }

  /**
   * Stops dockerd by its PID, checks that its containerd child is gone, unmounts what is left under
   * the sandbox and deletes it. Never throws; returns the problems.
   */
  public async destroy(): Promise<string[]> {
    const problems = await this.stopDaemon();
    problems.push(...unmountAll(this.root));
    if (mountsUnder(this.root).length === 0) {
      fs.rmSync(this.root, { recursive: true, force: true });
    } else {
      problems.push(`${this.root} still has mounts; not removed`);
    }
    return problems;
  }

  private async startDaemon(readyTimeoutMs: number): Promise<void> {
    const n = ++this.dataRootCount;
    const dataRoot = path.join(this.root, `data-${n}`);
    const execRoot = path.join(this.root, `exec-${n}`);
    const pidfile = path.join(this.root, 'docker.pid');
    const socket = path.join(this.root, 'docker.sock');
    fs.rmSync(socket, { force: true });
    this.daemon = await startServer({
      name: `dockerd on ${socket}`,
      command: 'dockerd',
      args: [
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        `--host=unix://${socket}`,
        `--data-root=${dataRoot}`,
        `--exec-root=${execRoot}`,
        `--pidfile=${pidfile}`,
      ],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: path.join(this.root, 'tmp') },
      cwd: this.root,
      logFile: path.join(this.root, `dockerd-${n}.log`),
      ready: async () => fs.existsSync(socket) && this.tryDocker(['version'], 5_000).status === 0,
      readyTimeoutMs,
    });
    // If this process ends without stop() (a crashed test run), the exit hook of startServer kills
    // dockerd by its PID; this one then kills whatever of ours survived it (its containerd).
    if (!this.exitHookInstalled) {
      this.exitHookInstalled = true;
      process.on('exit', () => {
        for (const pid of processesMentioning(this.root)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      });
    }
    const recorded = Number(fs.readFileSync(pidfile, 'utf-8').trim());
    if (recorded !== this.daemon.pid) {
      await this.daemon.stop();
      throw new Error(`dockerd's pidfile holds ${recorded}, the process started is ${this.daemon.pid}`);
    }
  }

  private async stopDaemon(): Promise<string[]> {
    const daemon = this.daemon;
    if (daemon === undefined) {
      return [];
    }
    this.daemon = undefined;
    const problems: string[] = [];
    await daemon.stop(15_000).catch((e) => problems.push(`stop dockerd: ${e}`));
    // Its containerd (started with a config under our exec-root) must be gone with it.
    for (const pid of processesMentioning(this.root)) {
      problems.push(`process ${pid} (${commandLine(pid)}) outlived dockerd; killed`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    return problems;
  }

  private processEnv(): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: path.join(this.root, 'tmp'), ...this.env };
  }
}

/** PIDs of processes (other than this one) whose command line mentions `dir`. */
export function processesMentioning(dir: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
      continue;
    }
    const cmdline = commandLine(Number(entry));
    if (cmdline.includes(dir)) {
      out.push(Number(entry));
    }
  }
  return out;
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Unmounts every mount at or under `dir` (deepest first); returns the problems. */
export function unmountAll(dir: string): string[] {
  const problems: string[] = [];
  for (const mount of mountsUnder(dir)) {
    const result = run('umount', [mount], { timeoutMs: 10_000 });
    if (result.status !== 0) {
      const lazy = run('umount', ['-l', mount], { timeoutMs: 10_000 });
      if (lazy.status !== 0) {
        problems.push(`umount ${mount}: ${result.stderr.trim()} / ${lazy.stderr.trim()}`);
      }
    }
  }
  return problems;
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf-8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined)
    .map((mountPoint) => mountPoint.replace(/\\040/g, ' '))
    .filter((mountPoint) => mountPoint === prefix || mountPoint.startsWith(prefix + '/'));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}
