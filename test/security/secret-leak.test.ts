import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createHandler, type FcHandler } from '../../shared/core/handler';
import { createCredentialResolver } from '../../shared/credentials';
import { putOperation } from '../../shared/operations/put';
import { getOperation } from '../../shared/operations/get';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts, type LocalSts } from '../../scripts/local-cloud/local-sts';
import { startLocalStack, type LocalStack } from '../../scripts/local-stack';
import { fixtureEvent, httpEvent } from '../support/fc';

/**
 * The secret-leak check. Every scenario below runs with distinctive secret and token strings (with +, / and = so
 * their encoded forms differ from the raw ones). Everything the service and the local cloud say is collected: the
 * handlers' log lines (their sink and stdout), the process's stdout and stderr, the local FC host's and local OSS's
 * log lines, the credential logger, every error (with cause and stack, via util.inspect) and every answer body.
 * Then: no AccessKeySecret appears anywhere, in any form (raw, URL-encoded once or twice, JSON-escaped, hex,
 * base64 at any alignment, base64url); a SecurityToken appears only as the `x-oss-security-token` query value of a
 * `url` field (URL-encoded), and nowhere else in any form.
 */
const RUNTIME = { accessKeyId: 'STS.LeakRuntime0001', accessKeySecret: 'LEAKSECRET+runtime/9Zq=7f3a', securityToken: 'LEAKTOKEN+runtime/CAIS=b81e' };
const WRONG_SECRET = 'LEAKSECRET+wrongkey/4c2d=0e';
const URI_SECRET = 'LEAKSECRET+uri/5d1a=c3';
const URI_TOKEN = 'LEAKTOKEN+uri/77aa=d9';

/** What was said, and the secrets and tokens there are to find in it. */
const collected: { where: string; text: string }[] = [];
const answers: { where: string; value: unknown }[] = [];
const secrets = new Set<string>([RUNTIME.accessKeySecret, WRONG_SECRET, URI_SECRET]);
const tokens = new Set<string>([RUNTIME.securityToken, URI_TOKEN]);
const say = (where: string, text: string) => collected.push({ where, text });
const logSink = (where: string) => (line: unknown) => say(`${where} log`, JSON.stringify(line));
const logger = { info: (m: string) => say('credential logger', m), warn: (m: string) => say('credential logger', m) };

let restoreStreams: () => void = () => undefined;
beforeAll(() => {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (where: string) => ((chunk: string | Uint8Array) => {
    say(where, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  restoreStreams = () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
});
afterAll(() => restoreStreams());

/** A resolver call: its credentials are the point of it and are not output; only its failure is. */
async function recordFailure(where: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    say(`${where} error`, inspect(error, { depth: 6 }));
  }
}

async function record(where: string, run: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await run();
    answers.push({ where, value });
    return value;
  } catch (error) {
    say(`${where} error`, inspect(error, { depth: 6 }));
    return undefined;
  }
}

// ---------- the forms a secret can take ----------

function base64Forms(s: string): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k += 1) {
    const b64 = Buffer.concat([Buffer.alloc(k, 0x41), Buffer.from(s)]).toString('base64');
    // The middle is fixed by the secret alone whatever bytes surround it.
    const middle = b64.slice(4, -4);
    out.push(middle, middle.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}
export function formsOf(s: string): string[] {
  return [...new Set([
    s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s)), JSON.stringify(s).slice(1, -1), s.replace(/\+/g, ' '),
    Buffer.from(s).toString('hex'), Buffer.from(s).toString('hex').toUpperCase(), ...base64Forms(s),
  ])];
}

/** Removes the one place a token may be: the x-oss-security-token value in the query of a `url` field. */
function withoutUrlTokens(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutUrlTokens(v, where));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    if (name === 'url' && typeof v === 'string') {
      const url = new URL(v);
      const token = url.searchParams.get('x-oss-security-token');
      if (token !== null) {
        expect({ where, tokenIsKnown: tokens.has(token) }).toEqual({ where, tokenIsKnown: true });
        url.searchParams.set('x-oss-security-token', 'TOKEN-WAS-HERE');
      }
      out[name] = url.href;
    } else if (name === 'body' && typeof v === 'string' && v.startsWith('{')) {
      out[name] = JSON.stringify(withoutUrlTokens(JSON.parse(v) as unknown, where)); // an HTTP answer's body
    } else out[name] = withoutUrlTokens(v, where);
  }
  return out;
}

