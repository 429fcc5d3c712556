import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * Serves the upload page (scripts/upload-page/) and `/config.json`, which tells the page where presign-put and
 * presign-get are. Static files only, no directory listing, nothing outside the page folder.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export const PAGE_DIR = path.resolve(__dirname, '..', 'upload-page');

export async function startPageServer(options: { host?: string; port?: number; config: () => Record<string, unknown> }): Promise<{ origin: string; port: number; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://page').pathname);
      if (pathname === '/config.json') {
        const body = JSON.stringify(options.config());
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      const name = pathname === '/' ? 'index.html' : pathname.slice(1);
      const file = path.resolve(PAGE_DIR, name);
      const type = TYPES[path.extname(file)];
      if (!file.startsWith(PAGE_DIR + path.sep) || type === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      try {
        const body = await fs.readFile(file);
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
