import { ALGORITHM, PRODUCT, SCOPE_TERMINATOR } from './constants';
import { sha256 } from './digest';
import { percentEncodePath } from './encode';

/**
 * The canonicalisation steps of OSS V4, each a pure function over strings so that tests can check every
 * intermediate (canonical request, string to sign) against the official vectors, not only the final signature.
 */

/** `/bucket/key`, encoded with `/` kept. The bucket is always there, whatever host style the URL uses. */
export function canonicalUri(bucket: string, key: string): string {
  return `/${bucket}/${percentEncodePath(key)}`;
}

/** An already-encoded query pair; `value` is null for a bare key. */
export type EncodedPair = readonly [encodedKey: string, encodedValue: string | null];

function byEncodedKey(a: EncodedPair, b: EncodedPair): number {
  // Encoded keys are ASCII, so UTF-16 comparison is bytewise comparison, which is what OSS sorts by.
  if (a[0] < b[0]) return -1;
  if (a[0] > b[0]) return 1;
  return 0;
}

function isSorted(pairs: EncodedPair[]): boolean {
  for (let i = 1; i < pairs.length; i++) if (byEncodedKey(pairs[i - 1] as EncodedPair, pairs[i] as EncodedPair) > 0) return false;
  return true;
}

/** Sorts the pairs in place and joins them; an empty value is signed as a bare key, as every server-side SDK does. */
export function canonicalQuery(pairs: EncodedPair[]): string {
  // The signer adds its own parameters in order, so most URLs arrive sorted and skip the comparator sort.
  if (!isSorted(pairs)) pairs.sort(byEncodedKey);
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const [key, value] = pairs[i] as EncodedPair;
    if (i > 0) out += '&';
    out += value === null || value === '' ? key : `${key}=${value}`;
  }
  return out;
}

/** A lowercase header name and its trimmed value. */
export type HeaderLine = readonly [name: string, value: string];

export function canonicalHeaders(lines: HeaderLine[]): string {
  lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (const [name, value] of lines) out += `${name}:${value}\n`;
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  uri: string;
  query: string;
  /** Output of canonicalHeaders: every line already ends in "\n". */
  headers: string;
  /** `;`-joined sorted additional header names, or "". */
  additionalHeaders: string;
  payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  return `${parts.method}\n${parts.uri}\n${parts.query}\n${parts.headers}\n${parts.additionalHeaders}\n${parts.payloadHash}`;
}

/** `20231217/cn-hangzhou/oss/aliyun_v4_request`; CloudBox signs with its box id as region and `oss-cloudbox`. */
export function credentialScope(date: string, region: string, product: string = PRODUCT): string {
  return `${date}/${region}/${product}/${SCOPE_TERMINATOR}`;
}

export function stringToSign(dateTime: string, scope: string, canonicalRequestText: string): string {
  return `${ALGORITHM}\n${dateTime}\n${scope}\n${sha256(canonicalRequestText, 'hex')}`;
}
