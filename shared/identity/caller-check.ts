import { createHash, timingSafeEqual } from 'node:crypto';
import { listVar, stringVar, type Env } from '../config/env';
import { ConfigError, ServiceError } from '../errors';
import { ANONYMOUS, MACHINE, type Caller, type CallerKind } from './caller';
import type { CallerCheck } from './config';
import { SEND_TOKEN } from './http-caller';

/**
 * The function's own check of HTTP callers, loaded (a chunk) only where AUTH_TOKEN_SHA256 or a JWT issuer is set.
 * No Authorization header: anonymous (the rules decide whether that is enough). A bearer token is a machine token
 * when its digest is listed, else a JWT when an issuer is configured; anything else presented is refused (401),
 * never taken as anonymous, and nothing else in the request is read.
 */
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function readTokenDigests(env: Env): Buffer[] {
  return listVar(env, 'AUTH_TOKEN_SHA256').map((hex) => {
    const lower = hex.toLowerCase();
    if (!SHA256_HEX.test(lower)) throw new ConfigError('AUTH_TOKEN_SHA256', 'must be a comma-separated list of 64-character hex SHA-256 digests of the bearer tokens');
    return Buffer.from(lower, 'hex');
  });
}

/**
 * Whether `token` is one of the machine tokens. Only digests are configured, so the environment never holds a usable
 * token; every digest is compared in constant time, so timing tells nothing of near misses.
 */
export function machineTokenListed(token: string, digests: readonly Buffer[]): boolean {
  const presented = createHash('sha256').update(token).digest();
  let listed = false;
  for (const digest of digests) listed = timingSafeEqual(presented, digest) || listed;
  return listed;
}

type JwtModule = typeof import('./jwt');

export function createCallerCheck(env: Env, now: () => number): CallerCheck {
  const digests = readTokenDigests(env);
  const jwtSet = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS', 'AUTH_JWKS_URL'].some((name) => stringVar(env, name) !== undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jwt = jwtSet ? (require('./jwt') as JwtModule).createJwtVerifier(env, now) : undefined;
  const kinds = new Set<CallerKind>(['anonymous']);
  if (digests.length > 0) kinds.add('machine');
  if (jwt !== undefined) kinds.add('user');
  return {
    kinds,
    async identify(authorization: string | undefined): Promise<Caller> {
      if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
      const token = BEARER.exec(authorization)?.[1];
      if (token !== undefined && machineTokenListed(token, digests)) return MACHINE;
      if (token !== undefined && jwt !== undefined) return jwt.verify(token);
      throw new ServiceError('Unauthorized', 401, SEND_TOKEN);
    },
  };
}
