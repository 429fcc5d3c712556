/**
 * Who is calling, as far as the function can tell. The adapter that received the invocation decides the kind from
 * what the platform guarantees, never from anything the caller can set:
 * - `user`: an HTTP caller whose bearer token is a JWT this deployment verified (AUTH_JWKS / AUTH_JWKS_URL); its
 *   claims are a null-prototype copy of the token's payload;
 * - `machine`: an HTTP caller whose bearer token's SHA-256 is listed in AUTH_TOKEN_SHA256;
 * - `platform`: Alibaba Cloud admitted the invocation before the function ran: the InvokeFunction API (direct calls,
 *   `s invoke`, a genuine wrap where trusted), EventBridge, MNS and OSS triggers, and HTTP or API Gateway requests
 *   where the function runs no caller check of its own (the trigger's authType or API Gateway decides who gets in);
 * - `anonymous`: an HTTP caller who presented no credentials where the function does check callers.
 */
export type CallerKind = 'user' | 'machine' | 'platform' | 'anonymous';
export const CALLER_KINDS: readonly CallerKind[] = ['user', 'machine', 'platform', 'anonymous'];

/** A verified token's payload: own properties only, no prototype. */
export type Claims = Readonly<Record<string, unknown>>;

export type Caller = { readonly kind: 'user'; readonly claims: Claims } | { readonly kind: Exclude<CallerKind, 'user'> };

export const PLATFORM: Caller = Object.freeze({ kind: 'platform' });
export const MACHINE: Caller = Object.freeze({ kind: 'machine' });
export const ANONYMOUS: Caller = Object.freeze({ kind: 'anonymous' });
