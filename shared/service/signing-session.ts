import { resolveSigningLifetime, type CapInfo, type SigningLifetime } from '../expiry';
import { isoSeconds, presign, type PresignedRequest, type PresignInput } from '../signing';
import { answerBytes } from '../core/budget';
import { regionFor } from './target';

/** What an answer holds beside a URL and its headers: method, key, bucket, expiry, the cap, a part number. */
const ANSWER_OVERHEAD_BYTES = 400;
import type { Rule } from '../rules/types';
import type { InvocationContext, ServiceDeps } from './types';

export type UnsignedRequest = Omit<PresignInput, 'credentials' | 'expires' | 'now' | 'region' | 'endpoint'>;

/**
 * One credential resolution and one capped lifetime for everything an answer signs (a multipart plan's URLs, a
 * form policy): every URL in the answer dies at the same second, and no URL outlives the signing token. The
 * caller checks the whole request before opening a session, so a bad request costs no STS round trip, and signs
 * every item before answering, so a failure on the last item leaves nothing half-signed behind.
 */
export interface SigningSession {
  region: string;
  lifetime: SigningLifetime;
  /** The instant every signature in this session uses (ms since the epoch). */
  signedAt: number;
  expiresIn: number;
  /** ISO 8601, whole seconds: when every URL of this session stops working. */
  expiration: string;
  cap: CapInfo;
  sign(request: UnsignedRequest): PresignedRequest;
}

export async function openSigningSession(
  lifetimeRequest: { expires?: number | undefined; minExpires?: number | undefined },
  rule: Pick<Rule, 'maxExpires'>,
  context: InvocationContext,
  deps: ServiceDeps,
): Promise<SigningSession> {
  const region = regionFor(deps.policy, context.region);
  const { expiry } = deps.policy;
  const ruleMax = rule.maxExpires;
  // A rule's maxExpires lowers the deployment's ceiling (and the default with it) for what it decides.
  const capped = ruleMax === undefined || ruleMax >= expiry.maxExpires ? expiry : { ...expiry, maxExpires: ruleMax, defaultExpires: Math.min(expiry.defaultExpires, ruleMax) };
  const lifetime = await resolveSigningLifetime(deps.resolver, context, { requested: lifetimeRequest.expires, minExpires: lifetimeRequest.minExpires }, capped, deps.now);
  const signedAt = lifetime.signedAt;
  // The signer truncates the signing instant to the second; the expiry counts from there, as OSS counts it.
  const expiration = isoSeconds(Math.floor(signedAt / 1000) + lifetime.expiresIn);
  return {
    region,
    lifetime,
    signedAt,
    expiresIn: lifetime.expiresIn,
    expiration,
    cap: lifetime.cap,
    // Object.assign, not a literal starting with `...request`: that costs ~1 µs per property on Node 20's V8.
    sign: (request) => {
      deps.budget.take();
      const signed = presign(Object.assign({ region, endpoint: deps.policy.endpoint, credentials: lifetime.credentials, expires: lifetime.expiresIn, now: () => signedAt }, request));
      deps.budget.addAnswerBytes(answerBytes(signed.signedHeaders, signed.url.length + ANSWER_OVERHEAD_BYTES));
      return signed;
    },
  };
}
