import { ServiceError } from '../errors';
import { EVENT_LIMITS, parseJsonTree } from '../request/tree';
import type { HttpRequest } from '../adapters/types';

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** A POST body: at most 64 KB of JSON, declared as JSON. */
export function readJsonBody(request: HttpRequest): unknown {
  if (request.body.length > MAX_BODY_BYTES) {
    throw new ServiceError('PayloadTooLarge', 413, `the request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new ServiceError('UnsupportedMediaType', 415, 'send the request as JSON with content-type: application/json');
  }
  if (request.body.length === 0) return Object.create(null);
  const parsed = parseJsonTree(request.body.toString('utf8'), 'body', { ...EVENT_LIMITS, maxBytes: MAX_BODY_BYTES });
  if (!parsed.ok) throw new ServiceError('InvalidJson', 400, 'the request body is not valid JSON', { field: 'body' });
  return parsed.tree;
}
