import { ArnFormat, Aws, Duration, Fn, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BuilderImage } from './builder-image';
import { goBuildSpec } from './private/go/buildspec';
import { resolveGoSampleBuild } from './private/go/resolve';
import { codeBuildPullStatement, PULL_ACTIONS } from './private/pull-policy/statements';
import { AccountRelation, compareAccounts } from './private/shared/accounts';
import {
  addBuildSpecLengthCheck,
  artifactsGrantingTo,
  BuildRoleGrants,
  isDefaultLogGroupStatement,
  plaintextVariables,
  WithheldGrantPrincipal,
} from './private/shared/build-project';
import { warn } from './private/shared/errors';
import { addNagSuppressions } from './private/shared/nag';

/** Key prefix of the artifacts bucket's server access logs in the access-log bucket. */
const ACCESS_LOGS_PREFIX = 'artifacts/';

/**
 * Properties of a GoSampleBuild.
 */
export interface GoSampleBuildProps {
  /**
   * The Go program to build: typically `codebuild.Source.s3(...)` of a zip that holds the sources at
   * its root (no top folder), with or without `go.mod` (a source without one is made a module with
   * `go mod init` before vet and build).
   */
  readonly source: codebuild.ISource;

  /**
   * The image the build runs in.
   *
   * @default BuilderImage.curated(BuilderImage.DEFAULT_GO_VERSION) - Go 1.26 on Ubuntu standard:8.0
   */
  readonly builderImage?: BuilderImage;

  /**
   * Run `go vet ./...` before building; a finding fails the build.
   *
   * @default true
   */
  readonly runGoVet?: boolean;

  /**
   * Run `go test ./...` before building; a failing test fails the build and no binary is produced.
   *
   * @default true
   */
  readonly runGoTests?: boolean;

  /**
   * The main package to build: a directory (or a .go file) relative to the root of the source.
   *
   * @default '.'
   */
  readonly mainPackage?: string;

  /**
   * File name of the binary (`go build -o`), at the root of the artifact.
   *
   * @default 'hello'
   */
  readonly binaryName?: string;

  /**
   * Build with cgo (`CGO_ENABLED=1`). Off by default, so that the binary is statically linked and
   * runs on any Linux of its architecture. A warning says when cgo is on for a target other than the
   * builder's own linux/<arch> (no C cross-compiler there), or off for a target that needs it (ios,
   * android/arm, android/386).
   *
   * @default false
   */
  readonly cgoEnabled?: boolean;

  /**
   * Target operating system (`GOOS`), e.g. 'linux', 'darwin', 'windows'.
   *
   * @default - the builder's own (linux)
   */
  readonly goos?: string;

  /**
   * Target architecture (`GOARCH`), e.g. 'amd64', 'arm64'.
   *
   * @default - the builder's own (amd64, or arm64 on an ARM image)
   */
  readonly goarch?: string;

  /**
   * Name of the ZIP artifact (the S3 object key, at the root of `artifactsBucket`). Each build
   * replaces it; the bucket's versioning keeps the previous ones.
   *
   * @default 'GoOutputArtifact.zip'
   */
  readonly artifactName?: string;

  /**
   * Bucket the artifact is written to.
   *
   * @default - a bucket is created: encrypted with `encryptionKey`, public access blocked, SSL only,
   * versioned, with server access logs, retained on stack deletion
   */
  readonly artifactsBucket?: s3.IBucket;

