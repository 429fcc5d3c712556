import { isObject, type JsonObject } from './types';

/** OSS triggers deliver `{ events: [...] }` with `eventSource: "acs:oss"`. */
export function isOssEvent(event: unknown): event is { events: JsonObject[] } {
  return isObject(event) && Array.isArray(event.events) && event.events.length > 0 && event.events.every((e) => isObject(e) && e.eventSource === 'acs:oss');
}

/** What the event says about the object: echoed beside its URL so a consumer needs no HEAD request. */
export interface CreatedObject {
  bucket: string;
  key: string;
  eventName: string;
  eventTime?: string;
  size?: number;
  etag?: string;
}

/**
 * The ObjectCreated operations after which the object is whole and readable. OSS also raises ObjectCreated for
 * InitiateMultipartUpload, UploadPart and UploadPartCopy (the fc3 schema's event list; EventBridge's OSS event
 * list, www.alibabacloud.com/help/en/eventbridge/user-guide/oss-events), when no object exists yet: those are skipped.
 */
// Pure: the main bundles import isOssEvent only, and this set belongs to the event-sources chunk.
const COMPLETE_OBJECT = /* @__PURE__ */ new Set(['PutObject', 'PostObject', 'CopyObject', 'AppendObject', 'CompleteMultipartUpload', 'PutSymlink']);
const ETAG = /^[0-9A-Fa-f]{32}(-\d{1,5})?$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

export function createdObjects(event: { events: JsonObject[] }): { created: CreatedObject[]; skipped: string[] } {
  const created: CreatedObject[] = [];
  const skipped: string[] = [];
  for (const record of event.events) {
    const name = typeof record.eventName === 'string' ? record.eventName : '';
    const oss = isObject(record.oss) ? record.oss : {};
    const object = isObject(oss.object) ? oss.object : {};
    const bucket = isObject(oss.bucket) && typeof oss.bucket.name === 'string' ? oss.bucket.name : undefined;
    const key = typeof object.key === 'string' ? object.key : undefined;
    const complete = name.startsWith('ObjectCreated:') && COMPLETE_OBJECT.has(name.slice('ObjectCreated:'.length));
    if (!complete || bucket === undefined || key === undefined) {
      skipped.push(name.slice(0, 100) || 'unnamed event');
      continue;
    }
    const found: CreatedObject = { bucket, key, eventName: name };
    if (typeof record.eventTime === 'string' && TIME.test(record.eventTime)) found.eventTime = record.eventTime;
    if (typeof object.size === 'number' && Number.isSafeInteger(object.size) && object.size >= 0) found.size = object.size;
    if (typeof object.eTag === 'string' && ETAG.test(object.eTag)) found.etag = object.eTag;
    created.push(found);
  }
  return { created, skipped };
}
