import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler } from '../../shared/core/handler';
import { putOperation } from '../../shared/operations/put';
import { getOperation } from '../../shared/operations/get';
import type { LogLine } from '../../shared/core/log';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalCredentialsUri, type CredentialsUriMode, type LocalCredentialsUri } from '../../scripts/local-cloud/local-credentials-uri';
import { startLocalOss, type LocalOss } from '../../scripts/local-oss';
import { asEvent, callHttp, httpEvent } from '../support/fc';

/**
 * A credentials URI answering garbage (and its other broken shapes), and an upload callback whose target is down,
 * through the real handlers and the local OSS.
 */
const BUCKET = 'fault-bucket';
let store: CredentialStore;
let uri: LocalCredentialsUri;
let oss: LocalOss;

beforeAll(async () => {
  store = new CredentialStore();
  uri = await startLocalCredentialsUri({ store });
  oss = await startLocalOss({ credentials: store, buckets: [BUCKET] });
});
afterAll(async () => {
  await Promise.all([uri.close(), oss.close()]);
});

/** Off FC (no FC_* variables), no key in the environment, the function has no role: the URI is the only source. */
function handlers() {
  const env = { OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: oss.origin, ALIBABA_CLOUD_CREDENTIALS_URI: uri.url, PRESIGN_CREDENTIALS_URI_TIMEOUT_MS: '500', CALLBACK_URL_ALLOWLIST: 'http://127.0.0.1:*' };
  const logs: LogLine[] = [];
  return { logs, put: createHandler(putOperation, { env, log: (l) => logs.push(l) }), get: createHandler(getOperation, { env, log: (l) => logs.push(l) }) };
}
const noRole = () => ({ requestId: 'req-uri', region: 'cn-hangzhou', credentials: {}, function: { name: 'presign-put' } }) as never;

describe('credentials URI faults', () => {
  afterEach(() => { uri.mode = 'ok'; });

  test('the URI working: a URL the local OSS accepts (the baseline the faults break)', async () => {
    uri.mode = 'ok';
    const { put } = handlers();
    const answer = await callHttp(put, httpEvent({ body: { key: 'uri/ok.txt', contentType: 'text/plain' } }), noRole());
    expect(answer.statusCode).toBe(200);
    const { url, signedHeaders } = answer.json as { url: string; signedHeaders: Record<string, string> };
    expect((await fetch(url, { method: 'PUT', headers: signedHeaders, body: 'ok' })).status).toBe(200);
  });

  test.each<[CredentialsUriMode, number, boolean]>([
    ['garbage', 500, false],
    ['code-failure', 500, false],
    ['missing-token', 500, false],
    ['bad-expiration', 500, false],
    ['error-500', 503, true],
  ])('URI answering %s → %i CredentialsUnavailable, no URL, on every way in', async (mode, status, retryable) => {
    uri.mode = mode;
    const { put, get, logs } = handlers();
    const before = uri.requests;
    const http1 = await callHttp(put, httpEvent({ body: { key: 'uri/a.txt' } }), noRole());
    expect(uri.requests).toBeGreaterThan(before);
    expect(http1.statusCode).toBe(status);
    expect(http1.json.error).toEqual({ code: 'CredentialsUnavailable', message: expect.any(String), ...(retryable ? { retryable: true } : {}) });
    expect(http1.json.url).toBeUndefined();
    expect(http1.body).not.toMatch(/x-oss-signature|x-oss-credential|x-oss-security-token|STS\.URI|CAIS/);

    const direct = (await get(asEvent({ key: 'uri/b.txt' }), noRole())) as Record<string, unknown>;
    expect(direct).toMatchObject({ error: { code: 'CredentialsUnavailable' } });
    expect(direct.url).toBeUndefined();
    const batch = (await get(asEvent({ requests: [{ key: 'uri/c.txt' }, { key: 'uri/d.txt' }] }), noRole())) as { results: Record<string, unknown>[] };
    expect(batch.results.map((r) => [r.url, (r.error as { code?: string } | undefined)?.code])).toEqual([[undefined, 'CredentialsUnavailable'], [undefined, 'CredentialsUnavailable']]);
    expect(logs.map((l) => [l.status, l.code ?? null])).toEqual([[status, 'CredentialsUnavailable'], [status, 'CredentialsUnavailable'], [200, null]]);
  });

  test('garbage after a good answer, while the cached credentials are still fresh: still served (no refetch)', async () => {
    uri.mode = 'ok';
    const { put } = handlers();
    expect((await callHttp(put, httpEvent({ body: { key: 'uri/1.txt' } }), noRole())).statusCode).toBe(200);
    uri.mode = 'garbage';
    const before = uri.requests;
    const again = await callHttp(put, httpEvent({ body: { key: 'uri/2.txt' } }), noRole());
    expect(again.statusCode).toBe(200);
    expect(uri.requests).toBe(before);
  });
});

describe('upload callback target down', () => {
  async function downPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }

  test('the upload lands, and the local OSS answers 203 CallbackFailed as OSS does; the object is stored', async () => {
    uri.mode = 'ok';
    const { put, get } = handlers();
    const port = await downPort();
    const answer = await callHttp(put, httpEvent({ body: { key: 'cb/down.txt', contentType: 'text/plain', callback: { url: `http://127.0.0.1:${port}/notify`, body: 'object=${object}&size=${size}' } } }), noRole());
    expect(answer.statusCode).toBe(200);
    const { url, signedHeaders } = answer.json as { url: string; signedHeaders: Record<string, string> };
    expect(Object.keys(signedHeaders)).toEqual(expect.arrayContaining(['x-oss-callback', 'content-type']));
    const res = await fetch(url, { method: 'PUT', headers: signedHeaders, body: 'payload' });
    const text = await res.text();
    expect(res.status).toBe(203);
    expect(/<Code>([^<]*)<\/Code>/.exec(text)?.[1]).toBe('CallbackFailed');
    expect(text).toContain('OSS can not connect to your callbackUrl');
    expect(res.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);

    const download = (await get(asEvent({ key: 'cb/down.txt' }), noRole())) as { url: string };
    const got = await fetch(download.url);
    expect([got.status, await got.text()]).toEqual([200, 'payload']);
  });

  test('the same upload with the target up is 200 with the target\'s JSON answer (the fault is the only difference)', async () => {
    const received: string[] = [];
    const target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { received.push(body); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    try {
      const { put } = handlers();
      const { port } = target.address() as AddressInfo;
      const answer = await callHttp(put, httpEvent({ body: { key: 'cb/up.txt', contentType: 'text/plain', callback: { url: `http://127.0.0.1:${port}/notify`, body: 'object=${object}&size=${size}' } } }), noRole());
      const { url, signedHeaders } = answer.json as { url: string; signedHeaders: Record<string, string> };
      const res = await fetch(url, { method: 'PUT', headers: signedHeaders, body: 'payload' });
      expect([res.status, await res.text()]).toEqual([200, '{"ok":true}']);
      expect(received).toEqual(['object=cb%2Fup.txt&size=7']);
    } finally {
      await new Promise<void>((r) => target.close(() => r()));
    }
  });
});
