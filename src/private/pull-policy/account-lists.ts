import { Fn, Tokenization } from 'aws-cdk-lib';

/**
 * Separates list tokens from literal (or string-token) account ids. A list token (e.g.
 * `CfnParameter({ type: 'CommaDelimitedList' }).valueAsList`) reaches a function as a one-element
 * array holding its encoded form; spread into `...accountIds`, that element is kept whole here.
 */
export function splitAccountLists(accountIds: string[]): { lists: string[][]; literals: string[] } {
  const lists: string[][] = [];
  const literals: string[] = [];
  for (const id of accountIds) {
    if (Tokenization.reverseList([id]) !== undefined) {
      lists.push([id]);
    } else {
      literals.push(id);
    }
  }
  return { lists, literals };
}

/**
 * The account ids of a statement: the literals, plus the elements of each list token, as one flat
 * list. A single list token is rendered as itself; a mix is joined and split again by CloudFormation.
 */
export function renderAccountIds(literals: string[], lists: string[][]): string[] {
  if (lists.length === 0) {
    return literals;
  }
  if (lists.length === 1 && literals.length === 0) {
    return lists[0];
  }
  return Fn.split(',', Fn.join(',', [...literals, ...lists.map((list) => Fn.join(',', list))]));
}
