import { callHttp, harness, httpEvent } from '../support/fc';
import '../support/frozen-prototypes';

/**
 * What the presign functions answer for requests only the end-to-end suites sent before: the headers a PUT URL and
 * a multipart complete URL sign (the uploader must send exactly these), and the refusals of a GET without a key, a
 * disposition without a file name, a callback URL with a fragment and a callback too large for OSS. Through the
 * real handlers, in milliseconds. Written against the mutation report (docs/mutation.md).
 */
const ask = async (handler: 'put' | 'get', body: unknown, env: Record<string, string> = {}) => callHttp(harness(env)[handler], httpEvent({ body }));
const CALLBACKS = { CALLBACK_URL_ALLOWLIST: 'https://cb.example.com' };

describe('signed headers', () => {
  it('a PUT URL signs content-md5 and x-oss-server-side-encryption under their OSS names', async () => {
    const answer = await ask('put', { key: 'a.txt', contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==', serverSideEncryption: 'AES256' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json.signedHeaders).toEqual({ 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==', 'x-oss-server-side-encryption': 'AES256' });
  });

  it('a multipart complete URL that forbids overwriting signs x-oss-forbid-overwrite: true', async () => {
    const answer = await ask('put', { multipart: { key: 'a.txt', uploadId: 'U1', parts: 1, forbidOverwrite: true } });
    expect(answer.statusCode).toBe(200);
    const complete = answer.json.complete as { signedHeaders: Record<string, string> };
    expect(complete.signedHeaders).toEqual({ 'content-type': 'application/xml', 'x-oss-forbid-overwrite': 'true' });
  });
});

describe('refusals', () => {
  it('a GET without a key', async () => {
    const answer = await ask('get', {});
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'key', message: 'key is required' }]);
  });

  it('response.disposition without response.filename', async () => {
    const answer = await ask('get', { key: 'a.txt', response: { disposition: 'inline' } });
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'response.disposition', message: 'response.disposition goes with response.filename' }]);
    const named = await ask('get', { key: 'a.txt', response: { disposition: 'inline', filename: 'a.txt' } });
    expect(named.statusCode).toBe(200);
  });

  it('any callback where CALLBACK_URL_ALLOWLIST is empty, by the rule before the URL is read', async () => {
    const answer = await ask('put', { key: 'a.txt', callback: { url: 'https://cb.example.com/x', body: 'a=b' } });
    expect([answer.statusCode, answer.json.error]).toMatchObject([403, { code: 'CallbackHostNotAllowed', field: 'callback' }]);
  });

  it('a callback URL with a #fragment', async () => {
    const answer = await ask('put', { key: 'a.txt', callback: { url: 'https://cb.example.com/x#frag', body: 'a=b' } }, CALLBACKS);
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'callback.url', message: 'callback.url must not have a #fragment' }]);
  });

  it('a callback whose header would be over the 5 KB OSS accepts once base64-encoded', async () => {
    const answer = await ask('put', { key: 'a.txt', callback: { url: 'https://cb.example.com/x', body: 'a'.repeat(4096) } }, CALLBACKS);
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field: 'callback', message: 'callback is over the 5120 bytes OSS accepts once encoded' }]);
    const fits = await ask('put', { key: 'a.txt', callback: { url: 'https://cb.example.com/x', body: 'a'.repeat(3000) } }, CALLBACKS);
    expect(fits.statusCode).toBe(200);
  });
});

