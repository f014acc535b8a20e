import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DockerCache } from '../../docker-cache';
import type { ImageCompression } from '../../image-compression';
import type { ImagePlatform } from '../../image-platform';

/**
 * What DockerBuildToEcr's props hold, as its resolve step ({@link resolveDockerBuild}) reads them.
 * `DockerBuildToEcrProps` satisfies this structurally (the constructor passes its props as they
 * are), so that no private module imports the construct's file: the props and their documentation
 * are in `src/docker-build-to-ecr.ts`.
 */
export interface DockerBuildInputs {
  readonly source: codebuild.ISource;
  readonly repository?: ecr.IRepository;
  readonly repositoryName?: string;
  readonly imageTagMutability?: ecr.TagMutability;
  readonly imageTagMutabilityExclusionFilters?: string[];
  readonly encryptionKey?: kms.IKey;
  readonly maxImageCount?: number;
  readonly untaggedImageExpiration?: Duration;
  readonly keepUntaggedImages?: boolean;
  readonly archiveImagesNotPulledFor?: Duration;
  readonly removalPolicy?: RemovalPolicy;
  readonly dockerfile?: string;
  readonly buildContext?: string;
  readonly target?: string;
  readonly buildArgs?: Record<string, string>;
  readonly imageTag?: string;
  readonly additionalTags?: string[];
  readonly environmentVariables?: Record<string, codebuild.BuildEnvironmentVariable>;
  readonly buildImage?: codebuild.IBuildImage;
  readonly computeType?: codebuild.ComputeType;
  readonly timeout?: Duration;
  readonly vpc?: ec2.IVpc;
  readonly subnetSelection?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly buildOnDeploy?: boolean;
  readonly buildOnDeploySourceVersion?: string;
  readonly rebuildSchedule?: events.Schedule;
  readonly badge?: boolean;
  readonly cache?: DockerCache;
  readonly compression?: ImageCompression;
  readonly platforms?: ImagePlatform[];
  readonly buildSecrets?: Record<string, secretsmanager.ISecret>;
  readonly dockerHubCredentials?: secretsmanager.ISecret;
  readonly releaseBranch?: string;
  readonly imageDefinitionsContainerName?: string;
  readonly logRetention?: logs.RetentionDays;
}
