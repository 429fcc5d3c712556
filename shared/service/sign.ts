import { jsonBytes } from '../core/budget';
import { openSigningSession, type UnsignedRequest } from './signing-session';
import type { Rule } from '../rules/types';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';

/**
 * A single URL: one signing session (credentials and a capped lifetime), one signature. Everything about the
 * request has been checked before this runs, so a bad request never costs an STS round trip.
 */
export async function signCapped(
  request: UnsignedRequest,
  lifetimeRequest: { expires?: number | undefined; minExpires?: number | undefined },
  rule: Pick<Rule, 'maxExpires'>,
  context: InvocationContext,
  deps: ServiceDeps,
): Promise<PresignSuccess> {
  const session = await openSigningSession(lifetimeRequest, rule, context, deps);
  const signed = session.sign(request);
  // This answer repeats the key beside the URL, as JSON writes it (a `"` or `\` doubles): up to 2 KB that the session's
  // fixed allowance per URL does not cover, so it is counted here, or long keys would outgrow PRESIGN_MAX_ANSWER_BYTES.
  deps.budget.addAnswerBytes(jsonBytes(request.key));
  return {
    method: signed.method,
    url: signed.url,
    expiration: signed.expiration,
    expiresIn: signed.expiresIn,
    signedHeaders: signed.signedHeaders,
    bucket: request.bucket,
    key: request.key,
    cap: session.cap,
  };
}
