import { ConfigError } from '../errors';
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

function read(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number of seconds between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} seconds, got ${value}`);
  return value;
}

/** Reads the cap settings once at cold start; a bad value fails the deployment loudly with the variable's name. */
export function readExpiryPolicy(env: Env): ExpiryPolicy {
  const maxExpires = read(env, 'PRESIGN_MAX_EXPIRES', OSS_MAX_EXPIRES, 1, OSS_MAX_EXPIRES);
  const defaultExpires = read(env, 'PRESIGN_DEFAULT_EXPIRES', Math.min(900, maxExpires), 1, OSS_MAX_EXPIRES);
  if (defaultExpires > maxExpires) {
    throw new ConfigError('PRESIGN_DEFAULT_EXPIRES', `(${defaultExpires}) must not exceed PRESIGN_MAX_EXPIRES (${maxExpires})`);
  }
  return {
    defaultExpires,
    maxExpires,
    unknownTokenMaxExpires: read(env, 'PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES', 3600, 1, OSS_MAX_EXPIRES),
    clockSkewSeconds: read(env, 'PRESIGN_CLOCK_SKEW_SECONDS', 60, 0, 3600),
  };
}
