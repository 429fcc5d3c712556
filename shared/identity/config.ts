import { boolVar, type Env } from '../config/env';
import type { Caller, CallerKind } from './caller';

/**
 * How this deployment tells HTTP callers apart (read once at cold start):
 * - AUTH_TOKEN_SHA256: digests of machine callers' bearer tokens;
 * - AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS or AUTH_JWKS_URL: OIDC JWTs, verified in the function.
 * With either, the function checks HTTP callers itself (./caller-check.ts, a chunk loaded only then; the JWT verifier
 * and `jose` are a chunk of their own, ./jwt.ts); with neither, the trigger's authType (or API Gateway) decides who
 * gets in, and the plain cold start loads none of it.
 */
export interface CallerCheck {
  /** Who presents this Authorization header: anonymous without one; 401 (503 when the IdP's keys cannot be had). */
  identify(authorization: string | undefined): Promise<Caller>;
  /** The kinds of HTTP caller it can tell: `anonymous`, with `machine` (tokens) and / or `user` (JWTs). */
  readonly kinds: ReadonlySet<CallerKind>;
}

export interface IdentityPolicy {
  /** Undefined: the function checks no HTTP callers itself. */
  check: CallerCheck | undefined;
  /** With a caller check in force, whether an InvokeFunction call FC wrapped as HTTP is answered without one. */
  trustInvokeFunction: boolean;
}

export const AUTH_VARIABLES = ['AUTH_TOKEN_SHA256', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS', 'AUTH_JWKS_URL'] as const;

type CallerCheckModule = typeof import('./caller-check');

export function readIdentityPolicy(env: Env, now: () => number = Date.now): IdentityPolicy {
  // Set at all, even blank: a blank AUTH_TOKEN_SHA256 is refused by the check's reader, never read as "no check".
  const configured = AUTH_VARIABLES.some((name) => (env[name] ?? '') !== '');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const check = configured ? (require('./caller-check') as CallerCheckModule).createCallerCheck(env, now) : undefined;
  return { check, trustInvokeFunction: boolVar(env, 'AUTH_TRUST_INVOKE_FUNCTION') };
}
