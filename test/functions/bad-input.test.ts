import { createHash } from 'node:crypto';
import { callHttp, fcContext, harness, httpEvent, SECRET, TOKEN, asEvent } from '../support/fc';
import { PROTOTYPES_FROZEN } from '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * Bad input, table-driven: every case answers 4xx with a code (and the field where one is at fault), as a plain
 * object for direct invocations and as the HTTP response for triggers. None crashes, none returns a URL, none
 * echoes the secret.
 */
const env = {
  ALLOWED_KEY_PREFIXES: 'uploads/,public/',
  ALLOWED_CONTENT_TYPES: 'image/*,application/pdf',
  MAX_CONTENT_LENGTH: '10485760',
  ALLOWED_BUCKETS: 'other-bucket',
};
const { put, get } = harness(env);
const ok = { key: 'uploads/a.png', contentType: 'image/png', contentLength: 1000 };

// Every row has all six entries: jest would take a missing last one as a `done` callback.
type Case = [name: string, fn: 'put' | 'get', body: unknown, status: number, code: string, field: string | undefined];

const cases: Case[] = [
  ['body is an array', 'put', [1, 2], 400, 'UnsupportedEvent', undefined],
  ['body is a number', 'put', 42, 400, 'UnsupportedEvent', undefined],
  ['body is a string', 'put', 'key=a.png', 400, 'UnsupportedEvent', undefined],
  ['missing key', 'put', { contentType: 'image/png', contentLength: 1 }, 400, 'InvalidArgument', 'key'],
  ['empty key', 'put', { ...ok, key: '' }, 400, 'InvalidArgument', 'key'],
  ['key is a number', 'put', { ...ok, key: 7 }, 400, 'InvalidArgument', 'key'],
  ['key over 1023 bytes', 'put', { ...ok, key: `uploads/${'é'.repeat(600)}` }, 400, 'InvalidArgument', 'key'],
  ['key with a newline', 'put', { ...ok, key: 'uploads/a\nb.png' }, 400, 'InvalidArgument', 'key'],
  ['key with a NUL', 'put', { ...ok, key: 'uploads/a\u0000.png' }, 400, 'InvalidArgument', 'key'],
  ['key with .. escaping the prefix', 'put', { ...ok, key: 'uploads/../secret/a.png' }, 400, 'InvalidArgument', 'key'],
  ['key with a . segment', 'put', { ...ok, key: 'uploads/./a.png' }, 400, 'InvalidArgument', 'key'],
  ['key with a leading slash', 'put', { ...ok, key: '/uploads/a.png' }, 400, 'InvalidArgument', 'key'],
  ['key outside the allowed prefixes', 'put', { ...ok, key: 'private/a.png' }, 403, 'KeyNotAllowed', 'key'],
  ['key only resembling a prefix', 'put', { ...ok, key: 'uploadsX/a.png' }, 403, 'KeyNotAllowed', 'key'],
  ['expires 0', 'put', { ...ok, expires: 0 }, 400, 'InvalidArgument', 'expires'],
  ['expires negative', 'put', { ...ok, expires: -60 }, 400, 'InvalidArgument', 'expires'],
  ['expires over 7 days', 'put', { ...ok, expires: 604801 }, 400, 'InvalidArgument', 'expires'],
  ['expires not an integer', 'put', { ...ok, expires: 60.5 }, 400, 'InvalidArgument', 'expires'],
  ['expires as a string', 'put', { ...ok, expires: '600' }, 400, 'InvalidArgument', 'expires'],
  ['minExpires zero', 'put', { ...ok, minExpires: 0 }, 400, 'InvalidArgument', 'minExpires'],
  ['minExpires beyond what can be granted', 'put', { ...ok, expires: 60, minExpires: 120 }, 400, 'InvalidArgument', 'minExpires'],
  ['unknown field', 'put', { ...ok, contentTyp: 'image/png' }, 400, 'InvalidArgument', 'contentTyp'],
  ['contentType missing while types are limited', 'put', { key: 'uploads/a.png', contentLength: 1 }, 400, 'InvalidArgument', 'contentType'],
  ['contentType not allowed', 'put', { ...ok, contentType: 'text/html' }, 403, 'ContentTypeNotAllowed', 'contentType'],
  ['contentType malformed', 'put', { ...ok, contentType: 'image png' }, 400, 'InvalidArgument', 'contentType'],
  ['contentType with CRLF', 'put', { ...ok, contentType: 'image/png\r\nx-oss-meta-a: b' }, 400, 'InvalidArgument', 'contentType'],
  ['contentLength missing while bounded', 'put', { key: 'uploads/a.png', contentType: 'image/png' }, 400, 'InvalidArgument', 'contentLength'],
  ['contentLength over the limit', 'put', { ...ok, contentLength: 10485761 }, 403, 'ContentLengthNotAllowed', 'contentLength'],
  ['contentLength negative', 'put', { ...ok, contentLength: -1 }, 400, 'InvalidArgument', 'contentLength'],
  ['contentMd5 malformed', 'put', { ...ok, contentMd5: 'abc' }, 400, 'InvalidArgument', 'contentMd5'],
  ['bucket not allowed', 'put', { ...ok, bucket: 'someone-elses' }, 403, 'BucketNotAllowed', 'bucket'],
  ['bucket malformed', 'put', { ...ok, bucket: 'Bad_Bucket' }, 400, 'InvalidArgument', 'bucket'],
  ['storageClass unknown', 'put', { ...ok, storageClass: 'Glacier' }, 400, 'InvalidArgument', 'storageClass'],
  ['acl unknown', 'put', { ...ok, acl: 'everyone' }, 400, 'InvalidArgument', 'acl'],
  ['metadata not an object', 'put', { ...ok, metadata: 'owner=ana' }, 400, 'InvalidArgument', 'metadata'],
  ['metadata name with a space', 'put', { ...ok, metadata: { 'my name': 'x' } }, 400, 'InvalidArgument', 'metadata.my name'],
  ['metadata value not a string', 'put', { ...ok, metadata: { owner: 5 } }, 400, 'InvalidArgument', 'metadata.owner'],
  ['metadata value non-ASCII', 'put', { ...ok, metadata: { owner: '安娜' } }, 400, 'InvalidArgument', 'headers.x-oss-meta-owner'],
  ['forbidOverwrite not a boolean', 'put', { ...ok, forbidOverwrite: 'yes' }, 400, 'InvalidArgument', 'forbidOverwrite'],
  ['serverSideEncryption unknown', 'put', { ...ok, serverSideEncryption: 'ROT13' }, 400, 'InvalidArgument', 'serverSideEncryption'],
  ['filename in caller key mode', 'put', { ...ok, filename: 'a.png' }, 400, 'InvalidArgument', 'filename'],
  ['action of the other function', 'put', { ...ok, action: 'get' }, 400, 'InvalidArgument', 'action'],
  ['empty batch', 'put', { requests: [] }, 400, 'InvalidArgument', 'requests'],
  ['batch not an array', 'put', { requests: { key: 'a' } }, 400, 'InvalidArgument', 'requests'],
  ['batch with a stray field', 'put', { requests: [ok], expires: 5 }, 400, 'InvalidArgument', 'expires'],
  ['get: method PUT', 'get', { key: 'public/a.png', method: 'PUT' }, 400, 'InvalidArgument', 'method'],
  ['get: trafficLimit too low', 'get', { key: 'public/a.png', trafficLimit: 100 }, 400, 'InvalidArgument', 'trafficLimit'],
  ['get: response not an object', 'get', { key: 'public/a.png', response: 'inline' }, 400, 'InvalidArgument', 'response'],
  ['get: unknown response field', 'get', { key: 'public/a.png', response: { contentTypo: 'x' } }, 400, 'InvalidArgument', 'response.contentTypo'],
  ['get: non-ASCII contentDisposition', 'get', { key: 'public/a.png', response: { contentDisposition: 'attachment; filename="报告.pdf"' } }, 400, 'InvalidArgument', 'response.contentDisposition'],
  ['get: filename and contentDisposition together', 'get', { key: 'public/a.png', response: { filename: 'a', contentDisposition: 'inline' } }, 400, 'InvalidArgument', 'response.filename'],
  ['get: versionId with a newline', 'get', { key: 'public/a.png', versionId: 'v\n1' }, 400, 'InvalidArgument', 'versionId'],
  ['get: key outside prefixes', 'get', { key: 'secret/a.png' }, 403, 'KeyNotAllowed', 'key'],
];

