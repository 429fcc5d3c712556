import { decodeBody, isObject, lowercaseHeaders, stringRecord, type HttpRequest, type HttpResponse, type JsonObject } from './types';

/** API Gateway: `httpMethod` and `path` (and no v1 requestContext) mark its events. */
export function isApiGatewayEvent(event: unknown): event is JsonObject {
  return isObject(event) && typeof event.httpMethod === 'string' && typeof event.path === 'string';
}

export function fromApiGatewayEvent(event: JsonObject): HttpRequest {
  return {
    method: (event.httpMethod as string).toUpperCase(),
    path: event.path as string,
    headers: lowercaseHeaders(event.headers),
    query: stringRecord(event.queryParameters),
    pathParameters: stringRecord(event.pathParameters),
    body: decodeBody(event.body, event.isBase64Encoded),
  };
}

/** API Gateway answers 503 unless all four fields are present. */
export function toApiGatewayResponse(response: HttpResponse): { isBase64Encoded: false; statusCode: number; headers: Record<string, string>; body: string } {
  return { isBase64Encoded: false, statusCode: response.statusCode, headers: response.headers, body: response.body };
}
