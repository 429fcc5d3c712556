import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type OSS from 'ali-oss';
import { AK, BUCKET, presignClient, sdkClient, send, startHarness, xmlField, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    cors: [
      {
        allowedOrigins: ['https://*.example.com'],
        allowedMethods: ['GET', 'PUT'],
        allowedHeaders: ['content-type', 'x-oss-*'],
        exposeHeaders: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: 600,
      },
    ],
  });
});
afterAll(async () => {
  await h.oss.close();
});

describe('multipart upload', () => {
  it('the real SDK (header-mode V4) uploads a 3 MB file in parts; the download is byte-identical', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123);
    const client = sdkClient(h.oss);
    const result = await client.multipartUpload('big/file.bin', data, { partSize: 1024 * 1024 });
    expect(result.res.status).toBe(200);
    const got = await client.get('big/file.bin');
    expect(Buffer.compare(got.content as Buffer, data)).toBe(0);
    expect(got.res.headers['x-oss-object-type' as keyof typeof got.res.headers]).toBe('Multipart');
  });

  it('presigned initiate / upload part / complete, with order, ETag, size and upload-id checks', async () => {
    const c = presignClient();
    const key = 'mp/presigned.bin';
    const init = await send(h.oss, await c.signatureUrlV4('POST', 300, { queries: { uploads: null } }, key), { method: 'POST' });
    expect(init.status).toBe(200);
    const uploadId = xmlField(init.text, 'UploadId') ?? '';
    expect(uploadId).toMatch(/^[0-9A-F]{32}$/);

    const parts = [randomBytes(100 * 1024), randomBytes(5)];
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const url = await c.signatureUrlV4('PUT', 300, { queries: { partNumber: i + 1, uploadId } }, key);
      const res = await send(h.oss, url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      etags.push(String(res.headers['etag']));
    }
    const completeUrl = await c.signatureUrlV4('POST', 300, { queries: { uploadId } }, key);
    const xml = (list: Array<[number, string]>): string =>
      `<CompleteMultipartUpload>${list.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

    expect((await send(h.oss, completeUrl, { method: 'POST', body: xml([[2, etags[1]!], [1, etags[0]!]]) })).code).toBe('InvalidPartOrder');
    expect((await send(h.oss, completeUrl, { method: 'POST', body: xml([[1, '"00000000000000000000000000000000"'], [2, etags[1]!]]) })).code).toBe('InvalidPart');
    expect((await send(h.oss, completeUrl, { method: 'POST', body: xml([[1, etags[0]!], [3, etags[1]!]]) })).code).toBe('InvalidPart');

    const ok = await send(h.oss, completeUrl, { method: 'POST', body: xml([[1, etags[0]!], [2, etags[1]!]]) });
    expect(ok.status).toBe(200);
    const digests = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    expect(xmlField(ok.text, 'ETag')).toBe(`"${createHash('md5').update(digests).digest('hex').toUpperCase()}-2"`);
    const get = await send(h.oss, await c.signatureUrlV4('GET', 300, {}, key));
    expect(Buffer.compare(get.body, Buffer.concat(parts))).toBe(0);

    const again = await send(h.oss, completeUrl, { method: 'POST', body: xml([[1, etags[0]!], [2, etags[1]!]]) });
    expect({ status: again.status, code: again.code }).toEqual({ status: 404, code: 'NoSuchUpload' });
  });

  it('a non-last part under 100 KB → EntityTooSmall; abort → 204 and later parts → NoSuchUpload', async () => {
    const client: OSS = sdkClient(h.oss);
    const key = 'mp/small.bin';
    const { uploadId } = await client.initMultipartUpload(key);
    const p1 = await client.uploadPart(key, uploadId, 1, randomBytes(10), 0, 10);
    const p2 = await client.uploadPart(key, uploadId, 2, randomBytes(10), 0, 10);
    await expect(
      client.completeMultipartUpload(key, uploadId, [
        { number: 1, etag: p1.etag },
        { number: 2, etag: p2.etag },
      ]),
    ).rejects.toMatchObject({ code: 'EntityTooSmall', status: 400 });
    const abort = await send(h.oss, await presignClient().signatureUrlV4('DELETE', 300, { queries: { uploadId } }, key), { method: 'DELETE' });
    expect(abort.status).toBe(204);
    await expect(client.uploadPart(key, uploadId, 3, randomBytes(10), 0, 10)).rejects.toMatchObject({ code: 'NoSuchUpload', status: 404 });
  });
});

describe('CORS', () => {
  const preflight = (origin: string, method: string, headers?: string): Promise<Response> =>
    fetch(`${h.oss.origin}/${BUCKET}/docs/x.txt`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': method, ...(headers ? { 'Access-Control-Request-Headers': headers } : {}) },
    });

  it('a matching preflight is answered anonymously with the allow headers', async () => {
    const res = await preflight('https://app.example.com', 'PUT', 'Content-Type, x-oss-meta-owner');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-oss-meta-owner');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, x-oss-request-id');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it.each([
    ['https://evil.test', 'PUT', undefined],
    ['https://app.example.com', 'DELETE', undefined],
    ['https://app.example.com', 'PUT', 'authorization'],
  ])('origin %s / method %s / headers %s → 403 AccessForbidden', async (origin, method, headers) => {
    const res = await preflight(origin, method, headers);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(xmlField(text, 'Code')).toBe('AccessForbidden');
    expect(xmlField(text, 'Message')).toMatch(/^CORSResponse: /);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('actual responses (errors too) carry CORS headers for an allowed origin only', async () => {
    const url = await presignClient().signatureUrlV4('GET', 300, {}, 'nothing-here');
    const allowed = await send(h.oss, url, { headers: { Origin: 'https://app.example.com' } });
    expect(allowed.status).toBe(404);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-expose-headers']).toBe('ETag, x-oss-request-id');
    const other = await send(h.oss, url, { headers: { Origin: 'https://evil.test' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

interface PostResult {
  status: number;
  text: string;
}

async function postForm(fields: Array<[string, string]>, file: Buffer, filename = 'upload.txt'): Promise<PostResult> {
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)]), filename);
  const res = await fetch(`${h.oss.origin}/${BUCKET}`, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}

/** ali-oss ships signPostObjectPolicyV4 but @types/ali-oss does not declare it. */
type PolicySigner = { signPostObjectPolicyV4(policy: object, date: Date): string };

function policyForm(policy: object, key: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  const date = new Date();
  const dt = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const credential = `${AK.accessKeyId}/${dt.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`;
  const client = presignClient() as unknown as PolicySigner;
  return [
    ['key', key],
    ['policy', Buffer.from(JSON.stringify(policy)).toString('base64')],
    ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    ['x-oss-credential', credential],
    ['x-oss-date', dt],
    ['x-oss-signature', client.signPostObjectPolicyV4(policy, date)],
    ...extra,
  ];
}

describe('PostObject with a V4 policy signed by ali-oss', () => {
  const policy = {
    expiration: new Date(Date.now() + 600_000).toISOString(),
    conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 1024]],
  };

  it('is accepted (201 with PostResponse) and the object is readable', async () => {
    const res = await postForm(policyForm(policy, 'uploads/${filename}', [['success_action_status', '201'], ['content-type', 'text/plain']]), Buffer.from('posted!'), 'note.txt');
    expect(res.status).toBe(201);
    expect(xmlField(res.text, 'Key')).toBe('uploads/note.txt');
    const get = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, {}, 'uploads/note.txt'));
    expect(get.text).toBe('posted!');
    expect(get.headers['content-type']).toBe('text/plain');
  });

  it('over the content-length-range → 400 EntityTooLarge', async () => {
    const res = await postForm(policyForm(policy, 'uploads/big.bin'), Buffer.alloc(1025));
    expect({ status: res.status, code: xmlField(res.text, 'Code') }).toEqual({ status: 400, code: 'EntityTooLarge' });
  });

  it('a key outside the starts-with prefix → 403 AccessDenied "Invalid according to Policy"', async () => {
    const res = await postForm(policyForm(policy, 'elsewhere/x.txt'), Buffer.from('x'));
    expect(res.status).toBe(403);
    expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
    expect(xmlField(res.text, 'Message')).toContain('Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]');
  });

  it('a policy edited after signing → 403 SignatureDoesNotMatch; an expired policy → AccessDenied', async () => {
    const fields = policyForm(policy, 'uploads/a.txt').map(([k, v]): [string, string] =>
      k === 'policy' ? [k, Buffer.from(JSON.stringify({ ...policy, conditions: [] })).toString('base64')] : [k, v],
    );
    const forged = await postForm(fields, Buffer.from('x'));
    expect({ status: forged.status, code: xmlField(forged.text, 'Code') }).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    const expired = await postForm(policyForm({ ...policy, expiration: new Date(Date.now() - 1000).toISOString() }, 'uploads/a.txt'), Buffer.from('x'));
    expect(xmlField(expired.text, 'Message')).toBe('Invalid according to Policy: Policy expired.');
  });
});

describe('upload callback', () => {
  let target: http.Server;
  type Received = { body: string; contentType: string | undefined; host: string | undefined };
  let received: Received | undefined;
  // A function read keeps TypeScript from narrowing `received` to the value assigned before the request.
  const lastReceived = (): Received | undefined => received;
  let answerStatus = 200;
  let targetPort = 0;
  beforeAll(async () => {
    target = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received = { body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'], host: req.headers.host };
        res.writeHead(answerStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: true, echo: received.body }));
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => target.close(() => r()));
  });

  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64');
  const callbackHeaders = (url: string): Record<string, string> => ({
    'Content-Type': 'text/plain',
    'x-oss-callback': b64({
      callbackUrl: url,
      callbackBody: 'bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}&who=${x:who}',
    }),
    'x-oss-callback-var': b64({ 'x:who': 'alice & bob' }),
  });

  async function putWithCallback(key: string, headers: Record<string, string>): Promise<Awaited<ReturnType<typeof send>>> {
    const url = await presignClient().signatureUrlV4('PUT', 300, { headers }, key);
    return send(h.oss, url, { method: 'PUT', headers, body: 'callback body' });
  }

  it("POSTs the substituted body to the loopback target and relays the target's answer", async () => {
    answerStatus = 200;
    received = undefined;
    const res = await putWithCallback('cb/a b.txt', callbackHeaders(`http://127.0.0.1:${targetPort}/notify`));
    expect(res.status).toBe(200);
    const etag = createHash('md5').update('callback body').digest('hex').toUpperCase();
    const got = lastReceived();
    expect(got?.body).toBe(`bucket=${BUCKET}&object=cb%2Fa%20b.txt&etag=${etag}&size=13&mimeType=text%2Fplain&who=alice%20%26%20bob`);
    expect(got?.contentType).toBe('application/x-www-form-urlencoded');
    expect(JSON.parse(res.text)).toEqual({ accepted: true, echo: got?.body });
  });

  it('target answers non-2xx → 203 CallbackFailed, object stored', async () => {
    answerStatus = 500;
    const res = await putWithCallback('cb/fail.txt', callbackHeaders(`http://127.0.0.1:${targetPort}/notify`));
    expect(res.status).toBe(203);
    expect(xmlField(res.text, 'Code')).toBe('CallbackFailed');
    expect(res.headers['etag']).toBeTruthy();
    answerStatus = 200;
  });

  it('target down → 203 CallbackFailed "OSS can not connect to your callbackUrl"', async () => {
    const down = http.createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((r) => down.close(() => r()));
    const res = await putWithCallback('cb/down.txt', callbackHeaders(`http://127.0.0.1:${port}/`));
    expect(res.status).toBe(203);
    expect(xmlField(res.text, 'Code')).toBe('CallbackFailed');
    expect(xmlField(res.text, 'Message')).toContain('can not connect to your callbackUrl');
  });

  it('a non-loopback callback host is refused and nothing is stored', async () => {
    const res = await putWithCallback('cb/outside.txt', callbackHeaders('http://example.com/notify'));
    expect({ status: res.status, code: xmlField(res.text, 'Code') }).toEqual({ status: 400, code: 'InvalidArgument' });
    const get = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, {}, 'cb/outside.txt'));
    expect(get.code).toBe('NoSuchKey');
  });
});
