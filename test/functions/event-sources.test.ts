import { readdirSync } from 'node:fs';
import { asEvent, callHttp, fcContext, FIXTURE_EVENTS, fixtureEvent, harness, TOKEN, SECRET } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * Every payload in ../shared/events (copied into test/fixtures/events) goes through the real handlers: the ones
 * these functions accept answer a URL in the source's own response shape, the rest a clear error naming what
 * arrived. Each accepted source is also tested with one field changed.
 */
const { put, get } = harness({ ALLOWED_BUCKETS: 'testbucket,bucketname' });
const json = (name: string) => JSON.parse(fixtureEvent(name)) as Record<string, unknown>;
type Plain = { error?: { code: string; message: string; field?: string }; url?: string; key?: string; results?: Plain[]; skipped?: string[]; requestId?: string; expiresIn?: number; signedHeaders?: Record<string, string>; method?: string };
const invoke = async (handler: typeof put, event: unknown) => (await handler(asEvent(event), fcContext())) as Plain;

describe('FC 3.0 HTTP trigger events', () => {
  it('fc3-http-trigger-doc-example.json: GET /example is not a path the function serves: 404 in the HTTP response shape', async () => {
    const answer = await callHttp(get, json('fc3-http-trigger-doc-example.json'));
    expect(answer.statusCode).toBe(404);
    expect(answer.isBase64Encoded).toBe(false);
    expect(answer.json).toMatchObject({ error: { code: 'NotFound' }, requestId: 'req-test-1' });
  });

  it('the same event at / with a key answers a GET URL', async () => {
    const event = json('fc3-http-trigger-doc-example.json');
    event.rawPath = '/';
    (event.requestContext as { http: { path: string } }).http.path = '/';
    event.queryParameters = { key: 'docs/report.pdf', expires: '120' };
    const answer = await callHttp(get, event);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json).toMatchObject({ method: 'GET', key: 'docs/report.pdf', expiresIn: 120, requestId: 'req-test-1' });
    expect(new URL(answer.json.url as string).pathname).toBe('/docs/report.pdf');
  });

  // The captured wrap's own account and region (masked by its source, kept as written): FC's context for that call.
  const wrapContext = fcContext({ accountId: '143**********149', region: 'cn-huhehaote' });
  const wraps = ['fc3-template-http.json', 'fc3-http-trigger-event-e2e.json'];

  it.each(wraps)('%s: an InvokeFunction call wrapped as HTTP is answered as its payload sent directly: "haha" is no request', async (name) => {
    const answer = await callHttp(put, json(name), wrapContext);
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'UnsupportedEvent' } });
  });

  it.each(wraps)('%s with a JSON request as its body answers a PUT URL (no content-type needed: FC authenticated the call)', async (name) => {
    const event = json(name);
    event.body = JSON.stringify({ key: 'from-s-invoke.txt', contentType: 'text/plain' });
    const answer = await callHttp(put, event, wrapContext);
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({ method: 'PUT', key: 'from-s-invoke.txt', signedHeaders: { 'content-type': 'text/plain' } });
  });

  it.each(wraps)('%s arriving at a function of another account is no InvokeFunction call: an HTTP request to an unknown path', async (name) => {
    const event = json(name);
    event.body = JSON.stringify({ key: 'from-s-invoke.txt' });
    const answer = await callHttp(put, event, fcContext({ region: 'cn-huhehaote' }));
    expect(answer.statusCode).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 'NotFound' } });
  });
});

describe('API Gateway events', () => {
  it('apigw-event-illustrative.json: key from the path, expires from the query, content type from the base64 body', async () => {
    const answer = (await put(asEvent(json('apigw-event-illustrative.json')), fcContext())) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(['body', 'headers', 'isBase64Encoded', 'statusCode']);
    expect(answer.isBase64Encoded).toBe(false);
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body as string) as Plain;
    expect(body).toMatchObject({ key: 'uploads/a.png', expiresIn: 600, signedHeaders: { 'content-type': 'image/png' } });
  });

  it('a field given both in the path and the body is refused as ambiguous', async () => {
    const event = json('apigw-event-illustrative.json');
    event.body = Buffer.from(JSON.stringify({ key: 'other.png' })).toString('base64');
    const answer = await callHttp(put, event);
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'InvalidArgument', field: 'key' } });
  });

  it('apigw-event-doc-schema.txt (placeholders, not JSON): UnsupportedEvent', async () => {
    const answer = await invoke(put, fixtureEvent('apigw-event-doc-schema.txt'));
    expect(answer.error).toMatchObject({ code: 'UnsupportedEvent' });
  });

  it.each(['apigw-response-expected.json', 'fc3-http-response-example.json'])('%s (a response, not a request): 400 naming the unexpected field', async (name) => {
    const answer = await invoke(put, json(name));
    expect(answer.error).toMatchObject({ code: 'InvalidArgument' });
    expect(answer.error?.message).toMatch(/unknown field/);
  });
});

