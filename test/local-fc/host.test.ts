import { Readable } from 'node:stream';
import FC3, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts } from '../../scripts/local-cloud/local-sts';
import { roleCredentials, startLocalFc, type FcContext, type HttpTriggerEvent, type LocalFc } from '../../scripts/local-fc';

const KEY = { accessKeyId: 'LTAIinvokerKey0001', accessKeySecret: 'invoker-secret-DO-NOT-LEAK' };
const ROLE = { accessKeyId: 'STS.runtimeRole0001', accessKeySecret: 'runtime-secret-DO-NOT-LEAK', securityToken: 'runtime-token' };

/** @alicloud/fc2 ships no types: the part of its Client these tests use. */
interface Fc2Client {
  invokeFunction(service: string, fn: string, event: string | Buffer, headers?: Record<string, string>, qualifier?: string, opts?: { rawBuf?: boolean }): Promise<{ headers: Record<string, string | undefined>; data: unknown }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FC2 = require('@alicloud/fc2') as new (accountId: string, config: Record<string, unknown>) => Fc2Client;

interface Seen { event: Buffer; context: FcContext }

let fc: LocalFc;
let seen: Seen[] = [];
const store = new CredentialStore();
store.add(KEY);

beforeAll(async () => {
  fc = await startLocalFc({
    region: 'cn-shanghai',
    accountId: '1999888877776666',
    credentials: ROLE,
    invokeAuth: store,
    service: 'presign',
    functions: {
      echo: async (event, context) => {
        seen.push({ event, context });
        context.logger.info('echo got %d bytes', event.length);
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: event.toString('utf8') }) };
      },
      shaped: async () => ({ statusCode: 201, headers: { 'x-custom': 'yes', 'x-fc-request-id': 'forged', server: 'forged' }, isBase64Encoded: true, body: Buffer.from([0, 1, 2, 255]).toString('base64') }),
      plain: async (event) => ({ got: event.toString('utf8') }),
      raw: async () => Buffer.from([9, 8, 7]),
      boom: async () => {
        throw new TypeError('kaboom');
      },
      callbackStyle: (event, _context, callback) => {
        setTimeout(() => callback?.(null, `cb:${event.toString('utf8')}`), 5);
      },
      slow: { handler: () => new Promise(() => undefined), timeout: 1 },
    },
  });
});

afterAll(() => fc.close());
beforeEach(() => {
  seen = [];
});

function lastEvent(): HttpTriggerEvent {
  const last = seen.at(-1);
  if (!last) throw new Error('the handler was not called');
  return JSON.parse(last.event.toString('utf8')) as HttpTriggerEvent;
}

