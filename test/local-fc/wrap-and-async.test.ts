/**
 * The local FC host against what FC itself does, where this service depends on it:
 * - an InvokeFunction call to an HTTP-triggered function arrives in the shape captured from a real deployment
 *   (devsapp/fc3 __tests__/e2e/trigger/http/evt.json), and the service's own rule recognises both as genuine;
 * - answers carry FC's x-fc-* headers, and Tail returns the framed log with what the function printed;
 * - async invocations retry function errors, then deliver FC's result record to the onSuccess / onFailure
 *   destination: a local MNS queue or another function.
 */
import { Readable } from 'node:stream';
import FC3, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalFc, parseDestination, type DestinationRecord, type InvokeWrapEvent, type LocalFc } from '../../scripts/local-fc';
import { startLocalMns, type LocalMns } from '../../scripts/local-mns/server';
import { isInvokeFunctionWrap } from '../../shared/adapters/fc-http';
import { fixtureEvent } from '../support/fc';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

const ACCOUNT = '1999888877776666';
const REGION = 'cn-shanghai';
const KEY = { accessKeyId: 'LTAIwrapInvoker', accessKeySecret: 'wrap-invoker-secret' };
const FIXTURE = JSON.parse(fixtureEvent('fc3-http-trigger-event-e2e.json')) as InvokeWrapEvent;

let fc: LocalFc;
let mns: LocalMns;
const seen: { name: string; event: string }[] = [];
let flaky = 0;

beforeAll(async () => {
  const store = new CredentialStore();
  store.add(KEY);
  mns = await startLocalMns({ credentials: store, accountId: ACCOUNT, region: REGION, queues: ['done', 'failed'] });
  const queue = (q: string) => `acs:mns:${REGION}:${ACCOUNT}:/queues/${q}/messages`;
  fc = await startLocalFc({
    region: REGION,
    accountId: ACCOUNT,
    invokeAuth: store,
    queues: mns,
    functions: {
      // devsapp/fc3's e2e function: prints the event and answers it as it came.
      echo: {
        httpTrigger: true,
        handler: (event, _context, callback) => {
          process.stdout.write(`${event.toString()}\n`);
          callback?.(null, event);
        },
      },
      struct: { httpTrigger: true, handler: async () => ({ statusCode: 201, headers: { 'x-mine': 'yes', 'x-fc-request-id': 'forged' }, body: 'teapot' }) },
      boom: {
        handler: async () => {
          throw new RangeError('always fails');
        },
        asyncInvokeConfig: { destinationConfig: { onFailure: { destination: queue('failed') } }, maxAsyncRetryAttempts: 2 },
      },
      flaky: {
        handler: async (event) => {
          flaky += 1;
          if (flaky < 2) throw new Error('first attempt fails');
          return { got: event.toString() };
        },
        asyncInvokeConfig: { destinationConfig: { onSuccess: { destination: `acs:fc:${REGION}:${ACCOUNT}:functions/sink` } } },
      },
      ok: { handler: async () => ({ done: true }), asyncInvokeConfig: { destinationConfig: { onSuccess: { destination: queue('done') } } } },
      sink: async (event) => {
        seen.push({ name: 'sink', event: event.toString() });
        return null;
      },
    },
  });
});

afterAll(async () => {
  await fc.close();
  await mns.close();
});

const client = () => new FC3(new $OpenApiUtil.Config({ ...KEY, endpoint: `127.0.0.1:${fc.port}`, protocol: 'http', regionId: REGION }));

async function invoke(fn: string, payload: string, headers: Partial<InvokeFunctionHeaders> = {}, qualifier?: string) {
  const res = await client().invokeFunctionWithOptions(fn, new InvokeFunctionRequest({ body: Readable.from([Buffer.from(payload)]), qualifier }), new InvokeFunctionHeaders(headers), new RuntimeOptions({}));
  const chunks: Buffer[] = [];
  for await (const c of res.body ?? []) chunks.push(Buffer.from(c as Buffer));
  return { status: res.statusCode, headers: res.headers ?? {}, body: Buffer.concat(chunks).toString('utf8') };
}

const keysOf = (o: object) => Object.keys(o).sort();