// ---------- scenarios ----------

const context = (credentials: Record<string, string> = RUNTIME) => ({ requestId: 'req-leak', region: 'cn-hangzhou', credentials, function: { name: 'leak' } }) as never;
const ev = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

/** The same inputs through a pair of handlers: successes, every error class, every event source, batches. */
async function broadScenarios(where: string, put: FcHandler, get: FcHandler, ctx: () => never): Promise<void> {
  const inputs: [string, FcHandler, unknown][] = [
    ['put direct', put, { key: 'leak/a.txt', contentType: 'text/plain', contentLength: 3, metadata: { owner: 'x' }, tagging: { t: 'v' } }],
    ['get direct', get, { key: 'leak/a.txt', response: { filename: '报告.txt' } }],
    ['put batch', put, { requests: [{ key: 'leak/b.txt' }, { key: '/bad' }, { key: 'leak/c.txt', expires: 999999999 }] }],
    ['get http', get, httpEvent({ method: 'GET', query: { key: 'leak/a.txt', expires: '60' } })],
    ['put http', put, httpEvent({ body: { key: 'leak/h.txt', contentType: 'image/png' } })],
    ['put http bad json', put, httpEvent({ body: '{"key":', headers: { 'content-type': 'application/json' } })],
    ['put http 415', put, httpEvent({ body: 'key=a', headers: { 'content-type': 'text/plain' } })],
    ['put http 413', put, httpEvent({ body: { key: 'x', pad: 'p'.repeat(70_000) } })],
    ['put http 405', put, httpEvent({ method: 'DELETE' })],
    ['put http 404', put, httpEvent({ path: '/elsewhere', body: { key: 'x' } })],
    ['put http invalid', put, httpEvent({ body: { key: '../x', expires: -1 } })],
    ['put bucket', put, { key: 'x', bucket: 'someone-elses' }],
    ['put minExpires', put, { key: 'x', minExpires: 604800, expires: 60 }],
    ['put apigw', put, JSON.parse(fixtureEvent('apigw-event-illustrative.json'))],
    ['get cloudevent', get, { specversion: '1.0', id: '1', source: 'acs:custom', type: 'presign', data: { key: 'leak/e.txt' } }],
    ['put mns', put, JSON.parse(fixtureEvent('mns-queue-trigger-batch-doc.json'))],
    ['get oss event', get, JSON.parse(fixtureEvent('oss-trigger-fc3-doc.json'))],
    ['put timer', put, JSON.parse(fixtureEvent('timer-trigger-doc.json'))],
    ['put garbage', put, 'not json at all'],
  ];
  for (const [name, handler, input] of inputs) await record(`${where}: ${name}`, () => handler(ev(input), ctx()));
}

test('FC context credentials: every event source, success and error', async () => {
  const put = createHandler(putOperation, { env: { OSS_BUCKET: 'leak-bucket', ALLOWED_BUCKETS: 'testbucket,bucketname', OSS_REGION: 'cn-hangzhou' }, log: logSink('handler') });
  const get = createHandler(getOperation, { env: { OSS_BUCKET: 'leak-bucket', ALLOWED_BUCKETS: 'testbucket,bucketname', OSS_REGION: 'cn-hangzhou' }, log: logSink('handler') });
  await broadScenarios('context', put, get, () => context());
  // And the default sink, stdout, as deployed.
  const stdoutPut = createHandler(putOperation, { env: { OSS_BUCKET: 'leak-bucket', OSS_REGION: 'cn-hangzhou' } });
  await record('context stdout', () => stdoutPut(ev({ key: 'leak/s.txt' }), context()));
  await record('context stdout error', () => stdoutPut(ev({ key: '' }), context()));
  expect(collected.some((c) => c.where === 'stdout' && c.text.includes('"status":200'))).toBe(true);
});

