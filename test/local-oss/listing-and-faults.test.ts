/**
 * ListParts and ListMultipartUploads in the local OSS, read by the real ali-oss SDK (its own XML parsing and its own
 * V4 header signing, an oracle independent of this repository), plus the fault knobs the client tests rely on.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AK, BUCKET, presignClient, sdkClient, send, startHarness, xmlField, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.oss.close();
});
afterEach(() => {
  h.oss.faults.clear();
});

async function uploadWithParts(key: string, partNumbers: number[]): Promise<{ uploadId: string; etags: Map<number, string> }> {
  const client = sdkClient(h.oss);
  const { uploadId } = await client.initMultipartUpload(key);
  const etags = new Map<number, string>();
  for (const n of partNumbers) {
    const body = randomBytes(1000 + n);
    const url = await presignClient().signatureUrlV4('PUT', 300, { queries: { partNumber: n, uploadId } }, key);
    const res = await send(h.oss, url, { method: 'PUT', body });
    expect(res.status).toBe(200);
    etags.set(n, String(res.headers['etag']));
  }
  return { uploadId, etags };
}

/** ali-oss's listParts as it behaves at run time (its published types disagree): XML text values, one part not in a list. */
interface RawPart { PartNumber: string; ETag: string; Size: string }
interface Listed { uploadId: string; bucket: string; name: string; isTruncated: string; maxParts: string; nextPartNumberMarker: string; parts: RawPart[] }
async function listParts(key: string, uploadId: string, query: Record<string, unknown> = {}): Promise<Listed> {
  const client = sdkClient(h.oss) as unknown as { listParts(k: string, id: string, q: Record<string, unknown>): Promise<Omit<Listed, 'parts'> & { parts: RawPart | RawPart[] }> };
  const listed = await client.listParts(key, uploadId, query);
  return { ...listed, parts: ([] as RawPart[]).concat(listed.parts) };
}

describe('ListParts', () => {
  it('lists the uploaded parts in ascending order with their ETags and sizes, as ali-oss reads them', async () => {
    const { uploadId, etags } = await uploadWithParts('list/parts.bin', [3, 1, 7]);
    const listed = await listParts('list/parts.bin', uploadId);
    expect(listed).toMatchObject({ uploadId, bucket: BUCKET, name: 'list/parts.bin', isTruncated: 'false', maxParts: '1000', nextPartNumberMarker: '7' });
    expect(listed.parts.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      ['1', etags.get(1), '1001'],
      ['3', etags.get(3), '1003'],
      ['7', etags.get(7), '1007'],
    ]);
  });

  it('pages with max-parts and part-number-marker; NextPartNumberMarker continues the list', async () => {
    const { uploadId } = await uploadWithParts('list/paged.bin', [1, 2, 3, 4, 5]);
    const first = await listParts('list/paged.bin', uploadId, { 'max-parts': 2 });
    expect(first.isTruncated).toBe('true');
    expect(first.parts.map((p) => p.PartNumber)).toEqual(['1', '2']);
    const second = await listParts('list/paged.bin', uploadId, { 'max-parts': 2, 'part-number-marker': first.nextPartNumberMarker });
    expect(second.parts.map((p) => p.PartNumber)).toEqual(['3', '4']);
    const last = await listParts('list/paged.bin', uploadId, { 'max-parts': 2, 'part-number-marker': second.nextPartNumberMarker });
    expect(last.parts.map((p) => p.PartNumber)).toEqual(['5']);
    expect(last.isTruncated).toBe('false');
  });

  it('through a presigned GET ?uploadId= URL; a bad max-parts is InvalidArgument; an unknown upload is NoSuchUpload', async () => {
    const { uploadId } = await uploadWithParts('list/presigned.bin', [2]);
    const url = await presignClient().signatureUrlV4('GET', 300, { queries: { uploadId } }, 'list/presigned.bin');
    const res = await send(h.oss, url);
    expect(res.status).toBe(200);
    expect(xmlField(res.text, 'PartNumber')).toBe('2');
    const bad = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, { queries: { uploadId, 'max-parts': '1001' } }, 'list/presigned.bin'));
    expect([bad.status, bad.code, xmlField(bad.text, 'ArgumentName')]).toEqual([400, 'InvalidArgument', 'max-parts']);
    const gone = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, { queries: { uploadId: 'AB'.repeat(16) } }, 'list/presigned.bin'));
    expect([gone.status, gone.code]).toEqual([404, 'NoSuchUpload']);
  });
});

