import { createHmac } from 'node:crypto';

/**
 * Alibaba Cloud RPC-style request signing (SignatureVersion 1.0, HMAC-SHA1), the scheme STS AssumeRole uses.
 * Shared by the STS client and by the local STS server so both sides compute the string to sign the same way.
 *
 * stringToSign = METHOD & percent("/") & percent(sorted "k=v" pairs joined by "&"), each k and v percent-encoded;
 * signature    = base64(HMAC-SHA1(secret + "&", stringToSign)).
 */

/** RFC 3986 encoding as the RPC rules want it: encodeURIComponent plus ! ' ( ) * escaped; space is %20, ~ kept. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function rpcStringToSign(method: string, params: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function rpcSignature(method: string, params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(rpcStringToSign(method, params), 'utf8').digest('base64');
}

/** Encodes params as a query string or form body with the same encoding the signature used. */
export function encodeParams(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the UTC form STS wants for Timestamp and returns for Expiration. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses the UTC instants STS and credentials URIs return. Accepts only `...Z` with optional milliseconds. */
export function parseUtcInstant(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : null;
}
