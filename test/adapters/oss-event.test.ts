import { asEvent, fcContext, fixtureEvent, harness } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * OSS events at presign-get (shared/adapters/oss-event.ts): which events are OSS's, which records name a whole
 * object, and which of the event's facts are echoed beside the URL. An echoed fact must have the form OSS writes
 * (eTag: 32 hex digits, `-<parts>` after a multipart upload; eventTime: ISO 8601 UTC, as in the fc3 doc's event), or
 * it is left out: the consumer reading the async destination trusts them.
 */
const { get } = harness({ ALLOWED_BUCKETS: 'testbucket' });
type Result = { key?: string; url?: string; size?: number; etag?: string; eventTime?: string; eventName?: string; error?: { code: string; message: string } };
type Answer = { results?: Result[]; skipped?: string[]; error?: { code: string; message: string } };
type OssRecord = Record<string, unknown> & { oss: { object: Record<string, unknown> } };

const record = (): OssRecord => (JSON.parse(fixtureEvent('oss-trigger-fc3-doc.json')) as { events: OssRecord[] }).events[0] as OssRecord;
const send = async (events: unknown[]) => (await get(asEvent({ events }), fcContext())) as Answer;

/** The fixture's record with some object fields changed; the one result it answers. */
async function resultWith(object: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<Result> {
  const r = record();
  Object.assign(r.oss.object, object);
  const answer = await send([{ ...r, ...fields }]);
  expect(answer.skipped).toEqual([]);
  expect(answer.results).toHaveLength(1);
  return answer.results?.[0] as Result;
}

describe('which events are OSS events', () => {
  it('an empty events list is none: UnsupportedEvent', async () => {
    const answer = await send([]);
    expect(answer.results).toBeUndefined();
    expect(answer.error?.code).toBe('UnsupportedEvent');
  });

  it.each([
    ['first', (oss: OssRecord, other: object) => [other, oss]],
    ['last', (oss: OssRecord, other: object) => [oss, other]],
  ])('a list mixing OSS records with one from another source (%s) is none: UnsupportedEvent, nothing signed', async (_, order) => {
    const other = { ...record(), eventSource: 'acs:mns' };
    const answer = await send(order(record(), other));
    expect(answer.results).toBeUndefined();
    expect(answer.error?.code).toBe('UnsupportedEvent');
  });
});

describe('which records name a whole object', () => {
  it.each(['ObjectCreated:InitiateMultipartUpload', 'ObjectCreated:UploadPart', 'ObjectCreated:UploadPartCopy'])(
    '%s creates no whole object yet: skipped by its name',
    async (eventName) => {
      const answer = await send([{ ...record(), eventName }]);
      expect(answer.results).toEqual([]);
      expect(answer.skipped).toEqual([eventName]);
    },
  );

  it.each(['objectcreated:PutObject', 'ObjectRemoved:PutObject', 'PutObject', 'xObjectCreated:PutObject'])(
    'an event name %s is no ObjectCreated event: skipped by its name',
    async (eventName) => {
      const answer = await send([{ ...record(), eventName }]);
      expect(answer.results).toEqual([]);
      expect(answer.skipped).toEqual([eventName]);
    },
  );

  it('a record without an event name is skipped as an unnamed event', async () => {
    const r = record();
    delete r.eventName;
    const answer = await send([r]);
    expect(answer.results).toEqual([]);
    expect(answer.skipped).toEqual(['unnamed event']);
  });

  it('a skipped event name is cut to its first 100 characters in the answer', async () => {
    const eventName = `ObjectRemoved:${'D'.repeat(300)}`;
    const answer = await send([{ ...record(), eventName }]);
    expect(answer.skipped).toEqual([eventName.slice(0, 100)]);
  });
});

describe('the facts echoed beside the URL', () => {
  it('the object size, a whole number of bytes from 0 up', async () => {
    expect((await resultWith({ size: 122539 })).size).toBe(122539);
    expect((await resultWith({ size: 0 })).size).toBe(0);
    const negative = await resultWith({ size: -1 });
    expect(negative.url).toBeDefined();
    expect(negative).not.toHaveProperty('size');
  });

  it.each(['688A7BF4F233DC9C88A80BF985AB7329', '688a7bf4f233dc9c88a80bf985ab7329', '688A7BF4F233DC9C88A80BF985AB7329-12', '688A7BF4F233DC9C88A80BF985AB7329-10000'])(
    'an ETag of OSS form (%s) is echoed',
    async (eTag) => {
      expect((await resultWith({ eTag })).etag).toBe(eTag);
    },
  );

  it.each([
    ['a prefix', 'x688A7BF4F233DC9C88A80BF985AB7329'],
    ['a suffix', '688A7BF4F233DC9C88A80BF985AB7329x'],
    ['too few digits', '688A7BF4'],
    ['a masked digit', '688A7BF4F233DC9C88A80BF985AB****'],
    ['a part count that is no number', '688A7BF4F233DC9C88A80BF985AB7329-ab'],
    ['a part count of six digits', '688A7BF4F233DC9C88A80BF985AB7329-123456'],
  ])('an ETag with %s is left out', async (_, eTag) => {
    const result = await resultWith({ eTag });
    expect(result.url).toBeDefined();
    expect(result).not.toHaveProperty('etag');
  });

  it.each(['2022-08-13T06:45:43.000Z', '2022-08-13T06:45:43Z', '2022-08-13T06:45:43.123456789Z'])('an event time of ISO 8601 UTC form (%s) is echoed', async (eventTime) => {
    expect((await resultWith({}, { eventTime })).eventTime).toBe(eventTime);
  });

  it.each([
    ['a prefix', 'x2022-08-13T06:45:43.000Z'],
    ['a suffix', '2022-08-13T06:45:43.000Zx'],
    ['a two-digit year', '22-08-13T06:45:43.000Z'],
    ['no fraction digits', '2022-08-13T06:45:43.Z'],
    ['a zone offset', '2022-08-13T06:45:43.000+08:00'],
  ])('an event time with %s is left out', async (_, eventTime) => {
    const result = await resultWith({}, { eventTime });
    expect(result.url).toBeDefined();
    expect(result).not.toHaveProperty('eventTime');
  });
});
