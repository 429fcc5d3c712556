import { startLocalSts, type LocalSts } from '../../scripts/local-cloud/local-sts';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { asEvent, fcContext, harness } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * The answer says what it knows of the token behind the URL (issue 3): a caller can tell an exact expiry from
 * one held to PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES because nobody knows when the token dies.
 */
type Answer = { expiresIn: number; expiration: string; cap: { requested: number; applied: number; by: string | null; tokenExpiration: string | null; tokenExpiry: string } };

describe('cap in answers', () => {
  it('FC runtime-role credentials: unknown expiry, held to PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES', async () => {
    const { put } = harness({ PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES: '1800' });
    const short = (await put(asEvent({ key: 'a.txt', expires: 600 }), fcContext())) as Answer;
    expect(short.cap).toEqual({ requested: 600, applied: 600, by: null, tokenExpiration: null, tokenExpiry: 'unknown' });
    const long = (await put(asEvent({ key: 'a.txt', expires: 7200 }), fcContext())) as Answer;
    expect(long.expiresIn).toBe(1800);
    expect(long.cap).toEqual({ requested: 7200, applied: 1800, by: 'unknown-token', tokenExpiration: null, tokenExpiry: 'unknown' });
  });

  it('a long-term AccessKey off FC: no token, no token cap, only 7 days', async () => {
    const { get } = harness({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tLongTermKey', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'long-term-secret' });
    const answer = (await get(asEvent({ key: 'a.txt', expires: 604800 }), fcContext({ credentials: undefined }))) as Answer;
    expect(answer.cap).toEqual({ requested: 604800, applied: 604800, by: null, tokenExpiration: null, tokenExpiry: 'none' });
  });

  describe('a signer role assumed at the local STS', () => {
    let sts: LocalSts;
    const store = new CredentialStore();
    const caller = store.add({ accessKeyId: 'STS.runtime', accessKeySecret: 'runtime-secret', securityToken: 'runtime-token', expiration: new Date(Date.now() + 3600_000) });
    beforeAll(async () => {
      sts = await startLocalSts({ store, roles: [{ arn: 'acs:ram::1234567890123456:role/signer' }] });
    });
    afterAll(async () => sts.close());

    it('known expiry: the URL never outlives the session, and the answer says when that is', async () => {
      const { put } = harness({
        SIGNER_ROLE_ARN: 'acs:ram::1234567890123456:role/signer',
        SIGNER_STS_ENDPOINT: sts.origin,
        SIGNER_SESSION_SECONDS: '900',
        PRESIGN_CLOCK_SKEW_SECONDS: '60',
      });
      const answer = (await put(asEvent({ key: 'a.txt', expires: 3600 }), fcContext({ credentials: caller }))) as Answer;
      expect(answer.cap.tokenExpiry).toBe('known');
      expect(answer.cap.by).toBe('token');
      const tokenEnd = Date.parse(answer.cap.tokenExpiration as string);
      expect(Date.parse(answer.expiration)).toBeLessThanOrEqual(tokenEnd - 60_000);
      expect(answer.expiresIn).toBeGreaterThan(700);
    });
  });
});