describe('InvokeFunction to an HTTP-triggered function: the wrap', () => {
  it('has the captured event\'s shape, field by field', async () => {
    const res = await invoke('echo', 'haha', { xFcLogType: 'Tail' });
    expect(res.status).toBe(200);
    const event = JSON.parse(res.body) as InvokeWrapEvent;
    expect(keysOf(event)).toEqual(keysOf(FIXTURE));
    expect(keysOf(event.requestContext)).toEqual(keysOf(FIXTURE.requestContext));
    expect(keysOf(event.requestContext.http)).toEqual(keysOf(FIXTURE.requestContext.http));
    expect(event).toMatchObject({ version: 'v1', rawPath: '/2023-03-30/functions/echo/invocations', body: 'haha', isBase64Encoded: false, queryParameters: {} });
    expect(event.requestContext).toMatchObject({ accountId: ACCOUNT, domainName: `${ACCOUNT}.${REGION}.fc.aliyuncs.com`, domainPrefix: ACCOUNT, requestId: '', http: { method: 'POST', path: '/2023-03-30/functions/echo/invocations', protocol: 'HTTP/1.1' } });
    expect(event.requestContext.triggerId).toMatch(/^[0-9a-f-]{36}$/);
    // The API request's own headers, Go-canonical, as captured: the ACS3 signature and the X-Acs-* it signs.
    for (const name of ['Authorization', 'Content-Type', 'User-Agent', 'X-Acs-Action', 'X-Acs-Content-Sha256', 'X-Acs-Date', 'X-Acs-Signature-Nonce', 'X-Acs-Version', 'X-Fc-Log-Type']) {
      expect(Object.keys(event.headers)).toContain(name);
      expect(Object.keys(FIXTURE.headers)).toContain(name);
    }
    expect(event.headers.Authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAIwrapInvoker,/);
    expect(event.headers['X-Acs-Action']).toBe('InvokeFunction');
    expect(Object.keys(event.headers).map((h) => h.toLowerCase())).not.toEqual(expect.arrayContaining(['host']));
    expect(Object.keys(event.headers).map((h) => h.toLowerCase())).not.toContain('content-length');
  });

  it('is recognised as a genuine InvokeFunction wrap by the service\'s rule, as the capture is with its own account', async () => {
    const event = JSON.parse((await invoke('echo', '{"key":"a.txt"}')).body) as InvokeWrapEvent;
    expect(isInvokeFunctionWrap(event as never, { accountId: ACCOUNT, region: REGION })).toBe(true);
    expect(isInvokeFunctionWrap(FIXTURE as never, { accountId: FIXTURE.requestContext.accountId, region: 'cn-huhehaote' })).toBe(true);
    // …and not by a function of another account or region.
    expect(isInvokeFunctionWrap(event as never, { accountId: '1234567890123456', region: REGION })).toBe(false);
    expect(isInvokeFunctionWrap(event as never, { accountId: ACCOUNT, region: 'cn-hangzhou' })).toBe(false);
  });

  it('a binary payload arrives base64, a qualifier in queryParameters', async () => {
    const event = JSON.parse((await invoke('echo', '\u00ff', {}, 'prod')).body) as InvokeWrapEvent;
    expect(event.queryParameters).toEqual({ qualifier: 'prod' });
    expect(event.isBase64Encoded).toBe(false);
    const bin = await client().invokeFunctionWithOptions('echo', new InvokeFunctionRequest({ body: Readable.from([Buffer.from([0xff, 0xfe, 0x00])]) }), new InvokeFunctionHeaders({}), new RuntimeOptions({}));
    const chunks: Buffer[] = [];
    for await (const c of bin.body ?? []) chunks.push(Buffer.from(c as Buffer));
    const wrapped = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InvokeWrapEvent;
    expect(wrapped.isBase64Encoded).toBe(true);
    expect(Buffer.from(wrapped.body, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
  });

  it('the function\'s response struct is the answer: status, its headers (not x-fc-*), body', async () => {
    const res = await invoke('struct', '{}');
    expect(res).toMatchObject({ status: 201, body: 'teapot', headers: { 'x-mine': 'yes' } });
    expect(res.headers['x-fc-request-id']).toMatch(/^1-/);
  });
});

describe('x-fc-* headers and Tail', () => {
  it('an InvokeFunction answer carries FC\'s headers; Tail frames the log with what the function printed', async () => {
    const res = await invoke('echo', 'tail me', { xFcLogType: 'Tail' });
    const h = res.headers;
    expect(h['x-fc-request-id']).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(h['x-fc-code-checksum']).toMatch(/^\d+$/);
    expect(h['x-fc-instance-id']).toMatch(/^c-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$/);
    expect(h['x-fc-invocation-duration']).toMatch(/^\d+$/);
    expect(h['x-fc-max-memory-usage']).toMatch(/^\d+\.\d\d$/);
    expect(h['x-fc-invocation-service-version']).toBe('LATEST');
    const tail = Buffer.from(h['x-fc-log-result'] ?? '', 'base64').toString('utf8').split('\n');
    expect(tail[0]).toBe(`FC Invoke Start RequestId: ${h['x-fc-request-id']}`);
    expect(tail.some((line) => line.includes('"body":"tail me"'))).toBe(true);
    expect(tail.at(-2)).toBe(`FC Invoke End RequestId: ${h['x-fc-request-id']}`);
    // What the function printed went to the host's log, not to this process's stdout.
    expect(fc.logs.some((line) => line.includes('"body":"tail me"'))).toBe(true);
  });

  it('without Tail there is no log header; an HTTP trigger answer carries the x-fc-* headers too', async () => {
    expect((await invoke('echo', 'x')).headers['x-fc-log-result']).toBeUndefined();
    const res = await fetch(`${fc.origin}/struct/`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-mine')).toBe('yes');
    expect(res.headers.get('x-fc-request-id')).toMatch(/^1-/);
    expect(res.headers.get('x-fc-instance-id')).toMatch(/^c-/);
  });
});

describe('async invocations: retries and destinations', () => {
  it('a function error is retried maxAsyncRetryAttempts times, then FC\'s record goes to the onFailure queue', async () => {
    const res = await invoke('boom', '{"n":1}', { xFcInvocationType: 'Async' });
    expect(res.status).toBe(202);
    await fc.idle();
    const [message] = mns.messages('failed');
    const record = JSON.parse(message?.body ?? '{}') as DestinationRecord;
    expect(record.requestContext).toEqual({ requestId: res.headers['x-fc-request-id'], functionArn: `acs:fc:${REGION}:${ACCOUNT}:functions/boom`, condition: 'UnhandledInvocationError', approximateInvokeCount: 3 });
    expect(record.requestPayload).toBe('{"n":1}');
    expect(record.responseContext).toEqual({ statusCode: 200, functionError: 'UnhandledInvocationError' });
    expect(JSON.parse(record.responsePayload)).toMatchObject({ errorMessage: 'always fails', errorType: 'RangeError' });
    expect(typeof record.timestamp).toBe('number');
  });

  it('a success after a retry goes to the onSuccess destination function, which gets the record as its event', async () => {
    await invoke('flaky', 'payload-1', { xFcInvocationType: 'Async' });
    await fc.idle();
    const record = JSON.parse(seen.at(-1)?.event ?? '{}') as DestinationRecord;
    expect(record.requestContext).toMatchObject({ functionArn: `acs:fc:${REGION}:${ACCOUNT}:functions/flaky`, condition: '', approximateInvokeCount: 2 });
    expect(JSON.parse(record.responsePayload)).toEqual({ got: 'payload-1' });
  });

  it('an event source\'s async invocation (invokeAsync) delivers the same way', async () => {
    const requestId = fc.invokeAsync('ok', Buffer.from('{"events":[]}'));
    await fc.idle();
    const record = JSON.parse(mns.messages('done').at(-1)?.body ?? '{}') as DestinationRecord;
    expect(record.requestContext.requestId).toBe(requestId);
    expect(JSON.parse(record.responsePayload)).toEqual({ done: true });
  });

  it('destinations the local host cannot deliver to are refused when it starts', () => {
    expect(parseDestination(`acs:mns:${REGION}:${ACCOUNT}:/queues/q/messages`, REGION, ACCOUNT)).toEqual({ kind: 'queue', queue: 'q' });
    expect(parseDestination(`acs:fc:${REGION}:${ACCOUNT}:functions/f`, REGION, ACCOUNT)).toEqual({ kind: 'function', functionName: 'f' });
    expect(() => parseDestination(`acs:mns:${REGION}:${ACCOUNT}:/topics/t/messages`, REGION, ACCOUNT)).toThrow(/MNS queues/);
    expect(() => parseDestination(`acs:eventbridge:${REGION}:${ACCOUNT}:eventbus/default`, REGION, ACCOUNT)).toThrow(/MNS queues/);
    expect(() => parseDestination(`acs:mns:cn-beijing:${ACCOUNT}:/queues/q/messages`, REGION, ACCOUNT)).toThrow(/another region/);
  });
});
