import { createHash } from 'node:crypto';
import { machineTokenListed } from '../../shared/identity/caller-check';
import { MAX_BODY_BYTES, readJsonBody } from '../../shared/http/body';
import { allowedOrigin, corsHeaders, preflightHeaders } from '../../shared/http/cors';
import type { HttpRequest } from '../../shared/adapters/types';
import { refusal } from '../support/refusal';
import { callHttp, harness, httpEvent } from '../support/fc';
import '../support/frozen-prototypes';

/**
 * The HTTP edge's decisions from both sides: bearer tokens under rotation (several digests, each accepted, nothing
 * else), CORS origins that only extend an allowed one, the body limit counted in bytes (multibyte bodies at the
 * limit), the JSON content type, paths and methods. Written against the mutation report (docs/mutation.md).
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest();
const OLD = 'old-bearer-token-2025';
const NEW = 'new-bearer-token-2026';

describe('bearer tokens', () => {
  const digests = [sha256(OLD), sha256(NEW)];

  it('during a rotation both listed tokens are accepted, in either position of the list; nothing else is', () => {
    expect(machineTokenListed(OLD, digests)).toBe(true);
    expect(machineTokenListed(NEW, digests)).toBe(true);
    expect(machineTokenListed(OLD, [...digests].reverse())).toBe(true);
    expect(machineTokenListed(NEW, [sha256(NEW)])).toBe(true);
    for (const token of ['other', `${OLD}x`, OLD.slice(0, -1), `${OLD} ${NEW}`, '', OLD.toUpperCase()]) {
      expect([token, machineTokenListed(token, digests)]).toEqual([token, false]);
    }
    expect(machineTokenListed(OLD, [])).toBe(false);
  });

  it('through the handler: AUTH_TOKEN_SHA256 with two digests lets both tokens in, 401 with WWW-Authenticate otherwise', async () => {
    const { put } = harness({ AUTH_TOKEN_SHA256: `${sha256(OLD).toString('hex')}, ${sha256(NEW).toString('hex').toUpperCase()}` });
    for (const token of [OLD, NEW]) {
      const answer = await callHttp(put, httpEvent({ body: { key: 'uploads/a.txt' }, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }));
      expect(answer.statusCode).toBe(200);
    }
    const refused = await callHttp(put, httpEvent({ body: { key: 'uploads/a.txt' }, headers: { 'content-type': 'application/json', authorization: 'Bearer third' } }));
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(refused.json).toEqual({ error: { code: 'Unauthorized', message: 'send Authorization: Bearer <token> with a token this service accepts' }, requestId: 'req-test-1' });
  });
});

describe('CORS origins', () => {
  const allowed = ['https://app.example.com', 'http://localhost:5173'];

  it('an allowed origin is echoed; one that only extends or shortens it is not', () => {
    expect(allowedOrigin('https://app.example.com', allowed)).toBe('https://app.example.com');
    expect(allowedOrigin('http://localhost:5173', allowed)).toBe('http://localhost:5173');
    for (const origin of ['https://app.example.com.evil.net', 'https://app.example.co', 'https://app.example.com:8443', 'http://app.example.com', 'https://evil.app.example.com', 'https://APP.example.com', 'null', '']) {
      expect([origin, allowedOrigin(origin, allowed)]).toEqual([origin, undefined]);
    }
    expect(allowedOrigin(undefined, allowed)).toBeUndefined();
  });

  it('no list allows no origin; "*" allows any and answers "*"', () => {
    expect(allowedOrigin('https://app.example.com', [])).toBeUndefined();
    expect(allowedOrigin('https://anything.example', ['*'])).toBe('*');
    expect(allowedOrigin('https://anything.example', ['https://a.example', '*'])).toBe('*');
    expect(allowedOrigin(undefined, ['*'])).toBeUndefined();
  });

  it('the headers: the origin and Vary for answers, methods, headers and max-age for preflights', () => {
    expect(corsHeaders(undefined)).toEqual({});
    expect(corsHeaders('https://a.example')).toEqual({ 'access-control-allow-origin': 'https://a.example', vary: 'Origin' });
    expect(preflightHeaders('https://a.example', ['GET', 'POST'])).toEqual({
      'access-control-allow-origin': 'https://a.example', vary: 'Origin',
      'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600',
    });
  });

  it('through the handler: an extending origin gets no CORS header and its preflight is refused', async () => {
    const { put } = harness({ CORS_ALLOW_ORIGINS: 'https://app.example.com' });
    const good = await callHttp(put, httpEvent({ body: { key: 'uploads/a.txt' }, headers: { 'content-type': 'application/json', origin: 'https://app.example.com' } }));
    expect(good.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const evil = await callHttp(put, httpEvent({ body: { key: 'uploads/a.txt' }, headers: { 'content-type': 'application/json', origin: 'https://app.example.com.evil.net' } }));
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await callHttp(put, httpEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com.evil.net' } }));
    expect(preflight.statusCode).toBe(403);
    expect(preflight.json).toMatchObject({ error: { code: 'CorsOriginNotAllowed', message: 'this origin is not in CORS_ALLOW_ORIGINS' } });
    const allowedPreflight = await callHttp(put, httpEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }));
    expect(allowedPreflight.statusCode).toBe(204);
    expect(allowedPreflight.headers).toMatchObject({ allow: 'POST, OPTIONS', 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-origin': 'https://app.example.com' });
    const bare = await callHttp(put, httpEvent({ method: 'OPTIONS' }));
    expect(bare.statusCode).toBe(204);
    expect(bare.headers).toEqual({ allow: 'POST, OPTIONS' });
  });
});

describe('the request body', () => {
  const request = (body: Buffer | string, contentType: string | null = 'application/json'): HttpRequest => ({
    method: 'POST', path: '/', query: {}, pathParameters: {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    headers: contentType === null ? {} : { 'content-type': contentType },
  });
  /** A JSON object of exactly `bytes` UTF-8 bytes, made of 3-byte characters: far fewer characters than bytes. */
  const multibyteBody = (bytes: number): string => {
    const head = '{"key":"';
    const tail = '"}';
    const room = bytes - head.length - tail.length;
    const text = head + '中'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3) + tail;
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  };

  it('the limit is 64 KiB of bytes: a multibyte body at the limit is read, one byte over is 413 though it has far fewer characters', () => {
    expect(MAX_BODY_BYTES).toBe(65536);
    const atLimit = multibyteBody(MAX_BODY_BYTES);
    expect(atLimit.length).toBeLessThan(MAX_BODY_BYTES / 2);
    expect((readJsonBody(request(atLimit)) as { key: string }).key).toHaveLength(21842);
    const over = multibyteBody(MAX_BODY_BYTES + 1);
    expect(over.length).toBeLessThan(MAX_BODY_BYTES / 2);
    expect(refusal(() => readJsonBody(request(over)))).toMatchObject({ code: 'PayloadTooLarge', status: 413, message: 'the request body must be at most 65536 bytes' });
  });

  it('JSON content types are read; anything else is 415', () => {
    for (const type of ['application/json', 'APPLICATION/JSON', 'application/json; charset=utf-8', 'application/json;charset=utf-8', 'application/vnd.api+json', 'application/merge-patch+json ; x=y']) {
      expect([type, readJsonBody(request('{"a":1}', type))]).toEqual([type, expect.objectContaining({ a: 1 })]);
    }
    for (const type of [null, 'text/plain', 'application/jsonx', 'text/json', 'application/x-www-form-urlencoded', 'xapplication/json', 'application/json-seq', '+json']) {
      expect([type, refusal(() => readJsonBody(request('{"a":1}', type)))]).toEqual([type, expect.objectContaining({ code: 'UnsupportedMediaType', status: 415, message: 'send the request as JSON with content-type: application/json' })]);
    }
  });

  it('an empty body is an empty request with no prototype; text that is not JSON is 400 InvalidJson on body', () => {
    const empty = readJsonBody(request('')) as object;
    expect(Object.getPrototypeOf(empty)).toBeNull();
    expect(Object.keys(empty)).toEqual([]);
    const parsed = readJsonBody(request('{"key":"a"}')) as object;
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(refusal(() => readJsonBody(request('{"key":')))).toMatchObject({ code: 'InvalidJson', status: 400, field: 'body', message: 'the request body is not valid JSON' });
  });

  it('a body within the byte limit is still bounded in values and depth, and each refusal names body', () => {
    const many = `[${'0,'.repeat(20_000)}0]`;
    expect(Buffer.byteLength(many)).toBeLessThan(MAX_BODY_BYTES);
    expect(refusal(() => readJsonBody(request(many)))).toMatchObject({ code: 'PayloadTooLarge', status: 413, message: 'body holds more than 20000 values' });
    const deep = `${'['.repeat(17)}${']'.repeat(17)}`;
    expect(refusal(() => readJsonBody(request(deep)))).toMatchObject({ code: 'InvalidArgument', status: 400, field: 'body', message: 'body is nested deeper than 16 levels' });
    expect(readJsonBody(request(`${'['.repeat(16)}${']'.repeat(16)}`))).toHaveLength(1);
  });

  it('through the handler: the multibyte body at the limit reaches the request checks, one byte over is 413', async () => {
    const { put } = harness();
    const atLimit = await callHttp(put, httpEvent({ body: multibyteBody(MAX_BODY_BYTES), headers: { 'content-type': 'application/json' } }));
    // 21,842 characters of key: read as a request, then refused by the key rule, never by the body limit.
    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.json).toMatchObject({ error: { code: 'InvalidArgument', field: 'key' } });
    const over = await callHttp(put, httpEvent({ body: multibyteBody(MAX_BODY_BYTES + 1), headers: { 'content-type': 'application/json' } }));
    expect(over.statusCode).toBe(413);
    expect(over.json).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });
});

