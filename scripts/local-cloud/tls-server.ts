import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0: a free port) and gives back the port and the origin, IPv6 hosts bracketed. */
export async function listenOn(server: http.Server, host: string, port: number | undefined, scheme: 'http' | 'https' = 'http'): Promise<{ port: number; origin: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, origin: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Starts an http or https server on loopback and gives back its origin and a close() that also drops hung sockets. */
export async function listenLoopback(
  handler: http.RequestListener,
  options: { tls?: { key: string; cert: string }; host?: string; port?: number },
): Promise<{ server: http.Server; origin: string; port: number; close(): Promise<void> }> {
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  const { port, origin } = await listenOn(server, options.host ?? '127.0.0.1', options.port, options.tls ? 'https' : 'http');
  return {
    server,
    port,
    origin,
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
