/**
 * Load on the local Function Compute host: the whole local stack (STS → OSS → FC host running the real presign-put
 * and presign-get handlers, as `npm start` runs it) under autocannon, valid requests only, loopback only.
 *
 * Bounded twice: autocannon stops after `amount` requests (or `durationSeconds` when no amount is given), and a
 * watchdog stops it after `maxSeconds` whatever happens. Memory is read in this process, which hosts the handlers:
 * heapUsed and rss after a forced GC, once after a warm-up and once after the measured run. "Flat" means the heap
 * after the run is at most `heapBudgetMb` above the heap after warm-up (a leak of even 200 bytes per request would
 * show as 20 MB over 100,000 requests).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import { createHandler } from '../../shared/core/handler';
import type { LogLine } from '../../shared/core/log';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { startLocalStack, type LocalStack } from '../local-stack';

import type { LoadOptions } from './options';

export { FULL, type LoadOptions } from './options';

export interface Memory {
  heapUsedMb: number;
  rssMb: number;
}

export interface LoadReport {
  options: LoadOptions;
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  status: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Answers whose body is not a URL answer of the right method (checked on every response). */
  badBodies: number;
  /** Invocations the handlers logged, and those not logged with status 200. */
  handlerInvocations: number;
  handlerFailures: number;
  stoppedByWatchdog: boolean;
  memory: { afterWarmup: Memory; afterRun: Memory; heapGrowthMb: number; gcForced: boolean };
}

