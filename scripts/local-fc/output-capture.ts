import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a function writes to stdout and stderr is its log, as on FC (which ships both to the logstore and returns the
 * tail with `x-fc-log-type: Tail`). Handlers run in this process, so the host takes their output per invocation: while
 * an invocation runs, process.stdout/stderr writes made on its behalf (found through AsyncLocalStorage, so concurrent
 * invocations keep their own lines) go to that invocation's sink instead of the terminal. Writes made outside any
 * invocation pass through untouched.
 */
type Sink = (text: string) => void;

const current = new AsyncLocalStorage<Sink>();
type Write = typeof process.stdout.write;
let installed = 0;
let originals: { out: Write; err: Write } | undefined;

function divert(original: Write): Write {
  return function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const sink = current.getStore();
    if (sink === undefined) return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  } as Write;
}

/** Starts diverting invocation output (counted: the last release puts the streams back). */
export function holdOutputCapture(): () => void {
  if (installed === 0) {
    originals = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = divert(originals.out);
    process.stderr.write = divert(originals.err);
  }
  installed += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installed -= 1;
    if (installed === 0 && originals) {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
      originals = undefined;
    }
  };
}

/** Runs `fn` outside any invocation's capture: what the host itself prints (a log sink that writes to stdout). */
export function outsideCapture<T>(fn: () => T): T {
  return current.exit(fn);
}

/** Runs `fn` with its stdout/stderr output going to `onLine`, one call per complete line (a last partial line too). */
export async function withCapturedOutput<T>(onLine: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  let pending = '';
  const sink: Sink = (text) => {
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  };
  try {
    return await current.run(sink, fn);
  } finally {
    if (pending !== '') onLine(pending);
  }
}
