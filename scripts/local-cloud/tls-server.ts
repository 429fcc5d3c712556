import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

/** Starts an http or https server on loopback and gives back its origin and a close() that also drops hung sockets. */
export async function listenLoopback(
  handler: http.RequestListener,
  options: { tls?: { key: string; cert: string }; host?: string; port?: number },
): Promise<{ server: http.Server; origin: string; port: number; close(): Promise<void> }> {
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
