import { App, CfnParameter, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BUILDSPEC_REFERENCE_CHARS,
  buildSpecLength,
  DedicatedPolicyPrincipal,
  isLambdaComputeType,
  isSecretValue,
  validateSubnetSelection,
  WithheldGrantPrincipal,
} from '../../../src/private/shared/build-project';
import { constructPrefix, describeValue } from '../../../src/private/shared/errors';

function stack(): Stack {
  return new Stack(new App(), 'Stack');
}

describe('build-project helpers', () => {
  test('a DedicatedPolicyPrincipal that is granted nothing adds no policy', () => {
    const s = stack();
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const principal = new DedicatedPolicyPrincipal(s, 'Dedicated', role);
    expect(principal.policy).toBeUndefined();
    Template.fromStack(s).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a DedicatedPolicyPrincipal puts grants into its own policy attached to the role', () => {
    const s = stack();
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const principal = new DedicatedPolicyPrincipal(s, 'Dedicated', role);
    iam.Grant.addToPrincipal({ grantee: principal, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
    const policies = Template.fromStack(s).findResources('AWS::IAM::Policy');
    expect(Object.keys(policies)).toEqual([expect.stringMatching(/^Dedicated/)]);
    expect(Object.values<any>(policies)[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Role/) }]);
  });

  test('a WithheldGrantPrincipal keeps the statements and attaches none', () => {
    const s = stack();
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const principal = new WithheldGrantPrincipal(role);
    iam.Grant.addToPrincipal({ grantee: principal, actions: ['s3:DeleteObject*'], resourceArns: ['arn:aws:s3:::b/*'] });
    expect(principal.statements).toHaveLength(1);
    Template.fromStack(s).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('buildSpecLength counts a reference at the length of a String parameter value', () => {
    const s = stack();
    const p = new CfnParameter(s, 'P');
    const literal = new codebuild.Project(s, 'Literal', {
      buildSpec: codebuild.BuildSpec.fromObject({ version: 0.2 }),
    });
    const withRef = new codebuild.Project(s, 'WithRef', {
      buildSpec: codebuild.BuildSpec.fromObject({ version: 0.2, x: p.valueAsString }),
    });
    const base = buildSpecLength(literal)!;
    expect(base).toBe(JSON.stringify({ version: 0.2 }, undefined, 2).length);
    expect(buildSpecLength(withRef)).toBe(
      JSON.stringify({ version: 0.2, x: 'x'.repeat(BUILDSPEC_REFERENCE_CHARS) }, undefined, 2).length,
    );
  });

  test('isSecretValue finds SecretValue tokens and dynamic references, and nothing else', () => {
    const s = stack();
    expect(isSecretValue(s, SecretValue.secretsManager('s').unsafeUnwrap())).toBe(true);
    expect(isSecretValue(s, SecretValue.ssmSecure('/p', '1').unsafeUnwrap())).toBe(true);
    expect(isSecretValue(s, 'prefix-{{resolve:secretsmanager:s}}')).toBe(true);
    expect(isSecretValue(s, new CfnParameter(s, 'P').valueAsString)).toBe(false);
    expect(isSecretValue(s, '{{resolve:ssm:/plain/parameter}}')).toBe(false);
    expect(isSecretValue(s, 'hello')).toBe(false);
  });

  test('isLambdaComputeType', () => {
    expect(isLambdaComputeType(codebuild.ComputeType.LAMBDA_10GB)).toBe(true);
    expect(isLambdaComputeType(codebuild.ComputeType.SMALL)).toBe(false);
    expect(isLambdaComputeType(undefined)).toBe(false);
  });

  test('fails when securityGroups are given without vpc', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const group = new ec2.SecurityGroup(s, 'Group', { vpc });
    expect(() => validateSubnetSelection(s, undefined, undefined, [group])).toThrow(
      /^\[Stack\] Stack: securityGroups "1 group\(s\)" have no effect without vpc: set vpc too/,
    );
    expect(() => validateSubnetSelection(s, vpc, { subnetType: ec2.SubnetType.PUBLIC }, [group])).not.toThrow();
  });

  test('errors name the construct path and class; values print as given', () => {
    const s = stack();
    expect(constructPrefix(s)).toBe('[Stack] Stack: ');
    expect(constructPrefix(undefined)).toBe('');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(['a', 1])).toBe('["a", 1]');
  });
});
