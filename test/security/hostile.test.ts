import { createHash } from 'node:crypto';
import { createHandler } from '../../shared/core/handler';
import type { CredentialResolver } from '../../shared/credentials';
import { putOperation } from '../../shared/operations/put';
import { asEvent, BASE_ENV, harness, httpEvent, SECRET, TOKEN as TOKEN_OF_CONTEXT } from '../support/fc';
import { ALL_ROUTES, CONTEXT, send, signaturesIn, wrappedInvoke, type Route } from './routes';

/**
 * The hostile-callers suite: each finding of the hostile-callers issue as a table of attempts, tried through every
 * way the input can arrive. Every refused attempt answers 4xx with a code (and the field at fault), and carries no
 * signature at all. This file runs with Object.prototype NOT frozen, and ends by checking it is unchanged: a
 * pollution attempt that worked would show here even if no answer did.
 */
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

const TOKEN = 'hostile-suite-bearer-token';
const TOKEN_SHA256 = createHash('sha256').update(TOKEN).digest('hex');
const json = (value: unknown) => JSON.stringify(value);

function expectRefused(answer: { status: number; error?: { code: string; field?: string }; text: string }, code: string, field?: string): void {
  expect(answer.error?.code).toBe(code);
  if (field !== undefined) expect(answer.error?.field).toBe(field);
  if (answer.status !== 0) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  }
  expect(signaturesIn(answer.text)).toEqual([]);
}

