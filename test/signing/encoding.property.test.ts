import fc from 'fast-check';
import { canonicalQuery, percentEncode, percentEncodePath, presign, presignExplained, type EncodedPair } from '../../shared/signing';
import { objectKey, presignCase } from '../support/presign-corpus';

const wellFormed = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s.isWellFormed());
const ENCODED = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

describe('percent-encoding rules (property tests)', () => {
  it('percentEncode emits only unreserved characters and uppercase %XX, and decodes back to its input', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        const encoded = percentEncode(s);
        expect(encoded).toMatch(ENCODED);
        expect(decodeURIComponent(encoded)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes space as %20 and + as %2B, never +', () => {
    fc.assert(
      fc.property(wellFormed, wellFormed, (a, b) => {
        const encoded = percentEncode(`${a} +${b}`);
        expect(encoded).toContain('%20%2B');
        expect(encoded).not.toContain('+');
      }),
    );
  });

  it('leaves exactly the unreserved set alone', () => {
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      const unreserved = /[A-Za-z0-9\-._~]/.test(char);
      expect(percentEncode(char)).toBe(unreserved ? char : `%${code.toString(16).toUpperCase().padStart(2, '0')}`);
    }
  });

  it('percentEncodePath keeps "/" as the only extra literal and preserves segments', () => {
    fc.assert(
      fc.property(objectKey, (key) => {
        const encoded = percentEncodePath(key);
        expect(encoded.split('/').length).toBe(key.split('/').length);
        for (const segment of encoded.split('/')) expect(segment).toMatch(ENCODED);
        expect(decodeURIComponent(encoded)).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('canonicalQuery sorts bytewise by encoded key and signs an empty value as a bare key', () => {
    fc.assert(
      fc.property(fc.dictionary(wellFormed.filter((k) => k.length > 0), fc.option(wellFormed, { nil: null })), (query) => {
        const pairs: EncodedPair[] = Object.entries(query).map(([k, v]) => [percentEncode(k), v === null ? null : percentEncode(v)]);
        const parts = canonicalQuery([...pairs]).split('&').filter((p) => p !== '');
        const keys = parts.map((p) => p.split('=')[0] as string);
        expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
        for (const [k, v] of pairs) expect(parts).toContain(v === null || v === '' ? k : `${k}=${v}`);
      }),
    );
  });
});

describe('presigned URLs (property tests over the generated corpus)', () => {
  it('never contain a raw +, and their query decodes back to exactly what was signed', () => {
    fc.assert(
      fc.property(presignCase, ({ input }) => {
        const { url } = presign(input);
        expect(url).not.toContain('+');
        const parsed = new URL(url);
        expect(parsed.searchParams.get('x-oss-security-token')).toBe(input.credentials.securityToken ?? null);
        for (const [name, value] of Object.entries(input.query)) {
          if (value === undefined) continue;
          expect(parsed.searchParams.get(name)).toBe(value === null ? '' : String(value));
        }
        expect(decodeURIComponent(parsed.pathname).endsWith(`/${input.key}`)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('sign every header the holder must send and report exactly those', () => {
    fc.assert(
      fc.property(presignCase, ({ input }) => {
        const { presigned, canonicalRequest } = presignExplained(input);
        const headerBlock = canonicalRequest.split('\n\n')[0]?.split('\n').slice(3) ?? [];
        const signed = Object.fromEntries(headerBlock.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
        expect(presigned.signedHeaders).toEqual(signed);
        for (const [name, value] of Object.entries(input.headers)) {
          const lower = name.toLowerCase();
          if (lower === 'content-type' || lower === 'content-md5' || lower.startsWith('x-oss-')) {
            expect(presigned.signedHeaders[lower]).toBe(value.trim());
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('change signature when any signed header value, the key, the token or the clock changes', () => {
    fc.assert(
      fc.property(presignCase, fc.integer({ min: 1, max: 86400 }), ({ input }, shift) => {
        const base = new URL(presign(input).url).searchParams.get('x-oss-signature');
        const variants = [
          { ...input, key: `${input.key}x` },
          { ...input, now: () => (input.now as () => number)() + shift * 1000 },
          { ...input, credentials: { ...input.credentials, securityToken: `${input.credentials.securityToken ?? ''}t` } },
          { ...input, headers: { ...input.headers, 'x-oss-meta-extra': 'v' } },
        ];
        for (const variant of variants) {
          expect(new URL(presign(variant).url).searchParams.get('x-oss-signature')).not.toBe(base);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('report an expiration exactly expiresIn seconds after the signing second', () => {
    fc.assert(
      fc.property(presignCase, ({ input }) => {
        const result = presign(input);
        const signedAt = Math.floor((input.now as () => number)() / 1000);
        expect(Date.parse(result.expiration) / 1000).toBe(signedAt + input.expires);
        expect(result.expiresIn).toBe(input.expires);
        expect(new URL(result.url).searchParams.get('x-oss-expires')).toBe(String(input.expires));
      }),
      { numRuns: 500 },
    );
  });
});
