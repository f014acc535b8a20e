import { Lazy, Stack } from 'aws-cdk-lib';
import { AccessLevel } from '../../../src/access-level';
import { ECR_POLICY_MAX_CHARS, policyTextLength } from '../../../src/private/pull-policy/policy-size';
import {
  accessLevelActions,
  codeBuildPullStatement,
  lambdaStatement,
  PULL_ACTIONS,
  PUSH_ACTIONS,
  serviceSourceStatement,
} from '../../../src/private/pull-policy/statements';
import { renderIntrinsics } from '../../../src/private/shared/intrinsics';

describe('pull-policy builders', () => {
  test('action lists', () => {
    expect(PULL_ACTIONS).toEqual([
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchCheckLayerAvailability',
    ]);
    expect(PUSH_ACTIONS).toEqual([
      'ecr:PutImage',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
    ]);
  });

  test('fails when the access level is not an AccessLevel (only untyped JavaScript can pass one)', () => {
    expect(() => accessLevelActions('READ' as AccessLevel)).toThrow(
      /^Unknown AccessLevel "READ": use AccessLevel\.PULL or AccessLevel\.PULL_PUSH$/,
    );
  });

  test('codeBuildPullStatement scopes codebuild.amazonaws.com to the projects and their account, without Resource', () => {
    const statement = codeBuildPullStatement(
      'Pull',
      ['arn:aws:codebuild:eu-west-1:111111111111:project/a'],
      '111111111111',
      PULL_ACTIONS,
    );
    expect(new Stack().resolve(statement.toStatementJson())).toEqual({
      Sid: 'Pull',
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: PULL_ACTIONS,
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:codebuild:eu-west-1:111111111111:project/a' },
      },
    });
  });

  test('several projects are listed in one statement', () => {
    const arns = [
      'arn:aws:codebuild:eu-west-1:111111111111:project/a',
      'arn:aws:codebuild:eu-west-1:111111111111:project/b',
    ];
    const json = new Stack().resolve(
      codeBuildPullStatement('Pull', arns, '111111111111', PULL_ACTIONS).toStatementJson(),
    );
    expect(json.Condition.ArnLike['aws:SourceArn']).toEqual(arns);
  });

  test('lists given as Lazy tokens stay lists', () => {
    const arns = Lazy.list({ produce: () => ['arn:one'] });
    const json = new Stack().resolve(
      serviceSourceStatement('S', 'codebuild.amazonaws.com', PULL_ACTIONS, arns, ['1']).toStatementJson(),
    );
    expect(json.Condition.ArnLike['aws:SourceArn']).toEqual(['arn:one']);
  });

  test('lambdaStatement uses the function ARNs of each account', () => {
    const json = new Stack().resolve(lambdaStatement('L', 'aws', 'us-east-1', ['111111111111']).toStatementJson());
    expect(json).toEqual({
      Sid: 'L',
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:111111111111:function:*' } },
    });
  });
});

describe('policy-size', () => {
  test('renders pseudo parameters at their longest and joins', () => {
    const value = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }],
      ],
    };
    expect(renderIntrinsics(value)).toBe('arn:aws-us-gov:lambda:xx-xxxxxxxxxxx-1:000000000000');
    expect(
      renderIntrinsics(value, { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '1' }),
    ).toBe('arn:aws:lambda:us-east-1:1');
  });

  test('counts other references at 256 characters', () => {
    expect(renderIntrinsics({ 'Fn::GetAtt': ['Project', 'Arn'] })).toHaveLength(256);
    expect(renderIntrinsics({ Ref: 'Project' })).toHaveLength(256);
  });

  test('measures compact JSON', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] };
    expect(policyTextLength(policy)).toBe(JSON.stringify(policy).length);
    expect(ECR_POLICY_MAX_CHARS).toBe(10240);
  });
});