describe('CompleteMultipartUpload ETag forms', () => {
  const xml = (parts: Array<[number, string]>): string =>
    `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

  it.each([
    ['quoted, as OSS answered it', (e: string) => e, 200],
    ['quotes as XML entities (&quot;)', (e: string) => e.replace(/"/g, '&quot;'), 200],
    ['quotes as numeric entities (&#34;)', (e: string) => e.replace(/"/g, '&#34;'), 200],
    ['bare hex, as S3 clients send it', (e: string) => e.replace(/"/g, ''), 200],
    ['lower-case hex', (e: string) => e.toLowerCase(), 200],
    ['a stray quote inside', (e: string) => e.replace(/^"(.{4})/, '"$1"'), 400],
    ['two pairs of quotes', (e: string) => `"${e}"`, 400],
  ])('%s', async (_name, form, status) => {
    const key = `etag/${status}-${Math.random().toString(36).slice(2)}.bin`;
    const { uploadId, etags } = await uploadWithParts(key, [1]);
    const url = await presignClient().signatureUrlV4('POST', 300, { queries: { uploadId } }, key);
    const res = await send(h.oss, url, { method: 'POST', body: xml([[1, form(etags.get(1)!)]]) });
    expect(res.status).toBe(status);
    if (status !== 200) expect(res.code).toBe('InvalidPart');
  });
});

describe('ListMultipartUploads', () => {
  it('lists unfinished uploads by key with prefix, delimiter and paging, as ali-oss reads them; completed and aborted ones are gone', async () => {
    const client = sdkClient(h.oss);
    const ids: Record<string, string> = {};
    for (const key of ['lmu/b.bin', 'lmu/a.bin', 'lmu/a.bin', 'lmu/dir/c.bin', 'other/x.bin']) {
      const { uploadId } = await client.initMultipartUpload(key);
      ids[`${key}#${Object.keys(ids).filter((k) => k.startsWith(key)).length}`] = uploadId;
    }
    const all = await client.listUploads({ prefix: 'lmu/' });
    expect(all.uploads.map((u: { name: string }) => u.name)).toEqual(['lmu/a.bin', 'lmu/a.bin', 'lmu/b.bin', 'lmu/dir/c.bin']);
    expect(all.isTruncated).toBe(false);

    const page1 = await client.listUploads({ prefix: 'lmu/', 'max-uploads': 2 });
    expect(page1.isTruncated).toBe(true);
    expect(page1.uploads).toHaveLength(2);
    const page2 = await client.listUploads({ prefix: 'lmu/', 'max-uploads': 2, 'key-marker': page1.nextKeyMarker, 'upload-id-marker': page1.nextUploadIdMarker });
    expect(page2.uploads.map((u: { name: string }) => u.name)).toEqual(['lmu/b.bin', 'lmu/dir/c.bin']);
    expect(new Set([...page1.uploads, ...page2.uploads].map((u: { uploadId: string }) => u.uploadId)).size).toBe(4);

    const folders = await send(h.oss, await presignClient().signatureUrlV4('GET', 300, { queries: { uploads: null, prefix: 'lmu/', delimiter: '/' } }, ''));
    expect(folders.status).toBe(200);
    expect(folders.text).toContain('<CommonPrefixes><Prefix>lmu/dir/</Prefix></CommonPrefixes>');
    expect(folders.text.match(/<Upload>/g)).toHaveLength(3);

    for (const [k, uploadId] of Object.entries(ids)) await client.abortMultipartUpload(k.split('#')[0]!, uploadId);
    expect((await client.listUploads({ prefix: 'lmu/' })).uploads).toEqual([]);
    expect((await client.listUploads({})).uploads.map((u: { name: string }) => u.name)).not.toContain('other/x.bin');
  });

  it('needs a signature like any bucket operation', async () => {
    const res = await send(h.oss, `${h.oss.origin}/${BUCKET}/?uploads`);
    expect([res.status, res.code]).toEqual([403, 'AccessDenied']);
    expect(AK.accessKeyId).toBeTruthy();
  });
});

