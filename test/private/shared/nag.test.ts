import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  ACKNOWLEDGED_RULES_METADATA_KEY,
  acknowledgementsFor,
  addNagSuppressions,
  CODEBUILD_LOG_STREAMS_FINDING,
  CODEBUILD_PER_BUILD_FINDINGS,
  flattenCfnReference,
  granularFindings,
} from '../../../src/private/shared/nag';

/** cdk-nag's own reading of a regex `applies_to`: a string '/pattern/flags'. */
function matches(finding: { regex: string }, text: string): boolean {
  const [, pattern, flags] = /^\/(.*)\/([a-z]*)$/.exec(finding.regex)!;
  return new RegExp(pattern, flags).test(text);
}

describe('cdk-nag findings for CodeBuild per-build ARNs', () => {
  const logs = [
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<ImageProject1544FA78>:*',
    'Resource::arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group:/aws/codebuild/<ImageProject1544FA78>:*',
    'Resource::arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:/aws/codebuild/StackGoSampleC578EAA3:*',
  ];
  const reports = [
    'Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<ImageProject1544FA78>-*',
    'Resource::arn:<AWS::Partition>:codebuild:eu-west-1:111111111111:report-group/<ImageProject1544FA78>-*',
  ];
  const others = [
    'Resource::*',
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/<Fn>:*',
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*',
    'Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/*',
    'Resource::arn:<AWS::Partition>:s3:::<Bucket>/*',
    'Action::logs:*',
  ];

  test.each(logs)('log streams: matches %s', (text) => {
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(true);
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(true);
  });

  test.each(reports)('reports: matches %s', (text) => {
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(true);
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(false);
  });

  test.each(others)('matches no other wildcard: %s', (text) => {
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(false);
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(false);
  });
});

// cdk-nag 3 (README "Acknowledging a Rule"; its NagPack.isAcknowledged): acknowledgements are read from
// the construct metadata `aws:cdk:acknowledged-rules` of the resource and its scopes, one id per
// granular finding (`AwsSolutions-IAM5[Resource::*]`), with no prefix or pattern matching.
describe('cdk-nag 3 acknowledgements of the suppressions', () => {
  function policyStack() {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const policy = new iam.Policy(stack, 'Policy', { roles: [role] });
    policy.addStatements(
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/codebuild/my-project:*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::bucket/key'] }),
    );
    return { stack, role, policy, cfn: policy.node.defaultChild as iam.CfnPolicy };
  }
  const acknowledged = (construct: Construct): Record<string, string> =>
    Object.assign(
      {},
      ...construct.node.metadata.filter((m) => m.type === ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data),
    );

  test('a granular rule: one acknowledgement per finding the suppression covers (string and pattern), none for the others', () => {
    const { cfn } = policyStack();
    const acks = acknowledgementsFor(cfn, [
      { id: 'AwsSolutions-IAM5', reason: 'token has no resource', appliesTo: ['Resource::*'] },
      { id: 'AwsSolutions-IAM5', reason: 'per-build streams', appliesTo: [CODEBUILD_LOG_STREAMS_FINDING] },
    ]);
    expect(acks).toEqual([
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'token has no resource' },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group:/aws/codebuild/my-project:*]',
        reason: 'per-build streams',
      },
    ]);
    // Action::s3:GetObject* is a finding no suppression names: it stays reported.
    expect(granularFindings(cfn, 'AwsSolutions-IAM5')).toContain('Action::s3:GetObject*');
    expect(acks.map((a) => a.id)).not.toContain('AwsSolutions-IAM5[Action::s3:GetObject*]');
  });

  test('a granular rule without appliesTo covers every finding of the rule, as in cdk-nag 2', () => {
    const { cfn } = policyStack();
    expect(acknowledgementsFor(cfn, [{ id: 'AwsSolutions-IAM5', reason: 'r' }]).map((a) => a.id)).toEqual(
      granularFindings(cfn, 'AwsSolutions-IAM5')!.map((f) => `AwsSolutions-IAM5[${f}]`),
    );
  });

  test('a rule without granular findings is acknowledged by its id', () => {
    const { cfn } = policyStack();
    expect(acknowledgementsFor(cfn, [{ id: 'AwsSolutions-CB3', reason: 'docker needs privileged mode' }])).toEqual([
      { id: 'AwsSolutions-CB3', reason: 'docker needs privileged mode' },
    ]);
  });

  test('IAM4: the AWS managed policies of a role, rendered as cdk-nag renders them', () => {
    const { role } = policyStack();
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'));
    expect(granularFindings(role.node.defaultChild as iam.CfnRole, 'AwsSolutions-IAM4')).toEqual([
      'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
  });

  test('inline policies of a role are rendered like policy resources', () => {
    const stack = new Stack();
    const role = new iam.Role(stack, 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        p: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] }),
      },
    });
    expect(granularFindings(role.node.defaultChild as iam.CfnRole, 'AwsSolutions-IAM5')).toEqual([
      'Action::s3:*',
      'Resource::*',
    ]);
  });

  test('references are flattened as cdk-nag flattens them', () => {
    expect(flattenCfnReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] })).toBe(
      '<Bucket.Arn>/*',
    );
    expect(flattenCfnReference({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b' })).toBe('arn:<AWS::Partition>:s3:::b');
    expect(flattenCfnReference({ Ref: 'Repo' })).toBe('<Repo>');
    expect(flattenCfnReference({ 'Fn::ImportValue': 'Exported' })).toBe('Exported');
  });

  test('at synthesis, the acknowledgements are written where cdk-nag 3 reads them; later statements count too', () => {
    // GIVEN a suppression made before the statement it covers exists
    const { stack, policy, cfn } = policyStack();
    addNagSuppressions(cfn, [
      { id: 'AwsSolutions-IAM5', reason: 'the late one', appliesTo: ['Resource::arn:aws:s3:::late/*'] },
    ]);
    policy.addStatements(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::late/*'] }));
    // WHEN the app synthesizes (aws-cdk-lib 2.177 has no Validations: the metadata is written directly)
    App.of(stack)!.synth();
    // THEN
    expect(acknowledged(cfn)).toEqual({ 'AwsSolutions-IAM5[Resource::arn:aws:s3:::late/*]': 'the late one' });
    // and the cdk-nag 2 metadata in the template is unchanged in form
    expect(cfn.getMetadata('cdk_nag')).toEqual({
      rules_to_suppress: [
        { id: 'AwsSolutions-IAM5', reason: 'the late one', applies_to: ['Resource::arn:aws:s3:::late/*'] },
      ],
    });
  });

  test('a pattern that is not /body/flags fails loudly', () => {
    const { cfn } = policyStack();
    expect(() =>
      acknowledgementsFor(cfn, [{ id: 'AwsSolutions-IAM5', reason: 'r', appliesTo: [{ regex: 'Resource::.*' }] }]),
    ).toThrow(/not of the form \/body\/flags/);
  });
});
