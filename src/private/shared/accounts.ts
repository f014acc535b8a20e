import { Token, TokenComparison } from 'aws-cdk-lib';

/** Whether two account ids, literals or tokens, name the same account. */
export enum AccountRelation {
  SAME = 'SAME',
  DIFFERENT = 'DIFFERENT',
  /** At least one is only known at deploy time (e.g. a literal against `AWS::AccountId`). */
  UNKNOWN = 'UNKNOWN',
}

/**
 * Compares two account ids. `Token.compareStrings` answers BOTH_UNRESOLVED for two references to the
 * same `AWS::AccountId` (an environment-agnostic stack and a repository imported into it): the
 * identical token is the same account, so that is SAME here.
 */
export function compareAccounts(a: string, b: string): AccountRelation {
  const comparison = Token.compareStrings(a, b);
  if (comparison === TokenComparison.SAME || (comparison === TokenComparison.BOTH_UNRESOLVED && a === b)) {
    return AccountRelation.SAME;
  }
  return comparison === TokenComparison.DIFFERENT ? AccountRelation.DIFFERENT : AccountRelation.UNKNOWN;
}
