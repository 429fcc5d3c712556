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
import { resolveAddress } from '../../scripts/local-oss/addressing';
import { parseRawQuery } from '../../scripts/local-oss/encoding';
import { authenticate } from '../../scripts/local-oss/v4-verify';
import { fixtureEvent, httpEvent } from '../support/fc';

/**
 * The secret-leak check. Every scenario below runs with distinctive secret and token strings (with +, / and = so
 * their encoded forms differ from the raw ones). Everything the service and the local cloud say is collected: the
 * handlers' log lines (their sink and stdout), the process's stdout and stderr, the local FC host's and local OSS's
 * log lines, the credential logger, every error (with cause and stack, via util.inspect) and every answer body.
 * Then: no AccessKeySecret appears anywhere, in any form (raw, URL-encoded once or twice, JSON-escaped, hex,
 * base64 at any alignment, base64url); a SecurityToken appears only where OSS needs it — the `x-oss-security-token`
 * query value of a presigned `url` (every URL of a multipart answer included), and in a PostObject form answer its
 * `x-oss-security-token` field and the matching condition of its policy (see "where a SecurityToken may be" below) —
 * and nowhere else in any form. The scenarios include multipart and form answers (direct, batched, over HTTP, and
 * used at the local OSS), and a self-test moves a token to each place it must not be and expects it found.
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
/** Every scenario call made (record and call below): each must leave its answer in `answers`, or it went unscanned. */
let attempts = 0;
/** The credentials the service was handed, by scenario: the final checks prove each one was really used to sign. */
const handed: { where: string; credential: { accessKeyId: string; accessKeySecret: string; securityToken?: string } }[] = [];
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
  attempts += 1;
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

