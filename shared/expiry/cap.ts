import { invalidArgument } from '../errors';
import type { ExpiryKnowledge, TokenLifetime } from '../credentials/types';
import { OSS_MAX_EXPIRES, type ExpiryPolicy } from './policy';

/**
 * The lifetime a URL may get: min(requested or default, PRESIGN_MAX_EXPIRES, 7 days, what the token has left minus
 * skew) — or, for a token of unknown lifetime, PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES instead of the token term. OSS
 * honours the shorter of URL expiry and token expiry, so signing longer than the token lives hands out a URL that
 * silently dies early; the cap makes the answer say what the URL will really do.
 */
export type CapReason = 'token' | 'unknown-token' | 'max' | '7d';

export interface CapInfo {
  /** What the caller asked for, or the default when it asked nothing. */
  requested: number;
  /** The lifetime granted (= expiresIn); may be < 1 when the token is spent — callers must check. */
  applied: number;
  /** The limit that bound the result, or null when the request was honoured as is. */
  by: CapReason | null;
  tokenExpiration: string | null;
  /**
   * What is known of the signing token's lifetime: `known` (tokenExpiration says when), `unknown` (FC's runtime-role
   * credentials: the URL is held to PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES, since it may die with the token sooner than
   * expiration says), `none` (a long-term AccessKey). Lets a caller tell an exact expiry from a best guess.
   */
  tokenExpiry: ExpiryKnowledge;
}

export interface CapInput {
  requested?: number | undefined;
  minExpires?: number | undefined;
  nowMs: number;
  token: TokenLifetime;
  policy: ExpiryPolicy;
}

export interface CapResult {
  expiresIn: number;
  cap: CapInfo;
  /** The longest lifetime any token could give under this policy (requested ∧ max ∧ 7d ∧ unknown-token cap). */
  ceiling: number;
}

function positiveInteger(field: string, value: number): number {
  // Number.isInteger is false for anything that is not a number (a string, NaN, Infinity) as well.
  if (!Number.isInteger(value) || value < 1) throw invalidArgument(field, `${field} must be a whole number of seconds >= 1`);
  return value;
}

export function capLifetime(input: CapInput): CapResult {
  const requested = input.requested === undefined ? input.policy.defaultExpires : positiveInteger('expires', input.requested);
  if (input.minExpires !== undefined) positiveInteger('minExpires', input.minExpires);

  // Candidate limits in tie-break order: the token first (it is what changes), then the OSS hard limit (more telling
  // than the operator's max when both are 7 days), then the configured max.
  const limits: { by: CapReason; seconds: number }[] = [];
  const { token } = input;
  if (token.expiry === 'known') {
    limits.push({ by: 'token', seconds: Math.floor((token.expiration.getTime() - input.nowMs) / 1000) - input.policy.clockSkewSeconds });
  } else if (token.expiry === 'unknown') {
    // A token of unknown lifetime: be conservative rather than trust nothing.
    limits.push({ by: 'unknown-token', seconds: input.policy.unknownTokenMaxExpires });
  }
  limits.push({ by: '7d', seconds: OSS_MAX_EXPIRES }, { by: 'max', seconds: input.policy.maxExpires });

  let expiresIn = requested;
  let by: CapReason | null = null;
  for (const limit of limits) {
    if (limit.seconds < expiresIn) {
      expiresIn = limit.seconds;
      by = limit.by;
    }
  }
  const ceiling = Math.min(requested, ...limits.filter((l) => l.by !== 'token').map((l) => l.seconds));
  return {
    expiresIn,
    cap: {
      requested,
      applied: expiresIn,
      by,
      tokenExpiration: token.expiry === 'known' ? token.expiration.toISOString() : null,
      tokenExpiry: token.expiry,
    },
    ceiling,
  };
}
