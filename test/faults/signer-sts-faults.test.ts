import { createHandler, type FcHandler } from '../../shared/core/handler';
import { createCredentialResolver } from '../../shared/credentials';
import { putOperation } from '../../shared/operations/put';
import { getOperation } from '../../shared/operations/get';
import type { LogLine } from '../../shared/core/log';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts, type LocalSts, type LocalStsBehaviour } from '../../scripts/local-cloud/local-sts';
import { startLocalOss, type LocalOss } from '../../scripts/local-oss';
import { asEvent, callHttp, httpEvent } from '../support/fc';

/**
 * Faults while the signer-role session needs refreshing, through the real handlers (HTTP trigger events), with one
 * manual clock shared by the handlers, the credential resolver, the local STS and the local OSS — no sleeping.
 *
 * Session 900 s, refresh ahead 450 s (half), skew 60 s. The resolver never serves a cached session with 120 s or less
 * left (MIN_SERVE_MS in shared/credentials/resolver.ts). So, with STS failing from t0 + 500 s:
 *   t0 + 500 s (400 s left): the refresh fails, the old session still signs, URLs capped at 340 s (cap.by "token");
 *   t0 + 700 s (200 s left): same, capped at 140 s;
 *   t0 + 850 s (50 s left): 503 TokenNearExpiry, retryable, and no URL at all.
 */
const ROLE = 'acs:ram::1234567890123456:role/oss-presign-signer';
const BUCKET = 'fault-bucket';
const T0 = Date.UTC(2030, 5, 1, 12, 0, 0);
const RUNTIME = { accessKeyId: 'STS.FaultRuntime0001', accessKeySecret: 'SECRET-faults-runtime-9d1c', securityToken: 'TOKEN-faults-runtime-77aa' };

interface Rig {
  sts: LocalSts;
  oss: LocalOss;
  store: CredentialStore;
  clock: { now: () => number; set(ms: number): void };
  put: FcHandler;
  get: FcHandler;
  logs: LogLine[];
  warnings: string[];
}
const open: Rig[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await Promise.all([r.sts.close().catch(() => undefined), r.oss.close()]);
});

async function rig(): Promise<Rig> {
  let t = T0;
  const clock = { now: () => t, set: (ms: number) => { t = ms; } };
  const store = new CredentialStore();
  store.add({ ...RUNTIME, expiration: new Date(T0 + 86_400_000) });
  const sts = await startLocalSts({ store, now: clock.now, roles: [{ arn: ROLE, maxSessionDuration: 43200 }] });
  const oss = await startLocalOss({ credentials: store, buckets: [BUCKET], now: clock.now });
  const env = {
    OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: oss.origin,
    SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: sts.origin, SIGNER_SESSION_SECONDS: '900', SIGNER_STS_TIMEOUT_MS: '300',
  };
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (m: string) => { warnings.push(m); } };
  // One resolver per function instance, as on FC; the handlers get it and the same clock.
  const logs: LogLine[] = [];
  const put = createHandler(putOperation, { env, now: clock.now, log: (l) => logs.push(l), resolver: createCredentialResolver({ env, now: clock.now, logger }) });
  const get = createHandler(getOperation, { env, now: clock.now, log: (l) => logs.push(l), resolver: createCredentialResolver({ env, now: clock.now, logger }) });
  const r = { sts, oss, store, clock, put, get, logs, warnings };
  open.push(r);
  return r;
}

const context = () => ({ requestId: 'req-fault', region: 'cn-hangzhou', credentials: { ...RUNTIME }, function: { name: 'presign-put' } });

interface Answer {
  statusCode: number;
  json: Record<string, unknown>;
  body: string;
}
async function presignPut(r: Rig, body: Record<string, unknown>): Promise<Answer> {
  return callHttp(r.put, httpEvent({ body }), context() as never);
}

function keyOf(url: string): string {
  const credential = new URL(url).searchParams.get('x-oss-credential') ?? '';
  return credential.split('/')[0] ?? '';
}

/** The holder's PUT at the OSS's current time (the shared clock). */
async function upload(answer: Answer): Promise<{ status: number; text: string }> {
  const { url, signedHeaders } = answer.json as { url: string; signedHeaders: Record<string, string> };
  const res = await fetch(url, { method: 'PUT', headers: signedHeaders, body: new Uint8Array(Buffer.from('fault-test')) });
  return { status: res.status, text: await res.text() };
}

