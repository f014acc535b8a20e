import { CfnParameter, CfnParameterProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { goPlatformsOf } from '../go/dist-lists';
import {
  OBJECT_KEY_MAX_BYTES,
  REPOSITORY_NAME_PATTERN,
  RESERVED_BUCKET_PREFIXES,
  RESERVED_BUCKET_SUFFIXES,
} from '../shared/validation';

/** A literal for a regular expression (the same escapes in CloudFormation's, JavaScript's and Python's). */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * S3 bucket names ("General purpose bucket naming rules", Amazon S3 User Guide), the rules of
 * validateBucketName: 3-63 of a-z, 0-9, "." and "-", a letter or digit at both ends, no "..", not
 * an IP address, none of the reserved prefixes and suffixes.
 */
const BUCKET_NAME_PATTERN =
  '^' +
  '(?!\\d{1,3}(?:\\.\\d{1,3}){3}$)' +
  `(?!(?:${RESERVED_BUCKET_PREFIXES.map(literal).join('|')}))` +
  `(?!.*(?:${RESERVED_BUCKET_SUFFIXES.map(literal).join('|')})$)` +
  '(?!.*\\.\\.)' +
  '[a-z0-9][a-z0-9.-]*[a-z0-9]$';

/**
 * S3 object keys are up to 1,024 bytes of UTF-8 ("Naming Amazon S3 objects", Amazon S3 User Guide),
 * but a parameter's MaxLength counts characters. The pattern bounds the bytes instead: a key of
 * ASCII characters (1 byte each) may have 1,024 of them, a key of characters up to U+07FF (at most
 * 2 bytes: Latin with accents, Greek, Cyrillic, Hebrew, Arabic) 512, of characters of the Basic
 * Multilingual Plane (at most 3 bytes: CJK) 341, of any characters (at most 4 bytes: emoji) 256. So
 * every key the pattern accepts fits in 1,024 bytes; a longer mixed key that would fit (e.g. 600 ASCII
 * characters and one "é") is refused at launch, the price of counting bytes with a pattern.
 */
const OBJECT_KEY_PATTERN =
  '^(?:' +
  `[\\u0000-\\u007F]{1,${OBJECT_KEY_MAX_BYTES}}` +
  `|[\\u0000-\\u07FF]{1,${Math.floor(OBJECT_KEY_MAX_BYTES / 2)}}` +
  `|[\\u0000-\\uFFFF]{1,${Math.floor(OBJECT_KEY_MAX_BYTES / 3)}}` +
  `|[\\s\\S]{1,${Math.floor(OBJECT_KEY_MAX_BYTES / 4)}}` +
  ')$';

/**
 * CloudFormation parameter constraints that mirror the synth-time validation of the props (where
 * CloudFormation can express it: AllowedPattern, Min/MaxLength, Min/MaxValue, AllowedValues).
 * CloudFormation checks them when a user launches a product, before any resource is created.
 */
export const PARAMETER_RULES = {
  /** S3 bucket names (general purpose buckets; validateBucketName). */
  bucketName: {
    type: 'String',
    allowedPattern: BUCKET_NAME_PATTERN,
    minLength: 3,
    maxLength: 63,
    constraintDescription:
      'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-", a letter or digit at both ends, no "..", ' +
      `not an IP address, not starting with ${RESERVED_BUCKET_PREFIXES.join(', ')} ` +
      `nor ending with ${RESERVED_BUCKET_SUFFIXES.join(', ')}`,
  },
  /** S3 object keys (validateObjectKey, with the character counts of OBJECT_KEY_PATTERN). */
  objectKey: {
    type: 'String',
    allowedPattern: OBJECT_KEY_PATTERN,
    minLength: 1,
    maxLength: OBJECT_KEY_MAX_BYTES,
    constraintDescription:
      'an S3 object key of at most 1,024 bytes: up to 1,024 ASCII characters, 512 if it has accented or other ' +
      'characters up to U+07FF, 341 with other characters of the Basic Multilingual Plane, 256 with emoji',
  },
  /** ECR repository names: the pattern of validateRepositoryName (ECR's CreateRepository pattern), 2-256 characters. */
  repositoryName: {
    type: 'String',
    allowedPattern: REPOSITORY_NAME_PATTERN,
    minLength: 2,
    maxLength: 256,
    constraintDescription:
      'an ECR repository name: lowercase letters and digits, separated by ".", "_", "__", one or more "-", or "/" (e.g. team/app-image)',
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
} satisfies Record<string, CfnParameterProps>;

/**
 * The GOOS/GOARCH pairs Go `goVersion` supports (its `go tool dist list`): the product's Go version
 * is fixed at synth, so the parameter offers no pair that version dropped or never had.
 */
export function goPlatformRule(goVersion: string): CfnParameterProps {
  const platforms = goPlatformsOf(goVersion);
  if (platforms === undefined) {
    throw new Error(
      `no GOOS/GOARCH list for Go ${goVersion}: add its "go tool dist list" to src/private/go/dist-lists.ts`,
    );
  }
  return {
    type: 'String',
    allowedValues: [...platforms],
    constraintDescription: `a GOOS/GOARCH pair that Go ${goVersion} supports (go tool dist list), e.g. linux/amd64`,
  };
}

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
