import { decodeBody, isObject, lowercaseHeaders, stringRecord, type HttpRequest, type HttpResponse, type JsonObject } from './types';

/**
 * FC 3.0 HTTP trigger: `version: "v1"` with a `requestContext` tells it apart from everything else. An
 * InvokeFunction call (`s invoke`, another service) to an HTTP-triggered function arrives in the same shape,
 * with the API path as rawPath and X-Acs-Action: InvokeFunction.
 */
export function isFcHttpEvent(event: unknown): event is JsonObject {
  return isObject(event) && event.version === 'v1' && isObject(event.requestContext) && typeof event.rawPath === 'string';
}

const INVOKE_PATH = /^\/(?:2023-03-30|2016-08-15)\/(?:services\/[^/]+\/)?functions\/[^/]+\/invocations\/?$/;

export function fromFcHttpEvent(event: JsonObject): HttpRequest {
  const headers = lowercaseHeaders(event.headers);
  const context = event.requestContext as JsonObject;
  const http = isObject(context.http) ? context.http : {};
  const rawPath = event.rawPath as string;
  const path = typeof http.path === 'string' ? http.path : rawPath;
  return {
    method: (typeof http.method === 'string' ? http.method : 'POST').toUpperCase(),
    path,
    headers,
    query: stringRecord(event.queryParameters),
    pathParameters: {},
    body: decodeBody(event.body, event.isBase64Encoded),
    invokedThroughApi: headers['x-acs-action'] === 'InvokeFunction' || INVOKE_PATH.test(rawPath),
  };
}

export function toFcHttpResponse(response: HttpResponse): { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: false } {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body, isBase64Encoded: false };
}
