import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Zips the contents of `dir` (files at the zip's root, no top folder: the layout CodeBuild expects
 * of an S3 source) into `zipFile`, or only `files` (paths relative to `dir`) when given. Uses the
 * `zip` CLI (Debian package `zip`).
 */
export function zipDirectory(dir: string, zipFile: string, files?: string[]): void {
  fs.rmSync(zipFile, { force: true });
  run('zip', ['-q', '-X', '-r', path.resolve(zipFile), ...(files ?? ['.'])], dir);
}

/** Extracts `zipFile` into `dir` with the `unzip` CLI (Debian package `unzip`). */
export function unzipTo(zipFile: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  run('unzip', ['-q', '-o', path.resolve(zipFile), '-d', dir], dir);
}

/** The entries of a zip file, as `unzip -Z1` lists them. */
export function zipEntries(zipFile: string): string[] {
  return run('unzip', ['-Z1', path.resolve(zipFile)], path.dirname(zipFile))
    .split('\n')
    .filter((l) => l.length > 0);
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    if (e.code === 'ENOENT') {
      throw new Error(`${command} is not on PATH: apt-get install -y ${command}`);
    }
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}
