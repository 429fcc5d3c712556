/**
 * `npm run screenshots`: the upload page's states, photographed in headless Chromium against the local stack, into
 * docs/screenshots/*.png (linked from the README), so the pictures stay those of the page as it is. Each state is
 * reached the way a person would reach it, with the local OSS's fault knobs standing in for a bad network.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './local-stack/chromium';
import { parseCli } from './cli/args';
import { startLocalStack } from './local-stack';

const OUT = path.resolve(__dirname, '..', 'docs', 'screenshots');
const PART = 100 * 1024;
const SETTINGS = `multipartAbove=${PART}&partSize=${PART}&concurrency=1&retryDelays=0,1500,3000`;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'screenshots-'));
  const file = (name: string, size: number): string => {
    const p = path.join(dir, name);
    writeFileSync(p, randomBytes(size));
    return p;
  };
  const stack = await startLocalStack();
  const browser = await launchChromium();
  const shots: string[] = [];
  const shoot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    shots.push(name);
  };
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    const open = async (query = SETTINGS): Promise<void> => {
      await page.goto(`${stack.page.origin}/?${query}`);
      await page.waitForSelector('body[data-state="ready"]');
    };

    await open();
    await page.setInputFiles('#files', [file('holiday-video.mp4', 12 * PART), file('notes.txt', 20_000)]);
    await page.waitForSelector('#queue li:nth-child(2)');
    await shoot(page, '1-files-chosen');

    stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 5 }, ms: 4000 });
    await page.click('#upload');
    await page.waitForFunction(() => document.querySelector('#queue .status')?.textContent === 'Uploading part 5 of 12…');
    await page.waitForTimeout(300);
    await shoot(page, '2-uploading-part-n-of-N');
    await page.waitForSelector('body[data-busy="false"]', { timeout: 60_000 });
    await shoot(page, '3-done-with-links');

    stack.oss.faults.add({ kind: 'fail', match: { operation: 'UploadPart', partNumber: 3 }, times: Infinity });
    await open();
    await page.setInputFiles('#files', file('survey-data.csv', 6 * PART));
    await page.click('#upload');
    await page.waitForSelector('#queue li[data-state="retrying"]');
    await shoot(page, '4-retrying');
    await page.waitForSelector('#queue li[data-state="failed"]', { timeout: 30_000 });
    await shoot(page, '5-failed-at-step-resumable');

    await open();
    await page.waitForSelector('#unfinished:not([hidden])');
    await shoot(page, '6-after-reload-unfinished');
    stack.oss.faults.clear();

    stack.oss.faults.add({ kind: 'delay', match: { operation: 'UploadPart', partNumber: 2 }, ms: 1500 });
    await open();
    await page.setInputFiles('#files', file('offline-demo.bin', 4 * PART));
    await page.click('#upload');
    await page.waitForFunction(() => document.querySelector('#queue .status')?.textContent === 'Uploading part 2 of 4…');
    await context.setOffline(true);
    await page.waitForSelector('#queue li[data-state="waiting"]', { timeout: 15_000 });
    await shoot(page, '7-offline-waiting');
    await context.setOffline(false);
    await page.waitForSelector('body[data-busy="false"]', { timeout: 30_000 });

    await open('mode=uppy');
    await page.waitForSelector('.uppy-Dashboard');
    await page.setInputFiles('.uppy-Dashboard-input >> nth=0', [file('photo.jpg', 300_000), file('clip.mov', 2_000_000)]);
    await page.waitForSelector('.uppy-StatusBar-actionBtn--upload');
    await shoot(page, '8-uppy-dashboard');
    await context.close();
  } finally {
    await browser.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const name of shots) console.log(`docs/screenshots/${name}.png`);
}

const USAGE = `usage: npm run screenshots

Starts the local stack, opens the upload page in headless Chromium (/usr/bin/chromium) and photographs each of its
states into docs/screenshots/*.png (the README links them). Takes no options.

  -h, --help    this text`;

parseCli(USAGE, {});
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
