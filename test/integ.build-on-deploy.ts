/**
 * Integration test: `buildOnDeploy`. The deployment itself builds examples/docker-app, and a Lambda
 * function is created from the digest the build pushed (`imageDigest`), after the build.
 *
 * - `npm test` compares the synthesized templates with the committed snapshot (no deploy).
 * - `npm run integ:deploy` deploys it (which runs the build), then checks that ECR holds the image
 *   under the digest the build resource reported, and that the function runs that digest; then
 *   destroys the stack.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { DockerBuildToEcr } from '../src';
import { imageConsumerFunction } from './support/image-consumer';
import { applyIntegFixups } from './support/integ-fixups';

export function buildIntegApp(app = new App()): { app: App; stacks: Stack[] } {
  const stack = new Stack(app, 'IntegBuildOnDeploy');
  const source = new s3assets.Asset(stack, 'Source', {
    path: path.join(__dirname, '..', 'examples', 'docker-app'),
  });
  const image = new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
    target: 'runtime',
    buildOnDeploy: true,
    timeout: Duration.minutes(20),
    removalPolicy: RemovalPolicy.DESTROY, // test resources only
  });

  // The consumer: a function from the digest (created only; the example image is no Lambda runtime).
  const fn = imageConsumerFunction(stack, 'Function', {
    repository: image.repository,
    tagOrDigest: image.imageDigest,
    retention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const integ = new IntegTest(app, 'BuildOnDeployTest', {
    testCases: [stack],
    diffAssets: true,
  });
  integ.assertions
    .awsApiCall('ECR', 'describeImages', {
      repositoryName: image.repository.repositoryName,
      imageIds: [{ imageDigest: image.imageDigest }],
    })
    .expect(ExpectedResult.objectLike({ imageDetails: [{ imageDigest: image.imageDigest }] }));
  integ.assertions
    .awsApiCall('Lambda', 'getFunction', { FunctionName: fn.functionName })
    .expect(ExpectedResult.objectLike({ Code: { ImageUri: image.imageUriWithDigest } }));
  applyIntegFixups(app);
  return { app, stacks: [stack] };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