describe('HTTP trigger', () => {
  it('builds the v1 event from the request as received', async () => {
    const res = await fetch(`${fc.origin}/echo/a%20b/c?x=1&y=2&x=3&sp=a%2Bb+c`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-oss-meta-foo': 'bar', 'user-agent': 'test-agent/1' },
      body: '{"key":"k"}',
    });
    expect(res.status).toBe(200);
    const event = lastEvent();
    expect(event.version).toBe('v1');
    expect(event.rawPath).toBe('/a%20b/c');
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/a b/c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test-agent/1' });
    expect(event.queryParameters).toEqual({ x: '1,3', y: '2', sp: 'a+b c' });
    expect(event.headers['Content-Type']).toBe('application/json');
    expect(event.headers['X-Oss-Meta-Foo']).toBe('bar');
    expect(Object.keys(event.headers).map((h) => h.toLowerCase())).not.toContain('host');
    expect(event.body).toBe('{"key":"k"}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.accountId).toBe('1999888877776666');
    expect(event.requestContext.domainPrefix).toBe('echo');
    expect(event.requestContext.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(event.requestContext.timeEpoch)).toBeGreaterThan(1.6e12);
    expect(event.requestContext.requestId).toBe(res.headers.get('x-fc-request-id'));
  });

  it('passes binary bodies base64 and a bare function path as "/"', async () => {
    await fetch(`${fc.origin}/echo`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0xff, 0x00, 0x10]) });
    const event = lastEvent();
    expect(event.rawPath).toBe('/');
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0x10]));
  });

  it('hands an FC-shaped context: requestId, credentials, function, region, accountId, logger', async () => {
    const res = await fetch(`${fc.origin}/echo/`);
    const ctx = seen.at(-1)!.context;
    expect(ctx.requestId).toBe(res.headers.get('x-fc-request-id'));
    expect(ctx.requestId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(ctx.credentials).toEqual(ROLE);
    expect(ctx.function).toEqual({ name: 'echo', handler: 'index.handler', memory: 512, timeout: 60 });
    expect(ctx.region).toBe('cn-shanghai');
    expect(ctx.accountId).toBe('1999888877776666');
    expect(fc.logs.at(-1)).toMatch(new RegExp(`^\\S+ ${ctx.requestId} \\[info\\] echo got \\d+ bytes$`));
  });

  it('applies the response struct: status, headers, base64 body; FC-reserved headers are not the function\'s', async () => {
    const res = await fetch(`${fc.origin}/shaped/`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-fc-request-id')).toMatch(/^1-/);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('a thrown error is 502 UnhandledInvocationError with errorMessage and errorType', async () => {
    const res = await fetch(`${fc.origin}/boom/`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-fc-error-type')).toBe('UnhandledInvocationError');
    expect(await res.json()).toMatchObject({ errorMessage: 'kaboom', errorType: 'TypeError' });
  });

  it('a handler that never answers times out at the function timeout', async () => {
    const res = await fetch(`${fc.origin}/slow/`);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ errorMessage: 'Function timed out after 1 seconds' });
  });

  it('an unknown function is 404 FunctionNotFound', async () => {
    const res = await fetch(`${fc.origin}/nope/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ErrorCode: 'FunctionNotFound' });
  });
});

describe('InvokeFunction API with the official clients', () => {
  const fc2 = (creds = KEY) => new FC2('1999888877776666', { accessKeyID: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, region: 'cn-shanghai', endpoint: fc.origin, timeout: 5000 });

  it('FC 2.0 (@alicloud/fc2): the raw body is the event, the result comes back', async () => {
    const res = await fc2().invokeFunction('presign', 'plain', '{"key":"a.txt"}');
    expect(JSON.parse(String(res.data))).toEqual({ got: '{"key":"a.txt"}' });
    const raw = await fc2().invokeFunction('presign', 'raw', 'x', {}, undefined, { rawBuf: true });
    expect(Buffer.from(raw.data as Buffer)).toEqual(Buffer.from([9, 8, 7]));
    const cb = await fc2().invokeFunction('presign', 'callbackStyle', 'hi');
    expect(String(cb.data)).toBe('cb:hi');
  });

  it('FC 2.0: an error is 200 with x-fc-error-type; Tail returns the logs', async () => {
    const res = await fc2().invokeFunction('presign', 'boom', 'x');
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(res.data).toMatchObject({ errorMessage: 'kaboom' });
    const tail = await fc2().invokeFunction('presign', 'echo', 'abc', { 'x-fc-log-type': 'Tail' });
    expect(Buffer.from(String(tail.headers['x-fc-log-result']), 'base64').toString('utf8')).toContain('echo got 3 bytes');
  });

  it('FC 2.0: async answers 202 and runs the handler in the background', async () => {
    const res = await fc2().invokeFunction('presign', 'echo', 'later', { 'x-fc-invocation-type': 'Async' });
    expect(res.headers['x-fc-request-id']).toMatch(/^1-/);
    await fc.idle();
    expect(seen.map((s) => s.event.toString('utf8'))).toContain('later');
    expect(fc.invocations.find((i) => i.requestId === res.headers['x-fc-request-id'])).toMatchObject({ async: true, ok: true });
  });

  it('FC 2.0: a wrong secret, an unknown key or another service are refused', async () => {
    await expect(fc2({ ...KEY, accessKeySecret: 'wrong' }).invokeFunction('presign', 'plain', 'x')).rejects.toMatchObject({ code: 'SignatureNotMatch' });
    await expect(fc2({ accessKeyId: 'LTAIunknown', accessKeySecret: 'x' }).invokeFunction('presign', 'plain', 'x')).rejects.toMatchObject({ code: 'InvalidAccessKeyID' });
    await expect(fc2().invokeFunction('other', 'plain', 'x')).rejects.toMatchObject({ code: 'ServiceNotFound' });
    expect(seen).toHaveLength(0);
  });

  const fc3 = (creds = KEY) => new FC3(new $OpenApiUtil.Config({ accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, endpoint: `127.0.0.1:${fc.port}`, protocol: 'http', regionId: 'cn-shanghai' }));
  const body = async (readable: Readable | undefined): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of readable ?? []) chunks.push(Buffer.from(c as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  };

  it('FC 3.0 (@alicloud/fc20230330): ACS3 signature checked, result returned, qualifier passed', async () => {
    const res = await fc3().invokeFunctionWithOptions('echo', new InvokeFunctionRequest({ body: Readable.from([Buffer.from('{"k":1}')]), qualifier: 'prod' }), new InvokeFunctionHeaders({}), new RuntimeOptions({}));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await body(res.body))).toMatchObject({ statusCode: 200 });
    expect(seen.at(-1)!.event.toString('utf8')).toBe('{"k":1}');
    expect(seen.at(-1)!.context.service.qualifier).toBe('prod');
  });

  it('FC 3.0: a wrong secret is refused before the function runs', async () => {
    await expect(fc3({ ...KEY, accessKeySecret: 'wrong' }).invokeFunctionWithOptions('echo', new InvokeFunctionRequest({ body: Readable.from([Buffer.from('x')]) }), new InvokeFunctionHeaders({}), new RuntimeOptions({})))
      .rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(seen).toHaveLength(0);
  });
});

describe('credentials', () => {
  it('a function without a role gets context.credentials = {}', async () => {
    const contexts: FcContext[] = [];
    const bare = await startLocalFc({ functions: { f: async (_e, c) => { contexts.push(c); return ''; } } });
    try {
      await fetch(`${bare.origin}/f/`);
      expect(contexts[0]!.credentials).toEqual({});
    } finally {
      await bare.close();
    }
  });

  it('the runtime role is assumed at the local STS and renewed once less than refreshAhead is left', async () => {
    let t = Date.UTC(2030, 0, 1);
    const now = () => t;
    const sts = await startLocalSts({ store, now, roles: [{ arn: 'acs:ram::1:role/rt', maxSessionDuration: 3600 }] });
    try {
      const role = roleCredentials({ stsEndpoint: sts.origin, caller: KEY, roleArn: 'acs:ram::1:role/rt', durationSeconds: 1800, refreshAheadSeconds: 600, now });
      const [a, b] = await Promise.all([role(), role()]);
      expect(a).toEqual(b);
      expect(role.renewals()).toBe(1);
      expect(store.lookup(a!.accessKeyId)?.expiration?.getTime()).toBe(t + 1800_000);
      t += 1100_000; // 700 s left: still served
      expect(await role()).toEqual(a);
      t += 200_000; // 500 s left: renewed
      const c = await role();
      expect(c.accessKeyId).not.toBe(a!.accessKeyId);
      expect(role.renewals()).toBe(2);
    } finally {
      await sts.close();
    }
  });
});