describe('EventBridge and MNS', () => {
  it('eventbridge-cloudevent-doc.json: its data is a meeting event whose action is not ours: 400 naming the field', async () => {
    const answer = await invoke(get, json('eventbridge-cloudevent-doc.json'));
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'action' });
    const withoutAction = json('eventbridge-cloudevent-doc.json') as { data: Record<string, unknown> };
    delete withoutAction.data.action;
    expect((await invoke(get, withoutAction)).error).toMatchObject({ code: 'InvalidArgument', field: 'meetingName' });
  });

  it('a CloudEvent whose data is a request answers its URL', async () => {
    const event = { ...json('eventbridge-cloudevent-doc.json'), data: { key: 'reports/q3.csv', response: { filename: '季度报告.csv' } } };
    const answer = await invoke(get, event);
    expect(answer).toMatchObject({ method: 'GET', key: 'reports/q3.csv' });
    expect(new URL(answer.url as string).searchParams.get('response-content-disposition')).toContain("filename*=UTF-8''%E5%AD%A3");
  });

  it('mns-queue-trigger-batch-doc.json: messageBody "TEST" is not JSON: one error result', async () => {
    const answer = await invoke(put, JSON.parse(fixtureEvent('mns-queue-trigger-batch-doc.json')));
    expect(answer.results).toHaveLength(1);
    expect(answer.results?.[0]?.error).toMatchObject({ code: 'InvalidArgument', field: 'data.messageBody' });
  });

  it('an MNS queue batch answers one result per message, in order, errors beside successes', async () => {
    const [template] = JSON.parse(fixtureEvent('mns-queue-trigger-batch-doc.json')) as Record<string, unknown>[];
    const message = (body: string) => ({ ...template, data: { requestId: 'r', messageId: 'm', messageBody: body } });
    const answer = await invoke(put, [message('{"key":"a.txt"}'), message('{"key":""}'), message('{"key":"c.txt","contentType":"text/csv"}')]);
    expect(answer.results?.map((r) => r.key ?? r.error?.code)).toEqual(['a.txt', 'InvalidArgument', 'c.txt']);
  });

  it.each(['fc3-template-mns-with-MessageAttributes.json', 'fc3-template-mns-without-MessageAttributes.json'])('%s: the topic message "hello topic" is not JSON', async (name) => {
    const answer = await invoke(put, json(name));
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'Message' });
  });

  it('an MNS topic message in JSON format carrying a request answers its URL', async () => {
    const answer = await invoke(put, { ...json('fc3-template-mns-without-MessageAttributes.json'), Message: '{"key":"topic/a.bin"}' });
    expect(answer).toMatchObject({ method: 'PUT', key: 'topic/a.bin' });
  });

  it.each(['fc3-template-mns-stream.json', 'mns-topic-stream-without-attributes.txt'])('%s (STREAM format, text): UnsupportedEvent', async (name) => {
    const answer = await invoke(put, fixtureEvent(name));
    expect(answer.error).toMatchObject({ code: 'UnsupportedEvent' });
  });
});

describe('OSS events', () => {
  it.each([
    ['oss-trigger-fc3-doc.json', 'source/a.png'],
    ['fc3-template-oss.json', 'image/a.jpg'],
  ])('%s to presign-get: a GET URL for the created object', async (name, key) => {
    const answer = await invoke(get, json(name));
    expect(answer.results).toHaveLength(1);
    expect(answer.results?.[0]).toMatchObject({ method: 'GET', key });
    expect(new URL(answer.results?.[0]?.url as string).hostname).toBe('testbucket.oss-cn-hangzhou.aliyuncs.com');
  });

  it('skips events that are not ObjectCreated', async () => {
    const event = json('oss-trigger-fc3-doc.json') as { events: Record<string, unknown>[] };
    event.events.push({ ...event.events[0], eventName: 'ObjectRemoved:DeleteObject' });
    const answer = await invoke(get, event);
    expect(answer.results).toHaveLength(1);
    expect(answer.skipped).toEqual(['ObjectRemoved:DeleteObject']);
  });

  it('refuses objects in buckets the policy does not allow', async () => {
    const { get: strict } = harness();
    const answer = (await strict(asEvent(json('oss-trigger-fc3-doc.json')), fcContext())) as Plain;
    expect(answer.results?.[0]?.error).toMatchObject({ code: 'BucketNotAllowed', field: 'bucket' });
  });

  it('presign-put says where OSS events belong', async () => {
    const answer = await invoke(put, json('oss-trigger-fc3-doc.json'));
    expect(answer.error?.code).toBe('UnsupportedEvent');
    expect(answer.error?.message).toMatch(/presign-get/);
  });
});

