/**
 * Every ready-made event in scripts/events/ goes through the local FC host's InvokeFunction API twice, with the
 * official FC 3.0 client (@alicloud/fc20230330): once to a function without an HTTP trigger (the payload arrives as
 * sent) and once to the same handler registered WITH an HTTP trigger (FC 3.0 wraps the call in the trigger's v1
 * shape, see scripts/local-fc/invoke-wrap.ts). The service must give the same answer: the wrapped call's HTTP body is
 * the raw call's result, and its status is 200, or the error's status when the answer is one error.
 * The handlers run with s.yaml's shipped environment and one frozen clock, so two URLs for the same request are equal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import FC3, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { environmentOf, loadSYaml, resourceFor } from '../../scripts/fc/s-yaml';
import { startLocalFc, type LocalFc } from '../../scripts/local-fc';
import { createHandler } from '../../shared/core/handler';
import type { LogLine } from '../../shared/core/log';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

const EVENTS = path.resolve(__dirname, '../../scripts/events');
const KEY = { accessKeyId: 'LTAIwrapTestInvoker', accessKeySecret: 'wrap-test-secret' };
const ROLE = { accessKeyId: 'STS.wrapTestRole', accessKeySecret: 'wrap-role-secret', securityToken: 'wrap-role-token' };
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);

let fc: LocalFc;
const logs: LogLine[] = [];

beforeAll(async () => {
  const store = new CredentialStore();
  store.add(KEY);
  const s = loadSYaml();
  const env = environmentOf(resourceFor(s, 'presign-put')[1]);
  const options = { env: { ...env, FC_REGION: 'cn-hangzhou' }, now: () => NOW, log: (line: LogLine) => logs.push(line) };
  const put = createHandler(putOperation, options);
  const get = createHandler(getOperation, options);
  fc = await startLocalFc({
    region: 'cn-hangzhou',
    accountId: '1234567890123456',
    credentials: ROLE,
    invokeAuth: store,
    functions: {
      'presign-put': { handler: put, httpTrigger: true },
      'presign-get': { handler: get, httpTrigger: true },
      'presign-put-raw': put,
      'presign-get-raw': get,
    },
  });
});

afterAll(() => fc.close());

const client = () => new FC3(new $OpenApiUtil.Config({ ...KEY, endpoint: `127.0.0.1:${fc.port}`, protocol: 'http', regionId: 'cn-hangzhou' }));

async function invoke(functionName: string, payload: Buffer): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  try {
    const res = await client().invokeFunctionWithOptions(functionName, new InvokeFunctionRequest({ body: Readable.from([payload]) }), new InvokeFunctionHeaders({}), new RuntimeOptions({}));
    const chunks: Buffer[] = [];
    for await (const c of res.body ?? []) chunks.push(Buffer.from(c as Buffer));
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers ?? {} };
  } catch (error) {
    // The OpenAPI client throws on 4xx/5xx and keeps the parsed body as `data` (openapi-core client.js).
    const e = error as { statusCode?: number; data?: unknown };
    if (typeof e.statusCode !== 'number') throw error;
    return { status: e.statusCode, body: JSON.stringify(e.data), headers: {} };
  }
}

/** requestId differs per invocation by design; everything else must not. Nested JSON bodies are compared parsed. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'requestId') continue;
      out[k] = k === 'body' && typeof v === 'string' && v.startsWith('{') ? comparable(JSON.parse(v)) : comparable(v);
    }
    return out;
  }
  return value;
}

const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).sort();

it('scripts/events/ holds an event for every source the README lists', () => {
  expect(files.length).toBeGreaterThanOrEqual(14);
  for (const kind of ['direct', 'http', 'apigw', 'eventbridge', 'mns-batch', 'oss-object-created', 'batch']) expect(files.some((f) => f.includes(kind))).toBe(true);
});

describe.each(files)('%s', (file) => {
  const fn = file.startsWith('put-') ? 'presign-put' : 'presign-get';

  it('is answered the same raw and wrapped through the InvokeFunction API', async () => {
    const payload = readFileSync(path.join(EVENTS, file));
    const raw = await invoke(`${fn}-raw`, payload);
    const wrapped = await invoke(fn, payload);
    expect(raw.status).toBe(200);
    const rawAnswer = JSON.parse(raw.body) as Record<string, unknown>;
    const wrappedAnswer = JSON.parse(wrapped.body) as Record<string, unknown>;
    expect(comparable(wrappedAnswer)).toEqual(comparable(rawAnswer));
    // The wrapped answer's status: an error's (an HTTP-shaped payload's error status, or a single error's), else 200.
    const error = rawAnswer.error as { code: string } | undefined;
    if (typeof rawAnswer.statusCode === 'number') expect(wrapped.status).toBe(rawAnswer.statusCode >= 400 ? rawAnswer.statusCode : 200);
    else if (error) expect(wrapped.status).toBeGreaterThanOrEqual(400);
    else expect(wrapped.status).toBe(200);
    if (wrapped.status === 200) expect(wrapped.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('works with the vars s.yaml ships: no event is refused as a whole', async () => {
    const raw = JSON.parse((await invoke(`${fn}-raw`, readFileSync(path.join(EVENTS, file)))).body) as Record<string, unknown>;
    expect(raw.error).toBeUndefined();
    if (typeof raw.statusCode === 'number') {
      expect(raw.statusCode).toBeLessThan(300);
      if (raw.body !== '') expect(JSON.parse(String(raw.body))).not.toHaveProperty('error');
    }
  });
});

it('the wrapped calls were seen by the service as InvokeFunction wraps, the raw ones as what they carry', () => {
  const sources = new Set(logs.map((l) => l.source));
  expect(sources.has('invoke-api')).toBe(true);
  for (const s of ['direct', 'http-trigger', 'api-gateway', 'eventbridge', 'mns-queue', 'oss']) expect(sources.has(s)).toBe(true);
});
