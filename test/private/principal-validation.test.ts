import { CfnParameter, Stack } from 'aws-cdk-lib';
import { validateAccountId } from '../../src/private/principal-validation';

describe('validateAccountId', () => {
  test('accepts 12 digits', () => {
    expect(() => validateAccountId('accountIds', '123456789012')).not.toThrow();
  });

  test('fails for anything else', () => {
    expect(() => validateAccountId('accountIds', '12345')).toThrow(/accountIds "12345" is not an AWS account id/);
  });

  test('skips a string token', () => {
    const stack = new Stack();
    const value = new CfnParameter(stack, 'One', { type: 'String' }).valueAsString;
    expect(() => validateAccountId('accountIds', value)).not.toThrow();
  });

  test('skips the element of a list token (CfnParameter.valueAsList), which Token.isUnresolved does not see in a string', () => {
    // GIVEN the encoded list a CommaDelimitedList parameter gives
    const stack = new Stack();
    const [element] = new CfnParameter(stack, 'Many', { type: 'CommaDelimitedList' }).valueAsList;
    expect(element).toMatch(/^#\{Token\[/);
    // THEN it is a deploy-time value, not an invalid id
    expect(() => validateAccountId('accountIds', element)).not.toThrow();
  });
});
