/**
 * The seeds' pipeline as one CDK app, with all three constructs wired together:
 *
 * 1. DockerBuildToEcr builds the multi-stage image in examples/docker-app (an S3 zip asset) and
 *    pushes it to a new ECR repository; CrossAccountPullPolicy lets a second account pull it.
 * 2. DockerBuildToEcr builds the Go builder image in examples/go-builder (seed 000's custom image).
 * 3. GoSampleBuild builds the Go program in examples/go-hello (an S3 zip, files at its root) inside
 *    that builder image, pulled with CODEBUILD credentials under a repository-policy statement
 *    scoped to this project, and stores the binary as GoOutputArtifact.zip.
 *
 * Run: `npm run synth:example` (no AWS account or credentials needed). Writes cdk.out/.
 */
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { describeToken, printSummary } from './summary';
import { BuilderImage, CrossAccountPullPolicy, DockerBuildToEcr, GoSampleBuild } from '../src';

/** Folder holding the example multi-stage Dockerfile (zipped into the S3 source asset). */
export const DOCKER_APP_DIR = path.join(__dirname, 'docker-app');
/** Folder holding the Dockerfile of the Go builder image. */
export const GO_BUILDER_DIR = path.join(__dirname, 'go-builder');
/** Folder holding the Go program (the seed's S3 zip: files at the zip's root). */
export const GO_HELLO_DIR = path.join(__dirname, 'go-hello');
/** The second account of the seeds, allowed to pull the application image. */
export const CONSUMER_ACCOUNT = '111122223333';

export class SeedPipelineStack extends Stack {
  /** The application image (multi-stage build). */
  public readonly image: DockerBuildToEcr;
  /** The Go builder image that GoSampleBuild runs in. */
  public readonly goBuilder: DockerBuildToEcr;
  /** The Go program's build. */
  public readonly goSample: GoSampleBuild;
  /** Pull access for the second account. */
  public readonly sharing: CrossAccountPullPolicy;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // 1. The application image, shared with a second account.
    const appSource = new s3assets.Asset(this, 'DockerAppSource', { path: DOCKER_APP_DIR });
    this.image = new DockerBuildToEcr(this, 'AppImage', {
      source: codebuild.Source.s3({ bucket: appSource.bucket, path: appSource.s3ObjectKey }),
      repositoryName: 'cdk-ecr-codebuild/seed-app',
      target: 'runtime',
      buildArgs: { GREETING: 'hello from the seed pipeline' },
      untaggedImageExpiration: Duration.days(14),
      maxImageCount: 50,
    });
    this.sharing = new CrossAccountPullPolicy(this, 'AppImageSharing', {
      repository: this.image.repository,
      accountIds: [CONSUMER_ACCOUNT],
    });

    // 2. The Go builder image.
    const builderSource = new s3assets.Asset(this, 'GoBuilderSource', { path: GO_BUILDER_DIR });
    this.goBuilder = new DockerBuildToEcr(this, 'GoBuilderImage', {
      source: codebuild.Source.s3({ bucket: builderSource.bucket, path: builderSource.s3ObjectKey }),
      repositoryName: 'cdk-ecr-codebuild/go-builder',
      target: 'builder',
      untaggedImageExpiration: Duration.days(7),
    });

    // 3. The Go program, built inside the builder image (tag 'latest', which every build moves).
    const goSource = new s3assets.Asset(this, 'GoSampleSource', { path: GO_HELLO_DIR });
    this.goSample = new GoSampleBuild(this, 'GoSample', {
      source: codebuild.Source.s3({ bucket: goSource.bucket, path: goSource.s3ObjectKey }),
      builderImage: BuilderImage.fromEcrRepository(this.goBuilder.repository, 'latest'),
    });
  }
}

/** Builds the example app (environment-agnostic: no account or region needed). */
export function buildSeedApp(outdir?: string): { app: App; stacks: SeedPipelineStack[] } {
  const app = new App({ outdir });
  const stack = new SeedPipelineStack(app, 'SeedPipeline', {
    description: 'cdk-ecr-codebuild example: Docker images built in CodeBuild, shared, and a Go build inside one',
  });
  return { app, stacks: [stack] };
}

if (require.main === module) {
  const { app, stacks } = buildSeedApp(process.env.CDK_OUTDIR ?? 'cdk.out');
  const assembly = app.synth();
  printSummary(
    assembly,
    stacks.flatMap((s): Array<[string, string]> => [
      [`Image URI (${s.stackName}, app image)`, describeToken(s, s.image.imageUri)],
      [`Image URI (${s.stackName}, Go builder)`, describeToken(s, s.goBuilder.imageUri)],
      [`Pull granted to account`, CONSUMER_ACCOUNT],
      [`Go artifact`, `s3://${describeToken(s, s.goSample.artifactsBucket.bucketName)}/GoOutputArtifact.zip`],
    ]),
  );
}
