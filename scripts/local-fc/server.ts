/**
 * The local Function Compute host: a node:http server on loopback that runs FC 3.0 event handlers in-process and
 * serves them the two ways FC does.
 *
 * HTTP trigger — `ANY /<function-name>[/<rest>]`: the request becomes the v1 HTTP trigger event (the function sees
 *   `rawPath` = `/<rest>`), the handler's response struct becomes the HTTP answer. A thrown error (or timeout) is
 *   502 with `x-fc-error-type: UnhandledInvocationError` and `{ errorMessage, errorType, stackTrace }`, as FC answers.
 * InvokeFunction API — `POST /2023-03-30/functions/<fn>/invocations[?qualifier=]` (FC 3.0) and
 *   `POST /2016-08-15/services/<service>[.<qualifier>]/functions/<fn>/invocations` (FC 2.0, `@alicloud/fc2`):
 *   - a function without an HTTP trigger gets the raw body as its event, and its result is sent back (Buffer/string
 *     as-is, other values JSON);
 *   - a function WITH an HTTP trigger (`httpTrigger: true`) called through the FC 3.0 API gets the API request
 *     wrapped in the HTTP trigger's v1 shape (invoke-wrap.ts, modelled on a capture from a real deployment), and its
 *     response struct becomes the answer (status, headers, body), as for a trigger request. The FC 2.0 path delivers
 *     the payload raw: FC 2.0 has no wrap (its HTTP functions have another handler signature), and a function
 *     created by FC 3.0 has no service for that path to name; what FC 3.0 does for a 2016-08-15 call to such a
 *     function is not documented, so the local host keeps the FC 2.0 behaviour (docs/operations.md, "Local stack");
 *   - an error is 200 with `x-fc-error-type: UnhandledInvocationError`; `x-fc-invocation-type: Async` answers 202 at
 *     once and runs the invocation in the background with FC's retries and destinations (destinations.ts);
 *     `x-fc-log-type: Tail` returns the invocation's log, framed by `FC Invoke Start/End RequestId: <id>` as FC's logs
 *     are (devsapp/fc3 src/subCommands/logs/index.ts reads those lines), its last 4 KB base64 in `x-fc-log-result`.
 *   With `invokeAuth` the request signature is verified (see invoke-auth.ts); without it any caller is accepted.
 * Every answer carries FC's `x-fc-*` response headers (request id, code checksum, instance id, duration, qualifier,
 * memory; the set a real FC 3.0 answer carries, e.g. the one shown in the capture this header list came from); the
 * request id is also `context.requestId` and `requestContext.requestId` (a trigger request's; a wrap's is empty).
 * A function's stdout and stderr are its log (output-capture.ts): they go to `log` and the Tail, not the terminal.
 */
import http from 'node:http';
import { listenOn } from '../local-cloud/tls-server';
import type { CredentialStore } from '../local-cloud/credential-store';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { destinationRecord, functionArn, parseDestination, type AsyncInvokeConfig, type Destination } from './destinations';
import { buildHttpEvent, safeDecode } from './http-event';
import { httpAnswerFor, serialiseResult } from './http-response';
import { InvokeAuthError, verifyInvokeSignature } from './invoke-auth';
import { buildInvokeWrap } from './invoke-wrap';
import { invokeHandler, newFcRequestId, toInvocationError, type FunctionSpec, type InvocationOutcome } from './invoke';
import { holdOutputCapture, outsideCapture } from './output-capture';
import type { CredentialsSource, FcCredentials, FcHandler } from './types';

export interface LocalFcFunction {
  handler: FcHandler;
  /** As in s.yaml; shown in context.function.handler. Default `index.handler`. */
  handlerName?: string;
  memory?: number;
  /** Seconds; default 60. */
  timeout?: number;
  /** The function has an HTTP trigger: FC 3.0 InvokeFunction calls reach it wrapped in the trigger's v1 shape. */
  httpTrigger?: boolean;
  /** As `asyncInvokeConfig` in s.yaml: retries and the onSuccess / onFailure destinations of async invocations. */
  asyncInvokeConfig?: AsyncInvokeConfig;
}

