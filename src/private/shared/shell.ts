import { Token } from 'aws-cdk-lib';

/**
 * Quotes a literal for POSIX shells: the result expands to exactly `value`, whatever it holds
 * (spaces, quotes, `$(...)`, backticks, `;`, newlines).
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Environment variable names a buildspec may define: POSIX portable names. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Shell words for values that may be tokens. A literal becomes a quoted word; a token (only known at
 * deploy time, so it cannot be quoted at synth) becomes `"$NAME"` and is recorded in `environment`
 * for the project to set: inside double quotes its value is never re-evaluated by the shell.
 */
export class ShellWords {
  /** Environment variables that carry token values, by name. */
  public readonly environment: Record<string, string> = {};

  /** The shell word for `value`; `envName` names its variable when `value` is a token. */
  public word(value: string, envName: string): string {
    if (Token.isUnresolved(value)) {
      this.environment[envName] = value;
      return `"$${envName}"`;
    }
    return shellQuote(value);
  }
}
