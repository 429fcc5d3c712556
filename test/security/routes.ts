import type { FcHandler } from '../../shared/core/handler';
import { asEvent, fcContext, httpEvent } from '../support/fc';

/**
 * The ways one request can reach a handler, so that every hostile input is tried wherever it can arrive:
 * - direct: the InvokeFunction payload itself (s invoke, another service);
 * - http: an FC 3.0 HTTP trigger request (POST / with a JSON body);
 * - apigw: an API Gateway event (base64 body);
 * - wrapped: a genuine InvokeFunction call FC wrapped in the HTTP-trigger shape (its account, region and API domain).
 * Each answer is reduced to what a caller sees: the HTTP status where there is one, the JSON body, and the error.
 */
export type Route = 'direct' | 'http' | 'apigw' | 'wrapped';
export const HTTP_ROUTES: readonly Route[] = ['http', 'apigw'];
export const ALL_ROUTES: readonly Route[] = ['direct', 'http', 'apigw', 'wrapped'];

export interface RouteAnswer {
  /** HTTP status; a direct answer has none, so it is 200 unless the answer is an error (then the error's). */
  status: number;
  body: Record<string, unknown>;
  error?: { code: string; message: string; field?: string };
  /** The raw answer as text, for searching. */
  text: string;
}

export const CONTEXT = fcContext();
const ACCOUNT = CONTEXT.accountId;
const REGION = CONTEXT.region;

/** A wrapped InvokeFunction event as FC builds it (devsapp/fc3 __tests__/e2e/trigger/http/evt.json, with our ids). */
export function wrappedInvoke(payload: string, overrides: { domainName?: string; accountId?: string; rawPath?: string } = {}) {
  const rawPath = overrides.rawPath ?? '/2023-03-30/functions/presign/invocations';
  const accountId = overrides.accountId ?? ACCOUNT;
  return {
    version: 'v1',
    rawPath,
    headers: { 'Content-Type': 'application/octet-stream', 'X-Acs-Action': 'InvokeFunction', 'X-Acs-Version': '2023-03-30', Authorization: 'ACS3-HMAC-SHA256 Credential=LTAI-test,SignedHeaders=host,Signature=00' },
    queryParameters: {},
    body: payload,
    isBase64Encoded: false,
    requestContext: {
      accountId,
      domainName: overrides.domainName ?? `${accountId}.${REGION}.fc.aliyuncs.com`,
      domainPrefix: accountId,
      requestId: 'req-test-1',
      time: '2026-11-22T02:00:00Z',
      timeEpoch: '1795317600000',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'AlibabaCloud' },
    },
  };
}

export function apiGatewayEvent(init: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; path?: Record<string, string>; method?: string }) {
  return {
    path: '/presign',
    httpMethod: init.method ?? 'POST',
    headers: init.headers ?? { 'content-type': 'application/json' },
    queryParameters: init.query ?? {},
    pathParameters: init.path ?? {},
    body: Buffer.from(init.body ?? '').toString('base64'),
    isBase64Encoded: true,
  };
}

function reduce(raw: unknown, httpShaped: boolean): RouteAnswer {
  if (httpShaped) {
    const answer = raw as { statusCode: number; body: string };
    const body = (answer.body ? JSON.parse(answer.body) : {}) as Record<string, unknown>;
    return { status: answer.statusCode, body, error: body.error as RouteAnswer['error'], text: answer.body };
  }
  const body = raw as Record<string, unknown>;
  const error = body.error as RouteAnswer['error'] | undefined;
  return { status: error ? 0 : 200, body, error, text: JSON.stringify(body) };
}

/**
 * Sends `request` (a JSON text, so that names such as __proto__ survive as written) by `route`. `headers` go on the
 * HTTP routes (a bearer token, say); `json` false sends the text without a JSON content type.
 */
export async function send(handler: FcHandler, route: Route, request: string, options: { headers?: Record<string, string>; query?: Record<string, string> } = {}): Promise<RouteAnswer> {
  const headers = { 'content-type': 'application/json', ...options.headers };
  switch (route) {
    case 'direct':
      return reduce(await handler(asEvent(request), CONTEXT), false);
    case 'http':
      return reduce(await handler(asEvent(httpEvent({ body: request, headers, ...(options.query ? { query: options.query } : {}) })), CONTEXT), true);
    case 'apigw':
      return reduce(await handler(asEvent(apiGatewayEvent({ body: request, headers, ...(options.query ? { query: options.query } : {}) })), CONTEXT), true);
    case 'wrapped':
      return reduce(await handler(asEvent(wrappedInvoke(request)), CONTEXT), true);
  }
}

/** Every presigned URL signature anywhere in an answer: a refused request must have none. */
export function signaturesIn(text: string): string[] {
  return text.match(/x-oss-signature=[0-9a-f]{64}|"x-oss-signature":"[0-9a-f]{64}"/g) ?? [];
}