// ---------- where a SecurityToken may be ----------
//
// A token may be in exactly these places of an answer, each removed (replaced by TOKEN_MARK) before the scan, so
// anything left over is a leak:
//   1. the value of the one `x-oss-security-token` query parameter of a `url` field — every presigned URL, so also
//      each multipart part URL (`parts[].url`), the complete, abort and ListParts URLs, and an InitiateMultipartUpload URL;
//   2. in a PostObject form answer (`method` POST, `fileField` "file", a `fields` object; its `url` is the bucket's,
//      unsigned, and must not hold one) — OSS requires the token in the form both as a field and as a policy
//      condition:
//      a. `fields['x-oss-security-token']`;
//      b. `fields.policy` (base64 of the policy's JSON), only as the value of its single
//         `{ "x-oss-security-token": … }` condition: the rest of the decoded policy is scanned like everything else;
//      c. `policyDocument`, the same single condition, and only because `policyDocument` is exactly the decoded
//         `fields.policy` (checked): it shows the holder nothing the `policy` field does not already carry.
// The token in a form field and in both policy copies must be the same known token. Nothing else in a form answer
// (its key, url, other fields, the rest of the policy) may hold one.
const TOKEN_MARK = 'TOKEN-WAS-HERE';
const TOKEN_PARAM = /([?&])x-oss-security-token=([^&#]*)/g;

interface Scan {
  where: string;
  /** Anything that is not as the allowance says (an unknown token, a second one, a policy that is not base64 JSON…). */
  problems: string[];
  /** The allowed places a token was found in, as paths with indexes dropped: `results[].parts[].url`. */
  places: Set<string>;
}

function knownToken(scan: Scan, path: string, token: unknown): void {
  if (typeof token !== 'string' || !tokens.has(token)) scan.problems.push(`${scan.where}: ${path} holds ${JSON.stringify(token)}, not a token issued to the service`);
  else scan.places.add(path.replace(/\[\d+\]/g, '[]'));
}

function urlWithoutToken(url: string, scan: Scan, path: string): string {
  try {
    new URL(url);
  } catch {
    scan.problems.push(`${scan.where}: ${path} is not a URL`);
    return url;
  }
  const found = [...url.matchAll(TOKEN_PARAM)];
  if (found.length > 1) scan.problems.push(`${scan.where}: ${path} has ${found.length} x-oss-security-token parameters`);
  for (const [, , value] of found) knownToken(scan, path, decodeURIComponent(value ?? ''));
  // Only the parameter's value is replaced; the rest of the URL stays byte for byte as answered.
  return url.replace(TOKEN_PARAM, (_m, sep: string) => `${sep}x-oss-security-token=${TOKEN_MARK}`);
}

/** The policy's single security-token condition, its value replaced; the token it held (or undefined). */
function policyWithoutToken(doc: unknown, scan: Scan, path: string): { doc: unknown; token: unknown } {
  const conditions = (doc as { conditions?: unknown } | null)?.conditions;
  if (!Array.isArray(conditions)) {
    scan.problems.push(`${scan.where}: ${path} has no conditions array`);
    return { doc, token: undefined };
  }
  const isTokenCondition = (c: unknown) => c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 1 && 'x-oss-security-token' in c;
  const which = conditions.filter(isTokenCondition) as Record<string, unknown>[];
  if (which.length > 1) scan.problems.push(`${scan.where}: ${path} has ${which.length} x-oss-security-token conditions`);
  const token = which[0]?.['x-oss-security-token'];
  if (which.length > 0) knownToken(scan, `${path}.conditions[].x-oss-security-token`, token);
  return { doc: { ...(doc as object), conditions: conditions.map((c: unknown) => (isTokenCondition(c) ? { 'x-oss-security-token': TOKEN_MARK } : c)) }, token };
}

const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

const isFormAnswer = (o: Record<string, unknown>): boolean =>
  o.method === 'POST' && o.fileField === 'file' && o.fields !== null && typeof o.fields === 'object' && !Array.isArray(o.fields);

function formWithoutTokens(o: Record<string, unknown>, scan: Scan, path: string): Record<string, unknown> {
  const fields = { ...(o.fields as Record<string, unknown>) };
  const fieldToken = fields['x-oss-security-token'];
  if (fieldToken !== undefined) {
    knownToken(scan, join(path, 'fields.x-oss-security-token'), fieldToken);
    fields['x-oss-security-token'] = TOKEN_MARK;
  }
  const out: Record<string, unknown> = { ...o, fields };
  let decoded: unknown;
  let json: string | undefined;
  if (typeof fields.policy === 'string') {
    json = Buffer.from(fields.policy, 'base64').toString('utf8');
    try {
      if (Buffer.from(json, 'utf8').toString('base64') !== fields.policy) throw new Error('not canonical base64');
      decoded = JSON.parse(json) as unknown;
    } catch (error) {
      scan.problems.push(`${scan.where}: ${join(path, 'fields.policy')} is not base64 of JSON (${(error as Error).message})`);
    }
    if (decoded !== undefined) {
      const policy = policyWithoutToken(decoded, scan, join(path, 'fields.policy'));
      if (policy.token !== fieldToken) scan.problems.push(`${scan.where}: ${path}: the policy's token is not the form field's`);
      // What is scanned is the decoded policy: any token or secret elsewhere in it is found in plain text.
      fields.policy = JSON.stringify(policy.doc);
    }
  }
  if (o.policyDocument !== undefined) {
    // Serialised, it is the signed policy byte for byte (the service signs JSON.stringify of it).
    if (json === undefined || JSON.stringify(o.policyDocument) !== json) scan.problems.push(`${scan.where}: ${join(path, 'policyDocument')} is not exactly the decoded fields.policy`);
    const copy = policyWithoutToken(o.policyDocument, scan, join(path, 'policyDocument'));
    if (copy.token !== fieldToken) scan.problems.push(`${scan.where}: ${join(path, 'policyDocument')}'s token is not the form field's`);
    out.policyDocument = copy.doc;
  }
  return out;
}

/** The answer with the allowed tokens replaced by TOKEN_MARK; whatever token is left is a leak. */
function withoutAllowedTokens(value: unknown, scan: Scan, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutAllowedTokens(v, scan, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const form = isFormAnswer(value as Record<string, unknown>);
  const o = form ? formWithoutTokens(value as Record<string, unknown>, scan, path) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(o)) {
    const at = join(path, name);
    // A form's url is the bucket's, unsigned: the token travels in the fields, never in it.
    if (name === 'url' && typeof v === 'string' && !form) out[name] = urlWithoutToken(v, scan, at);
    else if (name === 'body' && typeof v === 'string' && v.startsWith('{')) {
      out[name] = JSON.stringify(withoutAllowedTokens(JSON.parse(v) as unknown, scan, `${at}<json>`)); // an HTTP answer's body
    } else out[name] = withoutAllowedTokens(v, scan, at);
  }
  return out;
}

/** Every form of every secret, and of every token, found in the texts. */
function leaks(texts: { where: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { where, text } of texts) {
    for (const s of secrets) for (const f of formsOf(s)) if (text.includes(f)) found.push(`secret ${JSON.stringify(f)} in ${where}: ${text.slice(0, 300)}`);
    for (const t of tokens) for (const f of formsOf(t)) if (text.includes(f)) found.push(`token ${JSON.stringify(f)} in ${where}: ${text.slice(0, 300)}`);
  }
  return found;
}

/** An answer as the final check sees it: problems with the allowance, then leaks in what is left. */
function checkAnswer(where: string, value: unknown): { problems: string[]; leaks: string[]; places: Set<string> } {
  const scan: Scan = { where, problems: [], places: new Set() };
  const text = JSON.stringify(withoutAllowedTokens(value, scan));
  return { problems: scan.problems, leaks: leaks([{ where, text }]), places: scan.places };
}

// ---------- scenarios ----------

const context = (credentials: Record<string, string> = RUNTIME) => ({ requestId: 'req-leak', region: 'cn-hangzhou', credentials, function: { name: 'leak' } }) as never;
const UPLOAD_ID = '0123456789ABCDEF0123456789ABCDEF';
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
    // Multipart: the initiate URL; then many URLs in one answer (parts, complete, abort), sized, unsized, paged.
    ['put multipart initiate', put, { multipart: { key: 'leak/big.bin', size: 20 * 1024 * 1024, contentType: 'video/mp4' } }],
    ['put multipart parts', put, { multipart: { key: 'leak/big.bin', uploadId: UPLOAD_ID, size: 20 * 1024 * 1024 } }],
    ['put multipart unsized', put, { multipart: { key: 'leak/big.bin', uploadId: UPLOAD_ID, parts: 3, completeAll: true } }],
    ['put multipart paged', put, { multipart: { key: 'leak/big.bin', uploadId: UPLOAD_ID, size: 5 * 102400, partSize: 102400, firstPart: 2, parts: 2 } }],
    ['put multipart http', put, httpEvent({ body: { multipart: { key: 'leak/big.bin', uploadId: UPLOAD_ID, size: 300 * 1024, partSize: 102400 } } })],
    ['put multipart bad', put, { multipart: { key: 'leak/big.bin', partSize: 1 } }],
    ['put multipart bad uploadId', put, { multipart: { key: 'leak/big.bin', uploadId: 'nope', parts: 1 } }],
    // PostObject forms: the token is a field and a policy condition.
    ['put form key', put, { form: { key: 'leak/form.png', contentType: 'image/png', minSize: 1, maxSize: 1000 } }],
    ['put form prefix', put, { form: { keyPrefix: 'leak/forms/', successActionStatus: 201 } }],
    ['put form http', put, httpEvent({ body: { form: { keyPrefix: 'leak/forms/', contentType: 'text/plain' } } })],
    ['put form bad', put, { form: { keyPrefix: 'leak/forms/', minSize: 10, maxSize: 1 } }],
    ['put batch of every kind', put, { requests: [
      { key: 'leak/batch.txt' },
      { multipart: { key: 'leak/batch.bin', size: 1024 } },
      { multipart: { key: 'leak/batch.bin', uploadId: UPLOAD_ID, size: 300 * 1024, partSize: 102400 } },
      { form: { key: 'leak/batch-form.txt' } },
      { form: { key: '/bad' } },
    ] }],
  ];
  for (const [name, handler, input] of inputs) await record(`${where}: ${name}`, () => handler(ev(input), ctx()));
}

