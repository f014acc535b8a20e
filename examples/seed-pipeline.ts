/**
 * The seeds' pipeline as one CDK app: DockerBuildToEcr builds the multi-stage image in
 * examples/docker-app (uploaded as an S3 zip asset) and pushes it to a new ECR repository.
 *
 * Run: `npm run synth:example` (no AWS account or credentials needed). Writes cdk.out/.
 */
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { describeToken, printSummary } from './summary';
import { DockerBuildToEcr } from '../src';

/** Folder holding the example Dockerfile (zipped into the S3 source asset). */
export const DOCKER_APP_DIR = path.join(__dirname, 'docker-app');

export class SeedPipelineStack extends Stack {
  public readonly image: DockerBuildToEcr;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The S3 zip source of the seeds: files at the zip's root.
    const source = new s3assets.Asset(this, 'DockerAppSource', { path: DOCKER_APP_DIR });

    this.image = new DockerBuildToEcr(this, 'AppImage', {
      source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
      repositoryName: 'cdk-ecr-codebuild/seed-app',
      target: 'runtime',
      buildArgs: { GREETING: 'hello from the seed pipeline' },
      untaggedImageExpiration: Duration.days(14),
      maxImageCount: 50,
    });
  }
}

/** Builds the example app (environment-agnostic: no account or region needed). */
export function buildSeedApp(outdir?: string): { app: App; stacks: SeedPipelineStack[] } {
  const app = new App({ outdir });
  const stack = new SeedPipelineStack(app, 'SeedPipeline', {
    description: 'cdk-ecr-codebuild example: build a multi-stage Docker image in CodeBuild and push it to ECR',
  });
  return { app, stacks: [stack] };
}

if (require.main === module) {
  const { app, stacks } = buildSeedApp(process.env.CDK_OUTDIR ?? 'cdk.out');
  const assembly = app.synth();
  printSummary(
    assembly,
    stacks.map((s) => [`Image URI (${s.stackName})`, describeToken(s, s.image.imageUri)]),
  );
}
