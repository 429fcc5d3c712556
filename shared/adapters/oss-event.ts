import { isObject, type JsonObject } from './types';

/** OSS triggers deliver `{ events: [...] }` with `eventSource: "acs:oss"`. */
export function isOssEvent(event: unknown): event is { events: JsonObject[] } {
  return isObject(event) && Array.isArray(event.events) && event.events.length > 0 && event.events.every((e) => isObject(e) && e.eventSource === 'acs:oss');
}

export interface CreatedObject {
  bucket: string;
  key: string;
  eventName: string;
}

/** Only ObjectCreated:* names an object a GET URL can be made for; deletions and the like are skipped. */
export function createdObjects(event: { events: JsonObject[] }): { created: CreatedObject[]; skipped: string[] } {
  const created: CreatedObject[] = [];
  const skipped: string[] = [];
  for (const record of event.events) {
    const name = typeof record.eventName === 'string' ? record.eventName : '';
    const oss = isObject(record.oss) ? record.oss : {};
    const bucket = isObject(oss.bucket) && typeof oss.bucket.name === 'string' ? oss.bucket.name : undefined;
    const key = isObject(oss.object) && typeof oss.object.key === 'string' ? oss.object.key : undefined;
    if (name.startsWith('ObjectCreated:') && bucket !== undefined && key !== undefined) created.push({ bucket, key, eventName: name });
    else skipped.push(name || 'unnamed event');
  }
  return { created, skipped };
}
