import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CrossAccountPullPolicy, DockerBuildToEcr } from '../../../src';

/**
 * The assets of the custom-resource handlers: each holds its own folder of `lambda/` and
 * `lambda/shared/` (the CloudFormation response sender both use), nothing else, and loads from the
 * staged asset alone.
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
  // The Lambda runtime provides the AWS SDK that the handlers require; here the project's does.
  fs.symlinkSync(path.join(__dirname, '..', '..', '..', 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  const template = assembly.getStackByName('Stack').template;
  const functions = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  // The function's S3 key is `<asset hash>.zip`; the staged asset is `asset.<hash>` in the assembly.
  const assetOf = (handler: string) => {
    const fn = functions.find((f) => f.Properties.Handler === handler);
    expect(fn).toBeDefined();
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    return path.join(assembly.directory, `asset.${hash}`);
  };
  return { outdir, assetOf };
}

describe('custom-resource handler assets', () => {
  const { outdir, assetOf } = synthHandlers();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test.each([
    ['build-on-deploy/index.handler', ['build-on-deploy/index.js', 'shared/cfn-response.js']],
    [
      'repository-policy/index.handler',
      [
        'repository-policy/core.js',
        'repository-policy/index.js',
        'repository-policy/lease.js',
        'shared/cfn-response.js',
      ],
    ],
  ])('%s: its folder and shared/, and no other handler', (handler, files) => {
    expect(filesUnder(assetOf(handler))).toEqual(files);
  });

  test.each(['build-on-deploy/index.handler', 'repository-policy/index.handler'])(
    '%s loads from its staged asset alone and sends responses with the shared sender',
    (handler) => {
      const [folder] = handler.split('/');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const staged = require(path.join(assetOf(handler), folder, 'index.js'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const shared = require(path.join(assetOf(handler), 'shared', 'cfn-response.js'));
      expect(typeof staged.handler).toBe('function');
      expect(staged.sendResponse).toBe(shared.sendResponse);
    },
  );
});
