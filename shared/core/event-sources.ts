import { requestFromCloudEvent, requestFromMnsTopic } from '../adapters/messages';
import { createdObjects, type CreatedObject } from '../adapters/oss-event';
import { isObject, type EventSource, type JsonObject } from '../adapters/types';
import { ServiceError } from '../errors';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { admitBatch, runOne } from './execute';
import type { LogNote } from './log';
import { asServiceError, errorBody, outcomeBody, withRequestId, type Outcome } from './outcome';

/**
 * Event-driven sources that carry requests inside them (EventBridge CloudEvents, MNS queue batches, MNS topic
 * messages, OSS events), and the answer to events that carry none. A plain PUT or GET never comes this way, so this
 * module loads on first use (./event-sources-lazy.ts): in the bundles, a chunk of its own.
 */
export type MessageSource = Extract<EventSource, 'eventbridge' | 'mns-queue' | 'mns-topic' | 'oss'>;

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

/** Answers a message source; undefined when this operation does not take that source (OSS events at presign-put). */
export async function answerMessages(event: unknown, source: MessageSource, operation: Operation, context: InvocationContext, deps: ServiceDeps, note: LogNote): Promise<unknown> {
  const requestId = context.requestId;
  switch (source) {
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
      if (!operation.acceptsOssEvents) return unsupported(event, operation, context, note);
      const records = event as { events: JsonObject[] };
      admitBatch(records.events.length, 'events', deps);
      const { created, skipped } = createdObjects(records);
      const outcomes = await fromMessages(operation, created.map(({ bucket, key }) => () => ({ bucket, key })), 'events', context, deps, note);
      return { results: outcomes.map((outcome, i) => withObjectFacts(outcome, created[i] as CreatedObject)), skipped, requestId };
    }
  }
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

export function unsupported(event: unknown, operation: Operation, context: InvocationContext, note: LogNote): Record<string, unknown> {
  const reason = unsupportedReason(event, operation) ?? 'the event is not a JSON presign request, an HTTP or API Gateway request, a CloudEvent, an MNS message or an OSS event';
  const error = new ServiceError('UnsupportedEvent', 400, `${operation.name} cannot answer this event: ${reason}`);
  note.failure(error);
  return { error: errorBody(error), requestId: context.requestId };
}
