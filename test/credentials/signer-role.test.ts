import { ServiceError } from '../../shared/errors';
import { createCredentialResolver } from '../../shared/credentials';
import { makeTestPki, type TestPki } from '../../scripts/local-cloud/test-ca';
import { startLocalSts, type LocalSts } from '../../scripts/local-cloud/local-sts';
import { CredentialStore, expectNoSecrets, manualClock, recordingLogger, runtimeKey } from './helpers';

const ROLE = 'acs:ram::1234567890123456:role/oss-presign-signer';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki(); });

interface Rig {
  sts: LocalSts;
  store: CredentialStore;
  clock: ReturnType<typeof manualClock>;
  logger: ReturnType<typeof recordingLogger>;
  resolver: ReturnType<typeof createCredentialResolver>;
  runtime: ReturnType<typeof runtimeKey>;
}
const rigs: Rig[] = [];
afterEach(async () => { await Promise.all(rigs.splice(0).map((r) => r.sts.close())); });

async function rig(opts: { env?: Record<string, string>; roles?: Parameters<typeof startLocalSts>[0]['roles']; ca?: string | null } = {}): Promise<Rig> {
  const store = new CredentialStore();
  const clock = manualClock();
  const runtime = runtimeKey(store, 'A');
  const sts = await startLocalSts({ store, tls: pki, now: clock.now, roles: opts.roles ?? [{ arn: ROLE, maxSessionDuration: 43200 }] });
  const logger = recordingLogger();
  const resolver = createCredentialResolver({
    env: { SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: sts.origin, FC_FUNCTION_NAME: 'presign-put', OSS_BUCKET: 'photos-bucket', ALLOWED_KEY_PREFIXES: 'uploads/,avatars/', ...opts.env },
    now: clock.now,
    logger,
    ...(opts.ca === null ? {} : { ca: opts.ca ?? pki.caCert }),
  });
  const r = { sts, store, clock, logger, resolver, runtime };
  rigs.push(r);
  return r;
}

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return e as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('signer role: AssumeRole against the local STS over TLS', () => {
  test('success: session keys from STS, Expiration known exactly, session policy narrowed to bucket and prefixes', async () => {
    const { sts, store, clock, resolver, runtime } = await rig();
    const got = await resolver.resolve(runtime.context);
    expect(got.source).toBe('signer-role');
    expect(got.expiry).toBe('known');
    expect(got.credentials.accessKeyId).toMatch(/^STS\./);
    expect(got.credentials.accessKeyId).not.toBe(runtime.credential.accessKeyId);
    const issued = store.lookup(got.credentials.accessKeyId);
    expect(issued?.accessKeySecret).toBe(got.credentials.accessKeySecret);
    expect(issued?.securityToken).toBe(got.credentials.securityToken);
    expect(got.expiration?.getTime()).toBe(issued?.expiration?.getTime());
    expect(got.expiration?.getTime()).toBe(clock.now() + 3600_000); // clock starts on a whole second

    expect(sts.requests).toHaveLength(1);
    const req = sts.requests[0]!;
    expect(req).toMatchObject({ outcome: 'Success', callerAccessKeyId: runtime.credential.accessKeyId, roleArn: ROLE, durationSeconds: '3600', roleSessionName: 'oss-presign-presign-put' });
    expect(JSON.parse(req.policy ?? 'null')).toEqual({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:GetObject', 'oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts'], Resource: ['acs:oss:*:*:photos-bucket/uploads/*', 'acs:oss:*:*:photos-bucket/avatars/*'] }],
    });
  });

  test('SIGNER_SESSION_SECONDS is the DurationSeconds asked for and the Expiration returned', async () => {
    const { sts, clock, resolver, runtime } = await rig({ env: { SIGNER_SESSION_SECONDS: '43200' } });
    const got = await resolver.resolve(runtime.context);
    expect(sts.requests[0]?.durationSeconds).toBe('43200');
    expect(got.expiration?.getTime()).toBe(clock.now() + 43200_000);
  });

  test('TLS is real: without trusting the test CA the call fails, nothing reaches the server', async () => {
    const { sts, resolver, runtime } = await rig({ ca: null });
    const err = await rejection(resolver.resolve(runtime.context));
    expect(err.code).toBe('CredentialsUnavailable');
    expect(err.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(err.retryable).toBe(false);
    expect(sts.requests).toHaveLength(0);
  });

  test('plain http is accepted for a loopback STS (npm start without a CA)', async () => {
    const store = new CredentialStore();
    const runtime = runtimeKey(store, 'H');
    const plain = await startLocalSts({ store });
    try {
      expect(plain.origin).toMatch(/^http:\/\/127\.0\.0\.1:/);
      const resolver = createCredentialResolver({ env: { SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: plain.origin } });
      expect(await resolver.resolve(runtime.context)).toMatchObject({ source: 'signer-role', expiry: 'known' });
    } finally {
      await plain.close();
    }
  });

  test('the STS really checks the signature: a wrong caller secret gets SignatureDoesNotMatch', async () => {
    const { resolver, runtime, sts } = await rig();
    const ctx = { ...runtime.context, credentials: { ...runtime.context.credentials, accessKeySecret: 'SECRET-wrong-one-9d1c-DO-NOT-LEAK' } };
    const err = await rejection(resolver.resolve(ctx));
    expect(err.message).toContain('SignatureDoesNotMatch');
    expect(sts.requests[0]?.outcome).toBe('SignatureDoesNotMatch');
    expectNoSecrets([err.message], ['SECRET-wrong-one-9d1c-DO-NOT-LEAK', runtime.credential.securityToken]);
  });

  test('NoPermission (caller not trusted by the role) → CredentialsUnavailable 500, names the fix, no secret', async () => {
    const { resolver, runtime, sts, logger } = await rig({ roles: [{ arn: ROLE, trustedCallers: ['STS.someone-else'] }] });
    const err = await rejection(resolver.resolve(runtime.context));
    expect(err).toMatchObject({ code: 'CredentialsUnavailable', status: 500, retryable: false });
    expect(err.message).toContain('NoPermission');
    expect(err.message).toContain(ROLE);
    expect(err.message).toContain('sts:AssumeRole');
    expect(err.message).not.toMatch(/\n\s+at /); // no stack in the message
    expect(sts.requests[0]?.outcome).toBe('NoPermission');
    expectNoSecrets([err.message, ...logger.lines], [runtime.credential.accessKeySecret, runtime.credential.securityToken]);
  });

  test('InvalidParameter.DurationSeconds (session longer than the role allows) and EntityNotExist.Role', async () => {
    const a = await rig({ env: { SIGNER_SESSION_SECONDS: '7200' }, roles: [{ arn: ROLE, maxSessionDuration: 3600 }] });
    const e1 = await rejection(a.resolver.resolve(a.runtime.context));
    expect(e1).toMatchObject({ code: 'CredentialsUnavailable', status: 500, retryable: false });
    expect(e1.message).toContain('InvalidParameter.DurationSeconds');
    expect(e1.message).toContain('MaxSessionDuration');

    const b = await rig({ roles: [{ arn: 'acs:ram::1234567890123456:role/other' }] });
    const e2 = await rejection(b.resolver.resolve(b.runtime.context));
    expect(e2.message).toContain('EntityNotExist.Role');
    expect(b.sts.requests[0]?.outcome).toBe('EntityNotExist.Role');
  });

  test('an STS error that echoes the caller secret and token is redacted', async () => {
    const { resolver, runtime, sts, logger } = await rig();
    sts.behaviour = { fail: { status: 400, code: 'InvalidParameter', message: `bad key ${runtime.credential.accessKeySecret} token ${runtime.credential.securityToken}` } };
    const err = await rejection(resolver.resolve(runtime.context));
    expect(err.message).toContain('InvalidParameter');
    expect(err.message).toContain('[REDACTED]');
    expectNoSecrets([err.message, JSON.stringify(err), ...logger.lines], [runtime.credential.accessKeySecret, runtime.credential.securityToken]);
  });

  test('throttling / 5xx answers are retryable 503s', async () => {
    const { resolver, runtime, sts } = await rig();
    sts.behaviour = { fail: { status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' } };
    expect(await rejection(resolver.resolve(runtime.context))).toMatchObject({ status: 503, retryable: true });
    sts.behaviour = { fail: { status: 500, code: 'InternalError', message: 'The request processing has failed due to some unknown error.' } };
    expect(await rejection(resolver.resolve(runtime.context))).toMatchObject({ status: 503, retryable: true });
  });

  test('a slow STS within the timeout still succeeds', async () => {
    const { resolver, runtime, sts } = await rig({ env: { SIGNER_STS_TIMEOUT_MS: '3000' } });
    sts.behaviour = { delayMs: 400 };
    const t0 = Date.now();
    const got = await resolver.resolve(runtime.context);
    const took = Date.now() - t0;
    expect(got.source).toBe('signer-role');
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(3000);
  });

  test('a hung STS times out at SIGNER_STS_TIMEOUT_MS with a retryable CredentialsUnavailable', async () => {
    const { resolver, runtime, sts } = await rig({ env: { SIGNER_STS_TIMEOUT_MS: '300' } });
    sts.behaviour = { hang: true };
    const t0 = Date.now();
    const err = await rejection(resolver.resolve(runtime.context));
    const took = Date.now() - t0;
    expect(err).toMatchObject({ code: 'CredentialsUnavailable', status: 503, retryable: true });
    expect(err.message).toContain('timed out after 300 ms');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
    expect(sts.requests).toHaveLength(1); // it did reach the server
  });
});

describe('signer role: caching, refresh ahead of expiry, single flight', () => {
  test('the session is cached and refreshed once less than half of it is left', async () => {
    const { sts, clock, resolver, runtime } = await rig(); // 3600 s session, refresh-ahead 1800 s
    const first = await resolver.resolve(runtime.context);
    clock.advance(1000);
    expect((await resolver.resolve(runtime.context)).credentials.accessKeyId).toBe(first.credentials.accessKeyId);
    clock.set(first.expiration!.getTime() - 1801_000); // 1801 s left: still cached
    expect((await resolver.resolve(runtime.context)).credentials.accessKeyId).toBe(first.credentials.accessKeyId);
    expect(sts.requests).toHaveLength(1);
    clock.set(first.expiration!.getTime() - 1800_000); // exactly 1800 s left: refresh
    const second = await resolver.resolve(runtime.context);
    expect(sts.requests).toHaveLength(2);
    expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
    expect(second.expiration!.getTime()).toBe(clock.now() + 3600_000);
  });

  test('forceRefresh assumes the role again even when the session is fresh', async () => {
    const { sts, resolver, runtime } = await rig();
    const a = await resolver.resolve(runtime.context);
    const b = await resolver.resolve(runtime.context, { forceRefresh: true });
    expect(sts.requests).toHaveLength(2);
    expect(b.credentials.accessKeyId).not.toBe(a.credentials.accessKeyId);
  });

  test('20 concurrent invocations share one AssumeRole, cold and at refresh time', async () => {
    const { sts, clock, resolver, runtime } = await rig();
    sts.behaviour = { delayMs: 150 };
    const cold = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve(runtime.context)));
    expect(sts.requests).toHaveLength(1);
    expect(new Set(cold.map((c) => c.credentials.accessKeyId)).size).toBe(1);
    clock.set(cold[0]!.expiration!.getTime() - 600_000);
    const warm = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve(runtime.context)));
    expect(sts.requests).toHaveLength(2);
    expect(new Set(warm.map((c) => c.credentials.accessKeyId)).size).toBe(1);
    expect(warm[0]!.credentials.accessKeyId).not.toBe(cold[0]!.credentials.accessKeyId);
  });

  test('a failed refresh ahead of expiry serves the still-valid session (and says so), never an expired one', async () => {
    const { sts, clock, resolver, runtime, logger } = await rig();
    const first = await resolver.resolve(runtime.context);
    sts.behaviour = { fail: { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' } };
    clock.set(first.expiration!.getTime() - 1000_000);
    const served = await resolver.resolve(runtime.context);
    expect(served.credentials.accessKeyId).toBe(first.credentials.accessKeyId);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('ServiceUnavailable'))).toBe(true);
    clock.set(first.expiration!.getTime() - 60_000); // below the 120 s floor: no fallback, the session is near expiry
    expect(await rejection(resolver.resolve(runtime.context))).toMatchObject({ code: 'TokenNearExpiry', status: 503, retryable: true });
    // A configuration failure at that point is reported as itself.
    sts.behaviour = { fail: { status: 403, code: 'NoPermission', message: 'You are not authorized to do this action. You should be authorized by RAM.' } };
    expect(await rejection(resolver.resolve(runtime.context))).toMatchObject({ code: 'CredentialsUnavailable', status: 500, retryable: false });
  });

  test('with no session at all (cold start) and STS failing, the answer stays a retryable CredentialsUnavailable', async () => {
    const { sts, resolver, runtime } = await rig();
    sts.behaviour = { fail: { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' } };
    expect(await rejection(resolver.resolve(runtime.context))).toMatchObject({ code: 'CredentialsUnavailable', status: 503, retryable: true });
  });
});

describe('signer role: rotation of the runtime role key', () => {
  test('a changed caller key is used at once for a new AssumeRole; the old session is not reused', async () => {
    const { sts, store, resolver, runtime } = await rig();
    const a = await resolver.resolve(runtime.context);
    const rotated = runtimeKey(store, 'B');
    store.remove(runtime.credential.accessKeyId); // FC rotated: the old runtime key is gone
    const b = await resolver.resolve(rotated.context);
    expect(sts.requests).toHaveLength(2);
    expect(sts.requests[1]).toMatchObject({ callerAccessKeyId: rotated.credential.accessKeyId, outcome: 'Success' });
    expect(b.credentials.accessKeyId).not.toBe(a.credentials.accessKeyId);
    // Same rotated key again: cached.
    expect((await resolver.resolve(rotated.context)).credentials.accessKeyId).toBe(b.credentials.accessKeyId);
    expect(sts.requests).toHaveLength(2);
  });

  test('only the security token rotating also counts as a new caller', async () => {
    const { sts, store, resolver, runtime } = await rig();
    await resolver.resolve(runtime.context);
    const newToken = 'TOKEN-runtime-A-rotated-DO-NOT-LEAK';
    store.add({ ...runtime.credential, securityToken: newToken });
    const ctx = { ...runtime.context, credentials: { ...runtime.context.credentials, securityToken: newToken } };
    await resolver.resolve(ctx);
    expect(sts.requests.map((r) => r.outcome)).toEqual(['Success', 'Success']);
  });

  test('log lines carry no secret or token, caller or issued', async () => {
    const { resolver, runtime, logger, store } = await rig();
    const got = await resolver.resolve(runtime.context);
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets(logger.lines, [runtime.credential.accessKeySecret, runtime.credential.securityToken, got.credentials.accessKeySecret, got.credentials.securityToken, store.lookup(got.credentials.accessKeyId)?.securityToken]);
  });
});
