import type * as NodeCrypto from 'node:crypto';

/**
 * node:crypto costs 4-6 ms to load in a fresh process, more than the rest of the signing package together. It
 * is loaded on the first signature instead of at import, so that a cold start which never signs (a preflight, a
 * rejected request) does not pay for it, and so that the import cost of this package is its own.
 */
let loaded: typeof NodeCrypto | undefined;

export function nodeCrypto(): typeof NodeCrypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  return (loaded ??= require('node:crypto') as typeof NodeCrypto);
}

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex' | 'base64') => string;

/** crypto.hash (Node >= 20.12) hashes without building a Hash object, about half the cost for short input. */
export function sha256(data: string, encoding: 'hex' | 'base64'): string {
  const crypto = nodeCrypto();
  const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
  return oneShot ? oneShot('sha256', data, encoding) : crypto.createHash('sha256').update(data, 'utf8').digest(encoding);
}

export function hmacSha256(key: string | Buffer, data: string): Buffer {
  return nodeCrypto().createHmac('sha256', key).update(data, 'utf8').digest();
}

export function hmacSha256Hex(key: Buffer, data: string): string {
  return nodeCrypto().createHmac('sha256', key).update(data, 'utf8').digest('hex');
}
