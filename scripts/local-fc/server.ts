/**
 * The local Function Compute host: a node:http server on loopback that runs FC 3.0 event handlers in-process and
 * serves them the two ways FC does.
 *
 * HTTP trigger — `ANY /<function-name>[/<rest>]`: the request becomes the v1 HTTP trigger event (the function sees
 *   `rawPath` = `/<rest>`), the handler's response struct becomes the HTTP answer. A thrown error (or timeout) is
 *   502 with `x-fc-error-type: UnhandledInvocationError` and `{ errorMessage, errorType, stackTrace }`, as FC answers.
 * InvokeFunction API — `POST /2023-03-30/functions/<fn>/invocations[?qualifier=]` (FC 3.0) and
 *   `POST /2016-08-15/services/<service>[.<qualifier>]/functions/<fn>/invocations` (FC 2.0, `@alicloud/fc2`):
 *   the raw body is the event; the result is sent back (Buffer/string as-is, other values JSON); an error is 200 with
 *   `x-fc-error-type: UnhandledInvocationError`; `x-fc-invocation-type: Async` answers 202 at once and runs the
 *   handler in the background; `x-fc-log-type: Tail` returns the invocation's log lines base64 in `x-fc-log-result`.
 *   With `invokeAuth` the request signature is verified (see invoke-auth.ts); without it any caller is accepted.
 * Every answer carries `x-fc-request-id`; the same id is `context.requestId` and `requestContext.requestId`.
 */
import http from 'node:http';
import { listenOn } from '../local-cloud/tls-server';
import type { CredentialStore } from '../local-cloud/credential-store';
import { buildHttpEvent, safeDecode } from './http-event';
import { httpAnswerFor, serialiseResult } from './http-response';
import { InvokeAuthError, verifyInvokeSignature } from './invoke-auth';
import { invokeHandler, newFcRequestId, toInvocationError, type FunctionSpec, type InvocationOutcome } from './invoke';
import type { CredentialsSource, FcCredentials, FcHandler } from './types';

export interface LocalFcFunction {
  handler: FcHandler;
  /** As in s.yaml; shown in context.function.handler. Default `index.handler`. */
  handlerName?: string;
  memory?: number;
  /** Seconds; default 60. */
  timeout?: number;
}

export interface LocalFcOptions {
  functions: Record<string, FcHandler | LocalFcFunction>;
  /** The functions' role credentials (`context.credentials`); none gives `{}`, as FC does for a function without a role. */
  credentials?: CredentialsSource;
  region?: string;
  accountId?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Function environment variables. Handlers run in this process, so these are written into process.env when the
   * host starts (before the first invocation) and restored on close(); both functions see the same values.
   */
  env?: Record<string, string>;
  /** Verify InvokeFunction signatures against these keys; unset accepts any caller (the HTTP triggers are anonymous). */
  invokeAuth?: CredentialStore;
  /** FC 2.0 service name the InvokeFunction path must name; default: any. */
  service?: string;
  now?: () => number;
  /** Receives the handlers' context.logger lines and one access line per request. Never receives credentials. */
  log?: (line: string) => void;
}

export type InvocationKind = 'http' | 'invoke-fc2' | 'invoke-fc3';

export interface RecordedInvocation {
  requestId: string;
  functionName: string;
  kind: InvocationKind;
  async: boolean;
  ok: boolean;
  status: number;
}

