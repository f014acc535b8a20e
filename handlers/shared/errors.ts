/**
 * The name of an AWS SDK error (or of any error): `name`, else the service's error code.
 */
export function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const e = error as { name?: string; Code?: string; Error?: { Code?: string } };
  return e.name || (e.Error && e.Error.Code) || e.Code;
}
