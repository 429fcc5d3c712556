import { invalidArgument } from '../errors';
import { parseJsonTree } from '../request/tree';
import { isObject, type JsonObject } from './types';

/**
 * Event-driven sources that carry a caller's request inside them: EventBridge CloudEvents (request in `data`),
 * MNS queue triggers (a JSON array of CloudEvents whose `data.messageBody` is the request text), and MNS topic
 * triggers in JSON format (`Message` is the request text).
 */
export function isCloudEvent(event: unknown): event is JsonObject {
  return isObject(event) && typeof event.specversion === 'string' && Object.hasOwn(event, 'data');
}

export function isCloudEventBatch(event: unknown): event is JsonObject[] {
  return Array.isArray(event) && event.length > 0 && event.every(isCloudEvent);
}

export function isMnsTopicMessage(event: unknown): event is JsonObject {
  return isObject(event) && typeof event.TopicOwner === 'string' && typeof event.Message === 'string';
}

export function isMnsQueueEvent(event: JsonObject): boolean {
  return typeof event.type === 'string' && event.type.startsWith('mns:');
}

function parseText(text: string, field: string): unknown {
  const parsed = parseJsonTree(text, field);
  if (!parsed.ok) throw invalidArgument(field, `${field} must be a JSON presign request`);
  return parsed.tree;
}

export function requestFromCloudEvent(event: JsonObject): unknown {
  const data = event.data;
  if (isObject(data) && typeof data.messageBody === 'string' && isMnsQueueEvent(event)) {
    return parseText(data.messageBody, 'data.messageBody');
  }
  if (typeof data === 'string') return parseText(data, 'data');
  return data;
}

export function requestFromMnsTopic(event: JsonObject): unknown {
  return parseText(event.Message as string, 'Message');
}
