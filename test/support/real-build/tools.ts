import { spawnSync } from 'child_process';
import * as fs from 'fs';

/** The Debian packages the real-build tests need (CI's .ci/run installs the same list). */
export const REAL_BUILD_APT_PACKAGES = [
  'docker.io',
  'skopeo',
  'docker-registry',
  'busybox-static',
  'apache2-utils',
  'qemu-user-static',
  'golang-go',
];

/** Debian's docker CLI, 20.10 (NOT /usr/local/bin/docker, a Docker 28 client without buildx or daemon). */
export const DEBIAN_DOCKER = '/usr/bin/docker';
/** qemu's static aarch64 emulator and its binfmt_misc registration (qemu-user-static). */
export const QEMU_AARCH64_BINFMT = '/usr/lib/binfmt.d/qemu-aarch64.conf';
/** The static busybox of busybox-static, the only binary of the base image. */
export const STATIC_BUSYBOX = '/bin/busybox';

interface Requirement {
  readonly what: string;
  readonly check: () => boolean;
  readonly fix: string;
}

const APT_FIX = `apt-get install -y ${REAL_BUILD_APT_PACKAGES.join(' ')}`;

/**
 * Throws (so the real-build tests FAIL, never skip) when a tool they run is missing, naming every
 * missing tool and the command that installs it.
 */
export function requireRealBuildTools(python = 'python3'): void {
  const requirements: Requirement[] = [
    { what: 'dockerd (docker.io)', check: () => onPath('dockerd'), fix: APT_FIX },
    {
      what: `${DEBIAN_DOCKER} 20.10 (docker.io)`,
      check: () => {
        const v = spawnSync(DEBIAN_DOCKER, ['version', '--format', '{{.Client.Version}}'], { timeout: 10_000 });
        return String(v.stdout ?? '').startsWith('20.10');
      },
      fix: APT_FIX,
    },
    { what: 'runc', check: () => onPath('runc'), fix: APT_FIX },
    {
      what: `${QEMU_AARCH64_BINFMT} (qemu-user-static)`,
      check: () => fs.existsSync(QEMU_AARCH64_BINFMT),
      fix: APT_FIX,
    },
    { what: 'go (golang-go)', check: () => onPath('go'), fix: APT_FIX },
    { what: 'skopeo', check: () => onPath('skopeo'), fix: APT_FIX },
    { what: 'docker-registry', check: () => onPath('docker-registry'), fix: APT_FIX },
    { what: 'htpasswd (apache2-utils)', check: () => onPath('htpasswd'), fix: APT_FIX },
    { what: `${STATIC_BUSYBOX} (busybox-static)`, check: () => isExecutable(STATIC_BUSYBOX), fix: APT_FIX },
    { what: 'tar', check: () => onPath('tar'), fix: 'apt-get install -y tar' },
    { what: 'ip (iproute2)', check: () => onPath('ip'), fix: 'apt-get install -y iproute2' },
    {
      what: `${python} with moto[server] and awscli`,
      check: () => spawnSync(python, ['-c', 'import moto.server, awscli'], { timeout: 20_000 }).status === 0,
      fix: 'pip install "moto[server]" awscli',
    },
  ];
  const missing = requirements.filter((r) => !r.check());
  if (missing.length > 0) {
    throw new Error(
      'The real-build tests need tools that are missing:\n' +
        missing.map((m) => `  - ${m.what}: ${m.fix}`).join('\n') +
        '\n(they never skip: install the tools, as .ci/run does)',
    );
  }
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { timeout: 5_000 }).status === 0;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
