import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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