describe('direct invocation (s invoke, InvokeFunction from another service)', () => {
  it('s-invoke-raw-payload-example.json answers the plain result object', async () => {
    const answer = await invoke(put, json('s-invoke-raw-payload-example.json'));
    expect(answer).toMatchObject({ method: 'PUT', key: 'uploads/a.png', expiresIn: 600, signedHeaders: { 'content-type': 'image/png' }, requestId: 'req-test-1' });
  });

  it('the same payload to presign-get is refused by its action', async () => {
    const answer = await invoke(get, json('s-invoke-raw-payload-example.json'));
    expect(answer.error).toMatchObject({ code: 'InvalidArgument', field: 'action' });
  });

  it('a batch answers one result per request', async () => {
    const answer = await invoke(get, { requests: [{ key: 'a.txt' }, { key: 'b.txt', method: 'HEAD' }, { key: '/bad' }] });
    expect(answer.results?.map((r) => r.method ?? r.error?.code)).toEqual(['GET', 'HEAD', 'InvalidArgument']);
  });

  it('works as an FC 2.0 event handler with a callback', async () => {
    const result = await new Promise<Plain>((resolve, reject) => {
      void put(asEvent({ key: 'fc2.txt' }), fcContext(), (error, value) => (error ? reject(error) : resolve(value as Plain)));
    });
    expect(result).toMatchObject({ method: 'PUT', key: 'fc2.txt' });
  });
});

describe('trigger events that carry no presign request', () => {
  it.each([
    'timer-trigger-doc.json',
    'fc3-template-sls.json',
    'fc3-template-tablestore.json',
    'fc3-template-cdn-CachedObjectsRefreshed.json',
    'fc3-template-cdn-CdnDomainStarted.json',
    'fc3-template-cdn-CdnDomainAdded.json',
    'fc3-template-cdn-LogFileCreated.json',
  ])('%s: UnsupportedEvent saying what arrived', async (name) => {
    for (const handler of [put, get]) {
      const answer = await invoke(handler, fixtureEvent(name));
      expect(answer.error?.code).toBe('UnsupportedEvent');
      expect(answer.error?.message).toMatch(/cannot answer this event/);
    }
  });
});

describe('fixture coverage', () => {
  it('every file in the events folder is named by a test above', () => {
    const named = new Set([
      'fc3-http-trigger-doc-example.json', 'fc3-template-http.json', 'fc3-http-trigger-event-e2e.json', 'apigw-event-illustrative.json',
      'apigw-event-doc-schema.txt', 'apigw-response-expected.json', 'fc3-http-response-example.json', 'eventbridge-cloudevent-doc.json',
      'mns-queue-trigger-batch-doc.json', 'fc3-template-mns-with-MessageAttributes.json', 'fc3-template-mns-without-MessageAttributes.json',
      'fc3-template-mns-stream.json', 'mns-topic-stream-without-attributes.txt', 'oss-trigger-fc3-doc.json', 'fc3-template-oss.json',
      's-invoke-raw-payload-example.json', 'timer-trigger-doc.json', 'fc3-template-sls.json', 'fc3-template-tablestore.json',
      'fc3-template-cdn-CachedObjectsRefreshed.json', 'fc3-template-cdn-CdnDomainStarted.json', 'fc3-template-cdn-CdnDomainAdded.json',
      'fc3-template-cdn-LogFileCreated.json',
    ]);
    expect(readdirSync(FIXTURE_EVENTS).filter((f) => !named.has(f))).toEqual([]);
  });

  it('no answer above carried the secret', async () => {
    const answer = JSON.stringify(await invoke(put, json('s-invoke-raw-payload-example.json')));
    expect(answer).not.toContain(SECRET);
    expect(answer).toContain(encodeURIComponent(TOKEN).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  });
});