test('FC context credentials: every event source, success and error', async () => {
  handed.push({ where: 'context', credential: RUNTIME });
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
    handed.push(...sts.issued.map((credential) => ({ where: 'signer', credential })));
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
    if (m === 'ok') {
      expect(typeof direct?.url).toBe('string');
      handed.push({ where: 'uri ok', credential: { accessKeyId: 'STS.LeakUri0001', accessKeySecret: URI_SECRET, securityToken: URI_TOKEN } });
    }
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
    handed.push({ where: 'stack', credential: RUNTIME }, ...stack.sts.issued.map((credential) => ({ where: 'stack runtime role', credential })));
    await stack.close();
  });

  const call = async (where: string, target: string, init: RequestInit) => {
    attempts += 1;
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
    // Multipart over HTTP, every URL used at the local OSS: initiate, two parts, complete; then a second upload aborted.
    const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    type Signed = { method: string; url: string; signedHeaders: Record<string, string> };
    const send = (u: Signed, body?: BodyInit) => fetch(u.url, { method: u.method, headers: u.signedHeaders, body });
    const multipart = async (key: string) => {
      const size = 102400 + 10;
      const init = (await call(`stack multipart initiate ${key}`, stack.presignPutUrl, json({ multipart: { key, size, partSize: 102400, contentType: 'application/octet-stream' } }))).json as unknown as Signed;
      const initiated = await send(init);
      expect(initiated.status).toBe(200);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await initiated.text())?.[1];
      const answer = (await call(`stack multipart parts ${key}`, stack.presignPutUrl, json({ multipart: { key, uploadId, size, partSize: 102400 } }))).json as unknown as { parts: Signed[]; complete: Signed; abort: Signed };
      expect(answer.parts).toHaveLength(2);
      return { answer, size };
    };
    const done = await multipart('leak/stack-multipart.bin');
    const etags: string[] = [];
    for (const [i, part] of done.answer.parts.entries()) {
      const res = await send(part, new Blob([new Uint8Array(i === 0 ? 102400 : 10)])); // typeless: no content-type
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag') ?? '');
    }
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    expect((await send(done.answer.complete, xml)).status).toBe(200);
    const aborted = await multipart('leak/stack-aborted.bin');
    expect((await send(aborted.answer.abort)).status).toBe(204);
    // A PostObject form over HTTP, posted to the local OSS as a browser would.
    const form = (await call('stack form', stack.presignPutUrl, json({ form: { key: 'leak/stack-form.txt', contentType: 'text/plain', maxSize: 100 } }))).json as { url: string; fields: Record<string, string> };
    const data = new FormData();
    for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
    data.append('file', new Blob(['form leak'], { type: 'text/plain' }), 'f.txt');
    expect((await fetch(form.url, { method: 'POST', body: data })).status).toBe(204);
    // The host's own runtime role (STS-issued, random secret), as npm start runs it.
    stack.setCredentials(undefined);
    expect((await call('stack runtime role', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"leak/r.txt"}' })).status).toBe(200);
    // Credentials that no longer work at all: the FC host's source failing.
    stack.setCredentials(async () => { throw new Error('credentials source down'); });
    await call('stack credentials source failing', stack.presignPutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"x"}' }).catch(() => undefined);
    stack.setCredentials(async () => ({ ...RUNTIME }));
  });
});

