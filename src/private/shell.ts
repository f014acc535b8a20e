/**
 * Quotes a literal for POSIX shells: the result expands to exactly `value`, whatever it holds
 * (spaces, quotes, `$(...)`, backticks, `;`, newlines).
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Environment variable names a buildspec may define: POSIX portable names. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
