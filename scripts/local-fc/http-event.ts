import type { IncomingMessage } from 'node:http';
import type { HttpTriggerEvent } from './types';

/**
 * Builds the FC 3.0 HTTP trigger event (§2.1 of fc-runtime.md) from a request as received.
 *
 * - `headers`: FC's gateway is written in Go, so names arrive in Go's canonical form (`Content-Type`,
 *   `X-Oss-Meta-Foo`; see the captured `fc3-http-trigger-event-e2e.json`); repeated headers are joined with ",".
 *   `Host` is not among them (Go moves it out of the header map), nor are hop-by-hop headers.
 * - `queryParameters`: decoded, repeated names joined with ",".
 * - `rawPath`: the path as sent (still percent-encoded); `requestContext.http.path` is the decoded one.
 * - `body`: text when it is valid UTF-8 of a textual content type (or no content type), else base64 with
 *   `isBase64Encoded: true`. FC's exact rule is not documented in the copy we have; both forms must be handled.
 */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml))\b)/i;

export function goCanonicalHeaderName(name: string): string {
  return name.toLowerCase().split('-').map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1))).join('-');
}

export function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

export function encodeBody(body: Buffer, contentType: string | undefined): { body: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: '', isBase64Encoded: false };
  const textual = contentType === undefined || contentType === '' || TEXTUAL.test(contentType.trim());
  if (textual && isUtf8(body)) return { body: body.toString('utf8'), isBase64Encoded: false };
  return { body: body.toString('base64'), isBase64Encoded: true };
}

export function decodeQuery(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (rawQuery === '') return out;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const dec = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    const name = dec(rawName);
    const value = dec(rawValue);
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

/** Percent-decoded, or as given when it is not valid percent-encoding (FC passes such paths through). */
export function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** ISO-8601 to the second, as FC writes `requestContext.time`. */
export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface HttpEventInput {
  req: IncomingMessage;
  /** What the function sees as its path (the part after `/<function-name>`), still percent-encoded. */
  rawPath: string;
  rawQuery: string;
  body: Buffer;
  requestId: string;
  accountId: string;
  functionName: string;
  region: string;
  now: number;
}

function triggerDomain(host: string | undefined, functionName: string, region: string): string {
  const fallback = `${functionName}.${region}.fcapp.run`;
  if (host === undefined) return fallback;
  return /\.fc\.aliyuncs\.com(?::\d+)?$/i.test(host) ? fallback : host;
}

/** The request's headers as FC's Go front end hands them on: canonical names, repeated values joined with ",". */
export function goCanonicalHeaders(req: IncomingMessage, dropped: ReadonlySet<string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values || dropped.has(name)) continue;
    headers[goCanonicalHeaderName(name)] = values.join(',');
  }
  return headers;
}

export function buildHttpEvent(input: HttpEventInput): HttpTriggerEvent {
  const { req } = input;
  const headers = goCanonicalHeaders(req, HOP_BY_HOP);
  const encoded = encodeBody(input.body, req.headers['content-type']);
  const rawPath = input.rawPath === '' ? '/' : input.rawPath;
  return {
    version: 'v1',
    rawPath,
    headers,
    queryParameters: decodeQuery(input.rawQuery),
    body: encoded.body,
    isBase64Encoded: encoded.isBase64Encoded,
    requestContext: {
      accountId: input.accountId,
      // Real: `<trigger-id>.<region>.fcapp.run` (or a custom domain); locally the host the client addressed, prefix =
      // function name. Never the API endpoint's form: FC routes a Host of `*.fc.aliyuncs.com` to its signed API, so a
      // trigger request cannot carry it, and the functions trust that form (shared/adapters/fc-http.ts).
      domainName: triggerDomain(req.headers.host, input.functionName, input.region),
      domainPrefix: input.functionName,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: safeDecode(rawPath),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      time: isoSecond(input.now),
      timeEpoch: String(input.now),
    },
  };
}
