import { createHandler } from '../../shared/core/handler';
import { putOperation } from '../../shared/operations/put';
import { compileCallbackTarget } from '../../shared/config/callback-allowlist';
import { checkCallbackUrl } from '../../shared/service/callback';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * Bad multipart, form and callback requests, table-driven through the real handler: each answers 4xx with a code
 * and the field at fault, and no answer carries a URL, a signature or the secret.
 */
const SECRET = 'bad-requests-secret-never-shown';
const BASE = {
  OSS_BUCKET: 'my-bucket',
  OSS_REGION: 'cn-hangzhou',
  ALLOWED_KEY_PREFIXES: 'uploads/,forms/',
  ALLOWED_CONTENT_TYPES: 'image/*,application/pdf',
  CALLBACK_URL_ALLOWLIST: 'http://127.0.0.1:*,*.hooks.example.com:*',
  ALLOW_FORM_KEY_PREFIX: 'true',
};
const context = { requestId: 'bad-1', region: 'cn-hangzhou', credentials: { accessKeyId: 'STS.bad', accessKeySecret: SECRET, securityToken: 'tok' } };

async function ask(body: unknown, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const handler = createHandler(putOperation, { env: { ...BASE, ...env }, log: () => undefined });
  return (await handler(Buffer.from(JSON.stringify(body)), context)) as Record<string, unknown>;
}

const cb = (over: Record<string, unknown> = {}) => ({ url: 'http://127.0.0.1:8080/done', body: 'object=${object}', ...over });
const put = (over: Record<string, unknown> = {}) => ({ key: 'uploads/a.png', contentType: 'image/png', ...over });
const init = (over: Record<string, unknown> = {}) => ({ multipart: { key: 'uploads/big.png', contentType: 'image/png', ...over } });
const parts = (over: Record<string, unknown> = {}) => ({ multipart: { key: 'uploads/big.png', uploadId: 'ABC123', parts: 2, ...over } });
const form = (over: Record<string, unknown> = {}) => ({ form: { keyPrefix: 'forms/', contentType: 'image/png', ...over } });
const LIMITED = { MAX_CONTENT_LENGTH: '10485760' };

type Case = [name: string, body: unknown, status: number, code: string, field: string, env?: Record<string, string>];

