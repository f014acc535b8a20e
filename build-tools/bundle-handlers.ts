/**
 * Bundles each custom-resource handler (`handlers/<name>/index.ts`, every folder of `handlers/` but
 * `shared/`) into one self-contained `lib/handlers/<name>/index.js`, the asset HandlerFunction
 * deploys: platform node, target Node.js 22 (the oldest runtime the handlers get), CommonJS, the
 * AWS SDK v3 left out (Lambda's Node.js runtimes provide it, as they did for the CommonJS handlers).
 * Run by `npx projen bundle:handlers` (from `pre-compile`) and by jest's global setup.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';

const ROOT = path.join(__dirname, '..');
export const HANDLERS_SOURCE = path.join(ROOT, 'handlers');
export const HANDLERS_OUT = path.join(ROOT, 'lib', 'handlers');

/** The handlers: the folders of `handlers/` that have an `index.ts`. */
export function handlerNames(): string[] {
  return fs
    .readdirSync(HANDLERS_SOURCE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(HANDLERS_SOURCE, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

export async function bundleHandlers(): Promise<string[]> {
  const names = handlerNames();
  for (const name of names) {
    const outdir = path.join(HANDLERS_OUT, name);
    // The folder is the asset: nothing but the bundle may be left in it.
    fs.rmSync(outdir, { recursive: true, force: true });
    await esbuild.build({
      entryPoints: [path.join(HANDLERS_SOURCE, name, 'index.ts')],
      outfile: path.join(outdir, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      logLevel: 'warning',
      legalComments: 'none',
    });
  }
  return names;
}

if (require.main === module) {
  bundleHandlers()
    .then((names) => console.log(`bundled ${names.map((n) => `lib/handlers/${n}/index.js`).join(', ')}`))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
