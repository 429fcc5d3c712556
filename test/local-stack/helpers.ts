import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/local-stack';
import { presign, type PresignAnswer } from '../../scripts/local-stack/check';

export { presign, type PresignAnswer };

/** Debian's Chromium and the launch flags that work on this machine's closed network (see .library/env machines). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The whole stack with the real handlers; the handlers' stdout JSON lines are captured so tests can check them. */
export async function startStack(options: LocalStackOptions = {}): Promise<LocalStack & { handlerLines: string[] }> {
  const handlerLines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // Captured, not swallowed blindly: every line is kept and checked for secrets by the suites.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    handlerLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const stack = await startLocalStack(options);
  const close = stack.close;
  return Object.assign(stack, {
    handlerLines,
    close: async () => {
      await close();
      process.stdout.write = write;
    },
  });
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
