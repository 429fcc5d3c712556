/**
 * The server side of OSS4-HMAC-SHA256: rebuilds the canonical request and string to sign from what arrived.
 * Pure functions, so tests can hold them against the official vectors without a socket in between.
 */
import { createHash, createHmac } from 'node:crypto';
import { percentEncode, percentEncodePath } from './encoding';

export const ALGORITHM = 'OSS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface CanonicalInput {
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  /** Decoded query pairs, already without x-oss-signature. */
  query: ReadonlyArray<{ key: string; value: string }>;
  /** Lower-cased header names → value as received (multiple values already joined). */
  headers: Readonly<Record<string, string>>;
  /** Lower-cased additional header names as declared by the signer (x-oss-additional-headers / AdditionalHeaders). */
  additionalHeaders: readonly string[];
}

export function isDefaultSignedHeader(name: string): boolean {
  return name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');
}

export function canonicalUri(bucket: string | undefined, key: string | undefined): string {
  if (!bucket) return '/';
  return percentEncodePath(`/${bucket}/${key ?? ''}`);
}

export function canonicalQuery(query: ReadonlyArray<{ key: string; value: string }>): string {
  const encoded = query.map((p) => ({ k: percentEncode(p.key), v: p.value === '' ? '' : percentEncode(p.value) }));
  // Bytewise on the encoded key (all ASCII now), value as tie-breaker so duplicates are deterministic.
  encoded.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  return encoded.map(({ k, v }) => (v === '' ? k : `${k}=${v}`)).join('&');
}

/** Names listed as additional are signed even if absent (as an empty value), so a dropped header cannot pass. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>, additional: readonly string[]): string {
  const names = new Set<string>(additional);
  for (const name of Object.keys(headers)) if (isDefaultSignedHeader(name)) names.add(name);
  return [...names]
    .sort()
    .map((name) => `${name}:${(headers[name] ?? '').trim()}\n`)
    .join('');
}

export function normaliseAdditionalHeaders(raw: string | undefined): string[] {
  if (!raw) return [];
  const names = raw
    .split(';')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '' && !isDefaultSignedHeader(n));
  return [...new Set(names)].sort();
}

export function buildCanonicalRequest(input: CanonicalInput): string {
  const payload = input.headers['x-oss-content-sha256'] ?? UNSIGNED_PAYLOAD;
  return [
    input.method.toUpperCase(),
    canonicalUri(input.bucket, input.key),
    canonicalQuery(input.query),
    canonicalHeaders(input.headers, input.additionalHeaders),
    input.additionalHeaders.join(';'),
    payload,
  ].join('\n');
}

export function buildScope(date8: string, region: string, product: string): string {
  return `${date8}/${region}/${product}/aliyun_v4_request`;
}

export function buildStringToSign(dateTime: string, scope: string, canonicalRequest: string): string {
  const hash = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return `${ALGORITHM}\n${dateTime}\n${scope}\n${hash}`;
}

export function deriveSigningKey(secret: string, date8: string, region: string, product: string): Buffer {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, date8), region), product), 'aliyun_v4_request');
}

export function signHex(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
