/**
 * Byte-level string handling shared by the verifier and the router. Kept apart from the signer in
 * shared/signing on purpose: this is the server's own reading of the rules, so the two can check each other.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** OSS V4 percent-encoding: only A-Z a-z 0-9 - . _ ~ survive, everything else is %XX over UTF-8, uppercase hex. */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The canonical URI keeps '/' literal, so a key's "folders" stay readable in the canonical request. */
export function percentEncodePath(value: string): string {
  return value.split('/').map(percentEncode).join('/');
}

export interface QueryPair {
  key: string;
  value: string;
  /** True when the raw query had `k=`; `k` and `k=` canonicalise the same, but routing sometimes cares. */
  hadEquals: boolean;
}

/**
 * Parses the raw query exactly as received. A raw '+' is a space here (as OSS and the Go v2 SDK read it), which is
 * what makes a URL whose '+' was not escaped as %2B fail verification: the signer signed '+' as %2B.
 */
export function parseRawQuery(rawQuery: string): QueryPair[] {
  if (rawQuery === '') return [];
  const pairs: QueryPair[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push({ key: decodeComponent(rawKey), value: decodeComponent(rawValue), hadEquals: eq !== -1 });
  }
  return pairs;
}

/** Thrown for malformed percent-escapes; the router turns it into an OSS 400. */
export class MalformedEncodingError extends Error {}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new MalformedEncodingError(`malformed percent-encoding: ${raw}`);
  }
}

/** Path segments: '+' is a literal plus in a path (only the query uses form encoding). */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new MalformedEncodingError(`malformed percent-encoding in path: ${rawPath}`);
  }
}

export function queryValue(pairs: readonly QueryPair[], key: string): string | undefined {
  return pairs.find((p) => p.key === key)?.value;
}

export function hasQuery(pairs: readonly QueryPair[], key: string): boolean {
  return pairs.some((p) => p.key === key);
}