describe('1. nothing a caller sends turns the bearer check off', () => {
  const { put, get } = harness({ AUTH_TOKEN_SHA256: TOKEN_SHA256 });
  const body = json({ key: 'uploads/a.txt' });
  const apiPath = '/2023-03-30/functions/x/invocations';

  type Attempt = [name: string, event: () => unknown];
  const attempts: Attempt[] = [
    ['POST to the InvokeFunction API path of the trigger', () => httpEvent({ path: apiPath, body })],
    ['POST to the FC 2.0 API path', () => httpEvent({ path: '/2016-08-15/services/s/functions/x/invocations', body })],
    ['POST / with X-Acs-Action: InvokeFunction', () => httpEvent({ body, headers: { 'content-type': 'application/json', 'x-acs-action': 'InvokeFunction' } })],
    ['the API path and the header together, with an ACS3-looking Authorization', () => httpEvent({ path: apiPath, body, headers: { 'content-type': 'application/json', 'x-acs-action': 'InvokeFunction', authorization: 'ACS3-HMAC-SHA256 Credential=x' } })],
    ['an API-shaped wrap naming another account', () => wrappedInvoke(body, { accountId: '999999' })],
    ['an API-shaped wrap whose domain is another account\'s', () => wrappedInvoke(body, { domainName: `999999.${CONTEXT.region}.fc.aliyuncs.com` })],
    ['an API-shaped wrap from another region', () => wrappedInvoke(body, { domainName: `${CONTEXT.accountId}.cn-beijing.fc.aliyuncs.com` })],
    ['a wrap whose domain only ends like the API\'s', () => wrappedInvoke(body, { domainName: `${CONTEXT.accountId}.${CONTEXT.region}.fc.aliyuncs.com.evil.example` })],
    ['a wrap from a -vpc host, which no FC API endpoint has', () => wrappedInvoke(body, { domainName: `${CONTEXT.accountId}.${CONTEXT.region}-vpc.fc.aliyuncs.com` })],
    ['a wrap at a path other than the invocation path', () => wrappedInvoke(body, { rawPath: '/' })],
  ];

  it.each(attempts)('%s: 401, no URL (presign-put and presign-get)', async (_name, event) => {
    for (const handler of [put, get]) {
      const raw = (await handler(asEvent(event()), CONTEXT)) as { statusCode: number; body: string };
      expect(raw.statusCode).toBe(401);
      expect(JSON.parse(raw.body)).toMatchObject({ error: { code: 'Unauthorized' } });
      expect(signaturesIn(raw.body)).toEqual([]);
    }
  });

  it('a genuine wrapped InvokeFunction call still needs the token by default: the evidence is not proof (fail closed)', async () => {
    const wrapped = await send(put, 'wrapped', body);
    expectRefused(wrapped, 'Unauthorized');
    expect(wrapped.error?.message).toMatch(/AUTH_TRUST_INVOKE_FUNCTION/);
  });

  it('with AUTH_TRUST_INVOKE_FUNCTION=true, a genuine wrap is answered without a token, as the payload sent directly; forged ones still are not', async () => {
    const trusting = harness({ AUTH_TOKEN_SHA256: TOKEN_SHA256, AUTH_TRUST_INVOKE_FUNCTION: 'true' });
    const direct = await send(trusting.put, 'direct', body);
    const wrapped = await send(trusting.put, 'wrapped', body);
    expect(wrapped.status).toBe(200);
    expect(wrapped.body).toMatchObject({ method: 'PUT', key: 'uploads/a.txt' });
    expect(Object.keys(wrapped.body).sort()).toEqual(Object.keys(direct.body).sort());
    for (const [, event] of attempts) {
      const raw = (await trusting.put(asEvent(event()), CONTEXT)) as { statusCode: number; body: string };
      expect(raw.statusCode).toBe(401);
    }
  });

  it('the token itself, sent by the caller, is what lets an HTTP request in', async () => {
    for (const route of ['http', 'apigw'] as const) {
      const answer = await send(put, route, body, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(answer.status).toBe(200);
      expect(answer.body.url).toEqual(expect.any(String));
    }
  });

  it.each(ALL_ROUTES.filter((r) => r !== 'direct' && r !== 'wrapped'))('%s without the token: 401', async (route: Route) => {
    expectRefused(await send(put, route, body), 'Unauthorized');
  });
});

describe('2. request data never becomes shared state', () => {
  const { put, get } = harness({ ALLOWED_BUCKETS: 'other-bucket' });
  const okPut = { key: 'uploads/a.txt' };

  // Each is JSON text, so __proto__ arrives as a name, exactly as a hostile caller writes it.
  type Attempt = [name: string, fn: 'put' | 'get', text: string, field: string];
  const attempts: Attempt[] = [
    ['__proto__ at the top', 'put', '{"key":"uploads/a.txt","__proto__":{"acl":"public-read-write"}}', '__proto__'],
    ['constructor.prototype at the top', 'put', '{"key":"uploads/a.txt","constructor":{"prototype":{"acl":"public-read-write"}}}', 'constructor'],
    ['__proto__ in metadata', 'put', '{"key":"uploads/a.txt","metadata":{"__proto__":"x"}}', 'metadata.__proto__'],
    ['constructor in tagging', 'put', '{"key":"uploads/a.txt","tagging":{"constructor":"x"}}', 'tagging.constructor'],
    ['prototype in callback vars', 'put', '{"key":"uploads/a.txt","callback":{"url":"https://h.example.com/","body":"b","vars":{"prototype":"x"}}}', 'callback.vars.prototype'],
    ['__proto__ inside multipart', 'put', '{"multipart":{"key":"uploads/a.bin","__proto__":{"bucket":"other-bucket"}}}', 'multipart.__proto__'],
    ['__proto__ inside a form', 'put', '{"form":{"key":"uploads/a.bin","__proto__":{"maxSize":1}}}', 'form.__proto__'],
    ['__proto__ in a batch item', 'put', '{"requests":[{"key":"uploads/a.txt"},{"key":"uploads/b.txt","__proto__":{"x":1}}]}', 'requests.__proto__'],
    ['__proto__ in response overrides', 'get', '{"key":"uploads/a.txt","response":{"__proto__":{"contentType":"text/html"}}}', 'response.__proto__'],
    ['prototype deep in an unknown member', 'get', '{"key":"uploads/a.txt","x":{"y":{"z":{"prototype":1}}}}', 'x.y.z.prototype'],
  ];

  const handlerOf = (fn: 'put' | 'get') => (fn === 'put' ? put : get);

  it.each(attempts)('%s: 400 naming %s, through every route', async (_name, fn, text, field) => {
    for (const route of ALL_ROUTES) {
      const answer = await send(handlerOf(fn), route, text);
      if (field.startsWith('requests.')) {
        // A batch answers per item: the polluted item is refused, its neighbour is not.
        const results = answer.body.results as { error?: { code: string; field?: string }; url?: string }[];
        expect(results[0]?.url).toBeDefined();
        expect(results[1]?.error).toMatchObject({ code: 'InvalidArgument', field: '__proto__' });
        continue;
      }
      expectRefused(answer, 'InvalidArgument', field);
    }
  });

  it.each([
    ['__proto__.acl', { '__proto__.acl': 'public-read-write' }],
    ['constructor.prototype', { 'constructor.prototype': 'x' }],
    ['response.__proto__', { 'response.__proto__': 'x' }],
    ['__proto__', { ['__proto__']: 'x' }],
  ])('query %s: 400, on both functions and both HTTP routes', async (field, query) => {
    for (const handler of [put, get]) {
      const http = await send(handler, 'http', JSON.stringify(okPut), { query: query as Record<string, string> });
      expectRefused(http, 'InvalidArgument', field);
      const apigw = await send(handler, 'apigw', JSON.stringify(okPut), { query: query as Record<string, string> });
      expectRefused(apigw, 'InvalidArgument', field);
    }
  });

  it('API Gateway path parameters named __proto__: 400', async () => {
    const event = { path: '/p', httpMethod: 'GET', headers: {}, queryParameters: {}, pathParameters: JSON.parse('{"__proto__":"x","key":"uploads/a.txt"}'), body: '', isBase64Encoded: false };
    const raw = (await get(asEvent(event), CONTEXT)) as { statusCode: number; body: string };
    expect(raw.statusCode).toBe(400);
    expect(JSON.parse(raw.body)).toMatchObject({ error: { code: 'InvalidArgument', field: '__proto__' } });
  });

  it('a CloudEvent and an MNS message carrying __proto__ are refused per message', async () => {
    const cloud = await send(get, 'direct', '{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"key":"a.txt","__proto__":{"process":"doc/edit"}}}');
    expectRefused(cloud, 'InvalidArgument', '__proto__');
    const mns = JSON.stringify([{ specversion: '1.0', id: '1', source: 'MNS-q', type: 'mns:Queue:SendMessage', data: { messageBody: '{"key":"a.txt","constructor":{"prototype":{}}}' } }]);
    const answer = await send(put, 'direct', mns);
    expect((answer.body.results as { error?: unknown }[])[0]?.error).toMatchObject({ code: 'InvalidArgument', field: 'constructor' });
  });

  it('after every attempt, a plain request signs nothing it did not ask for', async () => {
    const answer = await send(put, 'direct', JSON.stringify(okPut));
    expect(answer.body.signedHeaders).toEqual({});
    expect(answer.body.bucket).toBe('my-bucket');
    const url = new URL(answer.body.url as string);
    expect([...url.searchParams.keys()].filter((n) => !n.startsWith('x-oss-'))).toEqual([]);
  });

  type Unicode = [name: string, fn: 'put' | 'get', text: string, field: string];
  const unpaired: Unicode[] = [
    ['a tag value', 'put', '{"key":"uploads/a.txt","tagging":{"t":"\\ud800"}}', 'tagging.t'],
    ['a tag name', 'put', '{"key":"uploads/a.txt","tagging":{"\\udc00":"v"}}', 'tagging'],
    ['response.filename', 'get', '{"key":"uploads/a.txt","response":{"filename":"a\\ud83d.txt"}}', 'response.filename'],
    ['the key', 'put', '{"key":"uploads/\\udfff"}', 'key'],
    ['a callback body', 'put', '{"key":"uploads/a.txt","callback":{"url":"https://h.example.com/","body":"\\ud800"}}', 'callback.body'],
  ];

  it.each(unpaired)('an unpaired surrogate in %s: 400 (never 500), every route', async (_name, fn, text, field) => {
    for (const route of ALL_ROUTES) expectRefused(await send(handlerOf(fn), route, text), 'InvalidArgument', field);
  });

  it('a request nested deeper than the bound: 400', async () => {
    const deep = `{"key":"uploads/a.txt","x":${'{"y":'.repeat(12)}1${'}'.repeat(12)}}`;
    for (const route of ALL_ROUTES) expectRefused(await send(put, route, deep), 'InvalidArgument');
  });

  it('an event nested deeper than the event bound: 400, and one too large: 413, before any parsing of requests', async () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    expectRefused(await send(put, 'direct', deep), 'InvalidArgument', 'event');
    const big = JSON.stringify({ key: 'uploads/a.txt', pad: 'x'.repeat(1024 * 1024) });
    expectRefused(await send(put, 'direct', big), 'PayloadTooLarge');
  });
});

