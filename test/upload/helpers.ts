import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler, type FcHandler } from '../../shared/core/handler';
import type { LogLine } from '../../shared/core/log';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { BUCKET, STS, startHarness, type Harness } from '../local-oss/helpers';

export { BUCKET, STS };

/** The real presign-put handler against a running local OSS, signing with STS keys the local OSS knows. */
export interface UploadRig {
  h: Harness;
  logs: LogLine[];
  put(body: unknown, env?: Record<string, string>): Promise<Record<string, unknown>>;
  /** Downloads an object through a presign-get URL. */
  download(key: string): Promise<{ status: number; body: Buffer; contentType: string | null }>;
  env: Record<string, string>;
  handler(env?: Record<string, string>): FcHandler;
}

export async function startRig(extraEnv: Record<string, string> = {}): Promise<UploadRig> {
  const h = await startHarness();
  const logs: LogLine[] = [];
  const env = { OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: h.oss.origin, CALLBACK_URL_ALLOWLIST: 'http://127.0.0.1:*,hooks.example.com', ALLOW_FORM_KEY_PREFIX: 'true', ...extraEnv };
  const handlers = new Map<string, FcHandler>();
  const handler = (more: Record<string, string> = {}): FcHandler => {
    const id = JSON.stringify(more);
    let found = handlers.get(id);
    if (!found) {
      found = createHandler(putOperation, { env: { ...env, ...more }, log: (line) => logs.push(line) });
      handlers.set(id, found);
    }
    return found;
  };
  const context = { requestId: 'req-upload', region: 'cn-hangzhou', credentials: { ...STS } };
  const get = createHandler(getOperation, { env, log: () => undefined });
  return {
    h,
    logs,
    env,
    handler,
    put: async (body, more) => (await handler(more)(Buffer.from(JSON.stringify(body)), context)) as Record<string, unknown>,
    download: async (key) => {
      const answer = (await get(Buffer.from(JSON.stringify({ key })), context)) as { url: string };
      const res = await fetch(answer.url);
      return { status: res.status, body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') };
    },
  };
}

/** fetch with the signed headers; content-length is set by fetch itself from the body. */
export async function call(target: { method: string; url: string; signedHeaders: Record<string, string> }, body?: Uint8Array | string): Promise<{ status: number; text: string; headers: Headers }> {
  const headers = Object.fromEntries(Object.entries(target.signedHeaders).filter(([name]) => name !== 'content-length'));
  // A view of its own (not a Buffer slice of a shared pool) is what fetch's BodyInit accepts.
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body);
  const res = await fetch(target.url, { method: target.method, headers, ...(payload === undefined ? {} : { body: payload as BodyInit }) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export function xmlField(text: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
}

export interface CallbackTarget {
  port: number;
  received: Array<{ body: string; contentType: string | undefined; host: string | undefined; path: string | undefined }>;
  close(): Promise<void>;
}

/** A loopback server that records each callback and answers JSON. */
export async function startCallbackTarget(): Promise<CallbackTarget> {
  const received: CallbackTarget['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, contentType: req.headers['content-type'], host: req.headers.host, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stored: true, seen: received.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
