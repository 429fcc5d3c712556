/**
 * End to end on loopback: HTTP trigger on the local FC host → the real presign-put / presign-get handlers → URL →
 * the local OSS (which verifies V4 signatures itself) with the real curl binary and Node fetch. Each negative case
 * must produce OSS's own error code.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { roleCredentials } from '../../scripts/local-fc';
import { curl, headerArgs, ossCode, presign, startStack } from './helpers';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-'));
});

afterAll(async () => {
  await stack?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  stack.setOssSkewMs(0);
  stack.setCredentials(undefined);
});

async function tempFile(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}

async function putObject(key: string, bytes: Buffer, contentType = 'text/plain'): Promise<void> {
  const put = await presign(stack.presignPutUrl, { key, contentType });
  const res = await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: new Uint8Array(bytes) });
  expect(res.status).toBe(200);
}

describe('upload and download', () => {
  it('curl PUT with the signed headers, then curl and fetch GET: byte-identical, content type kept', async () => {
    const bytes = randomBytes(300_000);
    const file = await tempFile('photo.bin', bytes);
    const key = 'e2e/dir with space/photo+1 ✓.bin';
    const put = await presign(stack.presignPutUrl, { key, contentType: 'image/png', contentLength: bytes.length, metadata: { origin: 'e2e' } });
    expect(put.method).toBe('PUT');
    expect(put.signedHeaders).toMatchObject({ 'content-type': 'image/png', 'content-length': String(bytes.length), 'x-oss-meta-origin': 'e2e' });
    const up = await curl(['-X', 'PUT', '-T', file, ...headerArgs(put.signedHeaders), put.url]);
    expect(up.text).toBe('');
    expect(up.status).toBe(200);

    const get = await presign(stack.presignGetUrl, { key });
    const down = await curl([get.url]);
    expect(down.status).toBe(200);
    expect(down.body.equals(bytes)).toBe(true);
    expect(down.headers).toMatch(/^content-type: image\/png\r?$/im);
    expect(down.headers).toMatch(/^x-oss-meta-origin: e2e\r?$/im);

    const viaFetch = await fetch(get.url);
    expect(viaFetch.status).toBe(200);
    expect(Buffer.from(await viaFetch.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('presign-get over GET with query parameters works too (curl)', async () => {
    await putObject('e2e/query.txt', Buffer.from('query'));
    const answer = await curl([`${stack.presignGetUrl}?key=e2e%2Fquery.txt`]);
    expect(answer.status).toBe(200);
    const get = JSON.parse(answer.text) as { url: string };
    const down = await curl([get.url]);
    expect(down.text).toBe('query');
  });
});

describe('what OSS refuses', () => {
  it('tampered signature → 403 SignatureDoesNotMatch', async () => {
    await putObject('e2e/tamper.txt', Buffer.from('x'));
    const { url } = await presign(stack.presignGetUrl, { key: 'e2e/tamper.txt' });
    const tampered = url.replace(/(x-oss-signature=)([0-9a-f])/, (_m, p: string, c: string) => `${p}${c === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(url);
    const res = await curl([tampered]);
    expect(res.status).toBe(403);
    expect(ossCode(res.text)).toBe('SignatureDoesNotMatch');
  });

  it('expired URL → 403 AccessDenied "Request has expired."', async () => {
    await putObject('e2e/expire.txt', Buffer.from('x'));
    const { url, expiresIn } = await presign(stack.presignGetUrl, { key: 'e2e/expire.txt', expires: 60 });
    expect(expiresIn).toBe(60);
    expect((await fetch(url)).status).toBe(200);
    stack.setOssSkewMs(61_000);
    const res = await fetch(url);
    const text = await res.text();
    expect(res.status).toBe(403);
    expect(ossCode(text)).toBe('AccessDenied');
    expect(text).toContain('Request has expired.');
  });

  it('wrong content type → 403 SignatureDoesNotMatch', async () => {
    const put = await presign(stack.presignPutUrl, { key: 'e2e/type.txt', contentType: 'text/plain' });
    const res = await fetch(put.url, { method: 'PUT', headers: { ...put.signedHeaders, 'content-type': 'image/png' }, body: 'x' });
    expect(res.status).toBe(403);
    expect(ossCode(await res.text())).toBe('SignatureDoesNotMatch');
  });

  it('an extra unsigned x-oss-meta-* header → 403 SignatureDoesNotMatch', async () => {
    const put = await presign(stack.presignPutUrl, { key: 'e2e/meta.txt', contentType: 'text/plain' });
    const file = await tempFile('meta.txt', Buffer.from('meta'));
    const res = await curl(['-X', 'PUT', '-T', file, ...headerArgs({ ...put.signedHeaders, 'x-oss-meta-sneaky': '1' }), put.url]);
    expect(res.status).toBe(403);
    expect(ossCode(res.text)).toBe('SignatureDoesNotMatch');
  });

  it('a signed header left out → 403 SignatureDoesNotMatch', async () => {
    const put = await presign(stack.presignPutUrl, { key: 'e2e/missing.txt', contentType: 'text/plain', metadata: { owner: 'alice' } });
    const headers = { ...put.signedHeaders };
    delete headers['x-oss-meta-owner'];
    const res = await fetch(put.url, { method: 'PUT', headers, body: 'x' });
    expect(res.status).toBe(403);
    expect(ossCode(await res.text())).toBe('SignatureDoesNotMatch');
  });

  it("a raw '+' in the query (a %2B unescaped on the way) → 403 SignatureDoesNotMatch", async () => {
    await putObject('e2e/plus.txt', Buffer.from('plus'));
    const { url } = await presign(stack.presignGetUrl, { key: 'e2e/plus.txt', response: { contentDisposition: 'attachment; filename="a+b.txt"' } });
    expect(url).toContain('%2B');
    const ok = await curl([url]);
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatch(/content-disposition: attachment; filename="a\+b\.txt"/i);
    const res = await curl([url.replace(/%2B/g, '+')]);
    expect(res.status).toBe(403);
    expect(ossCode(res.text)).toBe('SignatureDoesNotMatch');
  });

  it('a URL reused after its signing token expired → 403 SecurityTokenExpired', async () => {
    const shortRole = roleCredentials({ stsEndpoint: stack.sts.origin, caller: stack.platformKey, roleArn: stack.runtimeRoleArn, durationSeconds: 900, refreshAheadSeconds: 0 });
    stack.setCredentials(shortRole);
    const put = await presign(stack.presignPutUrl, { key: 'e2e/token.txt', contentType: 'text/plain', expires: 3600 });
    expect(put.expiresIn).toBeGreaterThan(900); // the URL outlives the token: FC's context key has no known expiry
    expect((await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: 'first' })).status).toBe(200);
    stack.setOssSkewMs(901_000);
    const res = await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: 'second' });
    expect(res.status).toBe(403);
    expect(ossCode(await res.text())).toBe('SecurityTokenExpired');
  });
});

describe('secrets', () => {
  it('no AccessKeySecret or SecurityToken in the handlers\' log lines or the FC host logs', () => {
    const secrets = [stack.platformKey.accessKeySecret, ...stack.sts.issued.flatMap((c) => [c.accessKeySecret, c.securityToken ?? ''])].filter((s) => s !== '');
    expect(secrets.length).toBeGreaterThan(2);
    const text = [...stack.handlerLines, ...stack.fc.logs].join('\n');
    expect(stack.handlerLines.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
