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
