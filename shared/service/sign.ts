import { resolveSigningLifetime } from '../expiry';
import { presign, type PresignInput } from '../signing';
import { regionFor } from './rules';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';

export type UnsignedRequest = Omit<PresignInput, 'credentials' | 'expires' | 'now' | 'region' | 'endpoint'>;

/**
 * The last step shared by every operation: credentials and a capped lifetime for this request, then the
 * signature. Everything about the request has been checked before this runs, so a bad request never costs an
 * STS round trip, and the signer's own checks run before anything is signed.
 */
export async function signCapped(
  request: UnsignedRequest,
  lifetimeRequest: { expires?: number | undefined; minExpires?: number | undefined },
  context: InvocationContext,
  deps: ServiceDeps,
): Promise<PresignSuccess> {
  const region = regionFor(deps.policy, context.region);
  const lifetime = await resolveSigningLifetime(
    deps.resolver,
    context,
    { requested: lifetimeRequest.expires, minExpires: lifetimeRequest.minExpires },
    deps.policy.expiry,
    deps.now,
  );
  const signed = presign(
    Object.assign({ region, endpoint: deps.policy.endpoint, credentials: lifetime.credentials, expires: lifetime.expiresIn, now: () => lifetime.signedAt }, request),
  );
  return {
    method: signed.method,
    url: signed.url,
    expiration: signed.expiration,
    expiresIn: signed.expiresIn,
    signedHeaders: signed.signedHeaders,
    bucket: request.bucket,
    key: request.key,
    cap: lifetime.cap,
  };
}