describe('the token allowance is exactly as narrow as documented', () => {
  // Real answers from the handler, then each moved a token (or secret) somewhere it must not be: the check must say so.
  type Form = { url: string; fields: Record<string, string>; policyDocument: { expiration: string; conditions: unknown[] } } & Record<string, unknown>;
  type Parts = { parts: { url: string; signedHeaders: Record<string, string> }[]; complete: { url: string; bodyFormat: string } } & Record<string, unknown>;
  const token = RUNTIME.securityToken;
  let form: Form;
  let parts: Parts;
  beforeAll(async () => {
    const put = createHandler(putOperation, { env: { OSS_BUCKET: 'leak-bucket', OSS_REGION: 'cn-hangzhou' }, log: () => undefined });
    form = (await put(ev({ form: { key: 'leak/self.txt', contentType: 'text/plain' } }), context())) as unknown as Form;
    parts = (await put(ev({ multipart: { key: 'leak/self.bin', uploadId: UPLOAD_ID, parts: 2 } }), context())) as unknown as Parts;
  });
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  /** The form with its policy (both copies) changed the same way, so only the change itself can be the finding. */
  const withPolicy = (change: (doc: Form['policyDocument']) => void): Form => {
    const f = copy(form);
    change(f.policyDocument);
    f.fields.policy = Buffer.from(JSON.stringify(f.policyDocument)).toString('base64');
    return f;
  };
  const verdict = (value: unknown) => {
    const { problems, leaks: found } = checkAnswer('self-test', value);
    return { problems: problems.length, leaks: found.length };
  };

  it('the answers as they are pass, and the allowed places are where the token was found', () => {
    expect(verdict(form)).toEqual({ problems: 0, leaks: 0 });
    expect([...checkAnswer('self-test', form).places].sort()).toEqual(['fields.policy.conditions[].x-oss-security-token', 'fields.x-oss-security-token', 'policyDocument.conditions[].x-oss-security-token']);
    expect(verdict(parts)).toEqual({ problems: 0, leaks: 0 });
    expect([...checkAnswer('self-test', parts).places].sort()).toEqual(['abort.url', 'complete.url', 'listParts.url', 'parts[].url']);
    // Without the allowance the same answers are leaks: the token really is in all those places.
    expect(leaks([{ where: 'raw', text: JSON.stringify(form) }]).length).toBeGreaterThan(0);
    expect(leaks([{ where: 'raw', text: JSON.stringify(parts) }]).length).toBeGreaterThan(0);
  });

  it.each<[string, () => unknown, { problems: number; leaks: number } | 'found']>([
    ['token in another form field', () => ({ ...copy(form), fields: { ...form.fields, 'x-oss-meta-t': token } }), { problems: 0, leaks: 1 }],
    ['token in the key field', () => ({ ...copy(form), fields: { ...form.fields, key: `k/${token}` } }), { problems: 0, leaks: 1 }],
    ['token in the form url', () => ({ ...copy(form), url: `${form.url}?x-oss-security-token=${encodeURIComponent(token)}` }), { problems: 0, leaks: 1 }],
    ['token in another policy condition (both copies)', () => withPolicy((d) => d.conditions.push(['eq', '$x-oss-meta-t', token])), { problems: 0, leaks: 1 }],
    ['token in the policy expiration (both copies)', () => withPolicy((d) => { d.expiration = token; }), { problems: 0, leaks: 1 }],
    ['secret in the policy (both copies)', () => withPolicy((d) => d.conditions.push({ s: RUNTIME.accessKeySecret })), { problems: 0, leaks: 1 }],
    ['token elsewhere in the policy field only', () => ({ ...copy(form), fields: { ...form.fields, policy: Buffer.from(JSON.stringify({ ...form.policyDocument, note: token })).toString('base64') } }), { problems: 1, leaks: 1 }],
    ['a second token condition', () => withPolicy((d) => d.conditions.push({ 'x-oss-security-token': token })), 'found'],
    ['policyDocument that is not the decoded policy', () => ({ ...copy(form), policyDocument: { ...form.policyDocument, extra: 'x' } }), { problems: 1, leaks: 0 }],
    ['policy that is not base64 JSON', () => ({ ...copy(form), fields: { ...form.fields, policy: Buffer.from(`{"t":"${token}"`).toString('base64') } }), 'found'],
    ['an unknown token in the field', () => ({ ...copy(form), fields: { ...form.fields, 'x-oss-security-token': 'LEAKTOKEN+unknown' } }), 'found'],
    ['a form-shaped field outside a form answer', () => ({ method: 'PUT', fields: { 'x-oss-security-token': token } }), { problems: 0, leaks: 1 }],
    ['token in a part URL twice', () => { const p = copy(parts); p.parts[0]!.url += `&x-oss-security-token=${encodeURIComponent(token)}`; return p; }, 'found'],
    ['token in a part URL path', () => { const p = copy(parts); p.parts[1]!.url = p.parts[1]!.url.replace('?', `${encodeURIComponent(token)}?`); return p; }, { problems: 0, leaks: 1 }],
    ['token in a part signedHeaders', () => { const p = copy(parts); p.parts[0]!.signedHeaders['x-oss-security-token'] = token; return p; }, { problems: 0, leaks: 1 }],
    ['token in bodyFormat', () => { const p = copy(parts); p.complete.bodyFormat += token; return p; }, { problems: 0, leaks: 1 }],
    ['token in a url field of an HTTP body, outside the query', () => ({ statusCode: 200, body: JSON.stringify({ url: `https://b.example/${encodeURIComponent(token)}` }) }), { problems: 0, leaks: 1 }],
  ])('%s', (_name, make, expected) => {
    const got = verdict(make());
    if (expected === 'found') expect(got.problems + got.leaks).toBeGreaterThan(0);
    else expect(got).toEqual(expected);
  });
});

