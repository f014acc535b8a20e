import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runOk } from './process';

/** An image pulled back from a registry and unpacked for inspection (nothing of it runs). */
export interface PulledImage {
  readonly reference: string;
  /** Media type of the manifest. */
  readonly manifestMediaType: string;
  /** The image config's `config` (Cmd, Env, WorkingDir…). */
  readonly config: any;
  /** Every path of the image's filesystem (layers merged, whiteouts applied), without leading `/`. */
  readonly files: string[];
  /** Content of a regular file of the image (path with or without leading `/`). */
  readFile(file: string): string;
  /** Bytes of a regular file of the image. */
  readBytes(file: string): Buffer;
  has(file: string): boolean;
}

interface Entry {
  readonly layer: string;
  readonly member: string;
}

/**
 * Reads the image `dir` (skopeo's `dir:` transport: manifest.json plus blobs named by digest) and
 * merges its layers the way a container runtime would, with OCI whiteouts.
 */
export function readImageDir(reference: string, dir: string): PulledImage {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  if (!Array.isArray(manifest.layers)) {
    throw new Error(`${reference}: not a single-platform image manifest: ${manifest.mediaType}`);
  }
  const blob = (digest: string): string => path.join(dir, String(digest).replace(/^sha256:/, ''));
  const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf-8'));

  const entries = new Map<string, Entry>();
  for (const layer of manifest.layers) {
    const file = blob(layer.digest);
    // GNU tar detects gzip (and other compressions) by itself when reading a file.
    const members = runOk('tar', ['-tf', file])
      .split('\n')
      .filter((m) => m.length > 0);
    for (const member of members) {
      const name = normalize(member);
      const base = path.posix.basename(name);
      const parent = path.posix.dirname(name);
      if (base === '.wh..wh..opq') {
        removeUnder(entries, parent === '.' ? '' : parent, false);
      } else if (base.startsWith('.wh.')) {
        removeUnder(entries, path.posix.join(parent, base.slice('.wh.'.length)), true);
      } else if (name !== '') {
        entries.set(name, { layer: file, member });
      }
    }
  }

  const find = (file: string): Entry | undefined => entries.get(normalize(file));
  return {
    reference,
    manifestMediaType: String(manifest.mediaType ?? ''),
    config: config.config ?? {},
    files: [...entries.keys()].sort(),
    has: (file) => find(file) !== undefined,
    readFile: (file) => {
      const entry = find(file);
      if (entry === undefined) {
        throw new Error(`${reference}: no ${file} in the image`);
      }
      return runOk('tar', ['-xOf', entry.layer, entry.member]);
    },
    readBytes: (file) => {
      const entry = find(file);
      if (entry === undefined) {
        throw new Error(`${reference}: no ${file} in the image`);
      }
      const proc = spawnSync('tar', ['-xOf', entry.layer, entry.member], {
        timeout: 30_000,
        maxBuffer: 256 * 1024 * 1024,
      });
      if (proc.status !== 0) {
        throw new Error(`tar -xOf ${entry.layer} ${entry.member}: ${proc.stderr}`);
      }
      return proc.stdout;
    },
  };
}

function normalize(member: string): string {
  return member
    .replace(/^\.?\/+/, '')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
}

function removeUnder(entries: Map<string, Entry>, target: string, includeSelf: boolean): void {
  for (const key of [...entries.keys()]) {
    if ((includeSelf && key === target) || (target === '' ? true : key.startsWith(target + '/'))) {
      entries.delete(key);
    }
  }
}
