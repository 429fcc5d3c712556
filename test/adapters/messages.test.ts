import { asEvent, fcContext, fixtureEvent, harness } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * Which event shapes carry a request inside them (shared/adapters/messages.ts), through the real handlers: a shape
 * is recognised only by all of its marks, so a direct request cannot borrow one mark and have a nested value signed
 * in its place, and a message's request text is refused with the field it came in.
 */
const { put } = harness();
type Answer = { error?: { code: string; message: string; field?: string }; key?: string; method?: string; results?: Answer[] };
const invoke = async (event: unknown) => (await put(asEvent(event), fcContext())) as Answer;
const cloudEvent = (): Record<string, unknown> => JSON.parse(fixtureEvent('eventbridge-cloudevent-doc.json')) as Record<string, unknown>;
const [mnsTemplate] = JSON.parse(fixtureEvent('mns-queue-trigger-batch-doc.json')) as Record<string, unknown>[];
const mnsMessage = (body: string) => ({ ...mnsTemplate, data: { requestId: 'r', messageId: 'm', messageBody: body } });

describe('CloudEvents', () => {
  it('a direct request with a data field is no CloudEvent without specversion: the field is refused, not signed', async () => {
    const answer = await invoke({ key: 'a.txt', data: { key: 'smuggled.txt' } });
    expect(answer.key).toBeUndefined();
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'data' });
  });

  it('a CloudEvent whose data is request text answers its URL; text that is no JSON request is refused as data', async () => {
    expect(await invoke({ ...cloudEvent(), data: '{"key":"text/a.txt"}' })).toMatchObject({ method: 'PUT', key: 'text/a.txt' });
    expect((await invoke({ ...cloudEvent(), data: 'not json' })).error).toEqual({
      code: 'InvalidArgument',
      field: 'data',
      message: 'data must be a JSON presign request',
    });
  });

  it('only an MNS CloudEvent has its request in data.messageBody: elsewhere messageBody is an unknown field', async () => {
    const event: Record<string, unknown> = { ...cloudEvent(), data: { messageBody: '{"key":"b.txt"}' } };
    expect(event.type).toEqual(expect.not.stringMatching(/^mns:/));
    expect(typeof event.type).toBe('string');
    const answer = await invoke(event);
    expect(answer.key).toBeUndefined();
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'messageBody' });
  });

  it('an MNS message body that is no JSON request is refused naming data.messageBody and the rule', async () => {
    const answer = await invoke([mnsMessage('TEST')]);
    expect(answer.results?.[0]?.error).toEqual({
      code: 'InvalidArgument',
      field: 'data.messageBody',
      message: 'data.messageBody must be a JSON presign request',
    });
  });
});

describe('CloudEvent batches', () => {
  it('an empty array is no batch: UnsupportedEvent', async () => {
    expect((await invoke([])).error?.code).toBe('UnsupportedEvent');
  });

  it.each([
    ['a request after a CloudEvent', () => [mnsMessage('{"key":"a.txt"}'), { key: 'b.txt' }]],
    ['a CloudEvent after a request', () => [{ key: 'b.txt' }, mnsMessage('{"key":"a.txt"}')]],
  ])('an array mixing CloudEvents and anything else is no batch (%s): UnsupportedEvent, nothing signed', async (_, event) => {
    const answer = await invoke(event());
    expect(answer.results).toBeUndefined();
    expect(answer.error?.code).toBe('UnsupportedEvent');
  });
});

describe('MNS topic messages (JSON format)', () => {
  const topic = (): Record<string, unknown> => JSON.parse(fixtureEvent('fc3-template-mns-without-MessageAttributes.json')) as Record<string, unknown>;

  it('a direct request with a Message field but no TopicOwner is no topic message: the field is refused, not signed', async () => {
    const answer = await invoke({ Message: '{"key":"smuggled.txt"}' });
    expect(answer.key).toBeUndefined();
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'Message' });
  });

  it('a TopicOwner without a Message text is no topic message: TopicOwner is refused as unknown', async () => {
    const withoutMessage = topic();
    delete withoutMessage.Message;
    const answer = await invoke({ ...withoutMessage, key: 'a.txt' });
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'TopicOwner' });
  });

  it('a Message that is no JSON request is refused naming Message and the rule', async () => {
    expect((await invoke(topic())).error).toEqual({ code: 'InvalidArgument', field: 'Message', message: 'Message must be a JSON presign request' });
  });
});
