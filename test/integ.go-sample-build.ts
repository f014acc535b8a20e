/**
 * Integration test: GoSampleBuild builds examples/go-hello (an S3 zip) on a CodeBuild standard image
 * and stores the binary as GoOutputArtifact.zip.
 *
 * - `npm test` compares the synthesized templates with the committed snapshot (no deploy).
 * - `npm run integ:deploy` deploys it, starts a build, waits until it SUCCEEDED and checks that the
 *   artifact is in the bucket.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { BuilderImage, GoSampleBuild } from '../src';
import { applyIntegFixups } from './support/integ-fixups';

export function buildIntegApp(app = new App()): { app: App; stacks: Stack[] } {
  const stack = new Stack(app, 'IntegGoSampleBuild');
  const source = new s3assets.Asset(stack, 'Source', {
    path: path.join(__dirname, '..', 'examples', 'go-hello'),
  });
  const build = new GoSampleBuild(stack, 'GoSample', {
    source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
    builderImage: BuilderImage.curated('1.23'),
  });

  const integ = new IntegTest(app, 'GoSampleBuildTest', { testCases: [stack] });
  const start = integ.assertions.awsApiCall('CodeBuild', 'startBuild', {
    projectName: build.project.projectName,
  });
  const finished = integ.assertions
    .awsApiCall('CodeBuild', 'batchGetBuilds', { ids: [start.getAttString('build.id')] })
    .expect(ExpectedResult.objectLike({ builds: [{ buildStatus: 'SUCCEEDED' }] }))
    .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });
  // The artifact is in the bucket: the call (and with it the assertion) fails when it is not.
  const artifact = integ.assertions.awsApiCall('S3', 'getObjectAttributes', {
    Bucket: build.artifactsBucket.bucketName,
    Key: 'GoOutputArtifact.zip',
    ObjectAttributes: ['ObjectSize'],
  });
  // GetObjectAttributes also needs s3:GetObject, and the key to read an SSE-KMS object's metadata.
  artifact.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [build.artifactsBucket.arnForObjects('GoOutputArtifact.zip')],
  });
  artifact.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: [build.encryptionKey.keyArn],
  });
  finished.next(artifact);
  applyIntegFixups(app);
  return { app, stacks: [stack] };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
