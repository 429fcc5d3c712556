import { createHmac } from 'node:crypto';
import { clearSigningKeyCache, deriveSigningKey, presign, signingKey, signingKeyCacheSize, type PresignInput } from '../../shared/signing';

function referenceKey(secret: string, date: string, region: string): Buffer {
  const step = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  return step(step(step(step(`aliyun_v4${secret}`, date), region), 'oss'), 'aliyun_v4_request');
}

const base: PresignInput = {
  method: 'GET',
  bucket: 'bucket',
  key: 'a.txt',
  region: 'cn-hangzhou',
  credentials: { accessKeyId: 'ak', accessKeySecret: 'secret-one' },
  expires: 60,
  now: () => Date.UTC(2026, 10, 22),
};
const signatureOf = (input: PresignInput) => new URL(presign(input).url).searchParams.get('x-oss-signature');

describe('signing key cache', () => {
  beforeEach(() => clearSigningKeyCache());

  it('derives the RFC 2104 HMAC chain', () => {
    expect(deriveSigningKey('s', '20261122', 'cn-hangzhou').equals(referenceKey('s', '20261122', 'cn-hangzhou'))).toBe(true);
  });

  it('is bounded however many keys rotate through it', () => {
    for (let i = 0; i < 200; i++) signingKey(undefined, `ak${i}`, `secret${i}`, '20261122', 'cn-hangzhou');
    expect(signingKeyCacheSize()).toBe(50);
  });

  it('separates keys by secret, day and region', () => {
    const a = signingKey(undefined, 'ak', 's1', '20261122', 'cn-hangzhou');
    expect(signingKey(undefined, 'ak', 's2', '20261122', 'cn-hangzhou').equals(a)).toBe(false);
    expect(signingKey(undefined, 'ak', 's1', '20261123', 'cn-hangzhou').equals(a)).toBe(false);
    expect(signingKey(undefined, 'ak', 's1', '20261122', 'cn-shanghai').equals(a)).toBe(false);
    expect(signingKey(undefined, 'ak', 's1', '20261122', 'cn-hangzhou').equals(referenceKey('s1', '20261122', 'cn-hangzhou'))).toBe(true);
  });

  it('notices a secret changed in place on the same credentials object', () => {
    const credentials = { accessKeyId: 'ak', accessKeySecret: 'secret-one' };
    const first = signatureOf({ ...base, credentials });
    credentials.accessKeySecret = 'secret-two';
    const second = signatureOf({ ...base, credentials });
    expect(second).not.toBe(first);
    expect(second).toBe(signatureOf({ ...base, credentials: { accessKeyId: 'ak', accessKeySecret: 'secret-two' } }));
  });

  it('uses a new day’s key at midnight UTC on the same credentials object', () => {
    const credentials = { accessKeyId: 'ak', accessKeySecret: 'secret-one' };
    const beforeMidnight = Date.UTC(2026, 10, 22, 23, 59, 59);
    signatureOf({ ...base, credentials, now: () => beforeMidnight });
    const after = presign({ ...base, credentials, now: () => beforeMidnight + 1000 });
    expect(new URL(after.url).searchParams.get('x-oss-credential')).toBe('ak/20261123/cn-hangzhou/oss/aliyun_v4_request');
    clearSigningKeyCache();
    expect(signatureOf({ ...base, credentials: { ...credentials }, now: () => beforeMidnight + 1000 })).toBe(new URL(after.url).searchParams.get('x-oss-signature'));
  });
});