test('no AccessKeySecret anywhere; a SecurityToken only where OSS needs it: a URL query, a form field, the form policy', () => {
  // Declared last: runs after every scenario above and its describe's afterAll, so everything is collected.
  const problems: string[] = [];
  const places = new Set<string>();
  const texts = [...collected];
  for (const a of answers) {
    const scan: Scan = { where: a.where, problems, places };
    texts.push({ where: a.where, text: JSON.stringify(withoutAllowedTokens(a.value, scan)) });
  }
  expect(texts.length).toBeGreaterThan(100);
  expect(problems).toEqual([]);
  expect(leaks(texts)).toEqual([]);
  // The allowance was exercised where it matters: single URLs, every URL of a multipart answer, both form places,
  // in direct answers, in batches and in HTTP bodies.
  expect([...places].sort()).toEqual(expect.arrayContaining([
    'url',
    'parts[].url',
    'complete.url',
    'abort.url',
    'listParts.url',
    'results[].url',
    'results[].parts[].url',
    'results[].fields.x-oss-security-token',
    'results[].fields.policy.conditions[].x-oss-security-token',
    'fields.x-oss-security-token',
    'fields.policy.conditions[].x-oss-security-token',
    'policyDocument.conditions[].x-oss-security-token',
    'body<json>.parts[].url',
    'body<json>.complete.url',
    'body<json>.abort.url',
    'body<json>.listParts.url',
    'body<json>.fields.x-oss-security-token',
    'body<json>.fields.policy.conditions[].x-oss-security-token',
    'body<json>.policyDocument.conditions[].x-oss-security-token',
  ]));
});