describe('3. bounded work per invocation', () => {
  const { put, get } = harness({ PRESIGN_MAX_BATCH: '1000' });
  const step2 = (extra: Record<string, unknown>) => ({ multipart: { key: 'uploads/big.bin', uploadId: 'upload-1', ...extra } });

  it('the reported request (10 multipart plans of 10,000 parts, under 1 KB) signs nothing: each item is over the URL budget', async () => {
    const text = JSON.stringify({ requests: Array.from({ length: 10 }, () => step2({ parts: 10_000 })) });
    expect(text.length).toBeLessThan(1024);
    for (const route of ALL_ROUTES) {
      const answer = await send(put, route, text);
      const results = answer.body.results as { error?: { code: string; field?: string } }[];
      expect(results).toHaveLength(10);
      for (const result of results) expect(result.error).toMatchObject({ code: 'UrlBudgetExceeded', field: 'multipart.parts' });
      expect(signaturesIn(answer.text)).toEqual([]);
      expect(answer.text.length).toBeLessThan(10_000);
    }
  });

  it('an explicit part count over the budget: 400 naming the budget and how to page', async () => {
    for (const route of ALL_ROUTES) {
      const answer = await send(put, route, JSON.stringify(step2({ parts: 1000 })));
      expectRefused(answer, 'UrlBudgetExceeded', 'multipart.parts');
      expect(answer.error?.message).toMatch(/PRESIGN_MAX_URLS.*firstPart.*parts/);
    }
  });

  it('a plan larger than the budget is answered a page at a time, nextPart leading through every part exactly once', async () => {
    const size = 10_000 * 5 * 1024 * 1024; // 10,000 parts of 5 MiB
    const seen: number[] = [];
    let firstPart: number | null = 1;
    let pages = 0;
    while (firstPart !== null) {
      const answer = await send(put, 'direct', JSON.stringify(step2({ size, partSize: 5 * 1024 * 1024, firstPart })));
      const parts = answer.body.parts as { partNumber: number }[];
      expect(parts.length).toBeLessThanOrEqual(998);
      seen.push(...parts.map((p) => p.partNumber));
      firstPart = answer.body.nextPart as number | null;
      pages += 1;
    }
    expect(pages).toBe(11);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
  });

  it.each([
    ['a batch', (n: number) => JSON.stringify({ requests: Array.from({ length: n }, (_, i) => ({ key: `uploads/${i}.txt` })) }), 'requests'],
    ['a CloudEvent array', (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ specversion: '1.0', id: String(i), source: 's', type: 't', data: { key: `uploads/${i}.txt` } }))), 'event'],
    ['an MNS queue batch', (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ specversion: '1.0', id: String(i), source: 'MNS-q', type: 'mns:Queue:SendMessage', data: { messageBody: JSON.stringify({ key: `uploads/${i}.txt` }) } }))), 'event'],
  ])('%s of 1,500 items: 400 naming PRESIGN_MAX_BATCH (1,000 here), nothing signed', async (_name, make, field) => {
    const answer = await send(put, 'direct', make(1500));
    expectRefused(answer, 'InvalidArgument', field);
    expect(answer.error?.message).toMatch(/PRESIGN_MAX_BATCH/);
  });

  it('an OSS event of 1,500 records: 400 naming PRESIGN_MAX_BATCH, nothing signed', async () => {
    const record = (i: number) => ({ eventName: 'ObjectCreated:PutObject', eventSource: 'acs:oss', oss: { bucket: { name: 'my-bucket' }, object: { key: `uploads/${i}.png` } } });
    const answer = await send(get, 'direct', JSON.stringify({ events: Array.from({ length: 1500 }, (_, i) => record(i)) }));
    expectRefused(answer, 'InvalidArgument', 'events');
    expect(answer.error?.message).toMatch(/PRESIGN_MAX_BATCH/);
  });

  it('a batch within PRESIGN_MAX_BATCH but over PRESIGN_MAX_URLS: 400 UrlBudgetExceeded before anything is signed', async () => {
    const small = harness({ PRESIGN_MAX_BATCH: '1000', PRESIGN_MAX_URLS: '50' });
    const text = JSON.stringify({ requests: Array.from({ length: 51 }, (_, i) => ({ key: `uploads/${i}.txt` })) });
    for (const route of ALL_ROUTES) expectRefused(await send(small.put, route, text), 'UrlBudgetExceeded', 'requests');
  });

  it('answers over PRESIGN_MAX_ANSWER_BYTES stop signing: the items past the budget say so, the answer stays near the bound', async () => {
    const tight = harness({ PRESIGN_MAX_ANSWER_BYTES: String(64 * 1024) });
    const metadata = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`m${i}`, 'v'.repeat(1000)]));
    const text = JSON.stringify({ requests: Array.from({ length: 40 }, (_, i) => ({ key: `uploads/${i}.txt`, metadata })) });
    const answer = await send(tight.put, 'direct', text);
    const results = answer.body.results as { url?: string; error?: { code: string } }[];
    const signed = results.filter((r) => r.url !== undefined).length;
    expect(signed).toBeGreaterThan(0);
    expect(signed).toBeLessThan(40);
    for (const r of results.slice(signed)) expect(r.error?.code).toBe('AnswerBudgetExceeded');
    expect(answer.text.length).toBeLessThan(64 * 1024 + 16 * 1024);
  });
});

