import { randomBytes } from 'node:crypto';
import { startLocalOss, type LocalOss } from '../../scripts/local-oss';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { asEvent, fcContext, harness, type Harness } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * The URLs the handlers return, checked by an independent V4 implementation: the local OSS, which recomputes the
 * signature from the request as received and imports nothing of the signing package.
 */
const BUCKET = 'e2e-bucket';
const credentials = { accessKeyId: 'STS.e2e-key', accessKeySecret: 'e2e-secret-value', securityToken: 'CAIS+e2e/token==' };
let oss: LocalOss;
let h: Harness;

beforeAll(async () => {
  const store = new CredentialStore();
  store.add({ ...credentials, expiration: new Date(Date.now() + 3600_000) });
  oss = await startLocalOss({ credentials: store, buckets: [BUCKET] });
  h = harness({ OSS_BUCKET: BUCKET, OSS_ENDPOINT: oss.origin });
});
afterAll(async () => oss.close());

type Success = { url: string; method: string; signedHeaders: Record<string, string>; error?: { code: string } };
const context = () => fcContext({ credentials });
const presignPut = async (body: unknown) => (await h.put(asEvent(body), context())) as Success;
const presignGet = async (body: unknown) => (await h.get(asEvent(body), context())) as Success;

const keys = ['dir/a b+c.png', '中文/文件 1.txt', 'emoji/😀🎉👩‍👩‍👧.bin', "odd/!'()*~#?%&=.txt", 'plus+plus/++', 'deep/'.repeat(20) + 'end', 'x=y;z,w@v$.txt'];

describe.each(keys)('key %j', (key) => {
  const body = randomBytes(2048);

  it('uploads through the presign-put URL with exactly the signed headers, and downloads the same bytes', async () => {
    const put = await presignPut({ key, contentType: 'application/octet-stream', metadata: { owner: 'ana' }, contentLength: body.length });
    expect(put.error).toBeUndefined();
    expect(put.url.includes('+')).toBe(false);
    const upload = await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body });
    expect(upload.status).toBe(200);

    const get = await presignGet({ key, response: { filename: `下载 ${key.split('/').pop() ?? 'x'}` } });
    const download = await fetch(get.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(body)).toBe(true);
    expect(download.headers.get('x-oss-meta-owner')).toBe('ana');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=".*"; filename\*=UTF-8''%E4%B8%8B%E8%BD%BD%20/);

    const head = await presignGet({ key, method: 'HEAD' });
    expect((await fetch(head.url, { method: 'HEAD' })).headers.get('content-length')).toBe(String(body.length));
  });
});

describe('what the local OSS refuses, it refuses for the reasons the contract states', () => {
  it('a body of another size than the signed contentLength (the client sends the real size)', async () => {
    const put = await presignPut({ key: 'sized.bin', contentLength: 10 });
    const { 'content-length': signedLength, ...others } = put.signedHeaders;
    expect(signedLength).toBe('10');
    const res = await fetch(put.url, { method: 'PUT', headers: others, body: Buffer.alloc(11) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect((await fetch(put.url, { method: 'PUT', headers: others, body: Buffer.alloc(10) })).status).toBe(200);
  });

  it('the browser trap: a URL signed without a content type fails when a content type is sent', async () => {
    const put = await presignPut({ key: 'trap.txt' });
    expect(put.signedHeaders).toEqual({});
    const res = await fetch(put.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('an overwrite when forbidOverwrite was signed', async () => {
    // A string body makes fetch send content-type text/plain;charset=UTF-8 by itself: sign what it will send.
    const first = await presignPut({ key: 'once.txt', forbidOverwrite: true, contentType: 'text/plain;charset=UTF-8' });
    expect(first.signedHeaders['x-oss-forbid-overwrite']).toBe('true');
    const created = await fetch(first.url, { method: 'PUT', headers: first.signedHeaders, body: 'a' });
    expect([created.status, created.status === 200 ? '' : await created.text()]).toEqual([200, '']);
    const second = await fetch(first.url, { method: 'PUT', headers: first.signedHeaders, body: 'b' });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain('FileAlreadyExists');
  });
});