/** Every presigned URL in an answer (HTTP bodies opened), with what signed it. */
function signedUrls(value: unknown): { method: string; url: string; signedHeaders?: Record<string, string> }[] {
  if (Array.isArray(value)) return value.flatMap(signedUrls);
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  const own = typeof o.url === 'string' && typeof o.method === 'string' && o.url.includes('x-oss-signature=') ? [o as { method: string; url: string; signedHeaders?: Record<string, string> }] : [];
  const inBody = typeof o.body === 'string' && o.body.startsWith('{') ? signedUrls(JSON.parse(o.body)) : [];
  return [...own, ...inBody, ...Object.entries(o).filter(([name]) => name !== 'body').flatMap(([, v]) => signedUrls(v))];
}

/** Whether the local OSS's own V4 verifier accepts `signed` as signed with `credential` (at its signing instant). */
function signedWith(signed: { method: string; url: string; signedHeaders?: Record<string, string> }, credential: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): boolean {
  const url = new URL(signed.url);
  const store = new CredentialStore();
  store.add({ ...credential });
  const { bucket, key } = resolveAddress(url.host, url.pathname, ['oss-cn-hangzhou.aliyuncs.com', 'oss-cn-hangzhou-internal.aliyuncs.com']);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(signed.signedHeaders ?? {})) headers[name.toLowerCase()] = value;
  const date = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(url.searchParams.get('x-oss-date') ?? '');
  const signedAt = date ? Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6])) : 0;
  try {
    authenticate({ method: signed.method, bucket, key, query: parseRawQuery(url.search.slice(1)), headers }, { credentials: store, region: 'cn-hangzhou', now: () => signedAt + 1000 });
    return true;
  } catch {
    return false;
  }
}

test('the checks above received what they look for: every scenario left its answer to scan, and every credential handed over really signed', () => {
  // Declared after the scan: both look at everything every scenario collected.
  expect(answers.length).toBe(attempts);
  expect(attempts).toBeGreaterThan(150);
  // Each place the text was taken from produced text: a capture that took nothing would make its scan vacuous.
  const places = new Set(collected.map((c) => c.where));
  for (const where of ['handler log', 'signer log', 'uri log', 'stdout', 'stack log', 'fc logs', 'credential logger']) expect([where, places.has(where)]).toEqual([where, true]);
  // A leak check of a secret the code never held proves nothing: each secret and token handed to the service signed a URL
  // in the answers that were scanned (checked by the local OSS's verifier, not by the signer itself).
  const urls = answers.flatMap((a) => signedUrls(a.value));
  expect(urls.length).toBeGreaterThan(50);
  expect(new Set(handed.map((h) => h.where))).toEqual(new Set(['context', 'signer', 'uri ok', 'stack', 'stack runtime role']));
  for (const { credential } of handed) {
    expect(secrets.has(credential.accessKeySecret)).toBe(true);
    if (credential.securityToken !== undefined) expect(tokens.has(credential.securityToken)).toBe(true);
  }
  const used = (where: string) => handed.filter((h) => h.where === where).some(({ credential }) => urls.some((u) => signedWith(u, credential)));
  for (const where of ['context', 'signer', 'uri ok', 'stack', 'stack runtime role']) expect([where, used(where)]).toEqual([where, true]);
  // And the verifier tells credentials apart: a URL is not taken as signed by a secret that did not sign it.
  const contextUrl = urls.find((u) => signedWith(u, RUNTIME))!;
  expect(signedWith(contextUrl, { ...RUNTIME, accessKeySecret: WRONG_SECRET })).toBe(false);
});