/** Where queue destinations are delivered: the local MNS (scripts/local-mns). */
export interface QueueSink {
  send(queue: string, body: string): unknown;
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
  /** Receives the functions' log lines (context.logger and stdout/stderr) and one access line per request. */
  log?: (line: string) => void;
  /** Needed when a function's asyncInvokeConfig names an MNS queue. */
  queues?: QueueSink;
}

export type InvocationKind = 'http' | 'invoke-fc2' | 'invoke-fc3' | 'event';

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
  /** Every function log line (context.logger, stdout, stderr), for tests that check what is logged. */
  logs: string[];
  /**
   * Queues an asynchronous invocation, as an event source does (the local OSS's trigger): the payload goes to the
   * function as it is, with the function's retries and destinations. Returns the request id.
   */
  invokeAsync(functionName: string, payload: Buffer): string;
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

interface HostedFunction extends FunctionSpec {
  httpTrigger: boolean;
  /** The HTTP trigger's id (requestContext.triggerId of a wrap). */
  triggerId: string;
  maxRetries: number;
  onSuccess: Destination | undefined;
  onFailure: Destination | undefined;
}

const TAIL_BYTES = 4096;
const EXPOSED = 'Date,x-fc-request-id,x-fc-error-type,x-fc-code-checksum,x-fc-invocation-duration,x-fc-max-memory-usage,x-fc-log-result,x-fc-invocation-code-version,x-fc-instance-id';