const cases: Case[] = [
  // multipart, step 1
  ['initiate: part size under 100 KB', init({ partSize: 102399 }), 400, 'InvalidArgument', 'multipart.partSize'],
  ['initiate: part size over 5 GB', init({ partSize: 5 * 1024 ** 3 + 1 }), 400, 'InvalidArgument', 'multipart.partSize'],
  ['initiate: size and part size make over 10,000 parts', init({ size: 102400 * 10000 + 1, partSize: 102400 }), 400, 'InvalidArgument', 'multipart.partSize'],
  ['initiate: size 0', init({ size: 0 }), 400, 'InvalidArgument', 'multipart.size'],
  ['initiate: size not a number', init({ size: '1000' }), 400, 'InvalidArgument', 'multipart.size'],
  ['initiate: key missing', { multipart: { contentType: 'image/png' } }, 400, 'InvalidArgument', 'multipart.key'],
  ['initiate: key outside the prefixes', init({ key: 'private/x.png' }), 403, 'KeyNotAllowed', 'multipart.key'],
  ['initiate: key with a .. segment', init({ key: 'uploads/../x.png' }), 400, 'InvalidArgument', 'multipart.key'],
  ['initiate: content type not allowed', init({ contentType: 'text/html' }), 403, 'ContentTypeNotAllowed', 'multipart.contentType'],
  ['initiate: content type missing while limited', init({ contentType: undefined }), 400, 'InvalidArgument', 'multipart.contentType'],
  ['initiate: bucket not allowed', init({ bucket: 'other-bucket' }), 403, 'BucketNotAllowed', 'multipart.bucket'],
  ['initiate: contentLength (single PUT only)', init({ contentLength: 10 }), 400, 'InvalidArgument', 'multipart.contentLength'],
  ['initiate: parts belongs to step 2', init({ parts: 3 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['initiate: callback belongs to step 2', init({ callback: cb() }), 400, 'InvalidArgument', 'multipart.callback'],
  ['initiate: unknown field', init({ colour: 'red' }), 400, 'InvalidArgument', 'multipart.colour'],
  ['initiate: expires 0', init({ expires: 0 }), 400, 'InvalidArgument', 'multipart.expires'],
  ['initiate: size required when MAX_CONTENT_LENGTH is set', init(), 400, 'InvalidArgument', 'multipart.size', LIMITED],
  ['initiate: size over MAX_CONTENT_LENGTH', init({ size: 10485761 }), 403, 'ContentLengthNotAllowed', 'multipart.size', LIMITED],
  ['initiate: part size is the service\'s when MAX_CONTENT_LENGTH is set', init({ size: 1000, partSize: 102400 }), 400, 'InvalidArgument', 'multipart.partSize', LIMITED],
  ['initiate: multipart is not an object', { multipart: 'big.png' }, 400, 'InvalidArgument', 'multipart'],
  ['initiate: multipart is null', { multipart: null }, 400, 'InvalidArgument', 'multipart'],
  ['a top-level key beside multipart', { key: 'uploads/a.png', multipart: { key: 'uploads/a.png' } }, 400, 'InvalidArgument', 'key'],
  ['multipart and form together', { multipart: {}, form: {} }, 400, 'InvalidArgument', 'form'],
  // multipart, step 2
  ['parts: count 0', parts({ parts: 0 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: count 10,001', parts({ parts: 10001 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: count not an integer', parts({ parts: 1.5 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: past part 10,000', parts({ parts: 10, firstPart: 9995 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: neither parts nor size', parts({ parts: undefined }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: beyond the plan', parts({ size: 300 * 1024, partSize: 102400, parts: 4 }), 400, 'InvalidArgument', 'multipart.parts'],
  ['parts: firstPart beyond the plan', parts({ size: 300 * 1024, partSize: 102400, parts: undefined, firstPart: 4 }), 400, 'InvalidArgument', 'multipart.firstPart'],
  ['parts: partSize without size', parts({ partSize: 204800 }), 400, 'InvalidArgument', 'multipart.partSize'],
  ['parts: part size too small for the plan', parts({ size: 300 * 1024, partSize: 1024 }), 400, 'InvalidArgument', 'multipart.partSize'],
  ['parts: empty uploadId', parts({ uploadId: '' }), 400, 'InvalidArgument', 'multipart.uploadId'],
  ['parts: uploadId smuggling a query', parts({ uploadId: 'A&partNumber=9' }), 400, 'InvalidArgument', 'multipart.uploadId'],
  ['parts: uploadId not a string', parts({ uploadId: 42 }), 400, 'InvalidArgument', 'multipart.uploadId'],
  ['parts: key missing', { multipart: { uploadId: 'ABC', parts: 1 } }, 400, 'InvalidArgument', 'multipart.key'],
  ['parts: key outside the prefixes', parts({ key: 'private/big.png' }), 403, 'KeyNotAllowed', 'multipart.key'],
  ['parts: contentType belongs to step 1', parts({ contentType: 'image/png' }), 400, 'InvalidArgument', 'multipart.contentType'],
  ['parts: completeAll not a boolean', parts({ completeAll: 'yes' }), 400, 'InvalidArgument', 'multipart.completeAll'],
  ['parts: size required when MAX_CONTENT_LENGTH is set', parts(), 400, 'InvalidArgument', 'multipart.size', LIMITED],
  ['parts: callback host not allowed', parts({ callback: cb({ url: 'https://evil.example.net/x' }) }), 403, 'CallbackHostNotAllowed', 'multipart.callback.url'],
  ['parts: overwrite asked while forbidden', parts({ forbidOverwrite: false }), 403, 'OverwriteNotAllowed', 'multipart.forbidOverwrite', { FORCE_FORBID_OVERWRITE: 'true' }],
  // form
  ['form: minSize over maxSize', form({ minSize: 2000, maxSize: 1000 }), 400, 'InvalidArgument', 'form.minSize'],
  ['form: minSize over MAX_CONTENT_LENGTH', form({ minSize: 10485761 }), 400, 'InvalidArgument', 'form.minSize', LIMITED],
  ['form: maxSize over MAX_CONTENT_LENGTH', form({ maxSize: 10485761 }), 403, 'ContentLengthNotAllowed', 'form.maxSize', LIMITED],
  ['form: maxSize over 5 GB', form({ maxSize: 5 * 1024 ** 3 + 1 }), 400, 'InvalidArgument', 'form.maxSize'],
  ['form: negative minSize', form({ minSize: -1 }), 400, 'InvalidArgument', 'form.minSize'],
  ['form: key and keyPrefix', form({ key: 'forms/a.png' }), 400, 'InvalidArgument', 'form.keyPrefix'],
  ['form: neither key nor keyPrefix', form({ keyPrefix: undefined }), 400, 'InvalidArgument', 'form.key'],
  ['form: keyPrefix outside the prefixes', form({ keyPrefix: 'private/' }), 403, 'KeyNotAllowed', 'form.keyPrefix'],
  ['form: keyPrefix only resembling a prefix', form({ keyPrefix: 'form' }), 403, 'KeyNotAllowed', 'form.keyPrefix'],
  ['form: keyPrefix starting with /', form({ keyPrefix: '/forms/' }), 400, 'InvalidArgument', 'form.keyPrefix'],
  ['form: exact key outside the prefixes', form({ keyPrefix: undefined, key: 'x.png' }), 403, 'KeyNotAllowed', 'form.key'],
  ['form: exact key with ${filename}', form({ keyPrefix: undefined, key: 'forms/${filename}' }), 400, 'InvalidArgument', 'form.key'],
  ['form: content type not allowed', form({ contentType: 'text/html' }), 403, 'ContentTypeNotAllowed', 'form.contentType'],
  ['form: successActionStatus 302', form({ successActionStatus: 302 }), 400, 'InvalidArgument', 'form.successActionStatus'],
  ['form: successActionStatus as a string', form({ successActionStatus: '201' }), 400, 'InvalidArgument', 'form.successActionStatus'],
  ['form: unknown field', form({ cacheControl: 'public' }), 400, 'InvalidArgument', 'form.cacheControl'],
  ['form: an ACL the deployment does not allow', form({ acl: 'public-read' }), 403, 'AclNotAllowed', 'form.acl'],
  ['form: a storage class the deployment does not allow', form({ storageClass: 'Archive' }), 403, 'StorageClassNotAllowed', 'form.storageClass'],
  ['form: keyPrefix where the deployment does not allow it', form(), 403, 'KeyPrefixNotAllowed', 'form.keyPrefix', { ALLOW_FORM_KEY_PREFIX: 'false' }],
  ['form: callback host not allowed', form({ callback: cb({ url: 'http://10.0.0.8/x' }) }), 403, 'CallbackHostNotAllowed', 'form.callback.url'],
  ['form: expires over 7 days', form({ expires: 604801 }), 400, 'InvalidArgument', 'form.expires'],
  // callback on a PUT
  ['callback: host not allowed', put({ callback: cb({ url: 'https://example.com/hook' }) }), 403, 'CallbackHostNotAllowed', 'callback.url'],
  ['callback: the allowed host as user info', put({ callback: cb({ url: 'http://127.0.0.1@evil.test/' }) }), 400, 'InvalidArgument', 'callback.url'],
  ['callback: backslash trick', put({ callback: cb({ url: 'http://evil.test\\@127.0.0.1/' }) }), 403, 'CallbackHostNotAllowed', 'callback.url'],
  ['callback: a second URL after ;', put({ callback: cb({ url: 'http://127.0.0.1/a;http://evil.test/' }) }), 400, 'InvalidArgument', 'callback.url'],
  ['callback: wildcard does not match the apex', put({ callback: cb({ url: 'https://hooks.example.com/' }) }), 403, 'CallbackHostNotAllowed', 'callback.url'],
  ['callback: wildcard does not match a look-alike', put({ callback: cb({ url: 'https://evilhooks.example.com/' }) }), 403, 'CallbackHostNotAllowed', 'callback.url'],
  ['callback: no allowlist configured', put({ callback: cb() }), 403, 'CallbackHostNotAllowed', 'callback', { CALLBACK_URL_ALLOWLIST: '' }],
  ['callback: not http(s)', put({ callback: cb({ url: 'ftp://127.0.0.1/x' }) }), 400, 'InvalidArgument', 'callback.url'],
  ['callback: not a URL', put({ callback: cb({ url: '127.0.0.1/x' }) }), 400, 'InvalidArgument', 'callback.url'],
  ['callback: url missing', put({ callback: { body: 'a=b' } }), 400, 'InvalidArgument', 'callback.url'],
  ['callback: body missing', put({ callback: { url: 'http://127.0.0.1/' } }), 400, 'InvalidArgument', 'callback.body'],
  ['callback: body type unknown', put({ callback: cb({ bodyType: 'text/xml' }) }), 400, 'InvalidArgument', 'callback.bodyType'],
  ['callback: var without x:', put({ callback: cb({ vars: { user: 'a' } }) }), 400, 'InvalidArgument', 'callback.vars.user'],
  ['callback: var in upper case', put({ callback: cb({ vars: { 'x:User': 'a' } }) }), 400, 'InvalidArgument', 'callback.vars.x:User'],
  ['callback: var value not a string', put({ callback: cb({ vars: { 'x:n': 1 } }) }), 400, 'InvalidArgument', 'callback.vars.x:n'],
  ['callback: host header with a space', put({ callback: cb({ host: 'a b' }) }), 400, 'InvalidArgument', 'callback.host'],
  ['callback: unknown field', put({ callback: cb({ sni: true }) }), 400, 'InvalidArgument', 'callback.sni'],
  ['callback: not an object', put({ callback: 'http://127.0.0.1/' }), 400, 'InvalidArgument', 'callback'],
];

describe('bad multipart, form and callback requests', () => {
  // Every row gets its env: a row shorter than the test's parameters would make jest wait for a done callback.
  const rows = cases.map(([name, body, status, code, field, env]) => [`${name} → ${status} ${code} (${field})`, body, status, code, field, env ?? {}] as const);
  it.each(rows)('%s', async (_title, body, status, code, field, env) => {
    const answer = await ask(body, env);
    expect(answer.error).toMatchObject({ code, field });
    const text = JSON.stringify(answer);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/x-oss-signature|"url"|"fields"|"parts"/);
    // The same request over an HTTP trigger answers with that status.
    const http = (await createHandler(putOperation, { env: { ...BASE, ...env }, log: () => undefined })(
      Buffer.from(JSON.stringify({ version: 'v1', rawPath: '/', body: JSON.stringify(body), isBase64Encoded: false, headers: { 'content-type': 'application/json' }, queryParameters: {}, requestContext: { http: { method: 'POST', path: '/' } } })),
      context,
    )) as { statusCode: number };
    expect(http.statusCode).toBe(status);
  });

  it('the same requests, corrected, succeed (so each case fails for the reason named)', async () => {
    const good = [init(), parts(), form(), put({ callback: cb() }), put({ callback: cb({ url: 'https://a.hooks.example.com:8443/x' }) })];
    for (const body of good) expect((await ask(body)).error).toBeUndefined();
    expect((await ask(init({ size: 10485760 }), LIMITED)).error).toBeUndefined();
    expect((await ask(form({ minSize: 1, maxSize: 10485760 }), LIMITED)).error).toBeUndefined();
  });
});

describe('callback allowlist matching', () => {
  const allow = (list: string[]) => ({ callbackHostAllowlist: list.map(compileCallbackTarget) });
  const refused = /not in CALLBACK_URL_ALLOWLIST/;

  it('matches scheme, host and port; returns the URL as a parser reads it', () => {
    expect(checkCallbackUrl('http://127.0.0.1:9000/a?b=c', allow(['http://127.0.0.1:9000']), 'u')).toBe('http://127.0.0.1:9000/a?b=c');
    expect(checkCallbackUrl('https://HOOKS.Example.com/x', allow(['hooks.example.com']), 'u')).toBe('https://hooks.example.com/x');
    expect(checkCallbackUrl('https://hooks.example.com:443/x', allow(['hooks.example.com']), 'u')).toBe('https://hooks.example.com/x');
    expect(checkCallbackUrl('https://hooks.example.com:8443/', allow(['hooks.example.com:8443']), 'u')).toBe('https://hooks.example.com:8443/');
    expect(checkCallbackUrl('http://10.0.0.5:8123/', allow(['http://10.0.0.5:*']), 'u')).toBe('http://10.0.0.5:8123/');
    expect(checkCallbackUrl('https://a.b.example.com/', allow(['*.example.com']), 'u')).toBe('https://a.b.example.com/');
  });

  it.each([
    ['another port than the entry\'s', 'https://hooks.example.com:9443/', 'hooks.example.com:8443'],
    ['a port where the entry names none', 'https://hooks.example.com:8443/', 'hooks.example.com'],
    ['plain http where the entry names none (https is the default)', 'http://hooks.example.com/', 'hooks.example.com'],
    ['https where the entry says http', 'https://10.0.0.5/', 'http://10.0.0.5'],
    ['the apex of a wildcard', 'https://example.com/', '*.example.com'],
    ['a look-alike of a wildcard', 'https://evilexample.com/', '*.example.com'],
    ['a host that extends an allowed one', 'https://hooks.example.com.evil.net/', 'hooks.example.com'],
  ])('refuses %s', (_name, url, entry) => {
    expect(() => checkCallbackUrl(url, allow([entry]), 'u')).toThrow(refused);
  });

  it('refuses malformed entries at cold start, naming the variable', () => {
    for (const entry of ['ftp://x.example.com', 'hooks.example.com/path', '*', 'a b', 'https://']) {
      expect(() => compileCallbackTarget(entry)).toThrow(/^CALLBACK_URL_ALLOWLIST: /);
    }
  });
});

describe('PUT_KEY_MODE=generated', () => {
  const GENERATED = { PUT_KEY_MODE: 'generated' };
  const KEY = /^uploads\/\d{4}\/\d{2}\/[0-9a-f-]{36}-My-Movie\.mp4$/;

  it('multipart step 1 generates the key from filename; step 2 takes that key back', async () => {
    const first = await ask({ multipart: { filename: 'My Movie.mp4', contentType: 'image/png' } }, GENERATED);
    expect(first.key).toMatch(KEY);
    const second = await ask({ multipart: { key: first.key, uploadId: 'ABC', parts: 1 } }, GENERATED);
    expect(second.key).toBe(first.key);
    expect((await ask({ multipart: { key: 'uploads/mine.png', contentType: 'image/png' } }, GENERATED)).error).toMatchObject({ code: 'InvalidArgument', field: 'multipart.key' });
  });

  it('a form gets an exact generated key; keyPrefix, which would let the browser name the object, is refused', async () => {
    const answer = await ask({ form: { filename: 'My Movie.mp4', contentType: 'image/png' } }, GENERATED);
    expect(answer.key).toMatch(KEY);
    expect((answer.fields as Record<string, string>).key).toBe(answer.key);
    expect((await ask(form(), GENERATED)).error).toMatchObject({ code: 'InvalidArgument', field: 'form.keyPrefix' });
  });
});
