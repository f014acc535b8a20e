import { CfnParameter, CfnParameterProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GO_PLATFORMS } from '../go/platforms';

/**
 * CloudFormation parameter constraints that mirror the synth-time validation of the props (where
 * CloudFormation can express it: AllowedPattern, Min/MaxLength, Min/MaxValue, AllowedValues).
 * CloudFormation checks them when a user launches a product, before any resource is created.
 */
export const PARAMETER_RULES = {
  /** S3 bucket names (general purpose buckets). */
  bucketName: {
    type: 'String',
    allowedPattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$',
    minLength: 3,
    maxLength: 63,
    constraintDescription: 'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"',
  },
  /** S3 object keys. */
  objectKey: {
    type: 'String',
    minLength: 1,
    maxLength: 1024,
    constraintDescription: 'an S3 object key of 1-1024 characters',
  },
  /** ECR repository names (validateRepositoryName). */
  repositoryName: {
    type: 'String',
    allowedPattern: '^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$',
    minLength: 2,
    maxLength: 256,
    constraintDescription:
      'an ECR repository name: lowercase letters and digits, separated by single ".", "_", "-" or "/" (e.g. team/app-image)',
  },
  /**
   * Paths relative to the source root (validateRelativePath). Stricter than the prop: no `..`
   * segment at all, since a pattern cannot count how far a path climbs.
   */
  relativePath: {
    type: 'String',
    allowedPattern: '^(?![/\\\\])(?![A-Za-z]:)(?!(?:.*[/\\\\])?\\.\\.(?:[/\\\\]|$)).+$',
    minLength: 1,
    maxLength: 1024,
    constraintDescription: 'a relative path inside the source, without ".." segments',
  },
  /** A Go main package directory: a relative path that is not a package pattern. */
  mainPackage: {
    type: 'String',
    allowedPattern: '^(?![/\\\\])(?![A-Za-z]:)(?!(?:.*[/\\\\])?\\.\\.(?:[/\\\\]|$))(?!.*\\.\\.\\.).+$',
    minLength: 1,
    maxLength: 1024,
    constraintDescription:
      'one main package directory relative to the source root (e.g. cmd/hello), not a "..." pattern',
  },
  /** Plain file names (GoSampleBuild binaryName). */
  fileName: {
    type: 'String',
    allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$',
    minLength: 1,
    maxLength: 255,
    constraintDescription: '1-255 of [A-Za-z0-9._+-], starting with a letter, digit or "_"',
  },
  /** Whole numbers of images to keep (maxImageCount). */
  imageCount: {
    type: 'Number',
    minValue: 1,
    maxValue: 10000,
    constraintDescription: 'a whole number of images from 1 to 10000',
  },
  /** Days before untagged images expire (untaggedImageExpiration). */
  days: {
    type: 'Number',
    minValue: 1,
    maxValue: 3650,
    constraintDescription: 'a whole number of days from 1 to 3650',
  },
  /** AWS account ids (accountIds). */
  accountIds: {
    type: 'CommaDelimitedList',
    allowedPattern: '^\\d{12}$',
    constraintDescription: 'AWS account ids of 12 digits, separated by commas',
  },
  /** GOOS/GOARCH pairs Go can build for (validateTarget). */
  goPlatform: {
    type: 'String',
    allowedValues: [...GO_PLATFORMS],
    constraintDescription: 'a GOOS/GOARCH pair that Go supports, e.g. linux/amd64',
  },
} satisfies Record<string, CfnParameterProps>;

/** A parameter of a product template with one of the rules above. */
export function parameter(
  scope: Construct,
  id: string,
  rule: CfnParameterProps,
  description: string,
  defaultValue?: string | number,
): CfnParameter {
  return new CfnParameter(scope, id, { ...rule, description, default: defaultValue });
}
