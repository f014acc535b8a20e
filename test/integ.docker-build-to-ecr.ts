/**
 * Integration test: DockerBuildToEcr builds examples/docker-app and pushes it to a new repository.
 *
 * - `npm test` compares the synthesized templates with the committed snapshot (no deploy).
 * - `npm run integ:deploy` deploys it, starts a build, waits until it SUCCEEDED, and checks that
 *   ECR has the image under every promised tag; then destroys the stack.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { DockerBuildToEcr } from '../src';
import { applyIntegFixups } from './support/integ-fixups';

export function buildIntegApp(app = new App()): { app: App; stacks: Stack[] } {
  const stack = new Stack(app, 'IntegDockerBuildToEcr');
  const source = new s3assets.Asset(stack, 'Source', {
    path: path.join(__dirname, '..', 'examples', 'docker-app'),
  });
  const image = new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
    target: 'runtime',
    buildArgs: { GREETING: 'hello from the integration test' },
    imageTag: 'integ',
    additionalTags: ['latest'],
    removalPolicy: RemovalPolicy.DESTROY, // test resources only
  });

  const integ = new IntegTest(app, 'DockerBuildToEcrTest', {
    testCases: [stack],
    diffAssets: true,
  });

  const start = integ.assertions.awsApiCall('CodeBuild', 'startBuild', {
    projectName: image.project.projectName,
  });
  const finished = integ.assertions
    .awsApiCall('CodeBuild', 'batchGetBuilds', { ids: [start.getAttString('build.id')] })
    .expect(ExpectedResult.objectLike({ builds: [{ buildStatus: 'SUCCEEDED' }] }))
    .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });
  const described = integ.assertions
    .awsApiCall('ECR', 'describeImages', {
      repositoryName: image.repository.repositoryName,
      imageIds: [{ imageTag: 'integ' }],
    })
    .expect(ExpectedResult.objectLike({ imageDetails: [{ imageTags: ['integ', 'latest'] }] }));
  // startBuild -> batchGetBuilds is ordered by the build id it reads; describeImages comes last.
  finished.next(described);
  applyIntegFixups(app);
  return { app, stacks: [stack] };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
