/**
 * Uppy's Dashboard (@uppy/core, @uppy/dashboard, @uppy/aws-s3 v6) in Chromium, uploading through the adapter in
 * shared/client/uppy.ts to the local stack: a 30 MB file in parts, byte-identical at OSS; a small file as one PUT.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { presign, useBrowserStack } from './helpers';

const rig = useBrowserStack('uppy-test-');
const dir = rig.dir;

const sha256 = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function dashboard(): Promise<Page> {
  const page = await rig.browser.newPage();
  await page.goto(`${rig.stack.page.origin}/?mode=uppy`);
  await page.waitForSelector('body[data-state="ready"]');
  await page.waitForSelector('.uppy-Dashboard');
  return page;
}

/** Adds files through the Dashboard's own file input, clicks its Upload button, and waits for Uppy's complete event. */
async function uploadThroughDashboard(page: Page, files: string[]): Promise<{ successful: number; failed: number }> {
  await page.setInputFiles('.uppy-Dashboard-input >> nth=0', files);
  await page.waitForSelector('.uppy-StatusBar-actionBtn--upload');
  const done = page.evaluate(() => new Promise<{ successful: number; failed: number }>((resolve) => {
    (window as unknown as { uppy: { once(e: string, f: (r: { successful?: unknown[]; failed?: unknown[] }) => void): void } }).uppy.once('complete', (r) => resolve({ successful: r.successful?.length ?? 0, failed: r.failed?.length ?? 0 }));
  }));
  await page.click('.uppy-StatusBar-actionBtn--upload');
  return done;
}

describe('Uppy Dashboard through the @uppy/aws-s3 v6 adapter', () => {
  it('uploads a 30 MB file in parts; OSS stores it byte-identical, with the file\'s content type', async () => {
    const bytes = randomBytes(30 * 1024 * 1024);
    const file = path.join(dir, 'thirty.mp4');
    writeFileSync(file, bytes);
    const from = rig.stack.oss.faults.log.length;
    const page = await dashboard();
    expect(await uploadThroughDashboard(page, [file])).toEqual({ successful: 1, failed: 0 });
    const log = rig.stack.oss.faults.log.slice(from).filter((r) => r.key === 'uploads/thirty.mp4' && r.operation !== 'Preflight');
    // 30 MB in the service's 8 MiB plan: 4 parts, each signed for its exact length.
    expect(log.map((r) => `${r.operation}${r.partNumber ?? ''}:${r.status}`).sort()).toEqual(
      ['CompleteMultipartUpload:200', 'InitiateMultipartUpload:200', 'UploadPart1:200', 'UploadPart2:200', 'UploadPart3:200', 'UploadPart4:200'],
    );
    const res = await fetch((await presign(rig.stack.presignGetUrl, { key: 'uploads/thirty.mp4' })).url);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('etag')).toMatch(/-4"$/);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));
    await page.waitForSelector('#uploaded a');
    expect(await page.textContent('#uploaded')).toContain('uploads/thirty.mp4');
    await page.close();
  });

  it('a small file goes as one presigned PUT', async () => {
    const bytes = randomBytes(40_000);
    const file = path.join(dir, 'note.txt');
    writeFileSync(file, bytes);
    const from = rig.stack.oss.faults.log.length;
    const page = await dashboard();
    expect(await uploadThroughDashboard(page, [file])).toEqual({ successful: 1, failed: 0 });
    expect(rig.stack.oss.faults.log.slice(from).filter((r) => r.key === 'uploads/note.txt' && r.operation !== 'Preflight').map((r) => `${r.operation}:${r.status}`)).toEqual(['PutObject:200']);
    const res = await fetch((await presign(rig.stack.presignGetUrl, { key: 'uploads/note.txt' })).url);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    await page.close();
  });
});
