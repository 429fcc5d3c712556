import type { ExtraCa } from './http-exchange';
import type { SigningCredentials } from '../signing/types';

/**
 * The part of the Function Compute context this package reads. FC gives `credentials: {}` when the function has no
 * role, and the fields are typed loosely because a hand-built local context may carry anything.
 */
export interface FcContextLike {
  credentials?: { accessKeyId?: unknown; accessKeySecret?: unknown; securityToken?: unknown } | null;
  region?: string;
  requestId?: string;
  /** The function owner's account (FC's context.accountId). */
  accountId?: string;
}

/** Where a set of signing credentials came from; returned so the response and the logs can say it. */
export type CredentialSource =
  | 'signer-role'
  | 'fc-context'
  | 'environment'
  | 'credentials-uri'
  | 'profile'
  | 'oidc'
  | 'ecs-metadata'
  | 'default-chain';

/**
 * What a source knows about the lifetime of the key:
 * - known:   an STS token whose Expiration we were told (signer role, credentials URI);
 * - unknown: an STS token of unknown lifetime (FC context, env tokens, profiles): URLs get a conservative cap;
 * - none:    a long-term AccessKey: no token limit at all.
 */
export type ExpiryKnowledge = 'known' | 'unknown' | 'none';

/** The token's lifetime as far as it is known: an expiration exactly when expiry is 'known' (the type says so). */
export type TokenLifetime = { expiry: 'known'; expiration: Date } | { expiry: 'unknown' | 'none'; expiration: null };

export type ResolvedCredentials = TokenLifetime & {
  credentials: SigningCredentials;
  source: CredentialSource;
};

export interface ResolveOptions {
  /** Drop any cached session and fetch a new one (the expiry cap asks for this once when a token is nearly spent). */
  forceRefresh?: boolean;
}

export interface CredentialResolver {
  resolve(context: FcContextLike | undefined, options?: ResolveOptions): Promise<ResolvedCredentials>;
}

/** Log sink. Callers get messages that never carry a secret, a security token or a signature. */
export interface CredentialLogger {
  info(message: string): void;
  warn(message: string): void;
}

export type { Env } from '../config/env';

/** What every cached credential source (signer role, off-FC sources) is built with. */
export interface CachedSourceOptions {
  /** Below this much remaining life a session is never served (the resolver's MIN_SERVE_MS). */
  minServeMs: number;
  now: () => number;
  logger?: CredentialLogger | undefined;
  /** Extra CA certificates to trust besides the system store. */
  ca?: ExtraCa;
}
