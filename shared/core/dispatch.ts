import { fromApiGatewayEvent, isApiGatewayEvent, toApiGatewayResponse } from '../adapters/api-gateway';
import { fromFcHttpEvent, isFcHttpEvent, isInvokeFunctionWrap, toFcHttpResponse, wrappedPayload } from '../adapters/fc-http';
import { isCloudEvent, isCloudEventBatch, isMnsQueueEvent, isMnsTopicMessage, requestFromCloudEvent, requestFromMnsTopic } from '../adapters/messages';
import { createdObjects, isOssEvent, type CreatedObject } from '../adapters/oss-event';
import { isObject, type EventSource, type JsonObject } from '../adapters/types';
import { ServiceError } from '../errors';
import { handleHttp, jsonResponse } from '../http/handle';
import type { ServicePolicy } from '../config/policy';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { parseEvent } from './event';
import { admitBatch, isBatch, runBatch, runOne } from './execute';
import type { LogNote } from './log';
import { asServiceError, errorBody, outcomeBody, withRequestId, type Outcome } from './outcome';

/**
 * `context` tells a genuine InvokeFunction call wrapped for an HTTP-triggered function from a trigger request. Where
 * HTTP callers must prove who they are (AUTH_TOKEN_SHA256), a wrap skips that proof only when the operator says the
 * evidence is enough (AUTH_TRUST_INVOKE_FUNCTION): FC's legacy 2.0 proxy URLs share the API's host, and whether they
 * reach 3.0 functions is not documented, so the default fails closed (docs/operations.md, "Who can call").
 */
export function classify(event: unknown, context: InvocationContext, policy: ServicePolicy): EventSource {
  if (isFcHttpEvent(event)) {
    if (!isInvokeFunctionWrap(event, context)) return 'http-trigger';
    return policy.authTokenSha256.length === 0 || policy.trustInvokeFunction ? 'invoke-api' : 'http-trigger';
  }
  if (isApiGatewayEvent(event)) return 'api-gateway';
  if (isCloudEventBatch(event)) return event.some(isMnsQueueEvent) ? 'mns-queue' : 'eventbridge';
  if (isCloudEvent(event)) return isMnsQueueEvent(event) ? 'mns-queue' : 'eventbridge';
  if (isOssEvent(event)) return 'oss';
  if (isMnsTopicMessage(event)) return 'mns-topic';
  if (isObject(event)) return 'direct';
  return 'unknown';
}

/** Trigger shapes that carry no presign request: named, so the error says what arrived instead of "unknown field". */
function unsupportedReason(event: unknown, operation: Operation): string | undefined {
  if (!isObject(event)) return undefined;
  if (typeof event.triggerTime === 'string' && typeof event.triggerName === 'string') return 'a timer trigger event carries no presign request';
  if (typeof event.jobName === 'string' && isObject(event.source)) return 'a Simple Log Service trigger event carries no presign request';
  if (Array.isArray(event.Records)) return 'a Tablestore stream event carries no presign request';
  if (typeof event.body === 'string' && isObject(event.attrs)) return 'an MNS topic message in STREAM format is text, not a JSON request; use the JSON event format';
  if (Array.isArray(event.events)) {
    const first = event.events[0];
    const source = isObject(first) && typeof first.eventSource === 'string' ? first.eventSource : 'unknown';
    if (source === 'acs:oss' && !operation.acceptsOssEvents) return 'OSS events make download URLs: send them to presign-get';
    return `events from ${source} carry no presign request`;
  }
  return undefined;
}

/**
 * An OSS-event result: the URL answer (or the error) with what the event said of the object, so that whoever reads
 * it from the async destination has bucket, key, URL, expiry, size and ETag in one place.
 */
function withObjectFacts(outcome: Outcome, object: CreatedObject): Record<string, unknown> {
  const facts: Record<string, unknown> = { eventName: object.eventName };
  if (object.eventTime !== undefined) facts.eventTime = object.eventTime;
  if (object.size !== undefined) facts.size = object.size;
  if (object.etag !== undefined) facts.etag = object.etag;
  return outcome.ok ? Object.assign({}, outcome.result, facts) : Object.assign({ bucket: object.bucket, key: object.key }, outcomeBody(outcome), facts);
}

function plain(outcome: Outcome, requestId: string | undefined): Record<string, unknown> {
  return withRequestId(outcomeBody(outcome), requestId);
}

async function fromMessages(operation: Operation, requests: (() => unknown)[], field: string, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<Outcome[]> {
  admitBatch(requests.length, field, deps);
  const outcomes: Outcome[] = [];
  for (const extract of requests) {
    let request: unknown;
    try {
      request = extract();
    } catch (error) {
      outcomes.push({ ok: false, error: asServiceError(error) });
      continue;
    }
    outcomes.push(await runOne(operation, request, context, deps));
  }
  note.batch(outcomes);
  return outcomes;
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

/** Turns any event FC can deliver into the answer that event's source expects. */
export async function dispatch(event: unknown, source: EventSource, operation: Operation, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<unknown> {
  const requestId = context.requestId;
  switch (source) {
    case 'invoke-api':
      return answerInvokeFunction(event as JsonObject, operation, context, deps, note);
    case 'http-trigger':
      return toFcHttpResponse(
        await handleHttp(fromFcHttpEvent(event as JsonObject), { checkPath: true, untrustedInvoke: isInvokeFunctionWrap(event as JsonObject, context) }, operation, context, deps, note),
      );
    case 'api-gateway':
      return toApiGatewayResponse(await handleHttp(fromApiGatewayEvent(event as JsonObject), { checkPath: false, untrustedInvoke: false }, operation, context, deps, note));
    case 'eventbridge':
    case 'mns-queue': {
      const events = Array.isArray(event) ? (event as JsonObject[]) : [event as JsonObject];
      const outcomes = await fromMessages(operation, events.map((e) => () => requestFromCloudEvent(e)), 'event', context, deps, note);
      return Array.isArray(event) ? { results: outcomes.map(outcomeBody), requestId } : plain(outcomes[0] as Outcome, requestId);
    }
    case 'mns-topic': {
      const [outcome] = await fromMessages(operation, [() => requestFromMnsTopic(event as JsonObject)], 'Message', context, deps, note);
      return plain(outcome as Outcome, requestId);
    }
    case 'oss': {
      if (!operation.acceptsOssEvents) break;
      const records = event as { events: JsonObject[] };
      admitBatch(records.events.length, 'events', deps);
      const { created, skipped } = createdObjects(records);
      const outcomes = await fromMessages(operation, created.map(({ bucket, key }) => () => ({ bucket, key })), 'events', context, deps, note);
      return { results: outcomes.map((outcome, i) => withObjectFacts(outcome, created[i] as CreatedObject)), skipped, requestId };
    }
    case 'direct': {
      if (unsupportedReason(event, operation) !== undefined) break;
      if (isBatch(event)) {
        const outcomes = await runBatch(operation, event, context, deps).catch((error: unknown) => {
          throw asServiceError(error);
        });
        note.batch(outcomes);
        return { results: outcomes.map(outcomeBody), requestId };
      }
      const outcome = await runOne(operation, event, context, deps);
      note.single(outcome);
      return plain(outcome, requestId);
    }
    case 'unknown':
      break;
  }
  const reason = unsupportedReason(event, operation) ?? 'the event is not a JSON presign request, an HTTP or API Gateway request, a CloudEvent, an MNS message or an OSS event';
  const error = new ServiceError('UnsupportedEvent', 400, `${operation.name} cannot answer this event: ${reason}`);
  note.failure(error);
  return { error: errorBody(error), requestId };
}