/** A real GC where the process allows one (node --expose-gc, or the flag set at runtime). */
function gcFunction(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

async function settle(gc: (() => void) | undefined): Promise<Memory> {
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapUsedMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
}

interface Counters {
  badBodies: number;
}

/** Alternates a presign-put POST and a presign-get GET, each with its own key, and checks every answer's body. */
function requestsFor(counters: Counters): autocannon.Request[] {
  let n = 0;
  const check = (method: string) => (status: number, body: string) => {
    if (status !== 200 || !body.includes(`"method":"${method}"`) || !body.includes('"url":"http')) counters.badBodies += 1;
  };
  return [
    {
      method: 'POST',
      path: '/presign-put/',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        n += 1;
        return { ...req, body: JSON.stringify({ key: `load/${n % 5000}/file ${n}.bin`, contentType: 'application/octet-stream', contentLength: 1 + (n % 4096), metadata: { run: 'load' }, expires: 600 }) };
      },
      onResponse: check('PUT'),
    },
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/presign-get/?key=${encodeURIComponent(`load/${n % 5000}/file ${n}.bin`)}&expires=300&response.filename=${encodeURIComponent('报告.bin')}` }),
      onResponse: check('GET'),
    },
  ];
}

async function cannon(stack: LocalStack, options: { amount: number; durationSeconds: number; connections: number; maxSeconds: number }, counters: Counters) {
  let stoppedByWatchdog = false;
  let watchdog: NodeJS.Timeout | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: stack.fc.origin,
      connections: options.connections,
      pipelining: 1,
      timeout: 10,
      ...(options.amount > 0 ? { amount: options.amount } : { duration: options.durationSeconds }),
      requests: requestsFor(counters),
    }, (err: unknown, res: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)));
    watchdog = setTimeout(() => {
      stoppedByWatchdog = true;
      instance.stop();
    }, options.maxSeconds * 1000);
  }).finally(() => clearTimeout(watchdog));
  return { result, stoppedByWatchdog };
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const lines: LogLine[] = [];
  let handlerInvocations = 0;
  let handlerFailures = 0;
  const log = (line: LogLine): void => {
    // The real sink serialises each line; do the same work, keep only counts (and the lines of failures).
    JSON.stringify(line);
    handlerInvocations += 1;
    if (line.status !== 200) {
      handlerFailures += 1;
      if (lines.length < 20) lines.push(line);
    }
  };
  const stack = await startLocalStack({
    loadFunctions: async () => ({
      'presign-put': createHandler(putOperation, { log }),
      'presign-get': createHandler(getOperation, { log }),
    }),
  });
  try {
    const gc = gcFunction();
    const counters: Counters = { badBodies: 0 };
    if (options.warmupAmount > 0) {
      await cannon(stack, { amount: options.warmupAmount, durationSeconds: 0, connections: options.connections, maxSeconds: options.maxSeconds }, counters);
    }
    // The local FC host records every invocation for tests; that list is the host's, not the handlers': empty it so
    // it does not count as the handlers' memory.
    stack.fc.invocations.length = 0;
    stack.fc.logs.length = 0;
    const afterWarmup = await settle(gc);
    counters.badBodies = 0;
    const invocationsBefore = handlerInvocations;
    const failuresBefore = handlerFailures;
    const { result, stoppedByWatchdog } = await cannon(stack, options, counters);
    stack.fc.invocations.length = 0;
    stack.fc.logs.length = 0;
    const afterRun = await settle(gc);
    const status: Record<string, number> = {};
    for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) status[code] = stat.count ?? 0;
    return {
      options,
      requests: result.requests.total,
      durationSeconds: result.duration,
      requestsPerSecond: result.requests.total / result.duration,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      status,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      badBodies: counters.badBodies,
      handlerInvocations: handlerInvocations - invocationsBefore,
      handlerFailures: handlerFailures - failuresBefore,
      stoppedByWatchdog,
      memory: { afterWarmup, afterRun, heapGrowthMb: afterRun.heapUsedMb - afterWarmup.heapUsedMb, gcForced: gc !== undefined },
    };
  } finally {
    await stack.close();
  }
}

/** Every way the run can fall short of the issue's bar; empty when it passed. */
export function loadProblems(report: LoadReport): string[] {
  const problems: string[] = [];
  if (report.stoppedByWatchdog) problems.push(`stopped by the ${report.options.maxSeconds} s watchdog`);
  if (report.options.amount > 0 && report.requests !== report.options.amount) problems.push(`${report.requests} requests answered, ${report.options.amount} asked`);
  if (report.non2xx > 0) problems.push(`${report.non2xx} non-2xx answers`);
  if (report.errors > 0) problems.push(`${report.errors} connection errors`);
  if (report.timeouts > 0) problems.push(`${report.timeouts} timeouts`);
  if (report.badBodies > 0) problems.push(`${report.badBodies} answers without a URL of the right method`);
  if (report.handlerFailures > 0) problems.push(`${report.handlerFailures} handler invocations not logged as 200`);
  // A timed run ends with up to one request per connection in flight: handled, but not counted by autocannon.
  const inFlight = report.options.amount > 0 ? 0 : report.options.connections;
  if (report.handlerInvocations < report.requests || report.handlerInvocations - report.requests > inFlight) {
    problems.push(`handlers logged ${report.handlerInvocations} invocations for ${report.requests} answers`);
  }
  if (!report.memory.gcForced) problems.push('no GC available: the memory readings are not comparable');
  if (report.memory.heapGrowthMb > report.options.heapBudgetMb) {
    problems.push(`heap grew ${report.memory.heapGrowthMb.toFixed(1)} MB (budget ${report.options.heapBudgetMb} MB)`);
  }
  return problems;
}

export function formatReport(report: LoadReport): string {
  const m = report.memory;
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  return [
    `load: ${report.requests} requests (presign-put POST / presign-get GET alternating) at ${report.options.connections} connections in ${report.durationSeconds.toFixed(1)} s = ${report.requestsPerSecond.toFixed(0)} req/s`,
    `latency: p50 ${report.latencyMs.p50} ms, p90 ${report.latencyMs.p90} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
    `answers: ${JSON.stringify(report.status)}; non-2xx ${report.non2xx}; errors ${report.errors}; timeouts ${report.timeouts}; bad bodies ${report.badBodies}; handler invocations ${report.handlerInvocations} (${report.handlerFailures} not 200)`,
    `memory (after GC${m.gcForced ? '' : ' — unavailable'}): heapUsed ${mb(m.afterWarmup.heapUsedMb)} → ${mb(m.afterRun.heapUsedMb)} (${m.heapGrowthMb >= 0 ? '+' : ''}${mb(m.heapGrowthMb)}, budget ${report.options.heapBudgetMb} MB); rss ${mb(m.afterWarmup.rssMb)} → ${mb(m.afterRun.rssMb)}`,
  ].join('\n');
}
