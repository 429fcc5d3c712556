/**
 * A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on the upload page of the local
 * stack. Nothing is skipped: without Chromium the suite fails and says how to install it (.ci/run does).
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { ossCode, presign, startStack } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this) or set CHROMIUM_PATH`);
  }
  stack = await startStack();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('upload page in Chromium', () => {
  it('picks a file, uploads it through presign-put, and links it through presign-get', async () => {
    const bytes = randomBytes(200_000);
    await page.goto(`${stack.page.origin}/`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.setInputFiles('#file', { name: 'report 2024+final.pdf', mimeType: 'application/pdf', buffer: bytes });
    await page.click('#upload');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 15_000 });
    expect(await page.textContent('#status')).toBe('Uploaded uploads/report 2024+final.pdf.');
    expect(await page.getAttribute('#progress', 'value')).toBe('100');

    // What OSS stored, read back with a fresh presigned GET.
    const get = await presign(stack.presignGetUrl, { key: 'uploads/report 2024+final.pdf' });
    const stored = await fetch(get.url);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);

    // The page's own link downloads the same bytes.
    const link = await page.getAttribute('#link', 'href');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local-bucket\/uploads\/report%202024%2Bfinal\.pdf\?/);
    expect(Buffer.from(await (await fetch(link!)).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a file the browser has no type for is uploaded as application/octet-stream', async () => {
    await page.goto(`${stack.page.origin}/`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.fill('#key', 'uploads/no-type');
    await page.setInputFiles('#file', { name: 'blob', mimeType: '', buffer: Buffer.from('no type') });
    await page.click('#upload');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]');
    expect(await page.textContent('#status')).toBe('Uploaded uploads/no-type.');
    const get = await presign(stack.presignGetUrl, { key: 'uploads/no-type' });
    const stored = await fetch(get.url);
    expect(stored.headers.get('content-type')).toBe('application/octet-stream');
    expect(await stored.text()).toBe('no type');
  });

  it("the seeds' trap: a URL signed without a content type fails when the browser's fetch sends the file's type; signedHeaders avoid it", async () => {
    await page.goto(`${stack.page.origin}/`);
    const untyped = await presign(stack.presignPutUrl, { key: 'trap/untyped.txt' });
    expect(untyped.signedHeaders['content-type']).toBeUndefined();
    const typed = await presign(stack.presignPutUrl, { key: 'trap/typed.txt', contentType: 'text/plain' });

    const results = await page.evaluate(async ({ untyped, typed }) => {
      const file = new File(['hello from the browser'], 'hello.txt', { type: 'text/plain' });
      const put = async (url: string, headers: Record<string, string>) => {
        const res = await fetch(url, { method: 'PUT', headers, body: file });
        return { status: res.status, text: await res.text() };
      };
      // Like the seeds' browser snippet: fetch(url, { method: 'PUT', body: file }) and nothing else.
      return { trap: await put(untyped.url, {}), contract: await put(typed.url, typed.signedHeaders) };
    }, { untyped: { url: untyped.url }, typed: { url: typed.url, signedHeaders: typed.signedHeaders } });

    expect(results.trap.status).toBe(403);
    expect(ossCode(results.trap.text)).toBe('SignatureDoesNotMatch');
    expect(results.contract.status).toBe(200);

    const stored = await fetch((await presign(stack.presignGetUrl, { key: 'trap/typed.txt' })).url);
    expect(stored.headers.get('content-type')).toBe('text/plain');
    expect(await stored.text()).toBe('hello from the browser');
    expect((await fetch((await presign(stack.presignGetUrl, { key: 'trap/untyped.txt' })).url)).status).toBe(404);
  });
});

describe('upload page in Chromium: multipart for large files', () => {
  const MIB = 1024 * 1024;
  // 1 MiB parts (OSS's floor is 100 KB) and a threshold of 1 MiB, so a 3.3 MB file goes in 4 parts, the last one
  // short; two part URLs per presign-put answer, so the page also pages through the plan.
  const SETTINGS = `multipartAbove=${MIB}&partSize=${MIB}&partsPerRequest=2&concurrency=2`;
  const SIZE = 3 * MIB + 300_001;

  interface Seen {
    page: Page;
    /** Requests the page sent to the local OSS: method, partNumber, whether the query names an upload. */
    oss: { method: string; query: URLSearchParams; status?: number }[];
    /** Bodies the page posted to presign-put. */
    presigns: unknown[];
    /** Every value the progress bar showed, in order. */
    progress: () => Promise<number[]>;
  }

  async function openPage(query: string): Promise<Seen> {
    const p = await browser.newPage();
    const oss: Seen['oss'] = [];
    const presigns: unknown[] = [];
    const ossOrigin = stack.oss.origin;
    const entries = new Map<Request, Seen['oss'][number]>();
    p.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin === ossOrigin && r.method() !== 'OPTIONS') {
        const entry = { method: r.method(), query: url.searchParams };
        entries.set(r, entry);
        oss.push(entry);
      }
      if (r.url().startsWith(stack.presignPutUrl) && r.method() === 'POST') presigns.push(JSON.parse(r.postData() ?? 'null'));
    });
    p.on('response', (res) => {
      const entry = entries.get(res.request());
      if (entry) entry.status = res.status();
    });
    await p.goto(`${stack.page.origin}/?${query}`);
    await p.waitForSelector('body[data-state="ready"]');
    await p.evaluate(() => {
      const bar = document.getElementById('progress') as HTMLProgressElement;
      const values: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = values;
      new MutationObserver(() => values.push(Number(bar.getAttribute('value')))).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    return { page: p, oss, presigns, progress: () => p.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen) };
  }

  async function pick(p: Page, name: string, mimeType: string, bytes: Buffer, key?: string): Promise<void> {
    if (key) await p.fill('#key', key);
    await p.setInputFiles('#file', { name, mimeType, buffer: bytes });
    await p.click('#upload');
    await p.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 30_000 });
  }

  it('says on the page which files go in parts', async () => {
    const seen = await openPage(SETTINGS);
    expect(await seen.page.textContent('#mode')).toBe('Files over 1 MiB are uploaded in parts of 1 MiB, 2 at a time.');
    await seen.page.close();
    const defaults = await openPage('');
    expect(await defaults.page.textContent('#mode')).toBe('Files over 8 MiB are uploaded in parts the service plans (8 MiB by default), 3 at a time.');
    await defaults.page.close();
  });

  it('uploads a 3.3 MB file in 4 parts through the multipart contract; OSS stores the exact bytes and the bar reaches 100%', async () => {
    const bytes = randomBytes(SIZE);
    const key = 'uploads/movie clip+1.mp4';
    const seen = await openPage(SETTINGS);
    await pick(seen.page, 'movie clip+1.mp4', 'video/mp4', bytes);
    expect(await seen.page.textContent('#status')).toBe(`Uploaded ${key}.`);

    // The contract, step by step: initiate, then the plan in pages of 2 part URLs, the same partSize each time.
    expect(seen.presigns).toEqual([
      { multipart: { key, size: SIZE, contentType: 'video/mp4', partSize: MIB } },
      { multipart: { key, size: SIZE, partSize: MIB, uploadId: expect.stringMatching(/^[0-9A-F]{32}$/), firstPart: 1, parts: 2 } },
      { multipart: { key, size: SIZE, partSize: MIB, uploadId: expect.stringMatching(/^[0-9A-F]{32}$/), firstPart: 3, parts: 2 } },
    ]);
    // What reached OSS: one initiate, parts 1..4 (each answered 200), one complete, no abort.
    const calls = seen.oss.map((o) => `${o.method} ${o.query.has('uploads') ? 'uploads' : ''}${o.query.get('partNumber') ?? ''}${o.query.has('uploadId') && !o.query.has('partNumber') ? 'uploadId' : ''} ${o.status}`);
    expect(calls.slice(0, 1)).toEqual(['POST uploads 200']);
    expect(calls.slice(1, 5).sort()).toEqual(['PUT 1 200', 'PUT 2 200', 'PUT 3 200', 'PUT 4 200']);
    expect(calls.slice(5, 6)).toEqual(['POST uploadId 200']);
    // presign-get for the page's link is not on the OSS origin; then nothing else at OSS.
    expect(calls).toHaveLength(6);

    // Progress: bytes across parts, never backwards, through values between, ending at exactly the file's size.
    const progress = await seen.progress();
    expect(progress.every((v, i) => i === 0 || v >= (progress[i - 1] ?? 0))).toBe(true);
    expect(progress.some((v) => v > 0 && v < 100)).toBe(true);
    expect(await seen.page.getAttribute('#progress', 'value')).toBe('100');
    expect(await seen.page.getAttribute('#progress', 'data-sent')).toBe(String(SIZE));

    // What OSS stored: the exact bytes and type, as one object made of 4 parts (multipart ETag "…-4").
    const get = await presign(stack.presignGetUrl, { key });
    const stored = await fetch(get.url);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('video/mp4');
    expect(stored.headers.get('etag')).toMatch(/-4"$/);
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await seen.page.textContent('#details')).toMatch(/^ETag "[0-9A-F]{32}-4", 4 parts\n/);
    const link = await seen.page.getAttribute('#link', 'href');
    expect(Buffer.from(await (await fetch(link!)).arrayBuffer()).equals(bytes)).toBe(true);
    await seen.page.close();
  });

  it('a file at the threshold still goes as one PUT', async () => {
    const bytes = randomBytes(MIB);
    const seen = await openPage(SETTINGS);
    await pick(seen.page, 'exact.bin', 'application/octet-stream', bytes, 'uploads/exact.bin');
    expect(await seen.page.textContent('#status')).toBe('Uploaded uploads/exact.bin.');
    expect(seen.presigns).toEqual([{ key: 'uploads/exact.bin', contentType: 'application/octet-stream', contentLength: MIB }]);
    expect(seen.oss.map((o) => `${o.method} ${o.query.size}`)).toEqual(['PUT 7']);
    const stored = await fetch((await presign(stack.presignGetUrl, { key: 'uploads/exact.bin' })).url);
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
    await seen.page.close();
  });

  /** The UploadId OSS gave, and whether that upload still exists (a fresh part URL for it answers NoSuchUpload if not). */
  async function uploadGone(key: string, uploadId: string): Promise<string | undefined> {
    const answer = (await presign(stack.presignPutUrl, { multipart: { key, uploadId, parts: 1 } })) as unknown as { parts: { url: string }[] };
    // Bytes, not a string: fetch would add content-type text/plain, which the part URL is not signed for.
    const res = await fetch(answer.parts[0]!.url, { method: 'PUT', body: Buffer.from('x') });
    return res.status === 200 ? 'still there' : ossCode(await res.text());
  }

  it('a part that fails: the parts after it are not sent, the abort URL is, and OSS forgets the upload', async () => {
    const key = 'uploads/fails-at-part-3.bin';
    // One part at a time and the whole plan in one answer, so part 4 is waiting when part 3 fails.
    const seen = await openPage(`multipartAbove=${MIB}&partSize=${MIB}&partsPerRequest=4&concurrency=1`);
    await seen.page.route((url) => url.searchParams.get('partNumber') === '3', (route) => (route.request().method() === 'PUT' ? route.abort('failed') : route.continue()));
    await pick(seen.page, 'x.bin', 'application/octet-stream', randomBytes(SIZE), key);
    expect(await seen.page.textContent('#status')).toBe('part 3 failed (network or CORS); upload aborted');
    expect(await seen.page.getAttribute('body', 'data-aborted')).toBe('204');
    // Initiate, parts 1 and 2, part 3 (cut off by the route), then the abort; no part 4, no complete.
    expect(seen.oss.map((o) => `${o.method} ${o.query.get('partNumber') ?? ''} ${o.status}`)).toEqual(['POST  200', 'PUT 1 200', 'PUT 2 200', 'PUT 3 undefined', 'DELETE  204']);
    const uploadId = (seen.presigns[1] as { multipart: { uploadId: string } }).multipart.uploadId;
    expect(seen.presigns).toHaveLength(2);
    expect(await uploadGone(key, uploadId)).toBe('NoSuchUpload');
    expect((await fetch((await presign(stack.presignGetUrl, { key })).url)).status).toBe(404);
    await seen.page.close();
  });

  it('a bucket whose CORS rule does not expose ETag: the page says so and aborts', async () => {
    const key = 'uploads/no-etag.bin';
    stack.oss.setBucketCors(stack.bucket, [{ allowedOrigins: [stack.page.origin], allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], allowedHeaders: ['*'], exposeHeaders: [], maxAgeSeconds: 0 }]);
    try {
      const seen = await openPage(SETTINGS);
      await pick(seen.page, 'x.bin', 'application/octet-stream', randomBytes(SIZE), key);
      expect(await seen.page.textContent('#status')).toMatch(/^part \d uploaded, but its ETag header is not readable: the bucket's CORS rule must expose ETag .*; upload aborted$/);
      expect(await seen.page.getAttribute('body', 'data-aborted')).toBe('204');
      const uploadId = (seen.presigns[1] as { multipart: { uploadId: string } }).multipart.uploadId;
      expect(await uploadGone(key, uploadId)).toBe('NoSuchUpload');
      await seen.page.close();
    } finally {
      stack.oss.setBucketCors(stack.bucket, undefined);
    }
  });
});