/** Nothing half-signed: an error answer carries no URL, no signature, no credential, no token. */
function expectNothingSigned(answer: Answer): void {
  expect(answer.json.url).toBeUndefined();
  expect(answer.body).not.toMatch(/x-oss-signature|x-oss-credential|x-oss-security-token|x-oss-expires/);
  expect(answer.body).not.toContain(RUNTIME.securityToken);
}

type Fault = { name: string; apply(r: Rig): Promise<void> | void; restore?(r: Rig): void };
const set = (behaviour: LocalStsBehaviour): Fault['apply'] => (r) => { r.sts.behaviour = behaviour; };
const faults: Fault[] = [
  { name: 'slow (answers after 1.5 s, the client gives up at 300 ms)', apply: set({ delayMs: 1500 }), restore: (r) => { r.sts.behaviour = {}; } },
  { name: 'hanging (reads the request, never answers)', apply: set({ hang: true }), restore: (r) => { r.sts.behaviour = {}; } },
  { name: 'down (server closed: connection refused)', apply: async (r) => { await r.sts.close(); } },
  { name: 'answering 503 ServiceUnavailable', apply: set({ fail: { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' } }), restore: (r) => { r.sts.behaviour = {}; } },
  { name: 'answering 400 Throttling.User', apply: set({ fail: { status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' } }), restore: (r) => { r.sts.behaviour = {}; } },
  { name: 'answering 500 InternalError', apply: set({ fail: { status: 500, code: 'InternalError', message: 'The request processing has failed due to some unknown error.' } }), restore: (r) => { r.sts.behaviour = {}; } },
];

describe.each(faults)('STS $name while the signer session needs refreshing', (fault) => {
  test('the still-valid session keeps signing, capped at what it has left; then 503 with nothing signed', async () => {
    const r = await rig();
    const first = await presignPut(r, { key: 'faults/a.bin', contentType: 'application/octet-stream', expires: 600 });
    expect(first.statusCode).toBe(200);
    expect(first.json).toMatchObject({ expiresIn: 600, cap: { requested: 600, applied: 600, by: null } });
    const sessionKey = keyOf(first.json.url as string);
    const sessionExpiration = new Date(T0 + 900_000).toISOString();
    expect(r.store.lookup(sessionKey)?.expiration?.toISOString()).toBe(sessionExpiration);
    expect(r.sts.requests).toHaveLength(1);

    await fault.apply(r);
    for (const [elapsed, usable] of [[500, 340], [700, 140]] as const) {
      r.clock.set(T0 + elapsed * 1000);
      const answer = await presignPut(r, { key: `faults/${elapsed}.bin`, contentType: 'application/octet-stream', expires: 600 });
      expect(answer.statusCode).toBe(200);
      expect(answer.json).toMatchObject({ expiresIn: usable, cap: { requested: 600, applied: usable, by: 'token', tokenExpiration: sessionExpiration } });
      expect(keyOf(answer.json.url as string)).toBe(sessionKey);
      // The local OSS, on the same clock, takes the URL now and refuses it one second after its stated end.
      expect(await upload(answer)).toMatchObject({ status: 200 });
      r.clock.set(T0 + (elapsed + usable + 1) * 1000);
      const late = await upload(answer);
      expect(late.status).toBe(403);
      expect(late.text).toContain('<Code>AccessDenied</Code>');
      r.clock.set(T0 + elapsed * 1000);
    }
    expect(r.warnings.some((w) => w.startsWith('signer role session refresh failed, serving the current session'))).toBe(true);

    // 50 s left: less than the 60 s skew, and too little to serve a stale session.
    r.clock.set(T0 + 850_000);
    const spent = await presignPut(r, { key: 'faults/spent.bin', expires: 600 });
    expect(spent.statusCode).toBe(503);
    // The session is still there, too close to its end to serve (120 s floor), and cannot be renewed: the issue's
    // 503 TokenNearExpiry, retryable — not CredentialsUnavailable, which is for having no session at all.
    expect(spent.json.error).toMatchObject({ code: 'TokenNearExpiry', retryable: true });
    expect((spent.json.error as { message: string }).message).toMatch(/^The signing session has 50 s left, too little to sign with, and renewing it failed: AssumeRole/);
    expectNothingSigned(spent);

    // Batches and presign-get: every item an error, none with a URL.
    const batch = await callHttp(r.get, httpEvent({ body: { requests: [{ key: 'a.txt' }, { key: 'b.txt' }] } }), context() as never);
    expect(batch.statusCode).toBe(200);
    const results = batch.json.results as Record<string, unknown>[];
    expect(results).toHaveLength(2);
    for (const item of results) {
      expect(item.url).toBeUndefined();
      expect(item.error).toMatchObject({ retryable: true });
    }
    const direct = (await r.get(asEvent({ key: 'direct.txt' }), context() as never)) as Record<string, unknown>;
    expect(direct.url).toBeUndefined();
    expect(direct.error).toMatchObject({ retryable: true });
    // presign-get's instance never had a session: cold start with STS failing stays CredentialsUnavailable.
    expect(direct.error).toMatchObject({ code: 'CredentialsUnavailable' });
    expect(r.logs.filter((l) => l.status === 503).length).toBeGreaterThanOrEqual(2);

    if (fault.restore) {
      // The STS is back: the next request gets a new session and a full-length URL again.
      fault.restore(r);
      const back = await presignPut(r, { key: 'faults/back.bin', contentType: 'application/octet-stream', expires: 600 });
      expect(back.statusCode).toBe(200);
      expect(back.json).toMatchObject({ expiresIn: 600, cap: { by: null } });
      expect(keyOf(back.json.url as string)).not.toBe(sessionKey);
      expect(await upload(back)).toMatchObject({ status: 200 });
    }
  });
});

test('STS slow but within the client timeout: the refresh succeeds and URLs are full length', async () => {
  const r = await rig();
  const first = await presignPut(r, { key: 'slow/a.bin', expires: 600 });
  r.sts.behaviour = { delayMs: 100 };
  r.clock.set(T0 + 500_000);
  const answer = await presignPut(r, { key: 'slow/b.bin', expires: 600 });
  expect(answer.json).toMatchObject({ expiresIn: 600, cap: { by: null } });
  expect(keyOf(answer.json.url as string)).not.toBe(keyOf(first.json.url as string));
  expect(r.warnings).toEqual([]);
});

test('with refresh-ahead off, STS failing on a spent session: 503 TokenNearExpiry, retryable, nothing signed', async () => {
  let t = T0;
  const now = () => t;
  const store = new CredentialStore();
  store.add({ ...RUNTIME, expiration: new Date(T0 + 86_400_000) });
  const sts = await startLocalSts({ store, now, roles: [{ arn: ROLE, maxSessionDuration: 43200 }] });
  try {
    const env = { OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: sts.origin, SIGNER_SESSION_SECONDS: '900', SIGNER_REFRESH_AHEAD_SECONDS: '0', SIGNER_STS_TIMEOUT_MS: '300' };
    const put = createHandler(putOperation, { env, now, log: () => undefined, resolver: createCredentialResolver({ env, now }) });
    const ok = await callHttp(put, httpEvent({ body: { key: 'x.bin', expires: 600 } }), context() as never);
    expect(ok.statusCode).toBe(200);
    t = T0 + 800_000; // 100 s left: 40 s usable
    sts.behaviour = { fail: { status: 503, code: 'ServiceUnavailable', message: 'busy' } };
    const capped = await callHttp(put, httpEvent({ body: { key: 'x.bin', expires: 600 } }), context() as never);
    expect(capped.json).toMatchObject({ expiresIn: 40, cap: { by: 'token' } });
    const refused = await callHttp(put, httpEvent({ body: { key: 'x.bin', expires: 600, minExpires: 120 } }), context() as never);
    expect(refused.statusCode).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'TokenNearExpiry', retryable: true });
    expectNothingSigned(refused);
    t = T0 + 850_000; // 50 s left: nothing usable
    const spent = await callHttp(put, httpEvent({ body: { key: 'x.bin' } }), context() as never);
    expect(spent.statusCode).toBe(503);
    expect(spent.json.error).toMatchObject({ code: 'TokenNearExpiry', retryable: true });
    expectNothingSigned(spent);
  } finally {
    await sts.close();
  }
});