export interface LocalFc {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  host: string;
  region: string;
  accountId: string;
  /** The HTTP trigger URL of a function: `<origin>/<name><path>`. */
  triggerUrl(functionName: string, path?: string): string;
  invocations: RecordedInvocation[];
  /** Every context.logger line, for tests that check nothing secret is logged. */
  logs: string[];
  /** Resolves when no async invocation is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const FC3_INVOKE = /^\/2023-03-30\/functions\/([^/]+)\/invocations\/?$/;
const FC2_INVOKE = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations\/?$/;
const MAX_BODY = 32 * 1024 * 1024;

class HostError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HostError(413, 'ExceededMaxRequestSize', `request body exceeds ${MAX_BODY} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function lowerHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) out[name] = values.join(',');
  return out;
}

export async function startLocalFc(options: LocalFcOptions): Promise<LocalFc> {
  const region = options.region ?? 'cn-hangzhou';
  const accountId = options.accountId ?? '1234567890123456';
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const sink = options.log ?? (() => undefined);
  const specs = new Map<string, FunctionSpec>();
  for (const [name, fn] of Object.entries(options.functions)) {
    if (!FUNCTION_NAME.test(name)) throw new Error(`invalid FC function name: ${name}`);
    const f = typeof fn === 'function' ? { handler: fn } : fn;
    specs.set(name, { name, handler: f.handler, handlerName: f.handlerName ?? 'index.handler', memory: f.memory ?? 512, timeoutSeconds: f.timeout ?? 60 });
  }
  const savedEnv = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(options.env ?? {})) {
    savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  }
  const invocations: RecordedInvocation[] = [];
  const logs: string[] = [];
  const running = new Set<Promise<unknown>>();

  async function credentials(): Promise<FcCredentials | null> {
    const source = options.credentials;
    if (source === null || source === undefined) return null;
    return typeof source === 'function' ? source() : source;
  }

  async function run(spec: FunctionSpec, event: Buffer, requestId: string, qualifier: string): Promise<InvocationOutcome> {
    let creds: FcCredentials | null;
    try {
      creds = await credentials();
    } catch (err) {
      // FC could not assume the function's role: a platform error, not the function's.
      throw new HostError(500, 'InternalServerError', `could not obtain the function's role credentials: ${toInvocationError(err).errorMessage}`);
    }
    return invokeHandler({
      spec, event, requestId, credentials: creds, region, accountId, qualifier,
      log: (line) => {
        logs.push(line);
        sink(line);
      },
    });
  }

  function specFor(name: string): FunctionSpec {
    const spec = specs.get(name);
    if (!spec) throw new HostError(404, 'FunctionNotFound', `function '${name}' does not exist`);
    return spec;
  }

  async function httpTrigger(req: http.IncomingMessage, res: http.ServerResponse, name: string, rest: string, rawQuery: string, requestId: string): Promise<RecordedInvocation> {
    const spec = specFor(name);
    const body = await readBody(req);
    const started = now();
    const event = buildHttpEvent({ req, rawPath: rest, rawQuery, body, requestId, accountId, functionName: name, region, now: started });
    const outcome = await run(spec, Buffer.from(JSON.stringify(event), 'utf8'), requestId, 'LATEST');
    let answer;
    if (outcome.ok) {
      try {
        answer = httpAnswerFor(outcome.result);
      } catch (err) {
        answer = null;
        outcome.logs.push(String(err));
        sendJson(res, 502, { 'x-fc-request-id': requestId, 'x-fc-error-type': 'UnhandledInvocationError' }, toInvocationError(err));
      }
      if (answer) {
        res.writeHead(answer.status, { ...answer.headers, 'x-fc-request-id': requestId, 'content-length': String(answer.body.length) });
        res.end(req.method === 'HEAD' ? undefined : answer.body);
      }
    } else {
      sendJson(res, 502, { 'x-fc-request-id': requestId, 'x-fc-error-type': 'UnhandledInvocationError' }, outcome.error);
    }
    return { requestId, functionName: name, kind: 'http', async: false, ok: outcome.ok && answer !== null, status: res.statusCode };
  }

  async function invokeApi(req: http.IncomingMessage, res: http.ServerResponse, kind: 'invoke-fc2' | 'invoke-fc3', name: string, qualifier: string, rawPath: string, rawQuery: string, requestId: string): Promise<RecordedInvocation> {
    if ((req.method ?? '').toUpperCase() !== 'POST') throw new HostError(405, 'MethodNotAllowed', 'InvokeFunction must be POST');
    const body = await readBody(req);
    const headers = lowerHeaders(req);
    if (options.invokeAuth) {
      verifyInvokeSignature(kind === 'invoke-fc2' ? 'fc2' : 'fc3', { method: 'POST', rawPath, rawQuery, headers, body, store: options.invokeAuth, now: now() });
    }
    const spec = specFor(name);
    const isAsync = (headers['x-fc-invocation-type'] ?? '').toLowerCase() === 'async';
    if (isAsync) {
      const job = run(spec, body, requestId, qualifier).then(
        (outcome) => {
          invocations.push({ requestId, functionName: name, kind, async: true, ok: outcome.ok, status: 202 });
          if (!outcome.ok) sink(`async invocation ${requestId} of ${name} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
        },
        (err: unknown) => sink(`async invocation ${requestId} of ${name} failed: ${toInvocationError(err).errorMessage}`),
      );
      running.add(job);
      void job.finally(() => running.delete(job));
      res.writeHead(202, { 'x-fc-request-id': requestId, 'content-length': '0' });
      res.end();
      return { requestId, functionName: name, kind, async: true, ok: true, status: 202 };
    }
    const outcome = await run(spec, body, requestId, qualifier);
    const extra: Record<string, string> = { 'x-fc-request-id': requestId };
    if ((headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail') {
      extra['x-fc-log-result'] = Buffer.from(outcome.logs.join('\n').slice(-4096), 'utf8').toString('base64');
    }
    if (!outcome.ok) {
      sendJson(res, 200, { ...extra, 'x-fc-error-type': 'UnhandledInvocationError' }, outcome.error);
      return { requestId, functionName: name, kind, async: false, ok: false, status: 200 };
    }
    const { body: out } = serialiseResult(outcome.result);
    // Real FC's content-type for a result is not verified here; callers should not depend on it.
    res.writeHead(200, { ...extra, 'content-type': 'application/octet-stream', 'content-length': String(out.length) });
    res.end(out);
    return { requestId, functionName: name, kind, async: false, ok: true, status: 200 };
  }

  function sendJson(res: http.ServerResponse, status: number, headers: Record<string, string>, payload: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<RecordedInvocation | undefined> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
    let m = FC3_INVOKE.exec(rawPath);
    if (m) {
      const qualifier = new URLSearchParams(rawQuery).get('qualifier') ?? 'LATEST';
      return invokeApi(req, res, 'invoke-fc3', safeDecode(m[1]!), qualifier, rawPath, rawQuery, requestId);
    }
    m = FC2_INVOKE.exec(rawPath);
    if (m) {
      const [service, qualifier] = safeDecode(m[1]!).split('.', 2) as [string, string | undefined];
      if (options.service !== undefined && service !== options.service) throw new HostError(404, 'ServiceNotFound', `service '${service}' does not exist`);
      return invokeApi(req, res, 'invoke-fc2', safeDecode(m[2]!), qualifier ?? 'LATEST', rawPath, rawQuery, requestId);
    }
    const slash = rawPath.indexOf('/', 1);
    const name = safeDecode(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
    const rest = slash === -1 ? '/' : rawPath.slice(slash);
    if (!FUNCTION_NAME.test(name)) throw new HostError(404, 'FunctionNotFound', 'no HTTP trigger at this path: use /<function-name>/...');
    return httpTrigger(req, res, name, rest, rawQuery, requestId);
  }

  const server = http.createServer((req, res) => {
    const requestId = newFcRequestId(now());
    handle(req, res, requestId).then(
      (record) => {
        if (record) {
          if (!record.async) invocations.push(record);
          sink(`${req.method} ${(req.url ?? '').split('?')[0]} ${record.status}${record.ok ? '' : ' (function error)'}`);
        }
      },
      (err: unknown) => {
        const e = err instanceof HostError || err instanceof InvokeAuthError ? err : new HostError(500, 'InternalServerError', 'the local FC host failed');
        if (!(err instanceof HostError || err instanceof InvokeAuthError)) sink(`local FC internal error: ${toInvocationError(err).errorMessage}`);
        sink(`${req.method} ${(req.url ?? '').split('?')[0]} ${e.status} ${e.code}`);
        const fc3 = (req.url ?? '').startsWith('/2023-03-30/');
        // FC 2.0 errors are { ErrorCode, ErrorMessage }; the FC 3.0 OpenAPI's are { Code, Message, RequestId }.
        const payload = fc3 ? { Code: e.code, Message: e.message, RequestId: requestId } : { ErrorCode: e.code, ErrorMessage: e.message };
        sendJson(res, e.status, { 'x-fc-request-id': requestId, 'x-fc-error-type': 'FcCommonError' }, payload);
      },
    );
  });
  const { port, origin } = await listenOn(server, host, options.port);

  return {
    origin,
    port,
    host,
    region,
    accountId,
    invocations,
    logs,
    triggerUrl: (fn, path = '/') => `${origin}/${encodeURIComponent(fn)}${path.startsWith('/') ? path : `/${path}`}`,
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    close: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      for (const [k, v] of savedEnv) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
