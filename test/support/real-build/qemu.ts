import * as fs from 'fs';
import { run } from './process';
import { QEMU_AARCH64_BINFMT } from './tools';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const ENTRY = `${BINFMT}/qemu-aarch64`;

/**
 * qemu-user-static's aarch64 emulator registered with binfmt_misc, so that `--platform linux/arm64`
 * RUN steps execute here. The registration is kernel-wide: `undo()` removes exactly what `enable()`
 * added (the entry, and the binfmt_misc mount when it mounted it) and leaves what was there before.
 */
export class QemuAarch64 {
  public static enable(): QemuAarch64 {
    const mounted = fs.existsSync(`${BINFMT}/register`);
    if (!mounted) {
      const mount = run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT], { timeoutMs: 10_000 });
      if (mount.status !== 0) {
        throw new Error(`mount binfmt_misc: ${mount.stderr}`);
      }
    }
    const registered = fs.existsSync(ENTRY);
    if (!registered) {
      try {
        fs.writeFileSync(`${BINFMT}/register`, fs.readFileSync(QEMU_AARCH64_BINFMT, 'utf-8').trim());
      } catch (error) {
        if (!mounted) {
          run('umount', [BINFMT], { timeoutMs: 10_000 });
        }
        throw error;
      }
    }
    return new QemuAarch64(!mounted, !registered);
  }

  private constructor(
    private readonly mountedByUs: boolean,
    private readonly registeredByUs: boolean,
  ) {}

  /** Removes what `enable()` added; returns the problems (never throws). */
  public undo(): string[] {
    const problems: string[] = [];
    if (this.registeredByUs && fs.existsSync(ENTRY)) {
      try {
        fs.writeFileSync(ENTRY, '-1');
      } catch (error) {
        problems.push(`unregister ${ENTRY}: ${error}`);
      }
    }
    if (this.mountedByUs) {
      const result = run('umount', [BINFMT], { timeoutMs: 10_000 });
      if (result.status !== 0) {
        problems.push(`umount ${BINFMT}: ${result.stderr.trim()}`);
      }
    }
    return problems;
  }
}

/** The ELF machine of a binary (e_machine, little-endian): 62 = x86-64, 183 = AArch64. */
export function elfMachine(binary: Buffer): number {
  if (binary.length < 20 || binary.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error('not an ELF binary');
  }
  return binary.readUInt16LE(18);
}

/** binfmt_misc state, to check that a test left it as it found it. */
export function binfmtState(): string {
  if (!fs.existsSync(`${BINFMT}/register`)) {
    return 'not mounted';
  }
  return fs
    .readdirSync(BINFMT)
    .filter((e) => e !== 'register' && e !== 'status')
    .sort()
    .join(',');
}