  /**
   * Bucket that receives the server access logs of the artifacts bucket this construct creates.
   * Only used when `artifactsBucket` is not given.
   *
   * @default - a bucket is created: SSE-S3 (the only encryption S3 log delivery supports), public
   * access blocked, SSL only, retained on stack deletion
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * KMS key that encrypts the build artifacts, the build logs and the artifacts bucket this
   * construct creates. A key you pass must allow CloudWatch Logs
   * (`logs.<region>.amazonaws.com`) to use it; a key defined in this app gets that statement
   * automatically.
   *
   * @default - a key is created, with yearly rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the build logs are kept.
   *
   * @default logs.RetentionDays.TWO_YEARS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Compute type of the build. Not a Lambda compute type (no curated image, no runtime-versions there).
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Build timeout, 5 minutes to 36 hours.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
}

/**
 * Builds a Go program from a source zip in CodeBuild and stores the binary as a ZIP artifact in S3.
 *
 * Deploys a CodeBuild project (vet, test, then `go build` with `CGO_ENABLED=0`), its service role,
 * a KMS key (rotated) that encrypts the artifacts and the build logs, a CloudWatch log group, and an
 * artifacts bucket with its access-log bucket; key, buckets and log group are retained when the stack
 * is deleted.
 *
 * The project has a fixed name derived from its construct path, so that its ARN is known at synth
 * time: a same-account repository's policy can then allow `codebuild.amazonaws.com` for this project
 * only without a dependency cycle.
 *
 * @example
 * import * as codebuild from 'aws-cdk-lib/aws-codebuild';
 * import * as s3 from 'aws-cdk-lib/aws-s3';
 * import { BuilderImage, GoSampleBuild } from 'cdk-ecr-codebuild';
 *
 * declare const bucket: s3.IBucket;
 * const build = new GoSampleBuild(this, 'Hello', {
 *   source: codebuild.Source.s3({ bucket, path: 'GoSample.zip' }),
 *   builderImage: BuilderImage.curated('1.23'),
 *   binaryName: 'hello',
 *   goarch: 'arm64',
 * });
 */
export class GoSampleBuild extends Construct implements iam.IGrantable {
  /** The CodeBuild project. */
  public readonly project: codebuild.Project;
  /** The project's service role. */
  public readonly role: iam.Role;
  /** The bucket the artifact is written to. */
  public readonly artifactsBucket: s3.IBucket;
  /** The key that encrypts artifacts and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The log group of the builds. */
  public readonly logGroup: logs.LogGroup;
  /** The credentials CodeBuild pulls the builder image with. */
  public readonly imagePullCredentials: codebuild.ImagePullPrincipalType;
  /** The principal the project's builds run as. */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly imageIsCustom: boolean;

  constructor(scope: Construct, id: string, props: GoSampleBuildProps) {
    super(scope, id);

    // Props -> inputs: every check and default (src/private/go/resolve.ts), before any resource exists.
    const inputs = resolveGoSampleBuild(this, props);
    for (const warning of inputs.warnings) {
      warn(this, warning.id, warning.message);
    }

    const stack = Stack.of(this);
    // A name known at synth time: the project's ARN is formatted from it (no GetAtt), which keeps a
    // same-stack repository policy that names the project free of a dependency cycle.
    const projectName = Names.uniqueResourceName(this, { maxLength: 100 });
    const projectArn = stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: projectName });

