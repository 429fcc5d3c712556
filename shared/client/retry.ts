/**
 * Retries, tus-js-client style: the delays are data ([0, 1000, 3000, 5000] ms by default), each jittered by ±20 % so
 * that many clients do not come back at once; a predicate decides which failures are worth another try. A browser
 * that knows it is offline waits for the `online` event instead of spending its tries.
 */
import { UploadError, abortError } from './errors';

export const DEFAULT_RETRY_DELAYS = [0, 1000, 3000, 5000];

export function defaultShouldRetry(error: UploadError): boolean {
  return error.retryable;
}

export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const knownOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false && typeof window !== 'undefined';

/** Resolves when the browser says it is online again (at once where that cannot be known). */
export function waitForOnline(signal?: AbortSignal): Promise<void> {
  if (!knownOffline()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      window.removeEventListener('online', done);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      window.removeEventListener('online', done);
      reject(abortError(signal));
    };
    window.addEventListener('online', done);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  delays: number[];
  shouldRetry: (error: UploadError, attempt: number) => boolean;
  signal?: AbortSignal | undefined;
  /** Told before each wait: what failed, which try comes next, how long until then. */
  onRetry?: ((error: UploadError, attempt: number, delayMs: number) => void) | undefined;
  onOffline?: (() => void) | undefined;
}

/**
 * Runs `attempt` until it succeeds, fails with something not worth retrying, or the delays run out. An expired URL
 * is retried at once (the attempt presigns again) and does not use up a delay, twice at most in a row.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (tryNumber: number) => Promise<T>): Promise<T> {
  let tries = 0;
  let expiredInARow = 0;
  for (;;) {
    try {
      return await attempt(tries + expiredInARow);
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      if (err.expired && expiredInARow < 2) {
        expiredInARow += 1;
        continue;
      }
      expiredInARow = 0;
      if (!policy.shouldRetry(err, tries + 1)) throw err;
      if (knownOffline()) {
        policy.onOffline?.();
        await waitForOnline(policy.signal);
        continue;
      }
      const base = policy.delays[tries];
      if (base === undefined) throw err;
      tries += 1;
      const delay = jittered(base);
      policy.onRetry?.(err, tries, delay);
      await sleep(delay, policy.signal);
      if (policy.signal?.aborted) throw abortError(policy.signal);
    }
  }
}
