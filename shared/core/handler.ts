import { readServicePolicy } from '../config/policy';
import type { Env } from '../config/env';
import { createCredentialResolver, type CredentialResolver } from '../credentials';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { InvocationBudget } from './budget';
import { classify, dispatch } from './dispatch';
import { parseEvent } from './event';
import { LogNote, stdoutSink, type LogSink } from './log';
import { ConfigError } from '../errors';
import { ANONYMOUS } from '../identity/caller';
import { asServiceError, errorBody } from './outcome';

export interface HandlerOptions {
  env?: Env;
  resolver?: CredentialResolver;
  now?: () => number;
  log?: LogSink;
}

type Callback = (error: unknown, result?: unknown) => void;

function contextSecrets(context: InvocationContext): (string | undefined)[] {
  const credentials = context.credentials;
  if (!credentials) return [];
  return [credentials.accessKeySecret, credentials.securityToken].map((value) => (typeof value === 'string' ? value : undefined));
}
export type FcHandler = (event: unknown, context?: InvocationContext & { function?: { name?: string } }, callback?: Callback) => Promise<unknown>;

/**
 * Builds a function's handler. The policy is read here, at cold start: a misconfigured deployment fails to start
 * with a ConfigError naming the variable, instead of failing every request. The returned handler works as an
 * FC 3.0 handler (event Buffer, promise) and as an FC 2.0 event handler (callback).
 */
export function createHandler(operation: Operation, options: HandlerOptions = {}): FcHandler {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const policy = readServicePolicy(env, now);
  const resolver = options.resolver ?? createCredentialResolver({ env });
  const log = options.log ?? stdoutSink;
  let coldStart = true;

  async function invoke(event: unknown, context: InvocationContext & { function?: { name?: string } } = {}): Promise<unknown> {
    // process.hrtime, not performance.now(): the first use of `performance` loads perf_hooks, ~1.4 ms of a cold start.
    const started = process.hrtime.bigint();
    const secrets = contextSecrets(context);
    let note = new LogNote('unknown', secrets);
    let answer: unknown;
    try {
      const { parsed, text } = parseEvent(event);
      const source = parsed === undefined && text !== null ? 'unknown' : classify(parsed, context, policy);
      note = new LogNote(source, secrets);
      // Anonymous until the adapter that received the event says otherwise (shared/core/dispatch.ts).
      const deps: ServiceDeps = { policy, resolver, now, budget: new InvocationBudget(policy.maxUrls, policy.maxAnswerBytes), caller: ANONYMOUS };
      answer = await dispatch(parsed, source, operation, context, deps, note);
    } catch (error) {
      const failure = asServiceError(error);
      note.failure(failure);
      answer = { error: errorBody(failure), requestId: context.requestId };
    }
    log(note.line({ requestId: context.requestId ?? null, function: context.function?.name ?? operation.name, durationMs: Number(process.hrtime.bigint() - started) / 1e6, coldStart }));
    coldStart = false;
    return answer;
  }

  return (event, context, callback) => {
    const result = invoke(event, context);
    if (typeof callback === 'function') result.then((value) => callback(null, value), (error: unknown) => callback(error));
    return result;
  };
}

/**
 * The deployed entry point (functions/<name>/index.ts). A configuration error found at cold start is reported as
 * ONE readable log line naming the variable, and every invocation then fails with that error (FC reports it as the
 * invocation's error). It is not thrown out of the module: an exception escaping a minified one-line bundle makes
 * Node print that whole line (tens of KB) into the log before the message.
 */
export function createFunctionHandler(operation: Operation, options: HandlerOptions = {}): FcHandler {
  try {
    return createHandler(operation, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One line, no stack frames: the frames of a minified bundle say nothing the message does not.
    error.stack = `${error.name}: ${error.message}`;
    const env = options.env ?? process.env;
    process.stderr.write(`${JSON.stringify({ level: 'error', message: `${operation.name} cannot start: ${error.message}`, code: error.code, variable: error.variable, function: env.FC_FUNCTION_NAME ?? operation.name })}\n`);
    return (_event, _context, callback) => {
      if (typeof callback !== 'function') return Promise.reject(error);
      callback(error);
      return Promise.resolve(undefined);
    };
  }
}
