import { ConfigError } from '../errors';
import { intVar } from '../config/env';
import type { Env } from '../credentials/types';

/** OSS V4 refuses x-oss-expires above 7 days whatever else allows it. */
export const OSS_MAX_EXPIRES = 604800;

export interface ExpiryPolicy {
  /** Lifetime when the caller asks for none. */
  defaultExpires: number;
  /** Operator's ceiling for any URL, <= 604800. */
  maxExpires: number;
  /** Ceiling when the signing token's expiry is unknown (FC context credentials). */
  unknownTokenMaxExpires: number;
  /** Subtracted from a known token expiry: our clock and OSS's may disagree by this much. */
  clockSkewSeconds: number;
}

/** Reads the cap settings once at cold start; a bad value fails the deployment loudly with the variable's name. */
export function readExpiryPolicy(env: Env): ExpiryPolicy {
  const maxExpires = intVar(env, 'PRESIGN_MAX_EXPIRES', OSS_MAX_EXPIRES, 1, OSS_MAX_EXPIRES);
  const defaultExpires = intVar(env, 'PRESIGN_DEFAULT_EXPIRES', Math.min(900, maxExpires), 1, OSS_MAX_EXPIRES);
  if (defaultExpires > maxExpires) {
    throw new ConfigError('PRESIGN_DEFAULT_EXPIRES', `(${defaultExpires}) must not exceed PRESIGN_MAX_EXPIRES (${maxExpires})`);
  }
  return {
    defaultExpires,
    maxExpires,
    unknownTokenMaxExpires: intVar(env, 'PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES', 3600, 1, OSS_MAX_EXPIRES),
    clockSkewSeconds: intVar(env, 'PRESIGN_CLOCK_SKEW_SECONDS', 60, 0, 3600),
  };
}