describe('bad input, direct invocation', () => {
  it('runs with Object.prototype and Array.prototype frozen (a pollution attempt would throw here)', () => expect(PROTOTYPES_FROZEN).toBe(true));

  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', async (_name, fn, body, status, code, field) => {
    const answer = (await (fn === 'put' ? put : get)(asEvent(body), fcContext())) as { error?: { code: string; field?: string; message: string }; url?: unknown };
    expect(answer.url).toBeUndefined();
    expect(answer.error?.code).toBe(code);
    if (field !== undefined) expect(answer.error?.field).toBe(field);
    expect(answer.error?.message.length).toBeGreaterThan(10);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(answer)).not.toContain(SECRET);
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });
});

describe('bad input, HTTP trigger: the same cases answer their status', () => {
  const objectCases = cases.filter(([, , body]) => body !== null && typeof body === 'object' && !Array.isArray(body));

  it.each(objectCases)('%s', async (_name, fn, body, status, code, field) => {
    const answer = await callHttp(fn === 'put' ? put : get, httpEvent({ method: 'POST', body }));
    expect(answer.statusCode).toBe(status);
    expect(answer.json).toMatchObject({ error: { code, ...(field === undefined ? {} : { field }) }, requestId: 'req-test-1' });
    expect(answer.body).not.toContain(SECRET);
  });
});