describe('PostObject forms', () => {
  const fieldsOf = (answer: { json: Record<string, unknown> }) => answer.json.fields as Record<string, string>;

  it('with no type named, the form stores opaque bytes; no success status is bound unless asked for', async () => {
    const plain = await ask('put', { form: { key: 'a.txt' } });
    expect(plain.statusCode).toBe(200);
    expect(fieldsOf(plain)).toMatchObject({ 'content-type': 'application/octet-stream', 'x-oss-content-type': 'application/octet-stream' });
    expect(Object.keys(fieldsOf(plain))).not.toContain('success_action_status');
    const asked = await ask('put', { form: { key: 'a.txt', successActionStatus: 201 } });
    expect(fieldsOf(asked).success_action_status).toBe('201');
  });

  it('a size range of one exact size is a range', async () => {
    const answer = await ask('put', { form: { key: 'a.txt', minSize: 10, maxSize: 10 } });
    expect(answer.statusCode).toBe(200);
    expect((answer.json.policyDocument as { conditions: unknown[] }).conditions).toContainEqual(['content-length-range', 10, 10]);
  });

  it.each([
    ['a key and a key prefix', { key: 'a.txt', keyPrefix: 'uploads/' }, {}, 'form.keyPrefix', 'give either form.key or form.keyPrefix, not both'],
    ['a key prefix where keys are generated', { keyPrefix: 'uploads/' }, { PUT_KEY_MODE: 'generated' }, 'form.keyPrefix', 'keys are chosen by the service here (PUT_KEY_MODE=generated); send form.filename (and form.prefix) instead'],
    ['no key', {}, {}, 'form.key', 'form.key is required'],
    ['${filename} in an exact key', { key: 'uploads/${filename}' }, {}, 'form.key', 'form.key must not contain ${filename}; use form.keyPrefix to let the browser name the object'],
    ['minSize over maxSize', { key: 'a.txt', minSize: 2000, maxSize: 1000 }, {}, 'form.minSize', 'form.minSize 2000 is over the largest size allowed (1000)'],
  ])('%s: 400 naming the field and the rule', async (_, form, env, field, message) => {
    const answer = await ask('put', { form }, env);
    expect([answer.statusCode, answer.json.error]).toEqual([400, { code: 'InvalidArgument', field, message }]);
  });

  it('refusals by the rule name the form\'s own fields', async () => {
    const overwrite = await ask('put', { form: { key: 'a.txt', forbidOverwrite: false } }, { FORCE_FORBID_OVERWRITE: 'true' });
    expect([overwrite.statusCode, overwrite.json.error]).toMatchObject([403, { code: 'OverwriteNotAllowed', field: 'form.forbidOverwrite' }]);
    const bucket = await ask('put', { form: { key: 'a.txt', bucket: 'other-bucket' } });
    expect([bucket.statusCode, bucket.json.error]).toMatchObject([403, { code: 'BucketNotAllowed', field: 'form.bucket' }]);
  });
});

describe('GET and HEAD URLs', () => {
  const onlyFor = (action: string) => ({ PRESIGN_RULES: JSON.stringify({ rules: [{ name: action, keys: ['*'], actions: [action] }] }) });

  it('response.contentDisposition alone is signed as given', async () => {
    const answer = await ask('get', { key: 'a.txt', response: { contentDisposition: 'attachment; filename="b.txt"' } });
    expect(answer.statusCode).toBe(200);
    expect(new URL(answer.json.url as string).searchParams.get('response-content-disposition')).toBe('attachment; filename="b.txt"');
  });

  it('a HEAD URL needs a rule allowing head, a GET URL one allowing get', async () => {
    expect((await ask('get', { key: 'a.txt', method: 'HEAD' }, onlyFor('head'))).statusCode).toBe(200);
    expect((await ask('get', { key: 'a.txt' }, onlyFor('get'))).statusCode).toBe(200);
    expect((await ask('get', { key: 'a.txt' }, onlyFor('head'))).json.error).toMatchObject({ code: 'ActionNotAllowed', field: 'key' });
    expect((await ask('get', { key: 'a.txt', method: 'HEAD' }, onlyFor('get'))).json.error).toMatchObject({ code: 'ActionNotAllowed', field: 'key' });
  });
});

describe('PUT URLs', () => {
  it('tags are signed as one x-oss-tagging header, joined by &, and only when there are some', async () => {
    const tagged = await ask('put', { key: 'a.txt', tagging: { a: '1', 'b c': '2' } });
    expect(tagged.json.signedHeaders).toEqual({ 'x-oss-tagging': 'a=1&b%20c=2' });
    const untagged = await ask('put', { key: 'a.txt', tagging: {} });
    expect(untagged.statusCode).toBe(200);
    expect(untagged.json.signedHeaders).toEqual({});
  });

  it('asking to overwrite where the service never does is refused, naming forbidOverwrite', async () => {
    const answer = await ask('put', { key: 'a.txt', forbidOverwrite: false }, { FORCE_FORBID_OVERWRITE: 'true' });
    expect([answer.statusCode, answer.json.error]).toMatchObject([403, { code: 'OverwriteNotAllowed', field: 'forbidOverwrite' }]);
  });
});
