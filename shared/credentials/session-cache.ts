/**
 * Holds one temporary session per resolver instance (i.e. per FC instance) and refreshes it ahead of expiry.
 *
 * - `identity` names who the session was obtained for (a hash of the caller's key): when it changes — the runtime
 *   role's keys rotated — the cached session is not reused, so nothing is signed on the strength of a stale caller.
 * - Concurrent callers that need a refresh share one in-flight fetch (single flight per identity).
 * - If a refresh *ahead of expiry* fails while the current session (same identity) still has time left, the current
 *   session is returned and `onStaleServe` is told; the expiry cap then limits URLs to what is left.
 * - If it fails, retryably, once the current session has `minServeMs` or less left, the answer is 503
 *   TokenNearExpiry (retryable); with no current session at all the fetch's own error is thrown.
 */
import { ServiceError } from '../errors';
import { sessionNearExpiry } from './errors';

export interface TimedSession<T> {
  value: T;
  expiration: Date;
}

export interface SessionCacheOptions {
  refreshAheadMs: number;
  /** Below this much remaining life a session is never served, even as a fallback. */
  minServeMs: number;
  now: () => number;
  onStaleServe?: (error: unknown) => void;
}

export class SessionCache<T> {
  private current: { identity: string; session: TimedSession<T> } | null = null;
  private inflight: { identity: string; promise: Promise<TimedSession<T>> } | null = null;

  constructor(private readonly options: SessionCacheOptions) {}

  async get(identity: string, fetch: () => Promise<TimedSession<T>>, forceRefresh = false): Promise<TimedSession<T>> {
    const now = this.options.now();
    const cached = this.current?.identity === identity ? this.current.session : null;
    if (cached && !forceRefresh && cached.expiration.getTime() - now > this.options.refreshAheadMs) return cached;

    try {
      return await this.refresh(identity, fetch);
    } catch (error) {
      if (!cached) throw error; // nothing to fall back on: the fetch's own error (cold start, or a new identity)
      const left = cached.expiration.getTime() - this.options.now();
      if (left > this.options.minServeMs) {
        this.options.onStaleServe?.(error);
        return cached;
      }
      // The session is there but too close to its end to serve; a passing failure to renew it is "near expiry,
      // retry", while a configuration failure (NoPermission, bad TLS) is reported as itself.
      if (error instanceof ServiceError && error.retryable) throw sessionNearExpiry(left, error);
      throw error;
    }
  }

  /** Drops the cached session (e.g. after the holder learned it was revoked). */
  clear(): void {
    this.current = null;
  }

  private refresh(identity: string, fetch: () => Promise<TimedSession<T>>): Promise<TimedSession<T>> {
    if (this.inflight?.identity === identity) return this.inflight.promise;
    const promise = fetch().then(
      (session) => {
        // A slower fetch for an older identity must not overwrite the session of the newer one.
        if (this.inflight?.promise === promise || this.current === null || this.current.identity === identity) {
          this.current = { identity, session };
        }
        return session;
      },
    ).finally(() => {
      if (this.inflight?.promise === promise) this.inflight = null;
    });
    this.inflight = { identity, promise };
    return promise;
  }
}
