/**
 * Per-user folders on the local stack as `npm start` runs it (the local OIDC issuer, JWKS fetched from loopback, the
 * rules of scripts/local-stack/oidc-rules.ts), in a real Chromium: alice and bob sign in on the upload page, each
 * uploads, each downloads their own file, and each gets 403 for the other's. The bytes are checked at the local OSS.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ObjectStorage } from '../../scripts/local-oss/storage';
import { useBrowserStack } from './helpers';

const rig = useBrowserStack('sign-in-test-', { oidc: true });

async function signedIn(user: string): Promise<Page> {
  const context = await rig.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${rig.stack.page.origin}/`);
  await page.waitForSelector('body[data-state="ready"]');
  await page.fill('#username', user);
  await page.click('#signin-button');
  await page.waitForSelector(`body[data-user="${user}"]`);
  return page;
}

async function uploadAs(page: Page, name: string, bytes: Buffer): Promise<string> {
  const file = path.join(rig.dir, name);
  writeFileSync(file, bytes);
  await page.setInputFiles('#files', file);
  await page.waitForSelector('#queue li');
  await page.click('#upload');
  await page.waitForSelector('#queue li[data-state="done"], #queue li[data-state="failed"]', { timeout: 30_000 });
  expect(await page.getAttribute('#queue li', 'data-state')).toBe('done');
  return (await page.getAttribute('#queue li', 'data-key')) as string;
}

/** Asks the page for a download link; answers the link's bytes, or the refusal the page showed. */
async function fetchAs(page: Page, key: string): Promise<{ bytes?: Buffer; refused?: string }> {
  await page.fill('#fetch-key', key);
  await page.click('#fetch-button');
  await page.waitForSelector('#fetch-result[data-outcome]', { state: 'attached' });
  const outcome = (await page.getAttribute('#fetch-result', 'data-outcome')) as string;
  if (outcome !== 'ok') return { refused: outcome };
  const url = (await page.getAttribute(`#uploaded a:text-is("${key}")`, 'href')) as string;
  // The browser fetches the presigned URL itself, from the page's origin, as a user clicking the link would.
  const bytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), url);
  return { bytes: Buffer.from(bytes) };
}

describe('signed-in users on the upload page (Chromium, local OIDC issuer)', () => {
  it('alice and bob each upload into their own folder, download their own file, and get 403 for the other\'s', async () => {
    const alicePage = await signedIn('alice');
    const bobPage = await signedIn('bob');
    expect(await alicePage.inputValue('#prefix')).toBe('users/alice/');
    const aliceBytes = randomBytes(40_000);
    const bobBytes = randomBytes(30_000);
    const aliceKey = await uploadAs(alicePage, 'alice-notes.bin', aliceBytes);
    const bobKey = await uploadAs(bobPage, 'bob-notes.bin', bobBytes);
    expect([aliceKey, bobKey]).toEqual(['users/alice/alice-notes.bin', 'users/bob/bob-notes.bin']);

    expect((await fetchAs(alicePage, aliceKey)).bytes?.equals(aliceBytes)).toBe(true);
    expect((await fetchAs(bobPage, bobKey)).bytes?.equals(bobBytes)).toBe(true);
    expect(await fetchAs(alicePage, bobKey)).toEqual({ refused: '403 CallerNotAllowed' });
    expect(await fetchAs(bobPage, aliceKey)).toEqual({ refused: '403 CallerNotAllowed' });

    // And the other side of the refusal: the objects are there, as the local OSS holds them.
    const stored = new ObjectStorage(rig.stack.oss.dataDir);
    expect((await stored.readObject(rig.stack.bucket, aliceKey)).equals(aliceBytes)).toBe(true);
    expect((await stored.readObject(rig.stack.bucket, bobKey)).equals(bobBytes)).toBe(true);
    await alicePage.context().close();
    await bobPage.context().close();
  });

  it('bob cannot write into alice\'s folder by changing the folder field, nor can anyone after signing out', async () => {
    const bobPage = await signedIn('bob');
    await bobPage.fill('#prefix', 'users/alice/');
    const file = path.join(rig.dir, 'intruder.txt');
    writeFileSync(file, 'bob was here');
    await bobPage.setInputFiles('#files', file);
    await bobPage.click('#upload');
    await bobPage.waitForSelector('#queue li[data-state="failed"]', { timeout: 30_000 });
    expect(await bobPage.textContent('#queue li .status')).toMatch(/403|not allowed|CallerNotAllowed|KeyNotAllowed/i);
    await bobPage.click('#signout');
    await bobPage.waitForSelector('body[data-user=""]');
    expect(await fetchAs(bobPage, 'users/bob/bob-notes.bin')).toEqual({ refused: '401 Unauthorized' });
    await bobPage.context().close();
  });
});
