import { createHash, createHmac } from 'node:crypto';
import { PRODUCT, SCOPE_TERMINATOR, SECRET_PREFIX } from './constants';

/**
 * The V4 signing key is four chained HMACs; a warm function signs many URLs with one key per day and region, so
 * the derived key is cached. The cache is keyed on a digest of the secret, never the secret itself, so that a
 * heap dump of the map does not hand out the secret, and it is bounded so that rotating keys cannot grow it.
 */
const MAX_ENTRIES = 50;
const cache = new Map<string, Buffer>();

export function deriveSigningKey(secret: string, date: string, region: string, product: string = PRODUCT): Buffer {
  const kDate = createHmac('sha256', SECRET_PREFIX + secret).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kProduct = createHmac('sha256', kRegion).update(product).digest();
  return createHmac('sha256', kProduct).update(SCOPE_TERMINATOR).digest();
}

export function signingKey(accessKeyId: string, secret: string, date: string, region: string, product: string = PRODUCT): Buffer {
  const secretDigest = createHash('sha256').update(secret).digest('base64');
  const cacheKey = `${accessKeyId}\n${secretDigest}\n${date}\n${region}\n${product}`;
  let key = cache.get(cacheKey);
  if (key === undefined) {
    key = deriveSigningKey(secret, date, region, product);
    if (cache.size >= MAX_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(cacheKey, key);
  }
  return key;
}

export function signatureHex(key: Buffer, stringToSignText: string): string {
  return createHmac('sha256', key).update(stringToSignText, 'utf8').digest('hex');
}

/** For tests and for callers who rotate keys and want the old ones gone from memory now. */
export function clearSigningKeyCache(): void {
  cache.clear();
}

export function signingKeyCacheSize(): number {
  return cache.size;
}
