/**
 * A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on the upload page of the local
 * stack, with faults injected in the local OSS: the page's states, retries, resume after a reload, expiry, offline,
 * abort, both origins. Nothing is skipped: without Chromium the suite fails and says how to install it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ossCode, presign, unfinishedUploads, useBrowserStack } from './helpers';

const KIB = 1024;
const PART = 100 * KIB;
// Small parts so a few hundred KB make a multipart upload; quick retries.
const SETTINGS = `multipartAbove=${PART}&partSize=${PART}&partsPerRequest=2&concurrency=1&retryDelays=0,200,500,1000,2000`;

const rig = useBrowserStack('page-test-');
const dir = rig.dir;

/** A file on disk, so its lastModified (part of the page's fingerprint) stays the same across reloads. */
function fileOf(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Every status line and state a row showed, in order. */
  seen: () => Promise<Array<{ state: string; text: string }>>;
}

async function open(query = SETTINGS, origin = rig.stack.page.origin, context?: BrowserContext): Promise<Opened> {
  const ctx = context ?? (await rig.browser.newContext());
  const page = await ctx.newPage();
  await page.goto(`${origin}/?${query}`);
  await page.waitForSelector('body[data-state="ready"]');
  await page.evaluate(() => {
    const seen: Array<{ state: string; text: string }> = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    new MutationObserver(() => {
      for (const li of Array.from(document.querySelectorAll<HTMLElement>('#queue li'))) {
        const entry = { state: li.dataset.state ?? '', text: li.querySelector('.status')?.textContent ?? '' };
        const last = seen[seen.length - 1];
        if (!last || last.state !== entry.state || last.text !== entry.text) seen.push(entry);
      }
    }).observe(document.getElementById('queue')!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return { context: ctx, page, seen: () => page.evaluate(() => (window as unknown as { seen: Array<{ state: string; text: string }> }).seen) };
}

async function pickAndUpload(page: Page, files: string | string[]): Promise<void> {
  await page.setInputFiles('#files', files);
  await page.waitForSelector('#queue li');
  await page.click('#upload');
}

const settled = (page: Page, timeout = 30_000) => page.waitForSelector('#queue li[data-state="done"], #queue li[data-state="failed"], #queue li[data-state="resumable"]', { timeout });

async function storedBytes(key: string): Promise<Buffer> {
  const res = await fetch((await presign(rig.stack.presignGetUrl, { key })).url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const unfinished = (prefix: string): Promise<string[]> => unfinishedUploads(rig.stack, prefix);

const partsSince = (from: number) => rig.stack.oss.faults.log.slice(from).filter((r) => r.operation === 'UploadPart');

describe('upload page in Chromium', () => {
  it('a small file: signing → uploading → done, a download link, a favicon, the bytes OSS stored', async () => {
    const bytes = randomBytes(50_000);
    const { page, context, seen } = await open('');
    expect(await page.getAttribute('link[rel="icon"]', 'href')).toBe('favicon.svg');
    const icon = await page.evaluate(async () => (await fetch('favicon.svg')).headers.get('content-type'));
    expect(icon).toBe('image/svg+xml');
    await pickAndUpload(page, fileOf('report 2024+final.pdf', bytes));
    await settled(page);
    expect((await seen()).map((s) => s.text)).toEqual(['Ready to upload.', 'Signing…', 'Uploading…', 'Done: uploads/report 2024+final.pdf.']);
    await page.waitForSelector('#uploaded a');
    const link = await page.getAttribute('#uploaded a', 'href');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local-bucket\/uploads\/report%202024%2Bfinal\.pdf\?/);
    expect(Buffer.from(await (await fetch(link!)).arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(link!)).headers.get('content-type')).toBe('application/pdf');
    expect(await page.textContent('#uploaded')).not.toContain('x-oss-signature');
    await context.close();
  });

  it('several files by drag and drop, each with its own bar; Upload is disabled while busy and a second click starts nothing', async () => {
    const { page, context } = await open(SETTINGS);
    const a = randomBytes(3 * PART + 10);
    const b = randomBytes(20_000);
    // A drop event carrying two files, as a person dragging them from the desktop makes.
    await page.evaluate(({ a, b }) => {
      const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes(a)], 'dropped-a.bin', { type: 'application/octet-stream' }));
      dt.items.add(new File([bytes(b)], 'dropped-b.txt', { type: 'text/plain' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { a: a.toString('base64'), b: b.toString('base64') });
    await page.waitForSelector('#queue li:nth-child(2)');
    rig.stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 1 }, ms: 800 });
    const initiatesBefore = rig.stack.oss.faults.count('InitiateMultipartUpload');
    await page.click('#upload');
    await page.waitForSelector('body[data-busy="true"]');
    expect(await page.isDisabled('#upload')).toBe(true);
    await page.click('#upload', { force: true });
    await page.waitForSelector('body[data-busy="false"]', { timeout: 30_000 });
    expect(await page.$$eval('#queue li', (lis) => lis.map((li) => li.getAttribute('data-state')))).toEqual(['done', 'done']);
    expect(await page.$$eval('#queue progress', (bars) => bars.map((b) => (b as HTMLProgressElement).value))).toEqual([100, 100]);
    expect(rig.stack.oss.faults.count('InitiateMultipartUpload') - initiatesBefore).toBe(1);
    expect((await storedBytes('uploads/dropped-a.bin')).equals(a)).toBe(true);
    expect((await storedBytes('uploads/dropped-b.txt')).equals(b)).toBe(true);
    await context.close();
  });

  it('multipart: "uploading part n of N", "completing", bytes and speed; a part that fails once is retried and the file completes byte-identical', async () => {
    const bytes = randomBytes(4 * PART - 5);
    rig.stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 2 }, status: 503 });
    const from = rig.stack.oss.faults.log.length;
    const { page, context, seen } = await open(SETTINGS);
    await pickAndUpload(page, fileOf('clip.mp4', bytes));
    await settled(page);
    const texts = (await seen()).map((s) => s.text);
    for (const expected of ['Signing…', 'Starting the multipart upload…', 'Uploading part 1 of 4…', 'Uploading part 4 of 4…', 'Completing (4 parts)…', 'Done: uploads/clip.mp4.']) {
      expect(texts).toContain(expected);
    }
    expect(texts.some((t) => /^Retrying \(uploading a part, try 2\) in \d\.\d s: part 2 failed: OSS answered 503 ServiceUnavailable/.test(t))).toBe(true);
    expect(await page.textContent('#queue .meta')).toMatch(/^400\.0 KB of 400\.0 KB( · [\d.]+ (KB|MB)\/s)?$/);
    expect(partsSince(from).map((r) => `${r.partNumber}:${r.status}`)).toEqual(['1:200', '2:503', '2:200', '3:200', '4:200']);
    expect((await storedBytes('uploads/clip.mp4')).equals(bytes)).toBe(true);
    await context.close();
  });

  it('a reload mid-upload: the page lists the unfinished upload, and the same file resumes from ListParts, sending only the missing parts', async () => {
    const bytes = randomBytes(4 * PART + 1);
    const file = fileOf('resume-me.bin', bytes);
    // Part 3 keeps failing while the reload happens, so parts 1 and 2 are all that landed.
    rig.stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 3 }, times: Infinity });
    const context = await rig.browser.newContext();
    const first = await open(`${SETTINGS.replace(/retryDelays=[^&]*/, 'retryDelays=5000')}`, rig.stack.page.origin, context);
    await pickAndUpload(first.page, file);
    await first.page.waitForSelector('#queue li[data-state="retrying"]');
    expect(partsSince(0).filter((r) => r.key === 'uploads/resume-me.bin' && r.status === 200).map((r) => r.partNumber)).toEqual([1, 2]);
    await first.page.close();
    rig.stack.oss.faults.clear();

    const from = rig.stack.oss.faults.log.length;
    const again = await open(SETTINGS, rig.stack.page.origin, context);
    await again.page.waitForSelector('#unfinished:not([hidden]) li');
    expect(await again.page.textContent('#unfinished-list')).toContain('resume-me.bin2 of 5 parts uploaded');
    await again.page.setInputFiles('#files', file);
    await again.page.waitForSelector('#queue li[data-state="resumable"]');
    expect(await again.page.isHidden('#unfinished')).toBe(true);
    await again.page.click('#upload');
    await settled(again.page);
    const texts = (await again.seen()).map((s) => s.text);
    expect(texts).toContain('Checking which parts already landed (2 of 5 recorded)…');
    expect(texts[texts.length - 1]).toBe('Done: uploads/resume-me.bin (resumed; 3 of 5 parts sent now).');
    const after = rig.stack.oss.faults.log.slice(from).filter((r) => r.key === 'uploads/resume-me.bin');
    expect(after.filter((r) => r.operation === 'ListParts')).toHaveLength(1);
    expect(after.filter((r) => r.operation === 'UploadPart').map((r) => r.partNumber)).toEqual([3, 4, 5]);
    expect(after.filter((r) => r.operation === 'InitiateMultipartUpload')).toHaveLength(0);
    expect((await storedBytes('uploads/resume-me.bin')).equals(bytes)).toBe(true);
    await context.close();
  });

  it('a URL that expires mid-upload is presigned again', async () => {
    const bytes = randomBytes(3 * PART);
    rig.stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 2 }, ms: 1500 });
    rig.stack.oss.faults.expireUrlsAfter(1);
    const from = rig.stack.oss.faults.log.length;
    const { page, context } = await open(SETTINGS);
    await pickAndUpload(page, fileOf('expiring.bin', bytes));
    await settled(page);
    expect(await page.getAttribute('#queue li', 'data-state')).toBe('done');
    const part2 = partsSince(from).filter((r) => r.partNumber === 2).map((r) => r.status);
    expect(part2[0]).toBe(403);
    expect(part2[part2.length - 1]).toBe(200);
    expect((await storedBytes('uploads/expiring.bin')).equals(bytes)).toBe(true);
    await context.close();
  });

  it('going offline shows "waiting for the network", and the upload goes on when the browser is back online', async () => {
    const bytes = randomBytes(4 * PART);
    const { page, context, seen } = await open(SETTINGS);
    rig.stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 2 }, ms: 600 });
    await pickAndUpload(page, fileOf('offline.bin', bytes));
    await page.waitForFunction(() => document.querySelector('#queue .status')?.textContent === 'Uploading part 2 of 4…');
    await context.setOffline(true);
    await page.waitForSelector('#queue li[data-state="waiting"]', { timeout: 15_000 });
    expect(await page.textContent('#queue .status')).toBe('Offline: waiting for the network to come back…');
    await context.setOffline(false);
    await settled(page);
    expect((await seen()).map((s) => s.state)).toContain('waiting');
    expect(await page.getAttribute('#queue li', 'data-state')).toBe('done');
    expect((await storedBytes('uploads/offline.bin')).equals(bytes)).toBe(true);
    await context.close();
  });

  it('a part that keeps failing: the page names the step without any URL; Discard aborts, and ListMultipartUploads is empty', async () => {
    rig.stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 2 }, status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.', times: Infinity });
    const { page, context } = await open(SETTINGS.replace(/retryDelays=[^&]*/, 'retryDelays=0,100'));
    await pickAndUpload(page, fileOf('doomed.bin', randomBytes(3 * PART)));
    await settled(page);
    expect(await page.getAttribute('#queue li', 'data-state')).toBe('failed');
    const status = await page.textContent('#queue .status');
    expect(status).toBe('Failed at step "uploading a part": part 2 failed: OSS answered 500 InternalError (We encountered an internal error. Please try again.) — the parts already sent are kept; Resume goes on from them.');
    expect(await page.textContent('body')).not.toMatch(/https?:\/\/127/);
    expect(await page.$$eval('#queue button', (bs) => bs.map((b) => b.textContent))).toEqual(['Resume', 'Discard']);
    expect(await unfinished('uploads/doomed.bin')).toEqual(['uploads/doomed.bin']);
    await page.click('#queue button[data-action="discard"]');
    await page.waitForSelector('#queue li[data-state="discarded"]');
    expect(await page.textContent('#queue .status')).toBe('Discarded: OSS dropped the parts.');
    expect(await unfinished('uploads/doomed.bin')).toEqual([]);
    await context.close();
  });

  it('works opened as localhost as well as 127.0.0.1 (CORS of the functions and of the bucket)', async () => {
    const bytes = randomBytes(2 * PART + 3);
    const localhost = rig.stack.page.origins.find((o) => o.includes('//localhost:'))!;
    const { page, context } = await open(SETTINGS, localhost);
    expect(new URL(page.url()).hostname).toBe('localhost');
    await pickAndUpload(page, fileOf('from-localhost.bin', bytes));
    await settled(page);
    expect(await page.getAttribute('#queue li', 'data-state')).toBe('done');
    expect((await storedBytes('uploads/from-localhost.bin')).equals(bytes)).toBe(true);
    await context.close();
  });

  it("the seeds' trap: a URL signed without a content type fails when the browser's fetch sends the file's type; signedHeaders avoid it", async () => {
    const { page, context } = await open('');
    const untyped = await presign(rig.stack.presignPutUrl, { key: 'trap/untyped.txt' });
    expect(untyped.signedHeaders['content-type']).toBeUndefined();
    const typed = await presign(rig.stack.presignPutUrl, { key: 'trap/typed.txt', contentType: 'text/plain' });
    const results = await page.evaluate(async ({ untyped, typed }) => {
      const file = new File(['hello from the browser'], 'hello.txt', { type: 'text/plain' });
      const put = async (url: string, headers: Record<string, string>) => {
        const res = await fetch(url, { method: 'PUT', headers, body: file });
        return { status: res.status, text: await res.text() };
      };
      return { trap: await put(untyped.url, {}), contract: await put(typed.url, typed.signedHeaders) };
    }, { untyped: { url: untyped.url }, typed: { url: typed.url, signedHeaders: typed.signedHeaders } });
    expect(results.trap.status).toBe(403);
    expect(ossCode(results.trap.text)).toBe('SignatureDoesNotMatch');
    expect(results.contract.status).toBe(200);
    expect((await storedBytes('trap/typed.txt')).toString()).toBe('hello from the browser');
    await context.close();
  });
});
