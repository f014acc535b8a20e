/**
 * The pipeline path: DockerBuildToEcr's project as the build action of a CodePipeline, whose
 * exported variables (`IMAGE_URI`, `IMAGE_TAG`, `IMAGE_DIGEST`) feed the deploy stage.
 *
 * 1. Source: the application repository through a CodeConnections (GitHub, GitLab, Bitbucket)
 *    connection; the connection ARN comes from the `connectionArn` context value.
 * 2. Build: the DockerBuildToEcr project in a `CodeBuildAction` with the variables namespace `Image`.
 *    The project keeps its own source (examples/docker-app as an S3 asset) for builds started outside
 *    the pipeline; in the pipeline, CodePipeline hands it the commit instead.
 * 3. Deploy: a CloudFormation action deploys the service template of the repository
 *    (`deploy/service.template.json`) with the image pinned by digest,
 *    `<repositoryUri>@#{Image.IMAGE_DIGEST}`, as its `ImageUri` parameter.
 *
 * Run: `npx ts-node --project test/tsconfig.json examples/pipeline.ts` (no AWS account or credentials).
 */
import * as path from 'path';
import { App, CfnResource, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { describeToken, printSummary } from './summary';
import { DockerBuildToEcr } from '../src';

/** Folder holding the example multi-stage Dockerfile. */
const DOCKER_APP_DIR = path.join(__dirname, 'docker-app');
/** A placeholder connection (replace it with `cdk synth -c connectionArn=...`). */
export const EXAMPLE_CONNECTION_ARN =
  'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000';

export interface ImagePipelineStackProps extends StackProps {
  /** The CodeConnections connection to the repository. */
  readonly connectionArn: string;
  /** `owner/name` of the repository. */
  readonly repository: string;
  readonly branch?: string;
}

export class ImagePipelineStack extends Stack {
  public readonly image: DockerBuildToEcr;
  public readonly pipeline: codepipeline.Pipeline;
  /** The build action, whose variables the deploy stage reads. */
  public readonly buildAction: actions.CodeBuildAction;

  constructor(scope: Construct, id: string, props: ImagePipelineStackProps) {
    super(scope, id, props);

    const appSource = new s3assets.Asset(this, 'DockerAppSource', { path: DOCKER_APP_DIR });
    this.image = new DockerBuildToEcr(this, 'AppImage', {
      source: codebuild.Source.s3({ bucket: appSource.bucket, path: appSource.s3ObjectKey }),
      repositoryName: 'cdk-ecr-codebuild/pipeline-app',
      target: 'runtime',
    });

    // The pipeline's artifacts: an encrypted, SSL-only bucket with access logs.
    const accessLogs = new s3.Bucket(this, 'ArtifactAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    NagSuppressions.addResourceSuppressions(accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This bucket receives the access logs of the artifact bucket' },
    ]);
    const artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
    });

    const sourceOutput = new codepipeline.Artifact('Source');
    const [owner, repo] = props.repository.split('/');
    const source = new actions.CodeStarConnectionsSourceAction({
      actionName: 'Source',
      connectionArn: props.connectionArn,
      owner,
      repo,
      branch: props.branch ?? 'main',
      output: sourceOutput,
    });

    // The build: IMAGE_URI, IMAGE_TAG and IMAGE_DIGEST become #{Image.IMAGE_URI}...
    this.buildAction = new actions.CodeBuildAction({
      actionName: 'BuildImage',
      project: this.image.project,
      input: sourceOutput,
      variablesNamespace: 'Image',
    });

    // The deploy: the repository's service template, with the image pinned by digest.
    const deployRole = new iam.Role(this, 'ServiceDeployRole', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: 'Deploys the service template; grant it what that template creates',
    });
    const deploy = new actions.CloudFormationCreateUpdateStackAction({
      actionName: 'DeployService',
      stackName: 'image-pipeline-service',
      templatePath: sourceOutput.atPath('deploy/service.template.json'),
      adminPermissions: false,
      deploymentRole: deployRole,
      parameterOverrides: {
        ImageUri: `${this.image.repository.repositoryUri}@${this.buildAction.variable('IMAGE_DIGEST')}`,
        ImageTag: this.buildAction.variable('IMAGE_TAG'),
      },
    });

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      artifactBucket,
      stages: [
        { stageName: 'Source', actions: [source] },
        { stageName: 'Build', actions: [this.buildAction] },
        { stageName: 'Deploy', actions: [deploy] },
      ],
    });

    // What the pipeline grants its roles (aws-cdk-lib): object-level access to the artifact bucket,
    // and the connection. The example's own choices; the library adds none of these.
    NagSuppressions.addResourceSuppressions(
      [this.pipeline, this.image.role],
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'CodePipeline passes artifacts as objects of the artifact bucket, and its CloudFormation action ' +
            'reads the stack it deploys: the wildcards of aws-cdk-lib grants, scoped to that bucket and stack',
          appliesTo: [
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:DeleteObject*',
            'Action::s3:Abort*',
            { regex: '/^Resource::<Artifacts[0-9A-F]{8}\\.Arn>\\/\\*$/g' },
            'Action::cloudformation:DescribeStack*',
            'Action::cloudformation:GetTemplate*',
            'Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/image-pipeline-service/*',
          ],
        },
      ],
      true,
    );
    // aws-cdk-lib makes the pipeline depend on its role, which its GetAtt of the role already does
    // (cfn-lint W3005): keep only the dependency on the role's policy.
    const rolePolicy = this.pipeline.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource;
    (this.pipeline.node.defaultChild as CfnResource).addOverride('DependsOn', [rolePolicy.logicalId]);
  }
}

/** Builds the example app (environment-agnostic: no account or region needed). */
export function buildPipelineApp(outdir?: string): { app: App; stacks: ImagePipelineStack[] } {
  // Access logs delivered under a bucket policy, not the legacy ACL (cfn-lint W3045).
  const app = new App({ outdir, context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const stack = new ImagePipelineStack(app, 'ImagePipeline', {
    description: 'cdk-ecr-codebuild example: a pipeline whose build variables feed the deploy stage',
    connectionArn: app.node.tryGetContext('connectionArn') ?? EXAMPLE_CONNECTION_ARN,
    repository: app.node.tryGetContext('repository') ?? 'example-org/example-app',
  });
  return { app, stacks: [stack] };
}

if (require.main === module) {
  const { app, stacks } = buildPipelineApp(process.env.CDK_OUTDIR ?? 'cdk.out');
  const assembly = app.synth();
  printSummary(
    assembly,
    stacks.flatMap((s): Array<[string, string]> => [
      [`Repository (${s.stackName})`, describeToken(s, s.image.repository.repositoryUri)],
      ['Deploy stage ImageUri', `<repositoryUri>@${s.buildAction.variable('IMAGE_DIGEST')}`],
    ]),
  );
}