describe('signer role at the local STS', () => {
  const ROLE = 'acs:ram::1234567890123456:role/leak-signer';
  let sts: LocalSts;
  let store: CredentialStore;
  let t = Date.now();
  const now = () => t;
  beforeAll(async () => {
    store = new CredentialStore();
    store.add({ ...RUNTIME, expiration: new Date(Date.now() + 86_400_000 * 30) });
    sts = await startLocalSts({ store, now, roles: [{ arn: ROLE, maxSessionDuration: 43200 }] });
  });
  afterAll(async () => {
    for (const c of sts.issued) {
      secrets.add(c.accessKeySecret);
      if (c.securityToken) tokens.add(c.securityToken);
    }
    await sts.close();
  });

  const handlers = () => {
    const env = { OSS_BUCKET: 'leak-bucket', OSS_REGION: 'cn-hangzhou', SIGNER_ROLE_ARN: ROLE, SIGNER_STS_ENDPOINT: sts.origin, SIGNER_SESSION_SECONDS: '900', SIGNER_STS_TIMEOUT_MS: '200' };
    const resolver = createCredentialResolver({ env, now, logger });
    return { resolver, put: createHandler(putOperation, { env, now, resolver, log: logSink('signer') }), get: createHandler(getOperation, { env, now, resolver, log: logSink('signer') }) };
  };

  test('sessions issued and used, then refreshes failing every way STS fails', async () => {
    const { put, get } = handlers();
    await broadScenarios('signer', put, get, () => context());
    expect(sts.issued.length).toBeGreaterThan(0);

    const clocked = handlers();
    await record('signer first', () => clocked.put(ev({ key: 'leak/1' }), context()));
    for (const behaviour of [{ fail: { status: 503, code: 'ServiceUnavailable', message: `echo ${RUNTIME.securityToken} ${RUNTIME.accessKeySecret}` } }, { delayMs: 600 }, { fail: { status: 403, code: 'NoPermission', message: 'no' } }]) {
      sts.behaviour = behaviour;
      t += 500_000; // into refresh-ahead: stale serve
      await record(`signer stale ${JSON.stringify(behaviour).slice(0, 30)}`, () => clocked.put(ev({ key: 'leak/2' }), context()));
      t += 350_000; // spent
      await record(`signer spent ${JSON.stringify(behaviour).slice(0, 30)}`, () => clocked.put(ev({ key: 'leak/3' }), context()));
      await recordFailure('signer resolver', () => clocked.resolver.resolve(context() as never, { forceRefresh: true }));
      sts.behaviour = {};
      t += 1000;
      await record('signer recovered', () => clocked.put(ev({ key: 'leak/4' }), context()));
    }
    // A caller whose secret is wrong: STS answers SignatureDoesNotMatch and echoes its string to sign (which holds
    // the caller's token, URL-encoded) — none of it may come through.
    const wrong = handlers();
    await record('signer wrong secret', () => wrong.put(ev({ key: 'leak/5' }), context({ ...RUNTIME, accessKeySecret: WRONG_SECRET })));
    await recordFailure('signer wrong secret resolver', () => wrong.resolver.resolve(context({ ...RUNTIME, accessKeySecret: WRONG_SECRET }) as never));
    expect(sts.requests.map((r) => r.outcome)).toEqual(expect.arrayContaining(['Success', 'ServiceUnavailable', 'NoPermission', 'SignatureDoesNotMatch']));
  });
});

