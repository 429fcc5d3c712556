/**
 * Turns what a handler returned into the HTTP answer, as an FC 3.0 HTTP trigger does:
 * - an object with a numeric `statusCode` is the response struct `{ statusCode, headers?, isBase64Encoded?, body? }`:
 *   status and headers applied, `body` base64-decoded when `isBase64Encoded` (an object body is sent as JSON);
 * - anything else is answered 200 with the value as the body, converted as for an invocation (Buffer as-is,
 *   string as-is, other values as JSON). (FC's exact rules for that case are in a doc section we could not read;
 *   the handlers in this project always return the struct.)
 * Headers FC does not let a function set (connection, content-length, date, keep-alive, server, upgrade, x-fc-*)
 * are dropped.
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const RESERVED = /^(connection|content-length|date|keep-alive|server|upgrade|transfer-encoding|x-fc-.*)$/i;

/** Invocation results: Buffer as-is, string as-is, undefined/null empty, anything else JSON. */
export function serialiseResult(result: unknown): { body: Buffer; json: boolean } {
  if (Buffer.isBuffer(result)) return { body: result, json: false };
  if (result instanceof Uint8Array) return { body: Buffer.from(result), json: false };
  if (typeof result === 'string') return { body: Buffer.from(result, 'utf8'), json: false };
  if (result === undefined || result === null) return { body: Buffer.alloc(0), json: false };
  return { body: Buffer.from(JSON.stringify(result), 'utf8'), json: true };
}

export class BadResponseStructError extends Error {}

export function isResponseStruct(value: unknown): value is { statusCode: number; headers?: unknown; isBase64Encoded?: unknown; body?: unknown } {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && typeof (value as { statusCode?: unknown }).statusCode === 'number';
}

export function httpAnswerFor(result: unknown): HttpAnswer {
  if (!isResponseStruct(result)) {
    const { body, json } = serialiseResult(result);
    return { status: 200, headers: json ? { 'content-type': 'application/json' } : {}, body };
  }
  const status = result.statusCode;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new BadResponseStructError(`statusCode ${status} is not an HTTP status`);
  const headers: Record<string, string | string[]> = {};
  if (result.headers !== undefined && result.headers !== null) {
    if (typeof result.headers !== 'object') throw new BadResponseStructError('headers must be an object');
    for (const [name, value] of Object.entries(result.headers as Record<string, unknown>)) {
      if (RESERVED.test(name)) continue;
      if (Array.isArray(value)) headers[name.toLowerCase()] = value.map(String);
      else if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
  }
  let body: Buffer;
  if (result.body === undefined || result.body === null) body = Buffer.alloc(0);
  else if (typeof result.body === 'string') body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  else if (Buffer.isBuffer(result.body)) body = result.body;
  else body = Buffer.from(JSON.stringify(result.body), 'utf8');
  return { status, headers, body };
}