describe('paths, methods and where fields come from', () => {
  const { put, get } = harness();
  const json = { 'content-type': 'application/json' };

  it('the operation answers at /, /<name> and with trailing slashes; elsewhere 404 naming both', async () => {
    for (const path of ['/', '', '/presign-put', '/presign-put/', '//']) {
      expect([path, (await callHttp(put, httpEvent({ path, body: { key: 'uploads/a' }, headers: json }))).statusCode]).toEqual([path, 200]);
    }
    for (const path of ['/presign-putx', '/presign-get', '/x/presign-put', '/presign-put/x']) {
      const answer = await callHttp(put, httpEvent({ path, body: { key: 'uploads/a' }, headers: json }));
      expect([path, answer.statusCode, answer.json.error]).toEqual([path, 404, { code: 'NotFound', message: 'no such path; presign-put answers at / and /presign-put' }]);
    }
  });

  it('a method the operation does not take is 405 with Allow; presign-get takes GET and POST', async () => {
    const answer = await callHttp(put, httpEvent({ method: 'GET', query: { key: 'uploads/a' } }));
    expect(answer.statusCode).toBe(405);
    expect(answer.headers.allow).toBe('POST, OPTIONS');
    expect(answer.json.error).toEqual({ code: 'MethodNotAllowed', message: 'presign-put accepts POST, OPTIONS' });
    expect((await callHttp(get, httpEvent({ method: 'GET', query: { key: 'uploads/a' } }))).statusCode).toBe(200);
    expect((await callHttp(get, httpEvent({ body: { key: 'uploads/a' }, headers: json }))).statusCode).toBe(200);
    expect((await callHttp(get, httpEvent({ method: 'DELETE' }))).headers.allow).toBe('GET, POST, OPTIONS');
  });

  it('every JSON answer forbids caching and is JSON', async () => {
    for (const event of [httpEvent({ body: { key: 'uploads/a' }, headers: json }), httpEvent({ body: { key: '/a' }, headers: json }), httpEvent({ method: 'PUT' })]) {
      const answer = await callHttp(put, event);
      expect(answer.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    }
  });

  it('query fields join a body object; a field in both, or a body that is not an object, is refused', async () => {
    const joined = await callHttp(put, httpEvent({ body: { key: 'uploads/a' }, headers: json, query: { expires: '60' } }));
    expect(joined.statusCode).toBe(200);
    expect(joined.json.expiresIn).toBe(60);
    const twice = await callHttp(put, httpEvent({ body: { key: 'uploads/a', expires: 60 }, headers: json, query: { expires: '60' } }));
    expect([twice.statusCode, twice.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'expires', message: 'expires is given more than once (body, query string or path)' }]);
    const notObject = await callHttp(put, httpEvent({ body: '[1]', headers: json, query: { expires: '60' } }));
    expect([notObject.statusCode, notObject.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'body', message: 'the body must be a JSON object when fields also come in the query string or path' }]);
    const batch = await callHttp(put, httpEvent({ body: { requests: [{ key: 'uploads/a' }, { key: '/b' }] }, headers: json }));
    expect(batch.statusCode).toBe(200);
    expect((batch.json.results as unknown[]).length).toBe(2);
  });
});

