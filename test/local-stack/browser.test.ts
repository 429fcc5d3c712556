/**
 * A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on the upload page of the local
 * stack. Nothing is skipped: without Chromium the suite fails and says how to install it (.ci/run does).
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
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
