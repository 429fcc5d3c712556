import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

export type ExtraCa = string | Buffer | readonly (string | Buffer)[] | undefined;

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** Extra CA certificates to trust besides the system store. */
  ca?: ExtraCa;
  timeoutMs: number;
  /** The `code` a timed-out exchange rejects with, so callers can word the failure. */
  timeoutCode: string;
}

/**
 * One request and its whole answer, for the credential fetchers (STS, credentials URI). One deadline covers
 * connect, TLS and the response, so a server that accepts and then stalls still times out; a fresh connection
 * each time, since a refresh happens at most every few minutes per instance.
 */
export function exchange(url: URL, options: ExchangeOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'http:' ? http : https;
    // A custom `ca` replaces Node's default roots, so keep them (real endpoints must still validate) and add the extra ones.
    const ca = options.ca === undefined ? undefined : [...tls.rootCertificates, ...(Array.isArray(options.ca) ? options.ca : [options.ca])];
    const req = lib.request(url, { method: options.method, headers: options.headers, agent: false, ...(ca === undefined ? {} : { ca }) });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: options.timeoutCode })), options.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.end(options.body);
  });
}
