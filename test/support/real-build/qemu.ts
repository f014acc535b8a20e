import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './process';
import { QEMU_AARCH64_BINFMT } from './tools';

const BINFMT = '/proc/sys/fs/binfmt_misc';

/**
 * Where the test processes of this machine that need the registration meet: a lock, one file per
 * user (holding its PID) and what binfmt_misc held before the first of them changed it.
 */
const SHARED_DIR = path.join(os.tmpdir(), 'cdk-ecr-codebuild-binfmt');

/** Users whose process is gone (a killed test run) are dropped first. */
const DROP_STALE_USERS = [
  'for f in "$dir"/users/*; do',
  '  [ -e "$f" ] || continue',
  '  kill -0 "$(cat "$f")" 2>/dev/null || rm -f "$f"',
  'done',
];

const STATE = [
  'state() {',
  '  if [ -e "$B/register" ]; then ls "$B" | grep -v -x -e register -e status | sort | paste -sd, -; else echo "not mounted"; fi',
  '}',
];

/** Registers (and mounts) when this is the first user; records what was there before. */
const ENABLE_SCRIPT = [
  'set -eu; export LC_ALL=C',
  'dir="$1"; id="$2"; pid="$3"; conf="$4"; B=/proc/sys/fs/binfmt_misc',
  ...STATE,
  'mkdir -p "$dir/users"',
  ...DROP_STALE_USERS,
  'if [ -z "$(ls -A "$dir/users")" ]; then',
  '  m=0; r=0',
  '  [ -e "$B/register" ] && m=1',
  '  [ -e "$B/qemu-aarch64" ] && r=1',
  // A first user that died left its origin behind: the state before it is still the one to restore.
  '  if [ ! -e "$dir/origin" ]; then echo "$m $r" > "$dir/origin"; state > "$dir/origin-state"; fi',
  '  [ "$m" = 1 ] || mount -t binfmt_misc binfmt_misc "$B"',
  '  [ -e "$B/qemu-aarch64" ] || printf "%s" "$(cat "$conf")" > "$B/register"',
  'fi',
  'echo "$pid" > "$dir/users/$id"',
].join('\n');

/** Drops this user; the last one restores what was there before the first. Prints `last <state>` or `shared`. */
const UNDO_SCRIPT = [
  'set -eu; export LC_ALL=C',
  'dir="$1"; id="$2"; B=/proc/sys/fs/binfmt_misc',
  'rm -f "$dir/users/$id"',
  ...DROP_STALE_USERS,
  'if [ -z "$(ls -A "$dir/users" 2>/dev/null)" ] && [ -e "$dir/origin" ]; then',
  '  read -r m r < "$dir/origin"',
  '  if [ "$r" = 0 ] && [ -e "$B/qemu-aarch64" ]; then echo -1 > "$B/qemu-aarch64"; fi',
  '  if [ "$m" = 0 ] && [ -e "$B/register" ]; then umount "$B"; fi',
  '  echo "last $(cat "$dir/origin-state")"',
  '  rm -f "$dir/origin" "$dir/origin-state"',
  'else',
  '  echo shared',
  'fi',
].join('\n');

/**
 * qemu-user-static's aarch64 emulator registered with binfmt_misc, so that `--platform linux/arm64`
 * RUN steps execute here.
 *
 * The registration is kernel-wide, so two test runs on one machine (a stress run beside a CI run,
 * two checkouts) share it: one that removed it while the other was building arm64 made that build
 * fail with "exec format error". So the users count themselves, under a lock (`flock`): the first
 * registers (and mounts binfmt_misc) and records what was there before; the last restores exactly
 * that; a user whose process died is dropped by the next one.
 */
export class QemuAarch64 {
  public static enable(): QemuAarch64 {
    fs.mkdirSync(SHARED_DIR, { recursive: true });
    const id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const result = locked(ENABLE_SCRIPT, [SHARED_DIR, id, String(process.pid), QEMU_AARCH64_BINFMT]);
    if (result.status !== 0) {
      throw new Error(`registering qemu-aarch64 with binfmt_misc failed: ${result.stderr.trim()}`);
    }
    return new QemuAarch64(id);
  }

  /**
   * After `undo()`: true when this was the last user, so binfmt_misc is back to `stateBefore`.
   */
  public lastUser = false;
  /** After `undo()` of the last user: binfmt_misc as it was before the first user (see `binfmtState`). */
  public stateBefore?: string;

  private constructor(private readonly id: string) {}

  /** Drops this user (the last one restores binfmt_misc); returns the problems (never throws). */
  public undo(): string[] {
    const result = locked(UNDO_SCRIPT, [SHARED_DIR, this.id]);
    if (result.status !== 0) {
      return [`unregistering qemu-aarch64: ${result.stderr.trim()}`];
    }
    const out = result.stdout.trim();
    this.lastUser = out.startsWith('last');
    this.stateBefore = this.lastUser ? out.slice('last'.length).trim() : undefined;
    return [];
  }
}

/** Runs a bash script while holding the users' lock (30 s at most to get it). */
function locked(script: string, args: string[]) {
  return run('flock', ['-x', '-w', '30', path.join(SHARED_DIR, 'lock'), 'bash', '-c', script, 'binfmt', ...args], {
    timeoutMs: 45_000,
  });
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
