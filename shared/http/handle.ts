import { ServiceError } from '../errors';
import { isObject, type HttpRequest, type HttpResponse } from '../adapters/types';
import { isBatch, runBatch, runOne } from '../core/execute';
import { asServiceError, errorBody, outcomeBody, withRequestId, type Outcome } from '../core/outcome';
import type { LogNote } from '../core/log';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { identifyHttpCaller, SEND_TOKEN } from '../identity/http-caller';
import { readJsonBody } from './body';
import { allowedOrigin, corsHeaders, preflightHeaders } from './cors';
import { fieldsFromQuery, mergeFields } from './query-fields';

export interface HttpOptions {
  /** API Gateway routes by its own API definitions, so its path is not ours to check. */
  checkPath: boolean;
  /** An InvokeFunction wrap this deployment does not trust without a token: the 401 says how to change that. */
  untrustedInvoke: boolean;
}

const UNTRUSTED_INVOKE = `${SEND_TOKEN}; an InvokeFunction call is answered without one only where AUTH_TRUST_INVOKE_FUNCTION=true (docs/operations.md, "Who can call")`;

/**
 * The caller, from the Authorization header alone (401 for credentials that do not verify, 503 when the IdP's keys
 * cannot be had). An InvokeFunction wrap this deployment does not trust is refused whatever rules open to anonymous
 * callers: it carries FC's ACS3 signature, never a bearer token, and the trust rule is AUTH_TRUST_INVOKE_FUNCTION's.
 */
async function checkCaller(request: HttpRequest, options: HttpOptions, deps: ServiceDeps): Promise<ServiceDeps> {
  if (options.untrustedInvoke) throw new ServiceError('Unauthorized', 401, UNTRUSTED_INVOKE);
  const caller = await identifyHttpCaller(request.headers.authorization, deps.policy.identity);
  if (caller.kind === 'anonymous' && !deps.policy.anonymousAdmitted) throw new ServiceError('Unauthorized', 401, SEND_TOKEN);
  return Object.assign({}, deps, { caller });
}

/** A 401 carries the Bearer challenge (RFC 6750). */
function challenged(status: number, headers: Record<string, string>): Record<string, string> {
  return status === 401 ? { ...headers, 'www-authenticate': 'Bearer' } : headers;
}

/** Every JSON answer in an HTTP shape: the body holds bearer URLs, so no cache anywhere may keep a copy. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

function checkPath(request: HttpRequest, options: HttpOptions, operation: Operation): void {
  if (!options.checkPath) return;
  const trimmed = request.path.replace(/\/+$/, '');
  if (trimmed !== '' && trimmed !== `/${operation.name}`) {
    throw new ServiceError('NotFound', 404, `no such path; ${operation.name} answers at / and /${operation.name}`);
  }
}

function requestFields(request: HttpRequest, method: string, operation: Operation): unknown {
  const fromQuery = fieldsFromQuery(request.query, operation);
  const fromPath = fieldsFromQuery(request.pathParameters, operation);
  if (method === 'GET') return mergeFields([fromQuery, fromPath]);
  const body = readJsonBody(request);
  if (Object.keys(fromQuery).length === 0 && Object.keys(fromPath).length === 0) return body;
  if (!isObject(body)) throw new ServiceError('InvalidArgument', 400, 'the body must be a JSON object when fields also come in the query string or path', { field: 'body' });
  return mergeFields([body, fromQuery, fromPath]);
}

async function answer(request: HttpRequest, method: string, operation: Operation, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<[number, unknown]> {
  const fields = requestFields(request, method, operation);
  if (isBatch(fields)) {
    const outcomes = await runBatch(operation, fields, context, deps);
    note.batch(outcomes);
    return [200, { results: outcomes.map(outcomeBody) }];
  }
  const outcome: Outcome = await runOne(operation, fields, context, deps);
  note.single(outcome);
  return outcome.ok ? [200, outcome.result] : [outcome.error.status, { error: errorBody(outcome.error) }];
}

/** Every HTTP answer, success or failure, goes through here: same headers, same error shape, CORS when allowed. */
export async function handleHttp(
  request: HttpRequest,
  options: HttpOptions,
  operation: Operation,
  context: InvocationContext,
  deps: ServiceDeps,
  note: LogNote,
): Promise<HttpResponse> {
  const requestId = context.requestId;
  const origin = allowedOrigin(request.headers.origin, deps.policy.corsAllowOrigins);
  const cors = corsHeaders(origin);
  const { method } = request;
  try {
    // A preflight carries no credentials (browsers send none), so it is answered before the caller is checked.
    if (method === 'OPTIONS') {
      checkPath(request, options, operation);
      if (request.headers.origin !== undefined && origin === undefined) {
        throw new ServiceError('CorsOriginNotAllowed', 403, 'this origin is not in CORS_ALLOW_ORIGINS');
      }
      note.status(204);
      const allow = { allow: [...operation.httpMethods, 'OPTIONS'].join(', ') };
      return { statusCode: 204, headers: origin === undefined ? allow : { ...allow, ...preflightHeaders(origin, operation.httpMethods) }, body: '' };
    }
    // Everything else meets the caller check first: a caller who is not let in learns nothing, not even which paths
    // and methods exist. Nothing in the request but its credentials decides who the caller is.
    const checked = await checkCaller(request, options, deps);
    note.caller(checked.caller);
    checkPath(request, options, operation);
    if (!(operation.httpMethods as readonly string[]).includes(method)) {
      const allow = [...operation.httpMethods, 'OPTIONS'].join(', ');
      note.status(405);
      return jsonResponse(405, { error: { code: 'MethodNotAllowed', message: `${operation.name} accepts ${allow}` }, requestId }, { ...cors, allow });
    }
    const [status, body] = await answer(request, method, operation, context, checked, note);
    note.status(status);
    return jsonResponse(status, withRequestId(body as Record<string, unknown>, requestId), challenged(status, cors));
  } catch (error) {
    const failure = asServiceError(error);
    note.failure(failure);
    return jsonResponse(failure.status, { error: errorBody(failure), requestId }, challenged(failure.status, cors));
  }
}