/** A raw PUT of `body` to a presigned part URL; resolves with the status, or 'reset' when the connection dies. */
function rawPut(url: string, body: Buffer): Promise<number | 'reset'> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: h.oss.port, method: 'PUT', path: u.pathname + u.search, headers: { host: u.host, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve('reset'));
    req.end(body);
  });
}

describe('fault knobs', () => {
  async function partUrl(key: string, partNumber: number): Promise<string> {
    const { uploadId } = await sdkClient(h.oss).initMultipartUpload(key);
    return presignClient().signatureUrlV4('PUT', 300, { queries: { partNumber, uploadId } }, key);
  }

  it('fails the nth matching request once with OSS error XML, then lets the next one through; the log counts both', async () => {
    h.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart' }, nth: 2 });
    const url = await partUrl('faults/fail.bin', 1);
    const before = h.oss.faults.count('UploadPart');
    const first = await send(h.oss, url, { method: 'PUT', body: 'a' });
    const second = await send(h.oss, url, { method: 'PUT', body: 'a' });
    const third = await send(h.oss, url, { method: 'PUT', body: 'a' });
    expect([first.status, second.status, second.code, third.status]).toEqual([200, 503, 'ServiceUnavailable', 200]);
    expect(h.oss.faults.count('UploadPart') - before).toBe(3);
    expect(h.oss.faults.log.slice(-3).map((r) => r.status)).toEqual([200, 503, 200]);
  });

  it('cuts the connection after some bytes of the body: the client sees a reset, OSS keeps no part', async () => {
    const url = await partUrl('faults/cut.bin', 1);
    h.oss.faults.add({ kind: 'cut', match: { operation: 'UploadPart', partNumber: 1 }, afterBytes: 64 * 1024 });
    expect(await rawPut(url, randomBytes(512 * 1024))).toBe('reset');
    const entry = h.oss.faults.log[h.oss.faults.log.length - 1]!;
    expect(entry.status).toBe('cut');
    expect(entry.bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(entry.bytes).toBeLessThan(512 * 1024);
    expect(await rawPut(url, randomBytes(1000))).toBe(200);
  });

  it('delays an answer', async () => {
    h.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart' }, ms: 300 });
    const url = await partUrl('faults/delay.bin', 1);
    const started = Date.now();
    expect((await send(h.oss, url, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('expires URLs early with OSS\'s own "Request has expired." answer', async () => {
    const url = await partUrl('faults/expire.bin', 1);
    h.oss.faults.expireUrlsAfter(0);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await send(h.oss, url, { method: 'PUT', body: 'x' });
    expect([res.status, res.code, xmlField(res.text, 'Message')]).toEqual([403, 'AccessDenied', 'Request has expired.']);
    h.oss.faults.expireUrlsAfter(undefined);
    expect((await send(h.oss, url, { method: 'PUT', body: 'x' })).status).toBe(200);
  });

  it('offline: every connection is reset until it comes back', async () => {
    const url = await partUrl('faults/offline.bin', 1);
    h.oss.faults.setOffline(true);
    expect(await rawPut(url, Buffer.from('x'))).toBe('reset');
    h.oss.faults.setOffline(false);
    expect(await rawPut(url, Buffer.from('x'))).toBe(200);
  });
});
