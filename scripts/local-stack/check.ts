import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LocalStack } from './index';

const run = promisify(execFile);

export interface PresignAnswer {
  method: string;
  url: string;
  expiration: string;
  expiresIn: number;
  signedHeaders: Record<string, string>;
}

/** POSTs a JSON request to a function's HTTP trigger and returns the parsed answer, throwing on a non-200. */
export async function presign(triggerUrl: string, request: unknown): Promise<PresignAnswer> {
  const res = await fetch(triggerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${triggerUrl} answered ${res.status}: ${text}`);
  return JSON.parse(text) as PresignAnswer;
}

/**
 * The flow `npm start -- --check` runs once: presign-put → upload with the real curl → presign-get → download with
 * curl → bytes compared. Returns the lines to print; throws with the failing step.
 */
export async function runCheck(stack: LocalStack): Promise<string[]> {
  const lines: string[] = [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'presign-check-'));
  try {
    const bytes = randomBytes(64 * 1024 + 17);
    const file = path.join(dir, 'upload.bin');
    await fs.writeFile(file, bytes);
    const key = `check/${Date.now()}-upload.bin`;
    const put = await presign(stack.presignPutUrl, { key, contentType: 'application/octet-stream', contentLength: bytes.length });
    lines.push(`presign-put  200 ${put.method} expiresIn=${put.expiresIn}s signedHeaders=${Object.keys(put.signedHeaders).join(',')}`);
    const headerArgs = Object.entries(put.signedHeaders).filter(([k]) => k.toLowerCase() !== 'content-length').flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const up = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '-T', file, ...headerArgs, put.url]);
    if (up.stdout.trim() !== '200') throw new Error(`curl upload answered ${up.stdout.trim()}`);
    lines.push('curl PUT     200');
    const get = await presign(stack.presignGetUrl, { key });
    lines.push(`presign-get  200 ${get.method} expiresIn=${get.expiresIn}s`);
    const out = path.join(dir, 'download.bin');
    const down = await run('curl', ['-sS', '-o', out, '-w', '%{http_code}', get.url]);
    if (down.stdout.trim() !== '200') throw new Error(`curl download answered ${down.stdout.trim()}`);
    const got = await fs.readFile(out);
    if (!got.equals(bytes)) throw new Error(`downloaded ${got.length} bytes differ from the ${bytes.length} uploaded`);
    lines.push(`curl GET     200, ${got.length} bytes, identical to the upload`);
    return lines;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