    // Key and logs
    this.encryptionKey =
      inputs.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `Encrypts the artifacts and build logs of CodeBuild project ${projectName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // The log group is retained on stack deletion, so its name must differ per deployment of the
    // stack: the stack id's UUID (known to CloudFormation, not at synth) ends it. A fixed name would
    // make the next deployment after a delete fail ("already exists"). The key policy names the
    // group with the same expression, which keeps key and group free of a dependency cycle.
    const logGroupName = `/aws/codebuild/${projectName}/${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`;
    this.allowLogsToUseKey(logGroupName, `/aws/codebuild/${projectName}/<stack id>`);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: this.encryptionKey,
      retention: inputs.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Artifacts
    this.artifactsBucket = inputs.artifactsBucket ?? this.createArtifactsBucket(inputs.serverAccessLogsBucket);

    // Role: what this construct and the project grant it while it is built goes into one policy of
    // the construct's (see DockerBuildToEcr); the statement for CodeBuild's default log group is withheld.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: `Builds a Go program in CodeBuild project ${projectName}`,
    });
    this.grantPrincipal = this.role;
    const grants = new BuildRoleGrants(this.role, isDefaultLogGroupStatement);
    const buildRole = grants.buildRole;

    // Image and pull credentials
    const image = inputs.image;
    this.imagePullCredentials = image.pull;

    const spec = goBuildSpec(inputs.buildSpec);

    // The artifact grant of Artifacts.s3 (read/write/delete on the whole bucket) is replaced by the
    // upload grant below: the build runs the source's own tests and needs no more than writing its artifact.
    const withheld = new WithheldGrantPrincipal(this.role);
    this.project = new codebuild.Project(this, 'Project', {
      projectName,
      description: 'Builds a Go program and stores the binary as a ZIP artifact',
      source: inputs.source,
      buildSpec: codebuild.BuildSpec.fromObject(spec.buildSpec),
      role: buildRole,
      environment: {
        buildImage: image.buildImage,
        computeType: inputs.computeType,
      },
      environmentVariables: plaintextVariables(spec.environmentVariables),
      artifacts: artifactsGrantingTo(
        codebuild.Artifacts.s3({
          bucket: this.artifactsBucket,
          name: inputs.artifactName,
          includeBuildId: false,
          packageZip: true,
          encryption: true,
        }),
        withheld,
      ),
      encryptionKey: this.encryptionKey,
      logging: { cloudWatch: { logGroup: this.logGroup } },
      grantReportGroupPermissions: false,
      timeout: inputs.timeout,
    });

    this.grantArtifactUpload(buildRole, inputs.artifactName);

    // Pull permissions for a custom image
    if (image.repository !== undefined) {
      this.grantImagePull(image.repository, image.pull, projectArn, stack.account, projectName, buildRole);
    }
    this.imageIsCustom = image.repository !== undefined;
    this.suppressNagFindings(grants.policy!);
    const { mainPackage, binaryName } = inputs.buildSpec;
    addBuildSpecLengthCheck(
      this,
      this.project,
      () => ({
        mainPackage: typeof mainPackage === 'string' ? mainPackage.length : 0,
        binaryName: binaryName.length,
      }),
      spec.buildSpec,
    );
    grants.close(this.project);
  }

  /** Builds that failed, per period (default 5 minutes, sum). */
  public metricFailedBuilds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.project.metricFailedBuilds(props);
  }

  /** Builds that succeeded, per period (default 5 minutes, sum). */
  public metricSucceededBuilds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.project.metricSucceededBuilds(props);
  }

  /** Builds started, per period (default 5 minutes, sum). */
  public metricBuilds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.project.metricBuilds(props);
  }

  /** Build duration (default 5 minutes, average). */
  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.project.metricDuration(props);
  }

  /** Grants read access to the artifacts (and decryption with the key) to `grantee`. */
  public grantReadArtifacts(grantee: iam.IGrantable): iam.Grant {
    return this.artifactsBucket.grantRead(grantee);
  }

  /**
   * CloudWatch Logs encrypts the log group with the key only if the key policy allows the regional
   * logs service principal, scoped with the encryption context to this log group
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
   */
  private allowLogsToUseKey(logGroupName: string, logGroupDisplayName: string): void {
    const stack = Stack.of(this);
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const result = this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForTheBuildLogGroup',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
      }),
      true,
    );
    if (!result.statementAdded) {
      warn(
        this,
        'keyPolicyNotUpdated',
        `The key policy of encryptionKey cannot be changed from this app (imported key): it must allow ` +
          `logs.<region>.amazonaws.com to use the key for log group ${logGroupDisplayName}, or the log group cannot be created.`,
      );
    }
  }

  private createArtifactsBucket(serverAccessLogsBucket: s3.IBucket | undefined): s3.Bucket {
    const accessLogs = serverAccessLogsBucket ?? this.createAccessLogsBucket();
    const bucket = new s3.Bucket(this, 'ArtifactsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Server access logging, written by hand: aws-cdk-lib's serverAccessLogsBucket uses an ACL on the
    // target bucket unless the app sets the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy flag. This
    // always uses the bucket policy that S3 recommends (logging.s3.amazonaws.com, scoped to this bucket).
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: accessLogs.bucketName,
      logFilePrefix: ACCESS_LOGS_PREFIX,
    };
    const result = accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `S3ServerAccessLogs${Names.uniqueId(bucket).replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects(`${ACCESS_LOGS_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    if (!result.statementAdded) {
      warn(
        this,
        'accessLogsPolicyNotUpdated',
        'The policy of serverAccessLogsBucket cannot be changed from this app (imported bucket): it must allow ' +
          `logging.s3.amazonaws.com to put objects under "${ACCESS_LOGS_PREFIX}" for the artifacts bucket, or no access logs are delivered.`,
      );
    }
    return bucket;
  }

  private createAccessLogsBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    addNagSuppressions(bucket.node.defaultChild as s3.CfnBucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'This bucket is the server access log destination of the artifacts bucket; logging it into itself would loop',
      },
    ]);
    return bucket;
  }

  /**
   * What uploading the artifact needs: PutObject on its key, the bucket's location and ACL (CodeBuild
   * checks them before the upload), and encryption with the bucket's key when it is not the project's.
   */
  private grantArtifactUpload(buildRole: iam.IRole, artifactName: string): void {
    buildRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UploadBuildArtifact',
        actions: ['s3:PutObject'],
        resources: [this.artifactsBucket.arnForObjects(artifactName)],
      }),
    );
    buildRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LocateArtifactsBucket',
        actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
        resources: [this.artifactsBucket.bucketArn],
      }),
    );
    const bucketKey = this.artifactsBucket.encryptionKey;
    if (bucketKey !== undefined && bucketKey !== this.encryptionKey) {
      bucketKey.grant(buildRole, 'kms:GenerateDataKey', 'kms:Encrypt');
    }
  }

  private grantImagePull(
    repository: ecr.IRepository,
    pull: codebuild.ImagePullPrincipalType,
    projectArn: string,
    account: string,
    projectName: string,
    ecrGrants: iam.IPrincipal,
  ): void {
    if (pull === codebuild.ImagePullPrincipalType.SERVICE_ROLE) {
      // Identity policy on this repository only, plus ecr:GetAuthorizationToken (Resource "*", the
      // only resource it supports).
      repository.grantPull(ecrGrants);
      if (compareAccounts(repository.env.account, Stack.of(this).account) === AccountRelation.DIFFERENT) {
        warn(
          this,
          'crossAccountBuilderImage',
          `The builder image repository belongs to account ${repository.env.account}: its repository policy must ` +
            `allow this project's role to pull (e.g. CrossAccountPullPolicy in that account with this account's id).`,
        );
      }
      return;
    }
    const sid = `CodeBuildPull${projectName.replace(/[^A-Za-z0-9]/g, '')}`;
    const result = repository.addToResourcePolicy(codeBuildPullStatement(sid, [projectArn], account, PULL_ACTIONS));
    if (!result.statementAdded) {
      warn(
        this,
        'repositoryPolicyNotUpdated',
        `The policy of the builder image repository cannot be changed from this app (imported repository): add a ` +
          `statement that allows codebuild.amazonaws.com to pull, conditioned on aws:SourceArn ${projectName} ` +
          '(e.g. CrossAccountPullPolicy with codeBuildProjects), or use ImagePullPrincipalType.SERVICE_ROLE.',
      );
    }
  }

  private suppressNagFindings(policy: iam.Policy): void {
    // The construct's own policy holds its statements only (see BuildRoleGrants).
    addNagSuppressions(policy.node.defaultChild as iam.CfnPolicy, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The project key grant uses the kms:ReEncrypt*/GenerateDataKey* action families on that one key',
        appliesTo: ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: "Source.s3's read grant on the source object",
        appliesTo: ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'ecr:GetAuthorizationToken has no resource scope',
        appliesTo: ['Resource::*'],
      },
    ]);
    if (this.imageIsCustom) {
      addNagSuppressions(this.project.node.defaultChild as codebuild.CfnProject, [
        {
          id: 'AwsSolutions-CB5',
          reason:
            'The builder image is the custom image with Go chosen with BuilderImage.fromEcrRepository, from a private ECR ' +
            'repository; its pull credentials are limited to this project',
        },
      ]);
    }
  }
}
