import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHandler, type FcHandler, type HandlerOptions } from '../../shared/core/handler';
import type { LogLine } from '../../shared/core/log';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';

/**
 * Test tier two: the real handlers, called as Function Compute calls them (a Buffer event, an FC-shaped
 * context). Only the platform is faked; nothing in the code under test is.
 */
export const SECRET = 'SECRET-k9Zq-must-never-leak-7f3a';
export const TOKEN = 'CAIS+TOKEN/only-in-url-query==';

export function fcContext(overrides: Record<string, unknown> = {}) {
  return {
    requestId: 'req-test-1',
    region: 'cn-hangzhou',
    accountId: '1234567890',
    credentials: { accessKeyId: 'STS.TestKeyId', accessKeySecret: SECRET, securityToken: TOKEN },
    function: { name: 'presign-put', handler: 'index.handler', memory: 128, timeout: 5 },
    ...overrides,
  };
}

export const BASE_ENV = { OSS_BUCKET: 'my-bucket', OSS_REGION: 'cn-hangzhou' } as const;

export interface Harness {
  put: FcHandler;
  get: FcHandler;
  logs: LogLine[];
}

export function harness(env: Record<string, string> = {}, options: Omit<HandlerOptions, 'env' | 'log'> = {}): Harness {
  const logs: LogLine[] = [];
  const full = { ...BASE_ENV, ...env };
  return {
    put: createHandler(putOperation, { ...options, env: full, log: (l) => logs.push(l) }),
    get: createHandler(getOperation, { ...options, env: full, log: (l) => logs.push(l) }),
    logs,
  };
}

export const asEvent = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

export function httpEvent(init: { method?: string; path?: string; headers?: Record<string, string>; query?: Record<string, string>; body?: unknown; base64?: boolean }) {
  const body = init.body === undefined ? '' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const path = init.path ?? '/';
  return {
    version: 'v1',
    rawPath: path,
    body: init.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: init.base64 ?? false,
    headers: init.headers ?? (init.body === undefined ? {} : { 'content-type': 'application/json' }),
    queryParameters: init.query ?? {},
    requestContext: {
      accountId: '1234567890',
      domainName: 'abc.cn-hangzhou.fcapp.run',
      domainPrefix: 'abc',
      http: { method: init.method ?? 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'req-test-1',
      time: '2026-11-22T02:00:00Z',
      timeEpoch: '1795317600000',
    },
  };
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  json: Record<string, unknown>;
}

export async function callHttp(handler: FcHandler, event: unknown, context = fcContext()): Promise<HttpAnswer> {
  const answer = (await handler(asEvent(event), context)) as Omit<HttpAnswer, 'json'>;
  return { ...answer, json: answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {} };
}

export const FIXTURE_EVENTS = path.resolve(__dirname, '../fixtures/events');
export const fixtureEvent = (name: string): string => readFileSync(path.join(FIXTURE_EVENTS, name), 'utf8');
