import { invalidArgument } from '../errors';
import { MAX_EXPIRES_SECONDS, MAX_KEY_BYTES, MIN_EXPIRES_SECONDS, SIGNER_QUERY_NAMES } from './constants';
import type { PresignMethod } from './types';

/**
 * Input checks for the signer. Each failure names the field and the rule, so that a caller can fix the request
 * without reading OSS's SignatureDoesNotMatch body, and no URL is ever built from input OSS would refuse.
 */

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;
const REGION = /^(?:oss-)?([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values travel as bytes browsers and Node only accept as visible ASCII (and tab); non-ASCII metadata
// must be percent-encoded by the caller, as OSS documents.
const HEADER_VALUE = /^[\t\u0020-\u007e]*$/;
const METHODS: ReadonlySet<string> = new Set<PresignMethod>(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

export function checkMethod(method: unknown): PresignMethod {
  if (typeof method !== 'string' || !METHODS.has(method)) {
    throw invalidArgument('method', 'method must be one of GET, PUT, HEAD, POST, DELETE');
  }
  return method as PresignMethod;
}

export function checkBucket(bucket: unknown, field = 'bucket'): string {
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw invalidArgument(
      field,
      'bucket must be 3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit',
    );
  }
  if (bucket.startsWith('xn--')) {
    // An xn-- label is read as punycode by every URL parser, and most such names are not valid punycode, so
    // https://xn--0.oss-…/ is not a URL a browser or fetch can send.
    throw invalidArgument(field, 'bucket must not start with "xn--" (URL parsers read it as punycode)');
  }
  return bucket;
}

export function checkKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidArgument(field, 'key must be a non-empty string');
  }
  if (!key.isWellFormed()) {
    throw invalidArgument(field, 'key must be valid Unicode (it contains an unpaired surrogate)');
  }
  if (key.startsWith('/') || key.startsWith('\\')) {
    throw invalidArgument(field, 'key must not start with "/" or "\\"');
  }
  if (DOT_SEGMENT.test(key)) {
    // WHATWG URL parsers (browsers, fetch) and curl resolve "." and ".." segments (even as %2E) before sending,
    // so the request would address another object than the one signed.
    throw invalidArgument(field, 'key must not contain "." or ".." path segments');
  }
  if (CONTROL_CHARACTER.test(key)) {
    throw invalidArgument(field, 'key must not contain control characters (U+0000-U+001F, U+007F)');
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw invalidArgument(field, `key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  return key;
}

export function checkExpires(expires: unknown, field = 'expires'): number {
  if (typeof expires !== 'number' || !Number.isInteger(expires) || expires < MIN_EXPIRES_SECONDS || expires > MAX_EXPIRES_SECONDS) {
    throw invalidArgument(
      field,
      `${field} must be a whole number of seconds from ${MIN_EXPIRES_SECONDS} to ${MAX_EXPIRES_SECONDS} (7 days)`,
    );
  }
  return expires;
}

let lastRegionInput: unknown;
let lastRegion = '';

/** Returns the standard region id that the V4 scope uses (`oss-cn-hangzhou` → `cn-hangzhou`). */
export function standardRegion(region: unknown): string {
  if (region === lastRegionInput) return lastRegion; // a deployment signs for one region
  const match = typeof region === 'string' ? REGION.exec(region) : null;
  if (!match?.[1]) {
    throw invalidArgument('region', 'region must look like cn-hangzhou or oss-cn-hangzhou');
  }
  lastRegionInput = region;
  lastRegion = match[1];
  return lastRegion;
}

export function checkHeaderName(name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw invalidArgument(`headers.${name}`, 'header names must be HTTP tokens');
  }
  return name.toLowerCase();
}

export function checkHeaderValue(name: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    throw invalidArgument(`headers.${name}`, 'header values must not be empty; leave the header out instead');
  }
  if (!HEADER_VALUE.test(trimmed)) {
    throw invalidArgument(
      `headers.${name}`,
      'header values must be printable ASCII; percent-encode other characters (as OSS documents for metadata)',
    );
  }
  return trimmed;
}

export function checkQueryName(name: string): string {
  if (name.length === 0 || !name.isWellFormed()) {
    throw invalidArgument('query', 'query parameter names must be non-empty, valid Unicode');
  }
  if (SIGNER_QUERY_NAMES.has(name.toLowerCase())) {
    throw invalidArgument(`query.${name}`, `${name} is set by the signer and cannot be passed as a query parameter`);
  }
  return name;
}

export function checkQueryValue(name: string, value: string): string {
  if (!value.isWellFormed()) {
    throw invalidArgument(`query.${name}`, 'query values must be valid Unicode');
  }
  return value;
}

export function checkAccessKeyId(accessKeyId: unknown): string {
  // The id is joined into the credential scope with `/`, so a slash would move the scope's fields.
  if (typeof accessKeyId !== 'string' || accessKeyId.length === 0 || accessKeyId.includes('/') || CONTROL_CHARACTER.test(accessKeyId)) {
    throw invalidArgument('credentials.accessKeyId', 'accessKeyId must be a non-empty string without "/" or control characters');
  }
  return accessKeyId;
}

export function checkAccessKeySecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw invalidArgument('credentials.accessKeySecret', 'accessKeySecret must be a non-empty string');
  }
  return secret;
}
