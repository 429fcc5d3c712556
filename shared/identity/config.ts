import { createHash, timingSafeEqual } from 'node:crypto';
import { boolVar, listVar, stringVar, type Env } from '../config/env';
import { ConfigError } from '../errors';
import type { Caller } from './caller';

/**
 * How this deployment tells HTTP callers apart (read once at cold start):
 * - AUTH_TOKEN_SHA256: digests of machine callers' bearer tokens. Only digests are configured, so the environment
 *   never holds a usable token; a presented token is hashed and compared with every digest in constant time;
 * - AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS or AUTH_JWKS_URL: OIDC JWTs, verified in the function. The verifier
 *   and `jose` are a chunk (./jwt.ts) loaded only when one of these is set.
 * With either, the function checks HTTP callers itself; without both, the trigger's authType (or API Gateway) does.
 */
export interface JwtVerifier {
  /** The verified caller, or a 401 ServiceError with a code per failure (503 when the keys cannot be had). */
  verify(token: string): Promise<Caller>;
}

export interface IdentityPolicy {
  tokenDigests: readonly Buffer[];
  jwt: JwtVerifier | undefined;
  /** Whether the function checks HTTP callers itself (a token digest or a JWT issuer is configured). */
  checksCallers: boolean;
  /** With a caller check in force, whether an InvokeFunction call FC wrapped as HTTP is answered without one. */
  trustInvokeFunction: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function readTokenDigests(env: Env): Buffer[] {
  return listVar(env, 'AUTH_TOKEN_SHA256').map((hex) => {
    const lower = hex.toLowerCase();
    if (!SHA256_HEX.test(lower)) throw new ConfigError('AUTH_TOKEN_SHA256', 'must be a comma-separated list of 64-character hex SHA-256 digests of the bearer tokens');
    return Buffer.from(lower, 'hex');
  });
}

type JwtModule = typeof import('./jwt');

export function readIdentityPolicy(env: Env, now: () => number = Date.now): IdentityPolicy {
  const tokenDigests = readTokenDigests(env);
  const jwtSet = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS', 'AUTH_JWKS_URL'].some((name) => stringVar(env, name) !== undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jwt = jwtSet ? (require('./jwt') as JwtModule).createJwtVerifier(env, now) : undefined;
  return { tokenDigests, jwt, checksCallers: tokenDigests.length > 0 || jwt !== undefined, trustInvokeFunction: boolVar(env, 'AUTH_TRUST_INVOKE_FUNCTION') };
}

/** Whether `token` is one of the machine tokens: every digest is compared, so timing tells nothing of near misses. */
export function machineTokenListed(token: string, digests: readonly Buffer[]): boolean {
  const presented = createHash('sha256').update(token).digest();
  let listed = false;
  for (const digest of digests) listed = timingSafeEqual(presented, digest) || listed;
  return listed;
}
