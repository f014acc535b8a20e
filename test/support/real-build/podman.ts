import * as fs from 'fs';
import * as path from 'path';
import { run, runOk } from './process';
import { PODMAN_DOCKER, STATIC_BUSYBOX } from './tools';

/**
 * Podman (and skopeo) configured entirely through environment variables pointing into one temp
 * directory: the machine's /etc/containers is never read for these settings nor edited.
 * - RUN steps get no network (`netns="none"`), runc is the runtime (crun fails RUN steps here);
 * - overlay storage with graphroot/runroot in the temp dir;
 * - the local registries are insecure (plain HTTP on loopback), no unqualified search.
 */
export class PodmanSandbox {
  /** The environment variables that scope podman to this sandbox. */
  public readonly env: Record<string, string>;
  /** Directory of the `docker` wrapper, to put first on PATH. */
  public readonly binDir: string;
  private readonly registries = new Set<string>();

  constructor(public readonly root: string) {
    for (const dir of ['graph', 'run', 'tmp', 'bin', 'networks']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    this.binDir = path.join(root, 'bin');
    const containersConf = path.join(root, 'containers.conf');
    fs.writeFileSync(
      containersConf,
      [
        '[containers]',
        'netns = "none"',
        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
        // Podman's network backend keeps its lock and configs here, not in /etc/containers/networks.
        '[network]',
        `network_config_dir = "${path.join(root, 'networks')}"`,
        '[engine]',
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = "${path.join(root, 'events.log')}"`,
        `tmp_dir = "${path.join(root, 'run', 'libpod')}"`,
        '',
      ].join('\n'),
    );
    const storageConf = path.join(root, 'storage.conf');
    fs.writeFileSync(
      storageConf,
      [
        '[storage]',
        'driver = "overlay"',
        `graphroot = "${path.join(root, 'graph')}"`,
        `runroot = "${path.join(root, 'run')}"`,
        '',
      ].join('\n'),
    );
    const authFile = path.join(root, 'auth.json');
    this.env = {
      CONTAINERS_CONF: containersConf,
      CONTAINERS_STORAGE_CONF: storageConf,
      CONTAINERS_REGISTRIES_CONF: path.join(root, 'registries.conf'),
      REGISTRY_AUTH_FILE: authFile,
      TMPDIR: path.join(root, 'tmp'),
    };
    this.writeRegistriesConf();
    this.resetAuth();

    // The buildspec runs `docker`: podman-docker's CLI, with `--network none` added to builds
    // (TESTING.md). Every other argument goes through unchanged.
    const wrapper = path.join(this.binDir, 'docker');
    fs.writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        '# docker-compatible CLI on podman for the real-build tests: builds get no network.',
        'if [ "$1" = build ]; then',
        '  shift',
        `  exec ${PODMAN_DOCKER} build --network none "$@"`,
        'fi',
        `exec ${PODMAN_DOCKER} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  /** Marks `host:port` as a plain-HTTP registry for podman and skopeo. */
  public addInsecureRegistry(hostPort: string): void {
    this.registries.add(hostPort);
    this.writeRegistriesConf();
  }

  /** Forgets every login (a new CodeBuild build starts without credentials). */
  public resetAuth(): void {
    fs.writeFileSync(this.env.REGISTRY_AUTH_FILE, '{"auths":{}}\n');
  }

  /** The `auth` entries of the auth file (what `docker login` stored), by registry. */
  public storedLogins(): Record<string, string> {
    const auths = JSON.parse(fs.readFileSync(this.env.REGISTRY_AUTH_FILE, 'utf-8')).auths ?? {};
    const out: Record<string, string> = {};
    for (const [registry, entry] of Object.entries<any>(auths)) {
      out[registry] = Buffer.from(String(entry.auth ?? ''), 'base64').toString('utf-8');
    }
    return out;
  }

  /** Runs podman in the sandbox and returns its stdout; throws on a non-zero exit. */
  public podman(args: string[], options: { input?: string; timeoutMs?: number } = {}): string {
    return runOk('podman', args, { env: this.processEnv(), ...options });
  }

  /** Runs skopeo in the sandbox and returns its stdout; throws on a non-zero exit. */
  public skopeo(args: string[], timeoutMs = 30_000): string {
    return runOk('skopeo', args, { env: this.processEnv(), timeoutMs });
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
    this.podman(['import', '--change', 'ENV PATH=/bin', tarball, ref]);
    this.podman(['push', '--creds', `${user}:${password}`, ref]);
  }

  /**
   * Removes every image and container, unmounts whatever podman left mounted under the sandbox
   * (the overlay graphroot) and deletes the sandbox directory. Never throws.
   */
  public destroy(): string[] {
    const problems: string[] = [];
    for (const args of [
      ['rm', '--all', '--force'],
      ['rmi', '--all', '--force'],
    ]) {
      const result = run('podman', args, { env: this.processEnv(), timeoutMs: 30_000 });
      if (result.status !== 0) {
        problems.push(`podman ${args.join(' ')}: ${result.stderr.trim()}`);
      }
    }
    for (const mount of mountsUnder(this.root)) {
      const result = run('umount', [mount], { timeoutMs: 10_000 });
      if (result.status !== 0) {
        const lazy = run('umount', ['-l', mount], { timeoutMs: 10_000 });
        if (lazy.status !== 0) {
          problems.push(`umount ${mount}: ${result.stderr.trim()} / ${lazy.stderr.trim()}`);
        }
      }
    }
    if (mountsUnder(this.root).length === 0) {
      fs.rmSync(this.root, { recursive: true, force: true });
    } else {
      problems.push(`${this.root} still has mounts; not removed`);
    }
    return problems;
  }

  private processEnv(): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: path.join(this.root, 'tmp'), ...this.env };
  }

  private writeRegistriesConf(): void {
    const lines = ['unqualified-search-registries = []', ''];
    for (const registry of this.registries) {
      lines.push('[[registry]]', `location = "${registry}"`, 'insecure = true', '');
    }
    fs.writeFileSync(this.env.CONTAINERS_REGISTRIES_CONF, lines.join('\n'));
  }
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