describe('fields from the path and the query string, and the Bearer challenge', () => {
  const { put, get } = harness();
  const json = { 'content-type': 'application/json' };
  /** An API Gateway event: the only delivery that carries path parameters. */
  const apigw = (init: { method?: string; body?: unknown; query?: Record<string, string>; path?: Record<string, string> }) => ({
    path: '/presign', httpMethod: init.method ?? 'POST', headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
    queryParameters: init.query ?? {}, pathParameters: init.path ?? {}, body: init.body === undefined ? '' : JSON.stringify(init.body), isBase64Encoded: false,
  });

  it('path parameters join a body object as query fields do, alone or with a query; a field in both is refused', async () => {
    const alone = await callHttp(put, apigw({ body: { key: 'uploads/a' }, path: { expires: '60' } }));
    expect([alone.statusCode, alone.json.expiresIn]).toEqual([200, 60]);
    const both = await callHttp(put, apigw({ body: { key: 'uploads/a' }, query: { expires: '60' }, path: { minExpires: '30' } }));
    expect([both.statusCode, both.json.expiresIn]).toEqual([200, 60]);
    const twice = await callHttp(put, apigw({ body: { key: 'uploads/a', expires: 60 }, path: { expires: '60' } }));
    expect([twice.statusCode, twice.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'expires', message: 'expires is given more than once (body, query string or path)' }]);
    const notObject = await callHttp(put, apigw({ body: [1], path: { key: 'uploads/a' } }));
    expect([notObject.statusCode, notObject.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'body', message: 'the body must be a JSON object when fields also come in the query string or path' }]);
  });

  it('a body alone is the request as sent: an array is refused as a request, not as a body beside query fields', async () => {
    const answer = await callHttp(put, httpEvent({ body: '[1]', headers: json }));
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'body', message: 'the request must be a JSON object' }]);
  });

  it('query names: a leading dot is part of the name; a name given both plain and dotted is refused', async () => {
    const dotted = await callHttp(get, httpEvent({ method: 'GET', query: { key: 'uploads/a', '.expires': '60' } }));
    expect([dotted.statusCode, dotted.json.error]).toEqual([400, { code: 'InvalidArgument', field: '.expires', message: 'unknown field .expires' }]);
    const plainAfter = await callHttp(get, httpEvent({ method: 'GET', query: { key: 'uploads/a', 'response.filename': 'a.txt', response: 'x' } }));
    expect([plainAfter.statusCode, plainAfter.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'response', message: 'response is given twice' }]);
    const dottedAfter = await callHttp(get, httpEvent({ method: 'GET', query: { key: 'uploads/a', response: 'x', 'response.filename': 'a.txt' } }));
    expect([dottedAfter.statusCode, dottedAfter.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'response.filename', message: 'response is given twice' }]);
  });

  it('only a 401 carries WWW-Authenticate: not a success, a 400, a 403 or a 404', async () => {
    const answers = [
      await callHttp(put, httpEvent({ body: { key: 'uploads/a' }, headers: json })),
      await callHttp(put, httpEvent({ body: { key: 'uploads/a', expires: 0 }, headers: json })),
      await callHttp(put, httpEvent({ body: { key: 'uploads/a' }, path: '/elsewhere', headers: json })),
      await callHttp(harness({ CORS_ALLOW_ORIGINS: 'https://app.example.com' }).put, httpEvent({ method: 'OPTIONS', headers: { origin: 'https://evil.example' } })),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 404, 403]);
    for (const answer of answers) expect([answer.statusCode, answer.headers['www-authenticate']]).toEqual([answer.statusCode, undefined]);
  });
});