describe('HTTP-level errors', () => {
  it('413 for a body over 64 KB', async () => {
    const answer = await callHttp(put, httpEvent({ body: { ...ok, padding: 'x'.repeat(70000) } }));
    expect(answer.statusCode).toBe(413);
    expect(answer.json).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it('415 for a body that is not declared as JSON', async () => {
    const answer = await callHttp(put, httpEvent({ body: JSON.stringify(ok), headers: { 'content-type': 'text/plain' } }));
    expect(answer.statusCode).toBe(415);
  });

  it('400 InvalidJson for malformed JSON', async () => {
    const answer = await callHttp(put, httpEvent({ body: '{"key":', headers: { 'content-type': 'application/json' } }));
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'InvalidJson', field: 'body' } });
  });

  it('a base64 body is decoded before parsing, and garbage in it is still a 400', async () => {
    expect((await callHttp(put, httpEvent({ body: ok, base64: true }))).statusCode).toBe(200);
    const garbage = httpEvent({ body: ok });
    garbage.body = Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('base64');
    garbage.isBase64Encoded = true;
    expect((await callHttp(put, garbage)).json).toMatchObject({ error: { code: 'InvalidJson' } });
  });

  it('404 for an unknown path, 405 for a method the function does not take', async () => {
    expect((await callHttp(put, httpEvent({ path: '/admin', body: ok }))).statusCode).toBe(404);
    const notAllowed = await callHttp(put, httpEvent({ method: 'GET', query: { key: 'uploads/a.png' } }));
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers.allow).toBe('POST, OPTIONS');
    expect((await callHttp(get, httpEvent({ method: 'DELETE' }))).statusCode).toBe(405);
  });

  it('the function name is an accepted path too (custom-domain routes)', async () => {
    expect((await callHttp(put, httpEvent({ path: '/presign-put', body: ok }))).statusCode).toBe(200);
  });

  it('GET query fields are typed: a non-numeric expires is a 400 naming it', async () => {
    const answer = await callHttp(get, httpEvent({ method: 'GET', query: { key: 'public/a.png', expires: '10m' } }));
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ error: { field: 'expires' } });
  });
});

