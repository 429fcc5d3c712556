import { fromApiGatewayEvent, isApiGatewayEvent, toApiGatewayResponse } from '../adapters/api-gateway';
import { fromFcHttpEvent, isFcHttpEvent, isInvokeFunctionWrap, toFcHttpResponse, wrappedPayload } from '../adapters/fc-http';
import { isCloudEvent, isCloudEventBatch, isMnsQueueEvent, isMnsTopicMessage } from '../adapters/messages';
import { isOssEvent } from '../adapters/oss-event';
import { isObject, type EventSource, type JsonObject } from '../adapters/types';
import { PLATFORM } from '../identity/caller';
import { handleHttp, jsonResponse } from '../http/handle';
import type { ServicePolicy } from '../config/policy';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { parseEvent } from './event';
import { eventSources } from './event-sources-lazy';
import { isBatch, runBatch, runOne } from './execute';
import type { LogNote } from './log';
import { asServiceError, errorBody, outcomeBody, withRequestId, type Outcome } from './outcome';

/**
 * `context` tells a genuine InvokeFunction call wrapped for an HTTP-triggered function from a trigger request. Where
 * HTTP callers must prove who they are (AUTH_TOKEN_SHA256, or a JWT issuer), a wrap skips that proof only when the operator says the
 * evidence is enough (AUTH_TRUST_INVOKE_FUNCTION): FC's legacy 2.0 proxy URLs share the API's host, and whether they
 * reach 3.0 functions is not documented, so the default fails closed (docs/operations.md, "Who can call").
 */
export function classify(event: unknown, context: InvocationContext, policy: ServicePolicy): EventSource {
  if (isFcHttpEvent(event)) {
    if (!isInvokeFunctionWrap(event, context)) return 'http-trigger';
    return policy.identity.check === undefined || policy.identity.trustInvokeFunction ? 'invoke-api' : 'http-trigger';
  }
  if (isApiGatewayEvent(event)) return 'api-gateway';
  if (isCloudEventBatch(event)) return event.some(isMnsQueueEvent) ? 'mns-queue' : 'eventbridge';
  if (isCloudEvent(event)) return isMnsQueueEvent(event) ? 'mns-queue' : 'eventbridge';
  if (isOssEvent(event)) return 'oss';
  if (isMnsTopicMessage(event)) return 'mns-topic';
  if (isObject(event)) return 'direct';
  return 'unknown';
}

/**
 * Whether a plain object is a trigger's own event rather than a request (timer, SLS, Tablestore, MNS STREAM format,
 * a non-OSS `events` list): such events are answered UnsupportedEvent, with the reason ./event-sources.ts words.
 */
function carriesNoRequest(event: JsonObject): boolean {
  return (
    (typeof event.triggerTime === 'string' && typeof event.triggerName === 'string') ||
    (typeof event.jobName === 'string' && isObject(event.source)) ||
    Array.isArray(event.Records) ||
    (typeof event.body === 'string' && isObject(event.attrs)) ||
    Array.isArray(event.events)
  );
}

function plain(outcome: Outcome, requestId: string | undefined): Record<string, unknown> {
  return withRequestId(outcomeBody(outcome), requestId);
}

/**
 * An InvokeFunction payload FC wrapped in the HTTP-trigger shape is answered exactly as the same payload sent
 * directly (a request, a batch, a CloudEvent, an OSS event...), inside the HTTP response FC expects back. A payload
 * that is itself HTTP-shaped is taken as the HTTP request it describes, checks and all: wraps are undone once.
 */
async function answerInvokeFunction(event: JsonObject, operation: Operation, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<unknown> {
  let answer: unknown;
  try {
    const { parsed, text } = parseEvent(wrappedPayload(event));
    const inner = parsed === undefined && text !== null ? 'unknown' : classify(parsed, context, deps.policy);
    answer = await dispatch(parsed, inner === 'invoke-api' ? 'http-trigger' : inner, operation, context, deps, note);
  } catch (error) {
    const failure = asServiceError(error);
    note.failure(failure);
    answer = { error: errorBody(failure), requestId: context.requestId };
  }
  // An error's status, else 200: the answer is always a JSON body (a 204 from a wrapped preflight could carry none).
  const status = note.statusOr(200);
  return toFcHttpResponse(jsonResponse(status >= 400 ? status : 200, answer));
}

/** Sources Alibaba Cloud authenticated before the function ran: their caller is the platform's (shared/identity). */
function platformDeps(deps: ServiceDeps, note: LogNote): ServiceDeps {
  note.caller(PLATFORM);
  return Object.assign({}, deps, { caller: PLATFORM });
}

/**
 * Turns any event FC can deliver into the answer that event's source expects. `deps.caller` arrives anonymous: the
 * HTTP paths identify the caller from its credentials, and only the sources the platform authenticated are
 * `platform` callers.
 */
export async function dispatch(event: unknown, source: EventSource, operation: Operation, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<unknown> {
  const requestId = context.requestId;
  switch (source) {
    case 'invoke-api':
      return answerInvokeFunction(event as JsonObject, operation, context, deps, note);
    case 'http-trigger':
      return toFcHttpResponse(
        // Only where callers are checked (a token or a JWT issuer) can a wrap have been classified as a plain trigger request (see classify).
        await handleHttp(
          fromFcHttpEvent(event as JsonObject),
          { checkPath: true, untrustedInvoke: deps.policy.identity.check !== undefined && isInvokeFunctionWrap(event as JsonObject, context) },
          operation,
          context,
          deps,
          note,
        ),
      );
    case 'api-gateway':
      return toApiGatewayResponse(await handleHttp(fromApiGatewayEvent(event as JsonObject), { checkPath: false, untrustedInvoke: false }, operation, context, deps, note));
    case 'eventbridge':
    case 'mns-queue':
    case 'mns-topic':
    case 'oss':
      return eventSources().answerMessages(event, source, operation, context, platformDeps(deps, note), note);
    case 'direct': {
      if (carriesNoRequest(event as JsonObject)) break;
      const platform = platformDeps(deps, note);
      if (isBatch(event)) {
        const outcomes = await runBatch(operation, event, context, platform).catch((error: unknown) => {
          throw asServiceError(error);
        });
        note.batch(outcomes);
        return { results: outcomes.map(outcomeBody), requestId };
      }
      const outcome = await runOne(operation, event, context, platform);
      note.single(outcome);
      return plain(outcome, requestId);
    }
    case 'unknown':
      break;
  }
  return eventSources().unsupported(event, operation, context, note);
}