/** FC's Tail: the invocation's log framed as FC frames it, the last 4 KB, base64. */
export function tailLog(requestId: string, lines: readonly string[]): string {
  const text = [`FC Invoke Start RequestId: ${requestId}`, ...lines, `FC Invoke End RequestId: ${requestId}`, ''].join('\n');
  const bytes = Buffer.from(text, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
}

export async function startLocalFc(options: LocalFcOptions): Promise<LocalFc> {
  const region = options.region ?? 'cn-hangzhou';
  const accountId = options.accountId ?? '1234567890123456';
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const sink = options.log ?? (() => undefined);
  const specs = new Map<string, HostedFunction>();
  for (const [name, fn] of Object.entries(options.functions)) {
    if (!FUNCTION_NAME.test(name)) throw new Error(`invalid FC function name: ${name}`);
    const f = typeof fn === 'function' ? { handler: fn } : fn;
    const destinations = f.asyncInvokeConfig?.destinationConfig;
    const destination = (arn: string | undefined): Destination | undefined => (arn === undefined || arn === '' ? undefined : parseDestination(arn, region, accountId));
    const maxRetries = f.asyncInvokeConfig?.maxAsyncRetryAttempts ?? 3;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 8) throw new Error(`${name}: maxAsyncRetryAttempts must be 0-8`);
    specs.set(name, {
      name, handler: f.handler, handlerName: f.handlerName ?? 'index.handler', memory: f.memory ?? 512, timeoutSeconds: f.timeout ?? 60,
      httpTrigger: f.httpTrigger ?? false,
      triggerId: randomUUID(),
      maxRetries,
      onSuccess: destination(destinations?.onSuccess?.destination),
      onFailure: destination(destinations?.onFailure?.destination),
    });
  }
  for (const spec of specs.values()) {
    for (const d of [spec.onSuccess, spec.onFailure]) {
      if (d?.kind === 'queue' && !options.queues) throw new Error(`${spec.name}: a queue destination needs the local MNS (options.queues)`);
      if (d?.kind === 'function' && !specs.has(d.functionName)) throw new Error(`${spec.name}: destination function ${d.functionName} is not hosted here`);
    }
  }
  const savedEnv = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(options.env ?? {})) {
    savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  }
  const releaseCapture = holdOutputCapture();
  const invocations: RecordedInvocation[] = [];
  const logs: string[] = [];
  const running = new Set<Promise<unknown>>();
  // One "instance" per function for the host's life, named like FC's (c-<hex>-<hex>-<hex>).
  const instanceIds = new Map([...specs.keys()].map((name) => [name, `c-${Math.floor(now() / 1000).toString(16)}-${randomBytes(4).toString('hex')}-${randomBytes(6).toString('hex')}`]));

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
        // The host's own sink may print to stdout: that must not be taken for the function's output.
        outsideCapture(() => sink(line));
      },
    });
  }

  function specFor(name: string): HostedFunction {
    const spec = specs.get(name);
    if (!spec) throw new HostError(404, 'FunctionNotFound', `function '${name}' does not exist`);
    return spec;
  }

  /** The x-fc-* headers FC puts on every invocation answer. */
  function fcHeaders(spec: HostedFunction, requestId: string, qualifier: string, outcome: InvocationOutcome | undefined): Record<string, string> {
    return {
      'x-fc-request-id': requestId,
      'x-fc-code-checksum': BigInt(`0x${createHash('sha256').update(spec.name).digest('hex').slice(0, 15)}`).toString(10),
      'x-fc-instance-id': instanceIds.get(spec.name) ?? '',
      'x-fc-invocation-service-version': qualifier,
      ...(outcome ? { 'x-fc-invocation-duration': String(Math.max(1, Math.round(outcome.durationMs))), 'x-fc-max-memory-usage': (process.memoryUsage().rss / 2 ** 20).toFixed(2) } : {}),
      'access-control-expose-headers': EXPOSED,
    };
  }

  function deliver(destination: Destination | undefined, record: unknown): void {
    if (destination === undefined) return;
    const body = JSON.stringify(record);
    if (destination.kind === 'queue') {
      try {
        options.queues?.send(destination.queue, body);
      } catch (err) {
        sink(`destination queue ${destination.queue}: ${toInvocationError(err).errorMessage}`);
      }
    } else {
      invokeAsync(destination.functionName, Buffer.from(body, 'utf8'));
    }
  }

  /** An async invocation: retried on function errors, then its record delivered to the destination that applies. */
  function runAsync(spec: HostedFunction, event: Buffer, requestId: string, qualifier: string, kind: InvocationKind): void {
    const job = (async () => {
      let attempts = 0;
      let outcome: InvocationOutcome;
      do {
        attempts += 1;
        outcome = await run(spec, event, requestId, qualifier);
      } while (!outcome.ok && attempts <= spec.maxRetries);
      invocations.push({ requestId, functionName: spec.name, kind, async: true, ok: outcome.ok, status: 202 });
      if (!outcome.ok) sink(`async invocation ${requestId} of ${spec.name} failed after ${attempts} attempt(s): ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      const record = destinationRecord({ requestId, arn: functionArn(region, accountId, spec.name), attempts, payload: event, outcome, now: now() });
      deliver(outcome.ok ? spec.onSuccess : spec.onFailure, record);
    })().catch((err: unknown) => sink(`async invocation ${requestId} of ${spec.name} failed: ${toInvocationError(err).errorMessage}`));
    running.add(job);
    void job.finally(() => running.delete(job));
  }

  function invokeAsync(functionName: string, payload: Buffer): string {
    const spec = specFor(functionName);
    const requestId = newFcRequestId(now());
    runAsync(spec, payload, requestId, 'LATEST', 'event');
    return requestId;
  }

  function sendAnswer(res: http.ServerResponse, method: string | undefined, status: number, headers: Record<string, string | string[]>, body: Buffer): void {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(method === 'HEAD' ? undefined : body);
  }

  async function httpTrigger(req: http.IncomingMessage, res: http.ServerResponse, name: string, rest: string, rawQuery: string, requestId: string): Promise<RecordedInvocation> {
    const spec = specFor(name);
    const body = await readBody(req);
    const started = now();
    const event = buildHttpEvent({ req, rawPath: rest, rawQuery, body, requestId, accountId, functionName: name, region, now: started });
    const outcome = await run(spec, Buffer.from(JSON.stringify(event), 'utf8'), requestId, 'LATEST');
    const headers = fcHeaders(spec, requestId, 'LATEST', outcome);
    if (!outcome.ok) {
      sendJson(res, 502, { ...headers, 'x-fc-error-type': 'UnhandledInvocationError' }, outcome.error);
      return { requestId, functionName: name, kind: 'http', async: false, ok: false, status: 502 };
    }
    try {
      const answer = httpAnswerFor(outcome.result);
      sendAnswer(res, req.method, answer.status, { ...headers, ...answer.headers }, answer.body);
      return { requestId, functionName: name, kind: 'http', async: false, ok: true, status: answer.status };
    } catch (err) {
      outcome.logs.push(String(err));
      sendJson(res, 502, { ...headers, 'x-fc-error-type': 'UnhandledInvocationError' }, toInvocationError(err));
      return { requestId, functionName: name, kind: 'http', async: false, ok: false, status: 502 };
    }
  }

  async function invokeApi(req: http.IncomingMessage, res: http.ServerResponse, kind: 'invoke-fc2' | 'invoke-fc3', name: string, qualifier: string, rawPath: string, rawQuery: string, requestId: string): Promise<RecordedInvocation> {
    if ((req.method ?? '').toUpperCase() !== 'POST') throw new HostError(405, 'MethodNotAllowed', 'InvokeFunction must be POST');
    const body = await readBody(req);
    const headers = lowerHeaders(req);
    if (options.invokeAuth) {
      verifyInvokeSignature(kind === 'invoke-fc2' ? 'fc2' : 'fc3', { method: 'POST', rawPath, rawQuery, headers, body, store: options.invokeAuth, now: now() });
    }
    const spec = specFor(name);
    // Only FC 3.0's API wraps, and only for a function with an HTTP trigger (see the header comment).
    const wrapped = spec.httpTrigger && kind === 'invoke-fc3';
    const event = wrapped
      ? Buffer.from(JSON.stringify(buildInvokeWrap({ req, rawPath, rawQuery, body, accountId, region, triggerId: spec.triggerId, now: now() })), 'utf8')
      : body;
    if ((headers['x-fc-invocation-type'] ?? '').toLowerCase() === 'async') {
      runAsync(spec, event, requestId, qualifier, kind);
      sendAnswer(res, 'POST', 202, { 'x-fc-request-id': requestId, 'x-fc-invocation-service-version': qualifier }, Buffer.alloc(0));
      return { requestId, functionName: name, kind, async: true, ok: true, status: 202 };
    }
    const outcome = await run(spec, event, requestId, qualifier);
    const extra = fcHeaders(spec, requestId, qualifier, outcome);
    if ((headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail') extra['x-fc-log-result'] = tailLog(requestId, outcome.logs);
    if (!outcome.ok) {
      sendJson(res, 200, { ...extra, 'x-fc-error-type': 'UnhandledInvocationError' }, outcome.error);
      return { requestId, functionName: name, kind, async: false, ok: false, status: 200 };
    }
    if (wrapped) {
      const answer = httpAnswerFor(outcome.result);
      sendAnswer(res, 'POST', answer.status, { ...extra, ...answer.headers }, answer.body);
      return { requestId, functionName: name, kind, async: false, ok: true, status: answer.status };
    }
    const { body: out } = serialiseResult(outcome.result);
    // Real FC's content-type for a raw result is application/octet-stream (the headers in output-capture.ts's source).
    sendAnswer(res, 'POST', 200, { ...extra, 'content-type': 'application/octet-stream' }, out);
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
  let port: number;
  let origin: string;
  try {
    ({ port, origin } = await listenOn(server, host, options.port));
  } catch (err) {
    releaseCapture();
    throw err;
  }

  return {
    origin,
    port,
    host,
    region,
    accountId,
    invocations,
    logs,
    invokeAsync,
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
      releaseCapture();
      for (const [k, v] of savedEnv) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
