import { Token } from 'aws-cdk-lib';

/**
 * Why EventBridge refuses a schedule expression, or undefined when it takes it. The rules of
 * "Creating a rule that runs on a schedule" (EventBridge user guide,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):
 * - `rate(value unit)`: a positive whole number; unit `minute`, `hour` or `day` for 1 and
 *   `minutes`, `hours`, `days` otherwise (no seconds);
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields; one of day-of-month and
 *   day-of-week must be `?` (not both); minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
 *   JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199, with `,` `-` `*` `/` (and `L`, `W`, `#`
 *   where the page allows them).
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (Token.isUnresolved(expression)) {
    return undefined;
  }
  const rate = expression.match(/^rate\((.*)\)$/);
  if (rate) {
    return rateProblem(rate[1]);
  }
  const cron = expression.match(/^cron\((.*)\)$/);
  if (cron) {
    return cronProblem(cron[1]);
  }
  return 'is neither rate(...) nor cron(...)';
}

function rateProblem(body: string): string | undefined {
  const m = body.match(/^(\d+) ([a-z]+)$/);
  if (!m) {
    return 'is not rate(<number> <unit>)';
  }
  const value = Number(m[1]);
  const unit = m[2];
  if (value < 1) {
    return 'has a rate of 0 (EventBridge needs a positive whole number)';
  }
  const singular = ['minute', 'hour', 'day'];
  const plural = ['minutes', 'hours', 'days'];
  if (![...singular, ...plural].includes(unit)) {
    return `has the unit "${unit}" (EventBridge takes minutes, hours or days)`;
  }
  if (value === 1 && plural.includes(unit)) {
    return `has the unit "${unit}" for 1 (EventBridge takes the singular: ${unit.slice(0, -1)})`;
  }
  if (value > 1 && singular.includes(unit)) {
    return `has the unit "${unit}" for ${value} (EventBridge takes the plural: ${unit}s)`;
  }
  return undefined;
}

const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string;
  /** Extra forms the field takes besides numbers, ranges, lists, `*` and steps. */
  readonly extra?: RegExp;
}

const FIELDS: FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: new RegExp(`^(\\?|\\dL|L|(\\d|${DAYS})#[1-5])$`) },
  { name: 'year', min: 1970, max: 2199 },
];

function cronProblem(body: string): string | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `has ${fields.length} cron fields (EventBridge takes six: minutes hours day-of-month month day-of-week year)`;
  }
  const dayOfMonth = fields[2];
  const dayOfWeek = fields[4];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'needs "?" in exactly one of day-of-month and day-of-week';
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const problem = fieldProblem(FIELDS[i], fields[i]);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

function fieldProblem(rule: FieldRule, field: string): string | undefined {
  if (rule.extra?.test(field.toUpperCase())) {
    return undefined;
  }
  for (const item of field.split(',')) {
    const [range, step] = item.split('/');
    if (step !== undefined && !/^\d+$/.test(step)) {
      return `has the ${rule.name} field "${field}" (a step is a whole number)`;
    }
    if (range === '*') {
      continue;
    }
    for (const value of range.split('-')) {
      const number = toNumber(rule, value);
      if (number === undefined || number < rule.min || number > rule.max) {
        return `has the ${rule.name} field "${field}" (EventBridge takes ${rule.min}-${rule.max}${rule.names ? ' or names' : ''})`;
      }
    }
  }
  return undefined;
}

function toNumber(rule: FieldRule, value: string): number | undefined {
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  if (rule.names !== undefined) {
    const index = rule.names.split('|').indexOf(value.toUpperCase());
    if (index >= 0) {
      return index + 1;
    }
  }
  return undefined;
}

/**
 * Why git refuses `branch` as a branch name, or undefined. The rules of `git check-ref-format`
 * (https://git-scm.com/docs/git-check-ref-format) within the characters the library accepts
 * (letters, digits, `.`, `_`, `-`, `/`): no part that begins with `.` or ends with `.lock`, no `..`,
 * no `//`, no leading or trailing `/`, no trailing `.`, and (for `--branch`) no leading `-`.
 */
export function gitBranchProblem(branch: string): string | undefined {
  if (branch.startsWith('/') || branch.endsWith('/')) {
    return 'begins or ends with "/"';
  }
  if (branch.includes('//')) {
    return 'has an empty part ("//")';
  }
  if (branch.includes('..')) {
    return 'has ".."';
  }
  if (branch.endsWith('.')) {
    return 'ends with "."';
  }
  if (branch.startsWith('-')) {
    return 'begins with "-"';
  }
  for (const part of branch.split('/')) {
    if (part.startsWith('.')) {
      return `has a part that begins with "." (${part})`;
    }
    if (part.endsWith('.lock')) {
      return `has a part that ends with ".lock" (${part})`;
    }
  }
  return undefined;
}
