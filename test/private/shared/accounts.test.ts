import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import { AccountRelation, compareAccounts } from '../../../src/private/shared/accounts';

describe('compareAccounts', () => {
  const stack = new Stack(new App(), 'Agnostic');
  const other = new CfnParameter(stack, 'Other').valueAsString;

  test.each([
    ['two equal literals', '111111111111', '111111111111', AccountRelation.SAME],
    ['two literals', '111111111111', '222222222222', AccountRelation.DIFFERENT],
    ['the same AWS::AccountId token twice', stack.account, stack.account, AccountRelation.SAME],
    ['AWS::AccountId and Aws.ACCOUNT_ID', stack.account, Aws.ACCOUNT_ID, AccountRelation.SAME],
    ['a literal and a token', '111111111111', stack.account, AccountRelation.UNKNOWN],
    ['two different tokens', stack.account, other, AccountRelation.UNKNOWN],
  ])('%s', (_name, a, b, expected) => {
    expect(compareAccounts(a, b)).toBe(expected);
  });
});