describe('4. what widens access is off until the operator names it', () => {
  // The policy the issue found wanting: size, type and overwrite limits set, yet ACLs were signed anyway.
  const strict = { ALLOWED_KEY_PREFIXES: 'uploads/', MAX_CONTENT_LENGTH: '1048576', ALLOWED_CONTENT_TYPES: 'image/*', FORCE_FORBID_OVERWRITE: 'true' };
  const { put, get } = harness(strict);
  const { put: anyType, get: anyGet } = harness();
  const img = { key: 'uploads/a.png', contentType: 'image/png', contentLength: 10 };

  type Row = [name: string, handler: 'put' | 'get' | 'anyPut' | 'anyGet', request: unknown, code: string, field: string];
  const rows: Row[] = [
    ['an object ACL, even private', 'put', { ...img, acl: 'private' }, 'AclNotAllowed', 'acl'],
    ['a public-read-write ACL', 'put', { ...img, acl: 'public-read-write' }, 'AclNotAllowed', 'acl'],
    ['a public ACL on multipart initiate', 'put', { multipart: { key: 'uploads/a.png', contentType: 'image/png', size: 10, acl: 'public-read' } }, 'AclNotAllowed', 'multipart.acl'],
    ['a public ACL on a form', 'put', { form: { key: 'uploads/a.png', contentType: 'image/png', acl: 'public-read-write' } }, 'AclNotAllowed', 'form.acl'],
    ['a storage class', 'put', { ...img, storageClass: 'Archive' }, 'StorageClassNotAllowed', 'storageClass'],
    ['SVG under image/*', 'put', { ...img, key: 'uploads/a.svg', contentType: 'image/svg+xml' }, 'ContentTypeNotAllowed', 'contentType'],
    ['SVG with parameters and odd case', 'put', { ...img, key: 'uploads/a.svg', contentType: 'Image/SVG+XML; charset=utf-8' }, 'ContentTypeNotAllowed', 'contentType'],
    ['HTML where any type is allowed', 'anyPut', { key: 'a.html', contentType: 'text/html' }, 'ContentTypeNotAllowed', 'contentType'],
    ['XHTML where any type is allowed', 'anyPut', { key: 'a.xhtml', contentType: 'application/xhtml+xml' }, 'ContentTypeNotAllowed', 'contentType'],
    ['no type, a key OSS would store as SVG', 'anyPut', { key: 'uploads/logo.SVG' }, 'ContentTypeNotAllowed', 'contentType'],
    ['no type, a key OSS would store as HTML', 'anyPut', { key: 'uploads/index.html' }, 'ContentTypeNotAllowed', 'contentType'],
    ['no type on multipart, an .html key', 'anyPut', { multipart: { key: 'index.html' } }, 'ContentTypeNotAllowed', 'multipart.contentType'],
    ['a form for an .svg key without a type', 'anyPut', { form: { key: 'x.svg' } }, 'ContentTypeNotAllowed', 'form.contentType'],
    ['processing nobody named', 'anyGet', { key: 'a.png', process: 'image/resize,w_100' }, 'ProcessNotAllowed', 'process'],
    ['online document editing through a GET', 'anyGet', { key: 'a.docx', process: 'doc/edit' }, 'ProcessNotAllowed', 'process'],
    ['a billed video snapshot', 'anyGet', { key: 'a.mp4', process: 'video/snapshot,t_1000' }, 'ProcessNotAllowed', 'process'],
    ['serving an upload as HTML', 'anyGet', { key: 'a.png', response: { contentType: 'text/html', disposition: 'inline', filename: 'a.html' } }, 'ResponseOverrideNotAllowed', 'response.contentType'],
    ['serving an upload as SVG', 'get', { key: 'uploads/a.png', response: { contentType: 'image/svg+xml' } }, 'ResponseOverrideNotAllowed', 'response.contentType'],
    ['a cache override', 'anyGet', { key: 'a.png', response: { cacheControl: 'public, max-age=31536000' } }, 'ResponseOverrideNotAllowed', 'response.cacheControl'],
    ['an expires override', 'anyGet', { key: 'a.png', response: { expires: 'Fri, 01 Jan 2100 00:00:00 GMT' } }, 'ResponseOverrideNotAllowed', 'response.expires'],
    ['a form whose browser names the key', 'anyPut', { form: { keyPrefix: 'uploads/' } }, 'KeyPrefixNotAllowed', 'form.keyPrefix'],
  ];
  const handlers = { put, get, anyPut: anyType, anyGet };

  it.each(rows)('%s: 403 %s naming %s, every route', async (_name, which, request, code, field) => {
    for (const route of ALL_ROUTES) expectRefused(await send(handlers[which], route, JSON.stringify(request)), code, field);
  });

  it('each capability passes once the operator names it, and only as named', async () => {
    const open = harness({
      ALLOWED_ACLS: 'private',
      ALLOWED_STORAGE_CLASSES: 'IA',
      ALLOWED_CONTENT_TYPES: 'image/*,image/svg+xml',
      ALLOWED_PROCESS: 'image/resize,w_*,style/*',
      ALLOW_RESPONSE_CACHE_OVERRIDES: 'true',
      ALLOW_FORM_KEY_PREFIX: 'true',
    });
    const ok = async (handler: typeof put, request: unknown) => {
      const answer = await send(handler, 'direct', JSON.stringify(request));
      expect(answer.error).toBeUndefined();
      return answer;
    };
    expect((await ok(open.put, { key: 'a.png', contentType: 'image/png', acl: 'private', storageClass: 'IA' })).body.signedHeaders).toMatchObject({ 'x-oss-object-acl': 'private', 'x-oss-storage-class': 'IA' });
    await ok(open.put, { key: 'a.svg', contentType: 'image/svg+xml' });
    await ok(open.get, { key: 'a.png', process: 'image/resize,w_100' });
    await ok(open.get, { key: 'a.png', process: 'style/thumb' });
    await ok(open.get, { key: 'a.png', response: { cacheControl: 'max-age=60', contentType: 'image/svg+xml' } });
    await ok(open.put, { form: { keyPrefix: 'uploads/', contentType: 'image/png' } });
    // ...and no further than named.
    expectRefused(await send(open.put, 'direct', JSON.stringify({ key: 'a.png', contentType: 'image/png', acl: 'public-read' })), 'AclNotAllowed', 'acl');
    expectRefused(await send(open.get, 'direct', JSON.stringify({ key: 'a.png', process: 'image/resize,h_100' })), 'ProcessNotAllowed', 'process');
    expectRefused(await send(open.get, 'direct', JSON.stringify({ key: 'a.png', process: 'image/resize,w_1|sys/saveas,o_eA' })), 'ProcessNotAllowed', 'process');
    expectRefused(await send(open.get, 'direct', JSON.stringify({ key: 'a.png', process: 'image/resize,w_1/watermark,text_aGk' })), 'ProcessNotAllowed', 'process');
    expectRefused(await send(open.put, 'direct', JSON.stringify({ key: 'a.html', contentType: 'text/html' })), 'ContentTypeNotAllowed', 'contentType');
  });

  it('a form requires safe values for every field OSS would otherwise take from the browser', async () => {
    const answer = await send(anyType, 'direct', JSON.stringify({ form: { key: 'uploads/a.bin' } }));
    const conditions = JSON.stringify((answer.body.policyDocument as { conditions: unknown[] }).conditions);
    for (const [name, value] of [['x-oss-object-acl', 'default'], ['x-oss-storage-class', 'Standard'], ['x-oss-content-type', 'application/octet-stream'], ['content-type', 'application/octet-stream']]) {
      expect(conditions).toContain(JSON.stringify(['eq', `$${name}`, value]));
      expect((answer.body.fields as Record<string, string>)[name as string]).toBe(value);
    }
  });
});