describe('bearer tokens (AUTH_TOKEN_SHA256)', () => {
  const token = 'caller-token-123';
  const { put: guarded } = harness({ ...env, AUTH_TOKEN_SHA256: createHash('sha256').update(token).digest('hex') });

  it('401 without a token, with a wrong one, and with a malformed header', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: token }, { authorization: `Basic ${token}` }] as Record<string, string>[]) {
      const answer = await callHttp(guarded, httpEvent({ body: ok, headers: { 'content-type': 'application/json', ...headers } }));
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.json).toMatchObject({ error: { code: 'Unauthorized' } });
    }
  });

  it('200 with the right token', async () => {
    const answer = await callHttp(guarded, httpEvent({ body: ok, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }));
    expect(answer.statusCode).toBe(200);
  });

  it('direct invocations are authenticated by Function Compute, not by the token', async () => {
    expect(await guarded(asEvent(ok), fcContext())).toMatchObject({ method: 'PUT' });
  });
});

describe('CORS', () => {
  const { put: browserPut } = harness({ CORS_ALLOW_ORIGINS: 'https://app.example.com' });
  const preflight = (origin: string) => httpEvent({ method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });

  it('answers the preflight of an allowed origin', async () => {
    const answer = await callHttp(browserPut, preflight('https://app.example.com'));
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      vary: 'Origin',
    });
  });

  it('refuses the preflight of another origin', async () => {
    const answer = await callHttp(browserPut, preflight('https://evil.example.com'));
    expect(answer.statusCode).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('puts CORS headers on successes and errors for allowed origins only', async () => {
    const headers = { 'content-type': 'application/json', origin: 'https://app.example.com' };
    expect((await callHttp(browserPut, httpEvent({ body: { key: 'a.png' }, headers }))).headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect((await callHttp(browserPut, httpEvent({ body: { key: '' }, headers }))).headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await callHttp(browserPut, httpEvent({ body: { key: 'a.png' }, headers: { ...headers, origin: 'https://evil.example.com' } }));
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('credentials failures', () => {
  it('a function without a role answers 500 CredentialsUnavailable naming the fix, with no secret or stack', async () => {
    const { put: noRole, logs } = harness({ FC_FUNCTION_NAME: 'presign-put' });
    const answer = await callHttp(noRole, httpEvent({ body: { key: 'a.png' } }), fcContext({ credentials: {} }));
    expect(answer.statusCode).toBe(500);
    expect(answer.json).toMatchObject({ error: { code: 'CredentialsUnavailable' } });
    expect((answer.json.error as { message: string }).message).toMatch(/role.*s\.yaml/);
    expect(answer.body).not.toMatch(/\bat .+:\d+:\d+/);
    expect(logs.at(-1)).toMatchObject({ status: 500, code: 'CredentialsUnavailable', level: 'error' });
  });
});

describe('configuration is checked at cold start', () => {
  it.each([
    [{ OSS_BUCKET: '' }, 'OSS_BUCKET'],
    [{ OSS_BUCKET: 'Bad Bucket' }, 'OSS_BUCKET'],
    [{ PUT_KEY_MODE: 'random' }, 'PUT_KEY_MODE'],
    [{ MAX_CONTENT_LENGTH: 'ten' }, 'MAX_CONTENT_LENGTH'],
    [{ ALLOWED_CONTENT_TYPES: 'images' }, 'ALLOWED_CONTENT_TYPES'],
    [{ AUTH_TOKEN_SHA256: 'not-a-digest' }, 'AUTH_TOKEN_SHA256'],
    [{ OSS_ENDPOINT: 'ftp://x' }, 'OSS_ENDPOINT'],
    [{ PRESIGN_MAX_EXPIRES: '604801' }, 'PRESIGN_MAX_EXPIRES'],
    [{ FORCE_FORBID_OVERWRITE: 'maybe' }, 'FORCE_FORBID_OVERWRITE'],
    [{ ALLOWED_KEY_PREFIXES: '/abs' }, 'ALLOWED_KEY_PREFIXES'],
  ])('%j fails with a message naming %s', (vars, variable) => {
    expect(() => harness(vars as Record<string, string>)).toThrow(new RegExp(`^${variable}: `));
  });
});
