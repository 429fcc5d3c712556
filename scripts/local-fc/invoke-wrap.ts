import type { IncomingMessage } from 'node:http';
import { decodeQuery, goCanonicalHeaders, isoSecond, isUtf8, safeDecode } from './http-event';
import type { HttpTriggerEvent } from './types';

/**
 * What FC 3.0 hands a function that has an HTTP trigger when it is called through the InvokeFunction API
 * (`POST /2023-03-30/functions/<fn>/invocations`, e.g. `s invoke`): the API request itself, in the HTTP trigger's v1
 * shape. Modelled field by field on the one captured from a real deployment, devsapp/fc3
 * `__tests__/e2e/trigger/http/evt.json` (test/fixtures/events/fc3-http-trigger-event-e2e.json):
 * - `rawPath` and `requestContext.http.path` are the API path; the headers are the API request's, in Go's canonical
 *   form, ACS3 `Authorization` and `X-Acs-*` included; `Host` and `Content-Length` are not among them;
 * - `body` is the payload as sent: text when it is UTF-8 (the capture's `"haha"` arrived as text although its
 *   Content-Type was application/octet-stream), base64 with `isBase64Encoded: true` otherwise;
 * - `requestContext`: the account, the HTTP trigger's id, `domainName` `<accountId>.<region>.fc.aliyuncs.com` (the API
 *   endpoint FC routed by), `domainPrefix` the account, and an empty `requestId`, all as captured.
 */
export type InvokeWrapEvent = Omit<HttpTriggerEvent, 'requestContext'> & { requestContext: HttpTriggerEvent['requestContext'] & { triggerId: string } };

export interface InvokeWrapInput {
  req: IncomingMessage;
  rawPath: string;
  rawQuery: string;
  body: Buffer;
  accountId: string;
  region: string;
  triggerId: string;
  now: number;
}

const NOT_FORWARDED = new Set(['host', 'content-length', 'transfer-encoding']);

export function buildInvokeWrap(input: InvokeWrapInput): InvokeWrapEvent {
  const { req } = input;
  const headers = goCanonicalHeaders(req, NOT_FORWARDED);
  const text = input.body.length === 0 || isUtf8(input.body);
  const userAgent = req.headers['user-agent'] ?? '';
  return {
    version: 'v1',
    rawPath: input.rawPath,
    headers,
    queryParameters: decodeQuery(input.rawQuery),
    body: text ? input.body.toString('utf8') : input.body.toString('base64'),
    isBase64Encoded: !text,
    requestContext: {
      accountId: input.accountId,
      triggerId: input.triggerId,
      domainName: `${input.accountId}.${input.region}.fc.aliyuncs.com`,
      domainPrefix: input.accountId,
      requestId: '',
      time: isoSecond(input.now),
      timeEpoch: String(input.now),
      http: {
        method: (req.method ?? 'POST').toUpperCase(),
        path: safeDecode(input.rawPath),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        userAgent,
      },
    },
  };
}
