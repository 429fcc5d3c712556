import { PRODUCT, SCOPE_TERMINATOR, SECRET_PREFIX } from './constants';
import { hmacSha256, hmacSha256Hex, sha256 } from './digest';

/**
 * The V4 signing key is four chained HMACs; a warm function signs many URLs with one key per day and region, so
 * the derived key is cached. The cache is keyed on a digest of the secret, never the secret itself, so that a
 * heap dump of the map does not hand out the secret, and it is bounded so that rotating keys cannot grow it.
 */
const MAX_ENTRIES = 50;
const cache = new Map<string, Buffer>();

export function deriveSigningKey(secret: string, date: string, region: string, product: string = PRODUCT): Buffer {
  const kDate = hmacSha256(SECRET_PREFIX + secret, date);
  const kRegion = hmacSha256(kDate, region);
  const kProduct = hmacSha256(kRegion, product);
  return hmacSha256(kProduct, SCOPE_TERMINATOR);
}

interface LastKey {
  secret: string;
  date: string;
  region: string;
  product: string;
  key: Buffer;
}

// A warm instance signs URL after URL with one credentials object (a batch, a cached STS session), so the key
// last derived for an object is remembered on it, weakly: the entry lives as long as the caller keeps the
// object and holds nothing the object does not. It keeps the secret only to notice a change made in place.
let lastKeyByCredentials = new WeakMap<object, LastKey>();

/** `owner` is the credentials object the secret came from, if any; it only makes repeated lookups cheaper. */
export function signingKey(
  owner: object | undefined,
  accessKeyId: string,
  secret: string,
  date: string,
  region: string,
  product: string = PRODUCT,
): Buffer {
  const last = owner ? lastKeyByCredentials.get(owner) : undefined;
  if (last && last.secret === secret && last.date === date && last.region === region && last.product === product) {
    return last.key;
  }
  const cacheKey = `${accessKeyId}\n${sha256(secret, 'base64')}\n${date}\n${region}\n${product}`;
  let key = cache.get(cacheKey);
  if (key === undefined) {
    key = deriveSigningKey(secret, date, region, product);
    if (cache.size >= MAX_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(cacheKey, key);
  }
  if (owner) lastKeyByCredentials.set(owner, { secret, date, region, product, key });
  return key;
}

export function signatureHex(key: Buffer, stringToSignText: string): string {
  return hmacSha256Hex(key, stringToSignText);
}

/** For tests and for callers who rotate keys and want the old ones gone from memory now. */
export function clearSigningKeyCache(): void {
  cache.clear();
  lastKeyByCredentials = new WeakMap();
}

export function signingKeyCacheSize(): number {
  return cache.size;
}
