/**
 * The client library in Node 20, without a browser, against the whole local stack (FC host running presign-put and
 * presign-get, local OSS checking every signature), with faults injected in the local OSS: the same scenarios the
 * Chromium tests run through the page. What reached OSS is read from the local OSS's own request log and, for
 * unfinished uploads, from ListMultipartUploads as the ali-oss SDK reads it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { abortUpload, download, memoryCheckpointStore, upload, UploadError, type UploadOptions, type UploadState } from '../../shared/client';
import { fileCheckpointStore } from '../../shared/client/node';
import { startStack, unfinishedUploads } from '../local-stack/helpers';

const TOKEN = 'client-test-token';
const PART = 102400;
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let presigns = 0;
const dir = mkdtempSync(path.join(tmpdir(), 'client-node-'));

beforeAll(async () => {
  stack = await startStack({ env: { AUTH_TOKEN_SHA256: createHash('sha256').update(TOKEN).digest('hex') } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  stack.oss.faults.clear();
});

/** Options every test starts from: small parts, quick retries, a token from an async provider that counts its calls. */
function options(over: Partial<UploadOptions> = {}): UploadOptions {
  return {
    endpoint: stack.presignPutUrl,
    getEndpoint: stack.presignGetUrl,
    token: async () => {
      presigns += 1;
      return TOKEN;
    },
    partSize: PART,
    multipartThreshold: PART,
    retryDelays: [0, 100, 300, 600, 1000, 1500],
    checkpoints: false,
    ...over,
  };
}

async function stored(key: string): Promise<Buffer> {
  const got = await download(key, { endpoint: stack.presignPutUrl, getEndpoint: stack.presignGetUrl, token: TOKEN });
  return Buffer.from(await got.blob.arrayBuffer());
}

const unfinished = (prefix: string): Promise<string[]> => unfinishedUploads(stack, prefix);

const partRequests = (from: number) => stack.oss.faults.log.slice(from).filter((r) => r.operation === 'UploadPart');

