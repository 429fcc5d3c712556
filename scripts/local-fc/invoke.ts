import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import { withCapturedOutput } from './output-capture';
import type { FcContext, FcCredentials, FcHandler, FcLogger } from './types';

/**
 * Runs one invocation the way FC's Node.js runtime does: builds the context, calls the handler with the Buffer event
 * (async or callback style), enforces the function timeout, and captures a thrown error as FC reports it.
 */
export interface FunctionSpec {
  name: string;
  handler: FcHandler;
  /** As configured in s.yaml; shown in context.function. */
  handlerName: string;
  memory: number;
  timeoutSeconds: number;
}

export interface InvocationError {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
}

/** `logs`: the invocation's log lines (context.logger lines and whatever it wrote to stdout/stderr), in order. */
export type InvocationOutcome =
  | { ok: true; result: unknown; logs: string[]; durationMs: number }
  | { ok: false; error: InvocationError; logs: string[]; durationMs: number };

/** FC request ids look like `1-64f6cd87-<24 hex>`. */
export function newFcRequestId(now: number): string {
  return `1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function makeLogger(requestId: string, sink: (line: string) => void, lines: string[]): FcLogger {
  const at = (level: string) => (...args: unknown[]): void => {
    // FC's format: `<date> <requestId> [level] message`.
    const line = `${new Date().toISOString()} ${requestId} [${level}] ${format(...args)}`;
    lines.push(line);
    sink(line);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), log: at('verbose'), requestId, logLevel: 'silly' };
}

export interface InvokeInput {
  spec: FunctionSpec;
  event: Buffer;
  requestId: string;
  credentials: FcCredentials | null;
  region: string;
  accountId: string;
  qualifier: string;
  log: (line: string) => void;
}

export function toInvocationError(err: unknown): InvocationError {
  if (err instanceof Error) {
    return { errorMessage: err.message, errorType: err.name || 'Error', stackTrace: (err.stack ?? '').split('\n') };
  }
  return { errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), errorType: typeof err, stackTrace: [] };
}

export async function invokeHandler(input: InvokeInput): Promise<InvocationOutcome> {
  const lines: string[] = [];
  const context: FcContext = {
    requestId: input.requestId,
    credentials: input.credentials ? { ...input.credentials } : {},
    function: { name: input.spec.name, handler: input.spec.handlerName, memory: input.spec.memory, timeout: input.spec.timeoutSeconds },
    service: { logProject: '', logStore: '', qualifier: input.qualifier, versionId: '' },
    region: input.region,
    accountId: input.accountId,
    logger: makeLogger(input.requestId, input.log, lines),
    retryCount: 0,
    tracing: { openTracingSpanContext: '', openTracingSpanBaggages: {}, jaegerEndpoint: '' },
  };
  let timer: NodeJS.Timeout | undefined;
  const started = process.hrtime.bigint();
  const durationMs = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  const output = (line: string): void => {
    lines.push(line);
    input.log(line);
  };
  try {
    const run = withCapturedOutput(output, () => new Promise<unknown>((resolve, reject) => {
      if (input.spec.handler.length >= 3) {
        // FC 2.0 / Node ≤16 style: the answer comes through the callback.
        try {
          input.spec.handler(input.event, context, (err, result) => (err ? reject(err) : resolve(result)));
        } catch (err) {
          reject(err);
        }
        return;
      }
      try {
        Promise.resolve(input.spec.handler(input.event, context)).then(resolve, reject);
      } catch (err) {
        reject(err);
      }
    }));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`Function timed out after ${input.spec.timeoutSeconds} seconds`), { name: 'FunctionTimeoutError' })), input.spec.timeoutSeconds * 1000);
      timer.unref();
    });
    const result = await Promise.race([run, timeout]);
    return { ok: true, result, logs: lines, durationMs: durationMs() };
  } catch (err) {
    return { ok: false, error: toInvocationError(err), logs: lines, durationMs: durationMs() };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
