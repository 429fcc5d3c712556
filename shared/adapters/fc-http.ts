import type { InvocationContext } from '../service/types';
import { decodeBody, isObject, lowercaseHeaders, stringRecord, type HttpRequest, type HttpResponse, type JsonObject } from './types';

/** FC 3.0 HTTP trigger: `version: "v1"` with a `requestContext` tells it apart from everything else. */
export function isFcHttpEvent(event: unknown): event is JsonObject {
  return isObject(event) && event.version === 'v1' && isObject(event.requestContext) && typeof event.rawPath === 'string';
}

const INVOKE_PATH = /^\/2023-03-30\/functions\/[^/]+\/invocations\/?$/;
// FC's API endpoints: <accountId>.<region>.fc.aliyuncs.com and <accountId>.<region>-internal.fc.aliyuncs.com (FC endpoints
// doc: alibabacloud.com/help/en/functioncompute/fc-3-0/developer-reference/fc-endpoints; no -vpc API endpoint exists).
const API_DOMAIN = /^([^.]+)\.([a-z0-9-]+?)(?:-internal)?\.fc\.aliyuncs\.com$/;

/**
 * Whether this v1 HTTP event is an InvokeFunction API call that FC wrapped for a function with an HTTP trigger
 * (devsapp/fc3 __tests__/e2e/trigger/http/evt.json captures one), and so was authenticated by FC itself.
 *
 * The decision rests only on what FC's front end fills in and a caller cannot: `requestContext.domainName` is the
 * host FC routed the request by. A trigger request carries its trigger's domain (`<trigger-id>.<region>.fcapp.run`)
 * or the operator's custom domain; only a request to the FC API endpoint `<accountId>.<region>.fc.aliyuncs.com`,
 * which FC accepts only with a valid ACS3 signature, carries that form. The account and region must be this
 * function's own (FC's context says which), and the path must be the API's invocation path. Headers such as
 * `X-Acs-Action` are not evidence: any HTTP caller can send them. Anything less than all of this is treated as an
 * ordinary HTTP request, token and all (docs/operations.md, "Who can call").
 */
export function isInvokeFunctionWrap(event: JsonObject, context: InvocationContext): boolean {
  const requestContext = event.requestContext;
  if (!isObject(requestContext) || typeof requestContext.domainName !== 'string') return false;
  const { accountId, region } = context;
  // Only the account needs a guard (it is lowercased below). A missing or empty account or region cannot pass: both of
  // API_DOMAIN's groups match at least one character, so neither equals '' or a non-string.
  if (typeof accountId !== 'string') return false;
  const domain = API_DOMAIN.exec(requestContext.domainName.toLowerCase());
  const http = isObject(requestContext.http) ? requestContext.http : undefined;
  return (
    domain !== null &&
    domain[1] === accountId.toLowerCase() &&
    domain[2] === region &&
    requestContext.accountId === accountId &&
    requestContext.domainPrefix === accountId &&
    typeof event.rawPath === 'string' &&
    INVOKE_PATH.test(event.rawPath) &&
    http !== undefined &&
    http.method === 'POST'
  );
}

/** The InvokeFunction payload FC wrapped: the body, as the bytes the caller sent. */
export function wrappedPayload(event: JsonObject): Buffer {
  return decodeBody(event.body, event.isBase64Encoded);
}

export function fromFcHttpEvent(event: JsonObject): HttpRequest {
  const context = event.requestContext as JsonObject;
  const http = isObject(context.http) ? context.http : {};
  const rawPath = event.rawPath as string;
  return {
    method: (typeof http.method === 'string' ? http.method : 'POST').toUpperCase(),
    path: typeof http.path === 'string' ? http.path : rawPath,
    headers: lowercaseHeaders(event.headers),
    query: stringRecord(event.queryParameters),
    pathParameters: {},
    body: decodeBody(event.body, event.isBase64Encoded),
  };
}

export function toFcHttpResponse(response: HttpResponse): { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: false } {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body, isBase64Encoded: false };
}
