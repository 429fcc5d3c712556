import type { InvocationBudget } from '../core/budget';
import type { Caller } from '../identity/caller';
import type { CapInfo } from '../expiry';
import type { ServicePolicy } from '../config/policy';
import type { CredentialResolver, FcContextLike } from '../credentials';
import type { PresignMethod } from '../signing';

/** What every successful presign answers. `signedHeaders` are exactly the headers the holder must send. */
export interface PresignSuccess {
  method: PresignMethod;
  url: string;
  bucket: string;
  key: string;
  expiration: string;
  expiresIn: number;
  signedHeaders: Record<string, string>;
  cap: CapInfo;
}

export interface ServiceDeps {
  policy: ServicePolicy;
  resolver: CredentialResolver;
  now: () => number;
  /** This invocation's budget of URLs and answer bytes (a new one per invocation). */
  budget: InvocationBudget;
  /** Who is asking (shared/identity): set by the adapter that received the request, anonymous until then. */
  caller: Caller;
}

export interface InvocationContext extends FcContextLike {
  requestId?: string;
}