describe('credentials URI answering every broken shape with secrets inside', () => {
  let server: http.Server;
  let mode = 'ok';
  let url = '';
  beforeAll(async () => {
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    server = http.createServer((_req, res) => {
      const send = (status: number, body: string) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(body); };
      const base = { AccessKeyId: 'STS.LeakUri0001', AccessKeySecret: URI_SECRET, SecurityToken: URI_TOKEN, Expiration: expiration };
      switch (mode) {
        case 'ok': return send(200, JSON.stringify({ Code: 'Success', ...base }));
        case 'garbage': return send(200, `<html>${URI_SECRET} ${URI_TOKEN}</html>`);
        case 'error-500': return send(500, JSON.stringify({ Code: 'InternalError', Message: `${URI_SECRET} ${URI_TOKEN}` }));
        case 'code-failure': return send(200, JSON.stringify({ ...base, Code: 'Failure', Message: `failed for ${URI_SECRET}` }));
        case 'missing-token': return send(200, JSON.stringify({ Code: 'Success', AccessKeyId: 'STS.LeakUri0001', AccessKeySecret: URI_SECRET, Expiration: expiration }));
        case 'bad-expiration': return send(200, JSON.stringify({ ...base, Code: 'Success', Expiration: `soon ${URI_TOKEN}` }));
        default: return send(404, '');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  test.each(['ok', 'garbage', 'error-500', 'code-failure', 'missing-token', 'bad-expiration'])('%s', async (m) => {
    mode = m;
    const env = { OSS_BUCKET: 'leak-bucket', OSS_REGION: 'cn-hangzhou', ALIBABA_CLOUD_CREDENTIALS_URI: url };
    const resolver = createCredentialResolver({ env, logger });
    const put = createHandler(putOperation, { env, resolver, log: logSink('uri') });
    const get = createHandler(getOperation, { env, resolver, log: logSink('uri') });
    await broadScenarios(`uri ${m}`, put, get, () => context({}));
    await recordFailure(`uri ${m} resolver`, () => createCredentialResolver({ env, logger }).resolve(undefined));
    const direct = answers.find((a) => a.where === `uri ${m}: put direct`)?.value as { url?: string; error?: { code: string } } | undefined;
    if (m === 'ok') expect(typeof direct?.url).toBe('string');
    else expect(direct?.error?.code).toBe('CredentialsUnavailable');
  });
});

describe('the whole local stack over HTTP: FC host, OSS, STS, handlers on stdout', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ log: (line) => say('stack log', line) });
    stack.store.add({ ...RUNTIME, expiration: new Date(Date.now() + 3600_000) });
    stack.setCredentials(async () => ({ ...RUNTIME }));
    secrets.add(stack.platformKey.accessKeySecret);
  });
  afterAll(async () => {
    for (const c of stack.sts.issued) {
      secrets.add(c.accessKeySecret);
      if (c.securityToken) tokens.add(c.securityToken);
    }
    for (const line of stack.fc.logs) say('fc logs', line);
    await stack.close();
  });

  const call = async (where: string, target: string, init: RequestInit) => {
    const res = await fetch(target, init);
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => { headers[name] = value; });
    answers.push({ where, value: { status: res.status, headers, body: text } });
    return { status: res.status, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  test('presign, upload, download, errors; then the runtime role itself', async () => {
    const put = await call('stack put', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'leak/stack.txt', contentType: 'text/plain' }) });
    expect(put.status).toBe(200);
    const { url, signedHeaders } = put.json as { url: string; signedHeaders: Record<string, string> };
    expect((await fetch(url, { method: 'PUT', headers: signedHeaders, body: 'leak' })).status).toBe(200);
    const get = await call('stack get', `${stack.presignGetUrl}?key=leak/stack.txt`, {});
    expect(get.status).toBe(200);
    expect(await (await fetch((get.json as { url: string }).url)).text()).toBe('leak');
    await call('stack batch', stack.presignGetUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ key: 'a' }, { key: '' }] }) });
    await call('stack 400', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"../x"}' });
    await call('stack 415', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    await call('stack 405', stack.presignPutUrl, { method: 'DELETE' });
    // The host's own runtime role (STS-issued, random secret), as npm start runs it.
    stack.setCredentials(undefined);
    expect((await call('stack runtime role', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"leak/r.txt"}' })).status).toBe(200);
    // Credentials that no longer work at all: the FC host's source failing.
    stack.setCredentials(async () => { throw new Error('credentials source down'); });
    await call('stack credentials source failing', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"x"}' }).catch(() => undefined);
    stack.setCredentials(async () => ({ ...RUNTIME }));
  });
});

test('no AccessKeySecret anywhere; a SecurityToken only in a URL query', () => {
  // Declared last: runs after every scenario above and its describe's afterAll, so everything is collected.
  const texts = [
    ...collected,
    ...answers.map((a) => ({ where: a.where, text: JSON.stringify(withoutUrlTokens(a.value, a.where)) })),
  ];
  expect(texts.length).toBeGreaterThan(100);
  const found: string[] = [];
  for (const { where, text } of texts) {
    for (const s of secrets) for (const f of formsOf(s)) if (text.includes(f)) found.push(`secret ${JSON.stringify(f)} in ${where}: ${text.slice(0, 300)}`);
    for (const t of tokens) for (const f of formsOf(t)) if (text.includes(f)) found.push(`token ${JSON.stringify(f)} in ${where}: ${text.slice(0, 300)}`);
  }
  expect(found).toEqual([]);
});
