import { execFile } from 'node:child_process';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OSS from 'ali-oss';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/local-stack/chromium';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/local-stack';
import { presign, type PresignAnswer } from '../../scripts/local-stack/check';

export { presign, type PresignAnswer };


/**
 * The whole stack with the real handlers. What the handlers print is their log: the local FC host takes it per
 * invocation (as FC ships it to the logstore) and hands it to the stack's log, where it is kept for the suites to check.
 */
export async function startStack(options: LocalStackOptions = {}): Promise<LocalStack & { handlerLines: string[] }> {
  const handlerLines: string[] = [];
  const stack = await startLocalStack({
    ...options,
    log: (line) => {
      if (line.startsWith('fc   {')) handlerLines.push(line.slice(5));
      options.log?.(line);
    },
  });
  return Object.assign(stack, { handlerLines });
}

export function ossCode(text: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}

export interface CurlResult {
  status: number;
  body: Buffer;
  text: string;
  headers: string;
}

/** Runs the real curl binary; the body goes to a temp file so binary bytes are kept exact. */
export async function curl(args: string[]): Promise<CurlResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'curl-'));
  try {
    const out = path.join(dir, 'body');
    const hdr = path.join(dir, 'headers');
    const { stdout } = await run('curl', ['-sS', '-o', out, '-D', hdr, '-w', '%{http_code}', ...args]);
    const body = await fs.readFile(out).catch(() => Buffer.alloc(0));
    return { status: Number(stdout.trim()), body, text: body.toString('utf8'), headers: await fs.readFile(hdr, 'utf8') };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
}

const run = promisify(execFile);

/**
 * The whole stack and a Chromium for one test file: started before its tests, closed after them, the local OSS's
 * faults cleared after each test; plus a temp folder for files to pick (removed at the end).
 */
export function useBrowserStack(tempPrefix: string, options: LocalStackOptions = {}): { readonly stack: LocalStack; readonly browser: Browser; dir: string } {
  let stack: (LocalStack & { handlerLines: string[] }) | undefined;
  let browser: Browser | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  beforeAll(async () => {
    stack = await startStack(options);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    stack?.oss.faults.clear();
  });
  return {
    get stack() {
      return stack as LocalStack;
    },
    get browser() {
      return browser as Browser;
    },
    dir,
  };
}

/** Keys of the multipart uploads OSS still holds under a prefix, read by ali-oss's ListMultipartUploads (an oracle of its own). */
export async function unfinishedUploads(stack: LocalStack, prefix: string): Promise<string[]> {
  const client = new OSS({ region: 'oss-cn-hangzhou', bucket: stack.bucket, endpoint: stack.oss.origin, authorizationV4: true, ...stack.platformKey } as OSS.Options);
  const listed = (await client.listUploads({ prefix })) as unknown as { uploads: { name: string }[] };
  return listed.uploads.map((u) => u.name);
}
