import { createHash } from 'node:crypto';
import { AK, BUCKET, STS, presignClient, send, startHarness, xmlField, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.oss.close();
});

const md5Etag = (b: Buffer | string): string => `"${createHash('md5').update(b).digest('hex').toUpperCase()}"`;

async function putSigned(key: string, body: string, headers: Record<string, string> = { 'Content-Type': 'text/plain' }): Promise<void> {
  const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, key);
  const res = await send(h.oss, url, { method: 'PUT', headers, body });
  expect(res.status).toBe(200);
}

describe('URLs presigned by ali-oss signatureUrlV4 are accepted', () => {
  it('PUT with content type and user metadata, then GET and HEAD return them', async () => {
    const headers = { 'Content-Type': 'text/plain;charset=utf-8', 'x-oss-meta-owner': 'alice', 'x-oss-storage-class': 'IA' };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'docs/hello.txt');
    expect(new URL(url).host).toBe(`${BUCKET}.oss-cn-hangzhou.aliyuncs.com`);
    const put = await send(h.oss, url, { method: 'PUT', headers, body: 'hello world' });
    expect(put.status).toBe(200);
    expect(put.headers['etag']).toBe(md5Etag('hello world'));
    expect(put.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);

    const getUrl = await presignClient().signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    const get = await send(h.oss, getUrl);
    expect(get.status).toBe(200);
    expect(get.text).toBe('hello world');
    expect(get.headers['content-type']).toBe('text/plain;charset=utf-8');
    expect(get.headers['x-oss-meta-owner']).toBe('alice');
    expect(get.headers['x-oss-storage-class']).toBe('IA');
    expect(get.headers['etag']).toBe(md5Etag('hello world'));

    // @types/ali-oss omits HEAD from HTTPMethods; the signer itself takes any method.
    const headUrl = await presignClient().signatureUrlV4('HEAD' as 'GET', 300, {}, 'docs/hello.txt');
    const head = await send(h.oss, headUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('11');
    expect(head.body.length).toBe(0);
  });

  it('path-style over fetch: same signature, bucket moved into the path', async () => {
    await putSigned('path/style.txt', 'via path style');
    const url = new URL(await presignClient().signatureUrlV4('GET', 300, {}, 'path/style.txt'));
    const res = await fetch(`${h.oss.origin}/${BUCKET}${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('via path style');
  });

  it('response-* overrides are applied to GET', async () => {
    await putSigned('override.bin', 'x');
    const queries = {
      'response-content-type': 'application/x-test',
      'response-content-disposition': 'attachment; filename="a+b c.txt"',
      'response-cache-control': 'no-store',
      'response-content-language': 'de',
      'response-expires': 'Thu, 01 Dec 2094 16:00:00 GMT',
    };
    const url = await presignClient().signatureUrlV4('GET', 300, { queries }, 'override.bin');
    const res = await send(h.oss, url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-test');
    expect(res.headers['content-disposition']).toBe('attachment; filename="a+b c.txt"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-language']).toBe('de');
    expect(res.headers['expires']).toBe('Thu, 01 Dec 2094 16:00:00 GMT');
  });

  it('Range gives 206 with Content-Range, and an unsatisfiable range gives 416 InvalidRange', async () => {
    await putSigned('range.txt', '0123456789');
    const url = await presignClient().signatureUrlV4('GET', 300, {}, 'range.txt');
    const part = await send(h.oss, url, { headers: { Range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('2345');
    expect(part.headers['content-range']).toBe('bytes 2-5/10');
    const tail = await send(h.oss, url, { headers: { Range: 'bytes=-3' } });
    expect(tail.text).toBe('789');
    const bad = await send(h.oss, url, { headers: { Range: 'bytes=10-20' } });
    expect(bad.status).toBe(416);
    expect(bad.code).toBe('InvalidRange');
  });

  it.each(['dir/a b+c.png', 'ünïcode/文件 名.txt', 'emoji 😀/🚀+1.txt', "odd!'()*&=;:@$,.txt"])('key %j round-trips', async (key) => {
    await putSigned(key, `content of ${key}`);
    const url = await presignClient().signatureUrlV4('GET', 300, {}, key);
    const res = await send(h.oss, url);
    expect(res.status).toBe(200);
    expect(res.text).toBe(`content of ${key}`);
  });

  it('STS key with its token (containing / + =) is accepted', async () => {
    const client = presignClient({ accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret, stsToken: STS.securityToken });
    const url = await client.signatureUrlV4('PUT', 300, { headers: { 'Content-Type': 'text/plain' } }, 'sts.txt');
    expect(url).toContain('x-oss-security-token=tok%2Fen%2Bwith%3Dodd%2Fchars');
    const res = await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'sts' });
    expect(res.status).toBe(200);
  });

  it('an additional signed header (host) is checked', async () => {
    const host = `${BUCKET}.oss-cn-hangzhou.aliyuncs.com`;
    const url = await presignClient().signatureUrlV4('GET', 300, { headers: { host } }, 'docs/hello.txt', ['host']);
    expect((await send(h.oss, url)).status).toBe(200);
    const wrongHost = await send(h.oss, url, { headers: { host: `${BUCKET}.localhost:${h.oss.port}` } });
    expect(wrongHost.code).toBe('SignatureDoesNotMatch');
  });

  it('DELETE removes the object; GET then answers NoSuchKey', async () => {
    await putSigned('to-delete.txt', 'bye');
    const del = await send(h.oss, await presignClient().signatureUrlV4('DELETE', 300, {}, 'to-delete.txt'), { method: 'DELETE' });
    expect(del.status).toBe(204);
    const get = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, {}, 'to-delete.txt'));
    expect(get.status).toBe(404);
    expect(get.code).toBe('NoSuchKey');
    expect(get.headers['x-oss-ec']).toBe('0026-00000001');
  });
});

describe('rejections carry the OSS code', () => {
  const expectError = (res: { status: number; code: string | undefined; text: string }, status: number, code: string): void => {
    expect({ status: res.status, code: res.code }).toEqual({ status, code });
    expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xmlField(res.text, 'RequestId')).toMatch(/^[0-9A-F]{24}$/);
    expect(xmlField(res.text, 'HostId')).toBeTruthy();
    expect(res.text).not.toContain(AK.accessKeySecret);
    expect(res.text).not.toContain(STS.accessKeySecret);
  };

  it('tampered signature → 403 SignatureDoesNotMatch with CanonicalRequest and StringToSign', async () => {
    const url = await presignClient().signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    const tampered = url.replace(/x-oss-signature=([0-9a-f])/, (_m, c: string) => `x-oss-signature=${c === '0' ? '1' : '0'}`);
    const res = await send(h.oss, tampered);
    expectError(res, 403, 'SignatureDoesNotMatch');
    expect(res.headers['x-oss-ec']).toBe('0002-00000201');
    expect(xmlField(res.text, 'CanonicalRequest')).toMatch(/^GET\n\/presign-bucket\/docs\/hello.txt\n/);
    expect(xmlField(res.text, 'StringToSign')).toMatch(/^OSS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/cn-hangzhou\/oss\/aliyun_v4_request\n[0-9a-f]{64}$/);
    expect(xmlField(res.text, 'SignatureProvided')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('expired URL → 403 AccessDenied "Request has expired." with Expires and ServerTime', async () => {
    const url = await presignClient().signatureUrlV4('GET', 1, {}, 'docs/hello.txt');
    h.setSkewMs(5000);
    try {
      const res = await send(h.oss, url);
      expectError(res, 403, 'AccessDenied');
      expect(xmlField(res.text, 'Message')).toBe('Request has expired.');
      expect(xmlField(res.text, 'Expires')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(xmlField(res.text, 'ServerTime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      h.setSkewMs(0);
    }
  });

  it('x-oss-date more than 15 minutes ahead of the server → 403 AccessDenied', async () => {
    const url = await presignClient().signatureUrlV4('GET', 3600, {}, 'docs/hello.txt');
    h.setSkewMs(-16 * 60 * 1000);
    try {
      expectError(await send(h.oss, url), 403, 'AccessDenied');
    } finally {
      h.setSkewMs(0);
    }
  });

  it.each([0, 604801])('x-oss-expires=%d → 400 InvalidArgument', async (expires) => {
    const url = await presignClient().signatureUrlV4('GET', expires, {}, 'docs/hello.txt');
    const res = await send(h.oss, url);
    expectError(res, 400, 'InvalidArgument');
    expect(res.headers['x-oss-ec']).toBe('0002-00000232');
  });

  it('x-oss-expires=604800 (the maximum) is accepted', async () => {
    expect((await send(h.oss, await presignClient().signatureUrlV4('GET', 604800, {}, 'docs/hello.txt'))).status).toBe(200);
  });

  it('browser Content-Type trap: signed octet-stream, sent text/plain → SignatureDoesNotMatch', async () => {
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers: { 'Content-Type': 'application/octet-stream' } }, 'trap.txt');
    expectError(await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: 'x' }), 403, 'SignatureDoesNotMatch');
    expect((await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'x' })).status).toBe(200);
  });

  it('no Content-Type signed, but one sent → SignatureDoesNotMatch', async () => {
    const url = await presignClient().signatureUrlV4('PUT', 300, {}, 'trap2.txt');
    expectError(await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 403, 'SignatureDoesNotMatch');
  });

  it('an extra unsigned x-oss-meta-* header → SignatureDoesNotMatch', async () => {
    const headers = { 'Content-Type': 'text/plain' };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'meta.txt');
    const res = await send(h.oss, url, { method: 'PUT', headers: { ...headers, 'x-oss-meta-sneaky': '1' }, body: 'x' });
    expectError(res, 403, 'SignatureDoesNotMatch');
    expect(xmlField(res.text, 'CanonicalRequest')).toContain('x-oss-meta-sneaky:1');
  });

  it('a signed header left out → SignatureDoesNotMatch', async () => {
    const headers = { 'Content-Type': 'text/plain', 'x-oss-meta-owner': 'alice' };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'missing.txt');
    expectError(await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 403, 'SignatureDoesNotMatch');
  });

  it("a raw '+' in the query is a space, so a URL whose %2B was unescaped fails", async () => {
    await putSigned('plus.txt', 'plus');
    const queries = { 'response-content-disposition': 'attachment; filename="a+b.txt"' };
    const url = await presignClient().signatureUrlV4('GET', 300, { queries }, 'plus.txt');
    expect(url).toContain('a%2Bb.txt');
    expect((await send(h.oss, url)).status).toBe(200);
    const raw = url.replace('a%2Bb.txt', 'a+b.txt');
    const res = await send(h.oss, raw);
    expectError(res, 403, 'SignatureDoesNotMatch');
    expect(xmlField(res.text, 'CanonicalRequest')).toContain('a%20b.txt');
  });

  it('unknown AccessKeyId → 403 InvalidAccessKeyId', async () => {
    const url = await presignClient({ accessKeyId: 'LTAIunknown', accessKeySecret: 'whatever' }).signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    expectError(await send(h.oss, url), 403, 'InvalidAccessKeyId');
  });

  it('temporary key without its token, or with a wrong token → 403 InvalidSecurityToken', async () => {
    const noToken = await presignClient({ accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret }).signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    expectError(await send(h.oss, noToken), 403, 'InvalidSecurityToken');
    const wrong = await presignClient({ accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret, stsToken: 'not-the-token' }).signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    expectError(await send(h.oss, wrong), 403, 'InvalidSecurityToken');
  });

  it('temporary key past its expiration → 403 SecurityTokenExpired', async () => {
    h.store.add({ accessKeyId: 'STS.expired', accessKeySecret: 'x-secret', securityToken: 'tok', expiration: new Date(Date.now() - 1000) });
    const url = await presignClient({ accessKeyId: 'STS.expired', accessKeySecret: 'x-secret', stsToken: 'tok' }).signatureUrlV4('GET', 300, {}, 'docs/hello.txt');
    expectError(await send(h.oss, url), 403, 'SecurityTokenExpired');
  });

  it('x-oss-forbid-overwrite: true on an existing key → 409 FileAlreadyExists', async () => {
    const headers = { 'Content-Type': 'text/plain', 'x-oss-forbid-overwrite': 'true' };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'once.txt');
    expect((await send(h.oss, url, { method: 'PUT', headers, body: 'first' })).status).toBe(200);
    expectError(await send(h.oss, url, { method: 'PUT', headers, body: 'second' }), 409, 'FileAlreadyExists');
    const get = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, {}, 'once.txt'));
    expect(get.text).toBe('first');
  });

  it('Content-MD5 that does not match the body → 400 BadDigest; malformed → 400 InvalidDigest', async () => {
    const good = createHash('md5').update('abc').digest('base64');
    const headers = { 'Content-Type': 'text/plain', 'Content-MD5': good };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'md5.txt');
    expectError(await send(h.oss, url, { method: 'PUT', headers, body: 'abd' }), 400, 'BadDigest');
    expect((await send(h.oss, url, { method: 'PUT', headers, body: 'abc' })).status).toBe(200);
    const badHeaders = { 'Content-Type': 'text/plain', 'Content-MD5': 'not-base64-md5' };
    const url2 = await presignClient().signatureUrlV4('PUT', 300, { headers: badHeaders }, 'md5.txt');
    expectError(await send(h.oss, url2, { method: 'PUT', headers: badHeaders, body: 'abc' }), 400, 'InvalidDigest');
  });

  it('a signed content-length: a different length fails the signature; a short body → 400 IncompleteBody', async () => {
    const headers = { 'Content-Type': 'text/plain', 'Content-Length': '10' };
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, 'len.txt', ['content-length']);
    expect(url).toContain('x-oss-additional-headers=content-length');
    expectError(await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: '12345678901' }), 403, 'SignatureDoesNotMatch');
    expect((await send(h.oss, url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: '1234567890' })).status).toBe(200);
    const short = await rawShortBody(url, 10, '12345');
    expect(short).toMatch(/^HTTP\/1\.1 400/);
    expect(short).toContain('<Code>IncompleteBody</Code>');
  });

  it('unsigned request to an object → 403 AccessDenied; unknown bucket → 404 NoSuchBucket', async () => {
    const anon = await fetch(`${h.oss.origin}/${BUCKET}/docs/hello.txt`);
    expect(anon.status).toBe(403);
    expect(await anon.text()).toContain('<Code>AccessDenied</Code>');
    const nb = await fetch(`${h.oss.origin}/no-such-bucket/x`);
    expect(nb.status).toBe(404);
    expect(await nb.text()).toContain('<Code>NoSuchBucket</Code>');
  });

  it('versionId other than "null" on an unversioned bucket → 404 NoSuchVersion; "null" is the current object', async () => {
    const v = await presignClient().signatureUrlV4('GET', 300, { queries: { versionId: 'CAEQ' } }, 'docs/hello.txt');
    expectError(await send(h.oss, v), 404, 'NoSuchVersion');
    const n = await presignClient().signatureUrlV4('GET', 300, { queries: { versionId: 'null' } }, 'docs/hello.txt');
    expect((await send(h.oss, n)).status).toBe(200);
  });
});

/** Declares `declared` bytes, sends fewer, half-closes: the server must still answer like OSS. */
function rawShortBody(url: string, declared: number, body: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(h.oss.port, '127.0.0.1', () => {
      socket.write(`PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: text/plain\r\nContent-Length: ${declared}\r\n\r\n${body}`);
      socket.end();
    });
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString('utf8')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}
