/**
 * moto answers CodeBuild timestamps (`startTime`, `endTime`, `created`...) as ISO-8601 strings,
 * where the API (JSON 1.1 protocol) sends epoch seconds, and the AWS SDK v3 refuses the strings
 * ("Expected real number, got implicit NaN"). This middleware rewrites them to epoch seconds in the
 * raw response, before the SDK deserializes it. Test-only: the real API needs no such thing.
 */
const TIMESTAMP_KEYS = /^(startTime|endTime|created|lastModified|lastModifiedTime)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A client whose middleware stack can take the adapter (any AWS SDK v3 client). */
interface MiddlewareClient {
  readonly middlewareStack: { addRelativeTo(middleware: any, options: any): void };
}

export function acceptMotoTimestamps(client: MiddlewareClient): void {
  client.middlewareStack.addRelativeTo(
    (next: any) => async (args: any) => {
      const result = await next(args);
      const response = result.response;
      if (response?.body && response.statusCode === 200) {
        const raw = await readBody(response.body);
        response.body = Buffer.from(raw.length > 0 ? JSON.stringify(rewrite(JSON.parse(raw))) : raw);
      }
      return result;
    },
    { name: 'motoTimestamps', relation: 'after', toMiddleware: 'deserializerMiddleware', override: true },
  );
}

function rewrite(value: any, key = ''): any {
  if (Array.isArray(value)) {
    return value.map((v) => rewrite(v));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, k)]));
  }
  if (typeof value === 'string' && TIMESTAMP_KEYS.test(key) && ISO_DATE.test(value)) {
    return Date.parse(/[Z+-]\d*:?\d*$/.test(value.slice(19)) ? value : `${value}Z`) / 1000;
  }
  return value;
}

async function readBody(body: any): Promise<string> {
  if (typeof body === 'string') {
    return body;
  }
  if (body instanceof Uint8Array) {
    return Buffer.from(body).toString('utf-8');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf-8');
}
