import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { BROWSER_BUNDLE } from '../build-client';

/**
 * Serves the upload page (scripts/upload-page/) and `/config.json`, which tells the page where presign-put and
 * presign-get are. The page's scripts are TypeScript on top of the client library: esbuild bundles them in memory
 * on the first request (app.js; uppy.js and uppy.css for the Uppy mode). Static files only, no directory listing,
 * nothing outside the page folder.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export const PAGE_DIR = path.resolve(__dirname, '..', 'upload-page');

let bundles: Promise<Map<string, Uint8Array>> | undefined;

/** app.js, uppy.js and uppy.css, built once per process. */
export function pageBundles(): Promise<Map<string, Uint8Array>> {
  bundles ??= build({
    ...BROWSER_BUNDLE,
    entryPoints: { app: path.join(PAGE_DIR, 'app.ts'), uppy: path.join(PAGE_DIR, 'uppy-mode.ts') },
    outdir: path.join(PAGE_DIR, 'out'),
    write: false,
  }).then((result) => new Map(result.outputFiles.map((f) => [path.basename(f.path), f.contents])));
  bundles.catch(() => {
    bundles = undefined;
  });
  return bundles;
}

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
      let built: Map<string, Uint8Array>;
      try {
        built = await pageBundles();
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`the page could not be built: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      const bundled = built.get(name);
      if (bundled && !name.includes('/')) {
        res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(bundled);
        return;
      }
      const file = path.resolve(PAGE_DIR, name);
      const type = path.extname(file) === '.ts' ? undefined : TYPES[path.extname(file)];
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
