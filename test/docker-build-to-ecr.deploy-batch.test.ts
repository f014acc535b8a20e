import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { DockerBuildToEcr, DockerBuildToEcrProps, ImagePlatform } from '../src';
import { imageConsumerFunction } from './support/image-consumer';
import { addNagChecks, cfnLint, nagErrors } from './support/template-checks';

/**
 * buildOnDeploy with several platforms: the deploy-time build is a batch build (the handler's side
 * is tested in test/handlers/build-on-deploy-batch.test.ts).
 */

const BUILD_TYPE = 'Custom::CdkEcrCodebuildImageBuild';
const PLATFORMS = [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64];
const BUILD_ACTIONS = [
  'codebuild:StartBuild',
  'codebuild:BatchGetBuilds',
  'codebuild:StopBuild',
  'codebuild:ListBuildsForProject',
];
const BATCH_ACTIONS = [
  'codebuild:StartBuildBatch',
  'codebuild:BatchGetBuildBatches',
  'codebuild:StopBuildBatch',
  'codebuild:ListBuildBatchesForProject',
];

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function s3Source(stack: Stack, key = 'app/source.zip'): codebuild.ISource {
  const bucket =
    (stack.node.tryFindChild('Sources') as s3.IBucket | undefined) ??
    s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  return codebuild.Source.s3({ bucket, path: key });
}

function image(stack: Stack, id: string, props: Partial<DockerBuildToEcrProps> = {}): DockerBuildToEcr {
  return new DockerBuildToEcr(stack, id, {
    source: s3Source(stack, `${id}.zip`),
    buildOnDeploy: true,
    imageTag: 'v1',
    ...props,
  });
}

function handlerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CdkEcrCodebuildBuildOnDeployHandlerRole') }] },
  });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function projectIdOf(template: Template, scope: string): string {
  const ids = Object.keys(template.findResources('AWS::CodeBuild::Project')).filter((id) => id.startsWith(scope));
  expect(ids).toHaveLength(1);
  return ids[0];
}

function buildResourceOf(template: Template, scope: string): [string, any] {
  const entries = Object.entries(template.findResources(BUILD_TYPE)).filter(([id]) => id.startsWith(scope));
  expect(entries).toHaveLength(1);
  return entries[0];
}

describe('buildOnDeploy with several platforms', () => {
  test('the build resource says the project is a batch project and names the manifest step', () => {
    // GIVEN / WHEN
    const stack = newStack();
    image(stack, 'Image', { platforms: PLATFORMS });
    const template = Template.fromStack(stack);
    // THEN
    const [, resource] = buildResourceOf(template, 'Image');
    expect(resource.Properties).toEqual(
      expect.objectContaining({
        ProjectName: { Ref: projectIdOf(template, 'Image') },
        Batch: 'true',
        ManifestStep: 'manifest',
      }),
    );
    // the manifest step the handler reads is the buildspec's
    const project = template.findResources('AWS::CodeBuild::Project')[projectIdOf(template, 'Image')];
    const graph = JSON.parse(project.Properties.Source.BuildSpec).batch['build-graph'];
    expect(graph.map((s: any) => s.identifier)).toContain('manifest');
    expect(graph.find((s: any) => s.identifier === 'manifest')['depend-on']).toEqual([
      'image_linux_amd64',
      'image_linux_arm64',
    ]);
  });

  test('one platform: no batch property (a plain build)', () => {
    const stack = newStack();
    image(stack, 'Image', { platforms: [ImagePlatform.LINUX_ARM64] });
    const [, resource] = buildResourceOf(Template.fromStack(stack), 'Image');
    expect(resource.Properties.Batch).toBeUndefined();
    expect(resource.Properties.ManifestStep).toBeUndefined();
  });

  test('the handler may use batches of the batch project only, on its ARN only', () => {
    // GIVEN a multi-platform image and a single-platform one in one stack
    const stack = newStack();
    image(stack, 'Multi', { platforms: PLATFORMS });
    image(stack, 'Single');
    const template = Template.fromStack(stack);
    const multi = projectIdOf(template, 'Multi');
    const single = projectIdOf(template, 'Single');
    // THEN
    const statements = handlerStatements(template);
    const batchStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.includes('BuildBatch')));
    expect(batchStatements).toEqual([
      { Effect: 'Allow', Action: BATCH_ACTIONS, Resource: { 'Fn::GetAtt': [multi, 'Arn'] } },
    ]);
    // both projects keep the build actions (BatchGetBuilds reads the manifest step's build)
    for (const id of [multi, single]) {
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: BUILD_ACTIONS,
        Resource: { 'Fn::GetAtt': [id, 'Arn'] },
      });
    }
    for (const s of statements) {
      expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    }
  });

  test('the build resource deploys after the batch service role and its policy', () => {
    const stack = newStack();
    image(stack, 'Image', { platforms: PLATFORMS });
    const template = Template.fromStack(stack);
    const [, resource] = buildResourceOf(template, 'Image');
    const batchRole = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('ImageProjectBatchServiceRole'),
    );
    const batchPolicy = Object.keys(template.findResources('AWS::IAM::Policy')).find((id) =>
      id.startsWith('ImageProjectBatchServiceRoleDefaultPolicy'),
    );
    expect(batchRole).toBeDefined();
    expect(batchPolicy).toBeDefined();
    expect(resource.DependsOn).toEqual(expect.arrayContaining([batchRole, batchPolicy]));
  });

  test('a Lambda function from the digest deploys after the batch build, pinned to the manifest list', () => {
    // GIVEN
    const stack = newStack();
    const multi = image(stack, 'Image', { platforms: PLATFORMS });
    // WHEN
    new lambda.DockerImageFunction(stack, 'Fn', {
      code: lambda.DockerImageCode.fromEcr(multi.repository, { tagOrDigest: multi.imageDigest }),
    });
    // THEN
    const template = Template.fromStack(stack);
    const [buildId] = buildResourceOf(template, 'Image');
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }));
    expect(fn).toHaveLength(1);
    const uri = JSON.stringify((fn[0] as any).Properties.Code.ImageUri);
    expect(uri).toContain('"@sha256:"');
    expect(uri).toContain(`{"Fn::GetAtt":["${buildId}","ImageDigestHex"]}`);
  });
});

describe('template checks: buildOnDeploy with several platforms and a consumer function', () => {
  test('passes cfn-lint and cdk-nag AwsSolutions', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-batch-'));
    try {
      // GIVEN
      const app = new App({ outdir });
      const stack = newStack(app);
      const asset = new s3assets.Asset(stack, 'Source', { path: path.join(__dirname, '..', 'examples', 'docker-app') });
      const multi = new DockerBuildToEcr(stack, 'Image', {
        source: codebuild.Source.s3({ bucket: asset.bucket, path: asset.s3ObjectKey }),
        imageTag: 'v1',
        platforms: PLATFORMS,
        buildOnDeploy: true,
      });
      imageConsumerFunction(stack, 'Fn', {
        repository: multi.repository,
        tagOrDigest: multi.imageDigest,
        retention: logs.RetentionDays.ONE_MONTH,
      });
      addNagChecks(app);
      // WHEN
      const assembly = app.synth();
      // THEN
      const result = cfnLint([assembly.getStackArtifact(stack.artifactId).templateFullPath]);
      expect(result.output).toBe('');
      expect(result.exitCode).toBe(0);
      expect(nagErrors(stack, assembly)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
