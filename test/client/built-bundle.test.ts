import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildClient } from '../../scripts/build-client';
import { startStack } from '../local-stack/helpers';
import { tempDir } from '../support/temp';

/**
 * What `npm run build:client` ships, used as a user would: the ESM bundle imported by a plain Node 20 process (no
 * TypeScript, no repository modules), uploading and downloading through the local stack, with the .d.ts types beside
 * it. The TypeScript sources are tested in node-client.test.ts; this checks the bundle built from them.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let files: { file: string; bytes: number }[];
let out: string;

beforeAll(async () => {
  out = path.join(tempDir('oss-presign-client-'), 'client');
  [stack, files] = await Promise.all([startStack(), buildClient(out)]);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('ships the two ES modules, with no import of anything outside them, and their types', () => {
  expect(files.map((f) => path.basename(f.file))).toEqual(['oss-presign-client.js', 'oss-presign-uppy.js']);
  for (const { file } of files) expect(readFileSync(file, 'utf8')).not.toMatch(/\bimport\s*(?:[\w{},*\s]+from\s*)?["'](?!\.\/)/);
  for (const types of ['index.d.ts', 'uppy.d.ts', 'node.d.ts']) expect(existsSync(path.join(out, 'types', types))).toBe(true);
  expect(readFileSync(path.join(out, 'types', 'index.d.ts'), 'utf8')).toMatch(/upload/);
});

it('a plain Node 20 process imports the bundle and uploads, then downloads, through the local stack', async () => {
  const script = `
    const { upload, download } = await import(${JSON.stringify(path.join(out, 'oss-presign-client.js'))});
    const body = new TextEncoder().encode('from the built bundle');
    const done = await upload(body, { endpoint: process.env.PUT_URL, key: 'uploads/built-bundle.txt', contentType: 'text/plain' });
    const got = await download(done.key, { endpoint: process.env.PUT_URL, getEndpoint: process.env.GET_URL });
    console.log(JSON.stringify({ key: done.key, text: await got.blob.text() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PUT_URL: stack.presignPutUrl, GET_URL: stack.presignGetUrl },
    timeout: 60_000,
  });
  expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({ key: 'uploads/built-bundle.txt', text: 'from the built bundle' });
});
