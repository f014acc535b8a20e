import * as fs from 'fs';
import * as path from 'path';
import { httpStatus, runOk, ServerProcess, startServer } from './process';

export interface LocalRegistryOptions {
  /** Directory for the config, htpasswd file, storage and log (created). */
  readonly dir: string;
  /** The only user (ECR's is `AWS`). */
  readonly user: string;
  /** Its password (for an ECR stand-in: the token of `aws ecr get-login-password`). */
  readonly password: string;
  /** Refuse every write (pushes get 405) while logins and pulls work. @default false */
  readonly readOnly?: boolean;
}

/** Content of a tag as the registry serves it. */
export interface ManifestInfo {
  readonly digest: string;
  readonly mediaType: string;
}

/**
 * Debian's `docker-registry` (distribution v2) with our own config: 127.0.0.1 and a free port only,
 * filesystem storage in `dir`, htpasswd (bcrypt) auth with one user.
 */
export class LocalRegistry {
  /**
   * Starts a registry; stop it with `stop()` (by PID).
   *
   * The registry reads `REGISTRY_*` environment variables as config overrides (an inherited
   * `REGISTRY_AUTH_FILE` would become `auth.file` and break the config), so it gets a bare environment.
   */
  public static async start(options: LocalRegistryOptions): Promise<LocalRegistry> {
    fs.mkdirSync(path.join(options.dir, 'storage'), { recursive: true });
    const htpasswd = path.join(options.dir, 'htpasswd');
    runOk('htpasswd', ['-B', '-c', '-i', htpasswd, options.user], { input: options.password + '\n' });
    // Port 0: the kernel picks a free port when the registry binds, and the registry logs it
    // ("listening on 127.0.0.1:<port>", at level info). Picking a port first and passing it would
    // leave a window in which a server of a parallel test could take it.
    const config = path.join(options.dir, 'config.yml');
    const logFile = path.join(options.dir, 'registry.log');
    fs.writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: info',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path.join(options.dir, 'storage')}`,
        ...(options.readOnly ? ['  maintenance:', '    readonly:', '      enabled: true'] : []),
        'http:',
        '  addr: 127.0.0.1:0',
        'auth:',
        '  htpasswd:',
        '    realm: local-registry',
        `    path: ${htpasswd}`,
        '',
      ].join('\n'),
    );
    let port = 0;
    const server = await startServer({
      name: 'docker-registry on 127.0.0.1 (waiting for "listening on 127.0.0.1:<port>" and a 401 on /v2/)',
      command: 'docker-registry',
      args: ['serve', config],
      env: { PATH: '/usr/bin:/bin' },
      cwd: options.dir,
      logFile,
      ready: async () => {
        port ||= Number(/listening on 127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logFile, 'utf-8'))?.[1] ?? 0);
        return port > 0 && (await httpStatus(`http://127.0.0.1:${port}/v2/`)) === 401;
      },
      readyTimeoutMs: 10_000,
    });
    return new LocalRegistry(server, `127.0.0.1:${port}`, options.user, options.password);
  }

  private constructor(
    public readonly server: ServerProcess,
    /** `127.0.0.1:<port>`: what ECR_REGISTRY points at. */
    public readonly host: string,
    public readonly user: string,
    public readonly password: string,
  ) {}

  /** Tags of `repository`, sorted, or `undefined` when the repository does not exist. */
  public async tags(repository: string): Promise<string[] | undefined> {
    const response = await fetch(`http://${this.host}/v2/${repository}/tags/list`, {
      headers: { Authorization: this.basicAuth() },
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (response.status !== 200) {
      throw new Error(`GET /v2/${repository}/tags/list: HTTP ${response.status} ${await response.text()}`);
    }
    const body = (await response.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  /** Digest of the manifest a tag points at, or `undefined` when the tag does not exist. */
  public async manifest(repository: string, tag: string): Promise<ManifestInfo | undefined> {
    const response = await fetch(`http://${this.host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        Authorization: this.basicAuth(),
        Accept: [
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.oci.image.index.v1+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
        ].join(', '),
      },
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status === 404) {
      return undefined;
    }
    if (response.status !== 200) {
      throw new Error(`HEAD /v2/${repository}/manifests/${tag}: HTTP ${response.status}`);
    }
    return {
      digest: response.headers.get('docker-content-digest') ?? '',
      mediaType: response.headers.get('content-type') ?? '',
    };
  }

  public async stop(): Promise<void> {
    await this.server.stop();
  }

  private basicAuth(): string {
    return 'Basic ' + Buffer.from(`${this.user}:${this.password}`).toString('base64');
  }
}
