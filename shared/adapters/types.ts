/** An HTTP request as the core sees it, whichever trigger delivered it. Header names are lowercase. */
export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Route parameters an API Gateway API extracted (e.g. the key from /presign/put/[key]). */
  pathParameters: Record<string, string>;
  body: Buffer;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type EventSource = 'http-trigger' | 'invoke-api' | 'api-gateway' | 'eventbridge' | 'mns-queue' | 'mns-topic' | 'oss' | 'direct' | 'unknown';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Header names are the caller's: the record has a null prototype, so no name reaches Object.prototype. */
export function lowercaseHeaders(headers: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (!isObject(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.join(',');
  }
  return out;
}

export function stringRecord(value: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (!isObject(value)) return out;
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[name] = v.join(',');
  }
  return out;
}

export function decodeBody(body: unknown, isBase64Encoded: unknown): Buffer {
  if (typeof body !== 'string') return Buffer.alloc(0);
  return isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
