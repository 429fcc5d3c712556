import type { GetRequest, ResponseOverrides } from '../request/get';
import { invalidArgument } from '../errors';
import type { QueryValue } from '../signing';
import { checkProcess, checkResponseOverrides } from '../rules/checks';
import { ruleFor } from '../rules/match';
import { checkKey } from '../signing';
import { chooseBucket } from './target';
import { signCapped } from './sign';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';

/** RFC 6266 with an RFC 5987 `filename*`, plus an ASCII fallback for clients that ignore it. */
export function contentDispositionFor(filename: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function responseQuery(response: ResponseOverrides | undefined): Record<string, QueryValue> {
  if (!response) return {};
  if (response.filename !== undefined && response.contentDisposition !== undefined) {
    throw invalidArgument('response.filename', 'give either response.filename or response.contentDisposition, not both');
  }
  if (response.disposition !== undefined && response.filename === undefined) {
    throw invalidArgument('response.disposition', 'response.disposition goes with response.filename');
  }
  const disposition = response.filename !== undefined ? contentDispositionFor(response.filename, response.disposition) : response.contentDisposition;
  return {
    'response-content-type': response.contentType,
    'response-content-disposition': disposition,
    'response-cache-control': response.cacheControl,
    'response-content-language': response.contentLanguage,
    'response-expires': response.expires,
  };
}

export async function presignGet(request: GetRequest, context: InvocationContext, deps: ServiceDeps): Promise<PresignSuccess> {
  const bucket = chooseBucket(request.bucket, deps.policy);
  if (request.key === undefined) throw invalidArgument('key', 'key is required');
  const key = checkKey(request.key);
  const method = request.method ?? 'GET';
  const rule = ruleFor(deps.policy.rules, deps.caller, method === 'HEAD' ? 'head' : 'get', key);
  checkProcess(rule, request.process, 'process');
  checkResponseOverrides(rule, request.response);
  const query: Record<string, QueryValue> = {
    versionId: request.versionId,
    'x-oss-process': request.process,
    'x-oss-traffic-limit': request.trafficLimit,
    ...responseQuery(request.response),
  };
  return signCapped({ method, bucket, key, query }, request, rule, context, deps);
}