describe('client library in Node: uploads that survive faults', () => {
  it('a small body is one presigned PUT with the bearer token; states and progress end at the full size', async () => {
    const bytes = randomBytes(50_000);
    const states: string[] = [];
    const progress: number[] = [];
    const result = await upload(bytes, options({ key: 'client/small.bin', contentType: 'application/pdf', onStateChange: (s) => states.push(s.phase), onProgress: (p) => progress.push(p.bytesSent) }));
    expect(result).toMatchObject({ key: 'client/small.bin', bucket: stack.bucket, size: 50_000, multipart: false, parts: 1 });
    expect(states).toEqual(['signing', 'uploading', 'done']);
    expect(progress[progress.length - 1]).toBe(50_000);
    expect((await stored('client/small.bin')).equals(bytes)).toBe(true);
    const got = await download('client/small.bin', { endpoint: stack.presignPutUrl, getEndpoint: stack.presignGetUrl, token: TOKEN });
    expect(got.contentType).toBe('application/pdf');
  });

  it('without the token the presign service answers 401, reported at the presign step and not retried', async () => {
    const before = stack.oss.faults.log.length;
    const err = await upload(randomBytes(10), options({ key: 'client/denied.bin', token: undefined })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect(err).toMatchObject({ step: 'presign', status: 401, code: 'Unauthorized', retryable: false });
    expect((err as Error).message).not.toMatch(/https?:\/\//);
    expect(stack.oss.faults.log.length).toBe(before);
  });

  it('a part that fails once is retried, and the file completes byte-identical', async () => {
    const bytes = randomBytes(5 * PART + 777);
    stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 3 }, status: 503 });
    const from = stack.oss.faults.log.length;
    const states: UploadState[] = [];
    const result = await upload(bytes, options({ key: 'client/retried.bin', concurrency: 2, onStateChange: (s) => states.push(s) }));
    expect(result).toMatchObject({ multipart: true, parts: 6, partsSent: 6, resumed: false });
    expect(result.etag).toMatch(/-6"$/);
    expect(partRequests(from).map((r) => [r.partNumber, r.status]).filter(([n]) => n === 3)).toEqual([[3, 503], [3, 200]]);
    expect(partRequests(from)).toHaveLength(7);
    expect(states).toContainEqual(expect.objectContaining({ phase: 'retrying', step: 'part', attempt: 1 }));
    expect((await stored('client/retried.bin')).equals(bytes)).toBe(true);
  });

  it('a connection cut mid-body is retried; the part lands whole', async () => {
    const bytes = randomBytes(3 * PART);
    stack.oss.faults.add({ kind: 'cut', match: { operation: 'UploadPart', partNumber: 2 }, afterBytes: 32 * 1024 });
    const from = stack.oss.faults.log.length;
    await upload(bytes, options({ key: 'client/cut.bin' }));
    expect(partRequests(from).filter((r) => r.partNumber === 2).map((r) => r.status)).toEqual(['cut', 200]);
    expect((await stored('client/cut.bin')).equals(bytes)).toBe(true);
  });

  it('a process that dies mid-upload resumes from its checkpoint file, reconciled with ListParts: only the missing parts are sent', async () => {
    const file = path.join(dir, 'resume.bin');
    const bytes = randomBytes(6 * PART + 5);
    writeFileSync(file, bytes);
    const store = fileCheckpointStore(path.join(dir, 'checkpoints'));
    const stop = new AbortController();
    const from = stack.oss.faults.log.length;
    const first = upload(await openAsBlob(file), options({ key: 'client/resume.bin', concurrency: 1, checkpoints: store, fingerprint: file, signal: stop.signal, onProgress: (p) => {
      if (p.partsDone === 3) stop.abort();
    } }));
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(partRequests(from).map((r) => r.partNumber)).toEqual([1, 2, 3]);
    expect(await unfinished('client/resume.bin')).toEqual(['client/resume.bin']);
    expect(await store.list!()).toHaveLength(1);

    const resumedFrom = stack.oss.faults.log.length;
    const states: string[] = [];
    const result = await upload(await openAsBlob(file), options({ key: 'client/resume.bin', concurrency: 2, checkpoints: fileCheckpointStore(path.join(dir, 'checkpoints')), fingerprint: file, onStateChange: (s) => states.push(s.phase) }));
    expect(result).toMatchObject({ resumed: true, parts: 7, partsSent: 4 });
    expect(states.slice(0, 2)).toEqual(['resuming', 'uploading']);
    expect(stack.oss.faults.log.slice(resumedFrom).filter((r) => r.operation === 'ListParts')).toHaveLength(1);
    expect(partRequests(resumedFrom).map((r) => r.partNumber).sort()).toEqual([4, 5, 6, 7]);
    expect((await stored('client/resume.bin')).equals(bytes)).toBe(true);
    expect(await store.list!()).toEqual([]);
    expect(await unfinished('client/resume.bin')).toEqual([]);
  });

  it('a URL that expires mid-upload is presigned again', async () => {
    const bytes = randomBytes(4 * PART);
    // Part 2 is held 1.5 s at the door while every URL dies 1 s after signing: its URL is stale when it is checked.
    stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 2 }, ms: 1500 });
    stack.oss.faults.expireUrlsAfter(1);
    const from = stack.oss.faults.log.length;
    const presignsBefore = presigns;
    await upload(bytes, options({ key: 'client/expired.bin', concurrency: 1, partsPerRequest: 10 }));
    const part2 = partRequests(from).filter((r) => r.partNumber === 2).map((r) => r.status);
    expect(part2[0]).toBe(403);
    expect(part2[part2.length - 1]).toBe(200);
    // initiate, the first page of part URLs, and at least one fresh page after the expiry
    expect(presigns - presignsBefore).toBeGreaterThanOrEqual(3);
    expect((await stored('client/expired.bin')).equals(bytes)).toBe(true);
  });

  it('going offline and back online: requests fail while OSS cannot be reached, and the upload goes on when it can', async () => {
    const bytes = randomBytes(5 * PART);
    const from = stack.oss.faults.log.length;
    let wentOffline = false;
    const result = await upload(bytes, options({ key: 'client/offline.bin', concurrency: 1, onProgress: (p) => {
      if (p.partsDone === 2 && !wentOffline) {
        wentOffline = true;
        stack.oss.faults.setOffline(true);
        setTimeout(() => stack.oss.faults.setOffline(false), 1200);
      }
    } }));
    expect(result.parts).toBe(5);
    expect(stack.oss.faults.log.slice(from).some((r) => r.status === 'refused')).toBe(true);
    expect((await stored('client/offline.bin')).equals(bytes)).toBe(true);
  });

  it('abort after a failure leaves no unfinished upload; an abort that cannot be sent is reported as not sent', async () => {
    stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 2 }, status: 500, code: 'InternalError', times: Infinity });
    const store = memoryCheckpointStore();
    const err = (await upload(randomBytes(3 * PART), options({ key: 'client/aborted.bin', concurrency: 1, retryDelays: [0, 50], checkpoints: store, fingerprint: 'aborted' })).catch((e: unknown) => e)) as UploadError;
    expect(err).toMatchObject({ step: 'part', partNumber: 2, status: 500, code: 'InternalError', retryable: true });
    expect(err.message).toBe('part 2 failed: OSS answered 500 InternalError (Please reduce your request rate.)');
    expect(err.upload?.key).toBe('client/aborted.bin');
    expect(await unfinished('client/aborted.bin')).toEqual(['client/aborted.bin']);

    stack.oss.faults.setOffline(true);
    const notSent = await abortUpload(err.upload!, { ...options({ retryDelays: [0, 50] }), checkpoints: store, fingerprint: 'aborted' });
    expect(notSent.status).toBe('not-sent');
    expect(notSent.error).toMatchObject({ step: 'abort', retryable: true });
    expect(await store.get('aborted')).toBeDefined();
    stack.oss.faults.setOffline(false);

    expect(await abortUpload(err.upload!, { ...options(), checkpoints: store, fingerprint: 'aborted' })).toEqual({ status: 'aborted' });
    expect(await unfinished('client/aborted.bin')).toEqual([]);
    expect(await store.get('aborted')).toBeUndefined();
    expect(await abortUpload(err.upload!, options())).toEqual({ status: 'gone' });
  });

  it('a stream of unknown length goes in parts cut as bytes arrive', async () => {
    const bytes = randomBytes(2 * PART + 12345);
    const chunks = Array.from({ length: 9 }, (_, i) => bytes.subarray(Math.floor((i * bytes.length) / 9), Math.floor(((i + 1) * bytes.length) / 9)));
    const result = await upload(Readable.from(chunks), options({ key: 'client/stream.bin' }));
    expect(result).toMatchObject({ multipart: true, parts: 3 });
    expect((await stored('client/stream.bin')).equals(bytes)).toBe(true);
  });

  it('part URLs come a page at a time (firstPart + parts), never assuming one answer holds the plan', async () => {
    const bytes = randomBytes(7 * PART);
    const before = presigns;
    await upload(bytes, options({ key: 'client/paged.bin', concurrency: 2, partsPerRequest: 3 }));
    // initiate + pages from parts 1, 4 and 7
    expect(presigns - before).toBe(4);
    expect((await stored('client/paged.bin')).equals(bytes)).toBe(true);
  });

  it('download reports progress up to the object size', async () => {
    const bytes = randomBytes(300_000);
    await upload(bytes, options({ key: 'client/download.bin', multipartThreshold: 1_000_000 }));
    const seen: number[] = [];
    const got = await download('client/download.bin', { endpoint: stack.presignPutUrl, getEndpoint: stack.presignGetUrl, token: TOKEN, onProgress: (p) => seen.push(p.bytesReceived) });
    expect(got.size).toBe(300_000);
    expect(seen[seen.length - 1]).toBe(300_000);
    expect(seen.length).toBeGreaterThan(2);
    expect(Buffer.from(await got.blob.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
