import { invalidArgument, ServiceError } from '../errors';
import type { SigningCredentials } from '../signing/types';
import type { CredentialResolver, CredentialSource, FcContextLike, ResolvedCredentials } from '../credentials/types';
import { capLifetime, type CapInfo } from './cap';
import type { ExpiryPolicy } from './policy';

export interface SigningLifetime {
  credentials: SigningCredentials;
  source: CredentialSource;
  /** Seconds the URL may live; >= 1 and >= minExpires. */
  expiresIn: number;
  /** ISO 8601 instant the URL dies: signedAt + expiresIn. */
  expiration: string;
  /** The clock reading the cap used: pass it to the signer (`now: () => signedAt`) so both agree to the second. */
  signedAt: number;
  cap: CapInfo;
}

function tokenNearExpiry(usable: number, needed: number, why: string): ServiceError {
  return new ServiceError('TokenNearExpiry', 503, `The signing credentials expire too soon (${Math.max(0, usable)} s usable, ${needed} s needed) and ${why}; retry shortly.`, { retryable: true });
}

/**
 * Resolves credentials and the capped lifetime for one URL.
 * - If the caller's minExpires exceeds what this deployment could ever grant (its request, the max, 7 days, the
 *   unknown-token cap), no refresh can help: 400 InvalidArgument on minExpires.
 * - If the token has too little left (below minExpires, or below 1 s), refresh once with forceRefresh; if the new
 *   token is still too short, 503 TokenNearExpiry, retryable.
 * - The resolver itself answers TokenNearExpiry when its cached session is too close to its end to serve at all and
 *   the renewal fails retryably (shared/credentials/session-cache.ts); that passes through unchanged.
 */
export async function resolveSigningLifetime(
  resolver: CredentialResolver,
  context: FcContextLike | undefined,
  request: { requested?: number | undefined; minExpires?: number | undefined },
  policy: ExpiryPolicy,
  now: () => number = Date.now,
): Promise<SigningLifetime> {
  const attempt = (resolved: ResolvedCredentials) => {
    const nowMs = now();
    return { resolved, nowMs, ...capLifetime({ requested: request.requested, minExpires: request.minExpires, nowMs, token: resolved, policy }) };
  };
  const floor = Math.max(1, request.minExpires ?? 1);

  let result = attempt(await resolver.resolve(context));
  if (floor > result.ceiling) {
    throw invalidArgument('minExpires', `minExpires ${floor} s is more than this request can ever be granted: ${result.ceiling} s, `
      + 'the smallest of expires (or the default), PRESIGN_MAX_EXPIRES, 7 days'
      + (result.resolved.expiry === 'unknown' ? ' and PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES (the token\'s expiry is unknown)' : ''));
  }
  if (result.expiresIn < floor) {
    const short = result.expiresIn;
    let refreshed: ResolvedCredentials;
    try {
      refreshed = await resolver.resolve(context, { forceRefresh: true });
    } catch (err) {
      // A passing failure (STS slow or down) while the token is spent is still "token near expiry, retry";
      // a configuration failure (NoPermission, no role) is reported as itself, and so is a TokenNearExpiry the
      // credentials already raised (a session too close to its end to serve, whose renewal failed).
      if (err instanceof ServiceError && (!err.retryable || err.code === 'TokenNearExpiry')) throw err;
      throw tokenNearExpiry(short, floor, `the refresh failed: ${err instanceof Error ? err.message : 'unknown error'}`);
    }
    result = attempt(refreshed);
    if (result.expiresIn < floor) throw tokenNearExpiry(result.expiresIn, floor, 'a refresh did not give longer-lived ones');
  }
  return {
    credentials: result.resolved.credentials,
    source: result.resolved.source,
    expiresIn: result.expiresIn,
    expiration: new Date(result.nowMs + result.expiresIn * 1000).toISOString(),
    signedAt: result.nowMs,
    cap: result.cap,
  };
}