describe('5. the lesser findings', () => {
  const { put } = harness({ CALLBACK_URL_ALLOWLIST: 'hooks.example.com,http://10.0.0.5:8080' });
  const cb = (over: Record<string, unknown>) => ({ key: 'a.txt', callback: { url: 'https://hooks.example.com/done', body: 'object=${object}', ...over } });

  it.each([
    ['callback.host names another host', cb({ host: 'internal.example.net' }), 'CallbackHostNotAllowed', 'callback.host'],
    ['the allowed host over plain http', cb({ url: 'http://hooks.example.com/done' }), 'CallbackHostNotAllowed', 'callback.url'],
    ['the allowed host on another port', cb({ url: 'https://hooks.example.com:8443/done' }), 'CallbackHostNotAllowed', 'callback.url'],
    ['an http entry reached over https', cb({ url: 'https://10.0.0.5:8080/' }), 'CallbackHostNotAllowed', 'callback.url'],
    ['an http entry on another port', cb({ url: 'http://10.0.0.5:9090/' }), 'CallbackHostNotAllowed', 'callback.url'],
  ])('%s: 403', async (_name, request, code, field) => {
    for (const route of ALL_ROUTES) expectRefused(await send(put, route, JSON.stringify(request)), code, field);
  });

  it('the allowlist still admits exactly what it names', async () => {
    for (const request of [cb({}), cb({ host: 'hooks.example.com' }), cb({ url: 'http://10.0.0.5:8080/x' })]) {
      expect((await send(put, 'direct', JSON.stringify(request))).error).toBeUndefined();
    }
  });

  it('generated keys: multipart step 2 takes only a key of the generated shape, and callers pick no folder of their own', async () => {
    const generated = harness({ PUT_KEY_MODE: 'generated' });
    const step1 = await send(generated.put, 'direct', JSON.stringify({ multipart: { filename: 'movie.mp4' } }));
    const key = step1.body.key as string;
    expect(key).toMatch(/^uploads\/\d{4}\/\d{2}\/[0-9a-f-]{36}-movie\.mp4$/);
    expect((await send(generated.put, 'direct', JSON.stringify({ multipart: { key, uploadId: 'u1', parts: 1 } }))).error).toBeUndefined();
    for (const other of ['uploads/chosen-by-me.mp4', 'elsewhere/2026/11/00000000-0000-0000-0000-000000000000-x.mp4', `${key}/../x`]) {
      expectRefused(await send(generated.put, 'direct', JSON.stringify({ multipart: { key: other, uploadId: 'u1', parts: 1 } })), 'InvalidArgument', 'multipart.key');
    }
    expectRefused(await send(generated.put, 'direct', JSON.stringify({ filename: 'a.png', prefix: 'admin/' })), 'InvalidArgument', 'prefix');
    const listed = harness({ PUT_KEY_MODE: 'generated', ALLOWED_KEY_PREFIXES: 'photos/,docs/' });
    expect((await send(listed.put, 'direct', JSON.stringify({ filename: 'a.png', prefix: 'docs/' }))).body.key).toMatch(/^docs\//);
    expectRefused(await send(listed.put, 'direct', JSON.stringify({ filename: 'a.png', prefix: 'admin/' })), 'InvalidArgument', 'prefix');
  });

  it.each([
    ['metadata over 8 KB in all', { key: 'a.txt', metadata: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`m${i}`, 'v'.repeat(1000)])) }, 'metadata'],
    ['metadata names differing only by case', JSON.parse('{"key":"a.txt","metadata":{"Owner":"a","owner":"b"}}'), 'metadata.owner'],
    ['a tag value over 256 characters', { key: 'a.txt', tagging: { t: 'x'.repeat(257) } }, 'tagging.t'],
    ['eleven tags', { key: 'a.txt', tagging: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v'])) }, 'tagging'],
  ])('%s: 400', async (_name, request, field) => {
    for (const route of ALL_ROUTES) expectRefused(await send(put, route, JSON.stringify(request)), 'InvalidArgument', field);
  });

  it.each([
    [{ ALLOWED_KEY_PREFIXES: 'uploads' }, 'ALLOWED_KEY_PREFIXES', /uploadsX|uploads\//],
    [{ ALLOWED_KEY_PREFIXES: 'up*loads/' }, 'ALLOWED_KEY_PREFIXES', /may only end/],
    [{ ALLOWED_KEY_PREFIXES: ' , ' }, 'ALLOWED_KEY_PREFIXES', /no entry/],
    [{ ALLOWED_CONTENT_TYPES: ',' }, 'ALLOWED_CONTENT_TYPES', /no entry/],
    [{ AUTH_TOKEN_SHA256: '   ' }, 'AUTH_TOKEN_SHA256', /no entry/],
    [{ ALLOWED_ACLS: 'public' }, 'ALLOWED_ACLS', /not one of/],
    [{ ALLOWED_PROCESS: '*' }, 'ALLOWED_PROCESS', /not a processing pattern/],
    [{ ALLOWED_PROCESS: '*/resize' }, 'ALLOWED_PROCESS', /not a processing pattern/],
    [{ CALLBACK_URL_ALLOWLIST: 'ftp://h' }, 'CALLBACK_URL_ALLOWLIST', /scheme/],
  ])('configuration that would fail open stops the cold start: %j', (vars, variable, why) => {
    expect(() => harness(vars)).toThrow(new RegExp(`^${variable}: `));
    expect(() => harness(vars)).toThrow(why);
  });

  it('explicit forms of the same intent start fine: a folder, an explicit prefix, every key', () => {
    for (const value of ['uploads/', 'img*', '*', '']) expect(() => harness({ ALLOWED_KEY_PREFIXES: value })).not.toThrow();
    const star = harness({ ALLOWED_KEY_PREFIXES: 'img*' });
    return Promise.all([
      send(star.put, 'direct', JSON.stringify({ key: 'img2/a.png' })).then((a) => expect(a.error).toBeUndefined()),
      send(star.put, 'direct', JSON.stringify({ key: 'xx/img/a.png' })).then((a) => expectRefused(a, 'KeyNotAllowed', 'key')),
    ]);
  });

  it('an InternalError log line never carries the secret its cause quoted', async () => {
    const logs: Record<string, unknown>[] = [];
    const broken = createHandler(putOperation, {
      env: BASE_ENV,
      log: (line) => logs.push(line),
      resolver: { resolve: () => Promise.reject(new Error(`boom with ${SECRET} and ${encodeURIComponent(TOKEN_OF_CONTEXT)}`)) } as unknown as CredentialResolver,
    });
    const answer = (await broken(asEvent({ key: 'a.txt' }), CONTEXT)) as { error: { code: string } };
    expect(answer.error.code).toBe('InternalError');
    const line = JSON.stringify(logs.at(-1));
    expect(line).toContain('boom with');
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(encodeURIComponent(TOKEN_OF_CONTEXT));
  });
});

afterAll(() => {
  // Nothing any attempt above sent may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(prototypeBefore);
  expect(({} as Record<string, unknown>).acl).toBeUndefined();
});
