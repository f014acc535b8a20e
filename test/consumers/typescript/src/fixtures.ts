/**
 * Real constructs for the `declare const`s of the README's snippets, created the way a user's app
 * would have them. Everything here is the user's (under the `Fixtures` scope), except a
 * DockerBuildToEcr asked for by type, which is the library's and is created beside the snippet's own
 * constructs so that its findings count against the library.
 */
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DockerBuildToEcr } from 'cdk-ecr-codebuild';
import { Construct } from 'constructs';

/** The id of the scope that holds the user's fixtures (their findings are not the library's). */
export const FIXTURES_ID = 'Fixtures';

export class Fixtures {
  private readonly scope: Construct;
  private artifact?: codepipeline.Artifact;

  constructor(private readonly stack: Stack) {
    this.scope = new Construct(stack, FIXTURES_ID);
  }

  /** A real construct of the declared `type` for the variable `name`. */
  public given(type: string, name: string): unknown {
    const factory = this.factories()[type];
    if (factory === undefined) {
      throw new Error(
        `README snippet declares ${name}: ${type}, which the consumer suite cannot bind to a real construct: ` +
          'add a factory for that type to test/consumers/typescript/src/fixtures.ts',
      );
    }
    return factory(name);
  }

  private factories(): Record<string, (name: string) => unknown> {
    const scope = this.scope;
    const account = this.stack.account;
    const region = this.stack.region;
    return {
      's3.IBucket': (name) => s3.Bucket.fromBucketName(scope, name, 'consumer-sources'),
      'ecr.IRepository': (name) => ecr.Repository.fromRepositoryName(scope, name, `team/${kebab(name)}`),
      'codecommit.IRepository': (name) => codecommit.Repository.fromRepositoryName(scope, name, kebab(name)),
      'codebuild.ISource': (name) => codebuild.Source.gitHub({ owner: 'my-org', repo: kebab(name) }),
      'secretsmanager.ISecret': (name) =>
        secretsmanager.Secret.fromSecretCompleteArn(
          scope,
          name,
          `arn:aws:secretsmanager:${region}:${account}:secret:team/${kebab(name)}-AbCdEf`,
        ),
      'sns.ITopic': (name) => sns.Topic.fromTopicArn(scope, name, `arn:aws:sns:${region}:${account}:${kebab(name)}`),
      'iam.IRole': (name) => iam.Role.fromRoleArn(scope, name, `arn:aws:iam::${account}:role/${kebab(name)}`),
      'ecs.FargateTaskDefinition': (name) => new ecs.FargateTaskDefinition(scope, name),
      'codepipeline.Artifact': () => this.sourceArtifact(),
      'codepipeline.Pipeline': (name) => {
        const pipeline = new codepipeline.Pipeline(scope, name, { pipelineType: codepipeline.PipelineType.V2 });
        pipeline.addStage({
          stageName: 'Source',
          actions: [
            new actions.S3SourceAction({
              actionName: 'Source',
              bucket: s3.Bucket.fromBucketName(scope, `${name}SourceBucket`, 'consumer-pipeline-sources'),
              bucketKey: 'source.zip',
              output: this.sourceArtifact(),
              trigger: actions.S3Trigger.NONE,
            }),
          ],
        });
        return pipeline;
      },
      // The library's: created beside the snippet's constructs, so its findings count.
      DockerBuildToEcr: (name) =>
        new DockerBuildToEcr(this.stack, `Given${name[0].toUpperCase()}${name.slice(1)}`, {
          source: codebuild.Source.s3({
            bucket: s3.Bucket.fromBucketName(scope, `${name}Sources`, 'consumer-sources'),
            path: 'app/source.zip',
          }),
        }),
    };
  }

  private sourceArtifact(): codepipeline.Artifact {
    this.artifact ??= new codepipeline.Artifact('Source');
    return this.artifact;
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
