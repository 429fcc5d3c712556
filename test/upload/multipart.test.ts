import { createHash, randomBytes } from 'node:crypto';
import { planParts } from '../../shared/service/multipart';
import { call, startRig, xmlField, type UploadRig } from './helpers';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

type Url = { method: string; url: string; signedHeaders: Record<string, string> };
type PartUrl = Url & { partNumber: number; size?: number };
interface PartsAnswer {
  key: string;
  uploadId: string;
  expiration: string;
  expiresIn: number;
  parts: PartUrl[];
  complete: Url & { bodyFormat: string };
  abort: Url;
  plan: { parts: number; partSize: number; lastPartSize: number } | null;
}

let rig: UploadRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.h.oss.close();
});

const completeXml = (etags: string[]): string =>
  `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

async function initiate(body: Record<string, unknown>): Promise<{ answer: Record<string, unknown>; uploadId: string }> {
  const answer = await rig.put({ multipart: body });
  expect(answer.error).toBeUndefined();
  const init = await call(answer as unknown as Url);
  expect(init.status).toBe(200);
  return { answer, uploadId: xmlField(init.text, 'UploadId') ?? '' };
}

describe('multipart upload through presigned URLs, end to end against the local OSS', () => {
  it('uploads a 25 MB file in planned parts and completes it; the download is byte-identical', async () => {
    const data = randomBytes(25 * 1024 * 1024 + 12345);
    const key = 'big/movie file+1.bin';
    const { answer, uploadId } = await initiate({ key, size: data.length, contentType: 'video/mp4' });
    expect(answer).toMatchObject({ method: 'POST', bucket: 'presign-bucket', key, signedHeaders: { 'content-type': 'video/mp4' } });
    expect(String(answer.url)).toMatch(/\?uploads&x-oss-/);
    expect(answer.plan).toEqual({ size: data.length, partSize: 8 * 1024 * 1024, parts: 4, lastPartSize: data.length - 3 * 8 * 1024 * 1024, minPartSize: 102400, maxPartSize: 5 * 1024 ** 3, maxParts: 10000 });
    expect(uploadId).toMatch(/^[0-9A-F]{32}$/);

    const parts = (await rig.put({ multipart: { key, uploadId, size: data.length } })) as unknown as PartsAnswer;
    expect(parts.parts.map((p) => [p.partNumber, p.method, p.size])).toEqual([
      [1, 'PUT', 8388608],
      [2, 'PUT', 8388608],
      [3, 'PUT', 8388608],
      [4, 'PUT', data.length - 3 * 8388608],
    ]);
    // One lifetime for every URL of the answer.
    for (const u of [...parts.parts, parts.complete, parts.abort]) expect(u.url).toContain(`x-oss-expires=${parts.expiresIn}&`);

    const etags: string[] = [];
    let offset = 0;
    for (const part of parts.parts) {
      const chunk = data.subarray(offset, offset + (part.size ?? 0));
      offset += chunk.length;
      const res = await call(part, chunk);
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag') ?? '');
    }
    expect(parts.complete.signedHeaders).toEqual({ 'content-type': 'application/xml' });
    const done = await call(parts.complete, completeXml(etags));
    expect(done.status).toBe(200);
    expect(xmlField(done.text, 'Key')).toBe(key);

    const download = await rig.download(key);
    expect(download.status).toBe(200);
    expect(download.body.length).toBe(data.length);
    expect(createHash('sha256').update(download.body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(download.contentType).toBe('video/mp4');
  });

  it('a part URL signed for its planned length refuses a body of another length', async () => {
    const { uploadId } = await initiate({ key: 'big/pinned.bin', size: 300 * 1024, partSize: 200 * 1024 });
    const parts = (await rig.put({ multipart: { key: 'big/pinned.bin', uploadId, size: 300 * 1024, partSize: 200 * 1024 } })) as unknown as PartsAnswer;
    expect(parts.parts.map((p) => p.size)).toEqual([204800, 102400]);
    expect(parts.parts[0]?.signedHeaders).toEqual({ 'content-length': '204800' });
    const wrong = await call(parts.parts[0] as PartUrl, randomBytes(204801));
    expect(wrong.status).toBe(403);
    expect(xmlField(wrong.text, 'Code')).toBe('SignatureDoesNotMatch');
    const right = await call(parts.parts[0] as PartUrl, randomBytes(204800));
    expect(right.status).toBe(200);
  });

  it('without a size: N unpinned part URLs; complete-all completes without a body', async () => {
    const key = 'big/unsized.bin';
    const { answer, uploadId } = await initiate({ key });
    expect(answer.plan).toMatchObject({ size: null, parts: null, partSize: 8388608 });
    const parts = (await rig.put({ multipart: { key, uploadId, parts: 2, completeAll: true } })) as unknown as PartsAnswer;
    expect(parts.parts).toHaveLength(2);
    expect(parts.parts[0]?.signedHeaders).toEqual({});
    const bodies = [randomBytes(150 * 1024), randomBytes(777)];
    for (const [i, part] of parts.parts.entries()) expect((await call(part, bodies[i])).status).toBe(200);
    expect(parts.complete.signedHeaders).toEqual({ 'x-oss-complete-all': 'yes' });
    const done = await call(parts.complete);
    expect(done.status).toBe(200);
    expect(xmlField(done.text, 'ETag')).toMatch(/-2"$/);
  });

  it('firstPart hands a plan out in pages: URLs 3..4 of 4', async () => {
    const { uploadId } = await initiate({ key: 'big/paged.bin', size: 4 * 102400, partSize: 102400 });
    const page = (await rig.put({ multipart: { key: 'big/paged.bin', uploadId, size: 4 * 102400, partSize: 102400, firstPart: 3 } })) as unknown as PartsAnswer;
    expect(page.parts.map((p) => p.partNumber)).toEqual([3, 4]);
    expect(page.parts.every((p) => p.url.includes('partNumber=') && p.url.includes(`uploadId=${uploadId}`))).toBe(true);
  });

  it('abort removes the upload: later parts and complete answer NoSuchUpload', async () => {
    const key = 'big/aborted.bin';
    const { uploadId } = await initiate({ key });
    const parts = (await rig.put({ multipart: { key, uploadId, parts: 1 } })) as unknown as PartsAnswer;
    const first = await call(parts.parts[0] as PartUrl, randomBytes(1000));
    expect(first.status).toBe(200);
    const abort = await call(parts.abort);
    expect(abort.status).toBe(204);
    const again = await call(parts.parts[0] as PartUrl, randomBytes(1000));
    expect({ status: again.status, code: xmlField(again.text, 'Code') }).toEqual({ status: 404, code: 'NoSuchUpload' });
    const complete = await call(parts.complete, completeXml([first.headers.get('etag') ?? '']));
    expect(xmlField(complete.text, 'Code')).toBe('NoSuchUpload');
  });

  it('logs name the key and never a URL, signature or token', () => {
    const text = JSON.stringify(rig.logs);
    expect(text).toContain('big/aborted.bin');
    expect(text).not.toMatch(/x-oss-signature|temp-secret|tok\/en/);
  });
});

describe('part plan', () => {
  it('defaults to 8 MB parts and grows in whole MB to stay within 10,000 parts', () => {
    expect(planParts(1, undefined)).toMatchObject({ parts: 1, partSize: 8388608, lastPartSize: 1 });
    expect(planParts(8388608 * 10000, undefined)).toMatchObject({ parts: 10000, partSize: 8388608, lastPartSize: 8388608 });
    const big = planParts(8388608 * 10000 + 1, undefined);
    expect(big).toMatchObject({ partSize: 9 * 1024 * 1024 });
    expect(big.parts).toBeLessThanOrEqual(10000);
    const largest = planParts(10000 * 5 * 1024 ** 3, undefined);
    expect(largest).toMatchObject({ parts: 10000, partSize: 5 * 1024 ** 3 });
  });

  it('refuses a chosen part size that needs more than 10,000 parts, or is outside 100 KB..5 GB', () => {
    expect(() => planParts(102400 * 10000 + 1, 102400)).toThrow(/at most 10000/);
    expect(() => planParts(1000, 102399)).toThrow(/100 KB/);
    expect(() => planParts(1000, 5 * 1024 ** 3 + 1)).toThrow(/5 GB/);
  });
});
