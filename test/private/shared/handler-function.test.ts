import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CrossAccountPullPolicy, DockerBuildToEcr } from '../../../src';

/**
 * The assets of the custom-resource handlers: each is its handler's esbuild bundle
 * (`lib/handlers/<name>/index.js`, from `handlers/<name>/`), with the shared CloudFormation response
 * sender bundled in, nothing else (no other handler's code), and loads from the staged asset alone
 * (only Node.js's modules and the AWS SDK, which Lambda's runtime provides, are left to `require`).
 */

/** The files of a folder, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

function synthHandlers() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-assets-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CrossAccountPullPolicy(stack, 'Pull', {
    repository: ecr.Repository.fromRepositoryName(stack, 'Imported', 'shared/images'),
    accountIds: ['222222222222'],
  });
  new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources'), path: 'app.zip' }),
    buildOnDeploy: true,
  });
  const assembly = app.synth();
  // The Lambda runtime provides the AWS SDK that the bundles leave out; here the project's does.
  fs.symlinkSync(path.join(__dirname, '..', '..', '..', 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  const template = assembly.getStackByName('Stack').template;
  const functions = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  // The function's S3 key is `<asset hash>.zip`; the staged asset is `asset.<hash>` in the assembly.
  // Both functions' handler is `index.handler`; the description names the construct.
  const assetOf = (name: string) => {
    const fn = functions.find(
      (f) => f.Properties.Handler === 'index.handler' && ASSET_FUNCTION[name]!.test(f.Properties.Description),
    );
    expect(fn).toBeDefined();
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    return path.join(assembly.directory, `asset.${hash}`);
  };
  return { outdir, assetOf };
}

/** Which function's description belongs to which handler. */
const ASSET_FUNCTION: Record<string, RegExp> = {
  'build-on-deploy': /builds images when the stack deploys/,
  'repository-policy': /statements in ECR repository policies/,
};

/** What only one handler's code holds: none of it may be in the other handler's bundle. */
const OWN_CODE: Record<string, string> = {
  'build-on-deploy': 'StartBuildBatch',
  'repository-policy': 'cdk-ecr-codebuild-locks',
};

/** The modules a bundle leaves to `require`: Node.js's own (`node:` or bare builtins) and the AWS SDK v3. */
function requiredModules(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...new Set([...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();
}

describe('custom-resource handler assets', () => {
  const { outdir, assetOf } = synthHandlers();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test.each(['build-on-deploy', 'repository-policy'])(
    '%s: its bundle alone, and no code of the other handler',
    (name) => {
      expect(filesUnder(assetOf(name))).toEqual(['index.js']);
      const bundle = fs.readFileSync(path.join(assetOf(name), 'index.js'), 'utf8');
      expect(bundle).toContain(OWN_CODE[name]);
      for (const [other, code] of Object.entries(OWN_CODE).filter(([n]) => n !== name)) {
        expect({ other, has: bundle.includes(code) }).toEqual({ other, has: false });
      }
    },
  );

  test.each(['build-on-deploy', 'repository-policy'])(
    '%s loads from its staged asset alone and sends responses with the shared sender bundled in',
    (name) => {
      const file = path.join(assetOf(name), 'index.js');
      const builtin = new Set(builtinModules);
      const unbundled = requiredModules(file).filter(
        (m) => !m.startsWith('@aws-sdk/') && !builtin.has(m.replace(/^node:/, '')),
      );
      expect(unbundled).toEqual([]);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const staged = require(file);
      expect(typeof staged.handler).toBe('function');
      expect(typeof staged.sendResponse).toBe('function');
      expect(fs.readFileSync(file, 'utf8')).toContain('CloudFormation response URL answered');
    },
  );
});
