import { createCredentialResolver } from '../../shared/credentials';
import { readExpiryPolicy, resolveSigningLifetime } from '../../shared/expiry';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts, type LocalSts } from '../../scripts/local-cloud/local-sts';
import { makeTestPki, type TestPki } from '../../scripts/local-cloud/test-ca';

/** The cap end to end: real resolver, real AssumeRole over TLS at the loopback STS, one shared manual clock. */
const ROLE = 'acs:ram::1234567890123456:role/signer';
let pki: TestPki;
let sts: LocalSts;
let store: CredentialStore;
let t = Date.UTC(2030, 0, 1, 0, 0, 0);
const now = () => t;
const caller = { accessKeyId: 'STS.runtime-caller', accessKeySecret: 'SECRET-lifetime-DO-NOT-LEAK', securityToken: 'TOKEN-lifetime' };

beforeAll(async () => {
  pki = makeTestPki();
  store = new CredentialStore();
  store.add({ ...caller, expiration: new Date(Date.UTC(2031, 0, 1)) });
  sts = await startLocalSts({ store, tls: pki, now, roles: [{ arn: ROLE, maxSessionDuration: 43200 }] });
});
afterAll(() => sts.close());

function resolver(env: Record<string, string> = {}) {
  return createCredentialResolver({ env: { SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: sts.origin, SIGNER_SESSION_SECONDS: '900', SIGNER_REFRESH_AHEAD_SECONDS: '0', ...env }, now, ca: pki.caCert });
}
const context = { credentials: caller };
const policy = readExpiryPolicy({});

test('a known session caps the URL at its Expiration − skew, and the key is one the STS issued', async () => {
  const r = resolver();
  const before = sts.requests.length;
  const out = await resolveSigningLifetime(r, context, { requested: 3600 }, policy, now);
  expect(out.cap).toEqual({ requested: 3600, applied: 840, by: 'token', tokenExpiration: new Date(t + 900_000).toISOString(), tokenExpiry: 'known' });
  expect(store.lookup(out.credentials.accessKeyId)?.expiration?.toISOString()).toBe(out.cap.tokenExpiration);
  expect(sts.requests.length - before).toBe(1);
});

test('near expiry with minExpires: one forced AssumeRole, then a full-length URL', async () => {
  const r = resolver();
  const first = await resolveSigningLifetime(r, context, { requested: 600 }, policy, now);
  t += 500_000; // 400 s left on the session, 340 s usable
  const before = sts.requests.length;
  const second = await resolveSigningLifetime(r, context, { requested: 600, minExpires: 600 }, policy, now);
  expect(sts.requests.length - before).toBe(1);
  expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
  expect(second).toMatchObject({ expiresIn: 600, cap: { by: null } });
});

test('near expiry and STS failing: 503 TokenNearExpiry, retryable; the old key is not stretched', async () => {
  const r = resolver();
  await resolveSigningLifetime(r, context, {}, policy, now);
  t += 870_000; // 30 s left: below skew, nothing usable
  sts.behaviour = { fail: { status: 503, code: 'ServiceUnavailable', message: 'try later' } };
  try {
    await expect(resolveSigningLifetime(r, context, {}, policy, now)).rejects.toMatchObject({ code: 'TokenNearExpiry', status: 503, retryable: true, message: expect.stringContaining('ServiceUnavailable') });
  } finally {
    sts.behaviour = {};
  }
});

test('a configuration failure during the refresh is reported as itself (not TokenNearExpiry)', async () => {
  const r = resolver();
  await resolveSigningLifetime(r, context, {}, policy, now);
  t += 870_000;
  sts.behaviour = { fail: { status: 403, code: 'NoPermission', message: 'You are not authorized to do this action. You should be authorized by RAM.' } };
  try {
    await expect(resolveSigningLifetime(r, context, {}, policy, now)).rejects.toMatchObject({ code: 'CredentialsUnavailable', status: 500, retryable: false });
  } finally {
    sts.behaviour = {};
  }
});
