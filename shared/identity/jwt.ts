import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { intVar, listVar, stringVar, type Env } from '../config/env';
import { ConfigError, ServiceError } from '../errors';
import { adoptTree, isReservedName, type Tree } from '../request/tree';
import type { Caller, Claims } from './caller';
import { inlineKeySource, keySetOfText, remoteKeySource, type KeySet, type KeySource } from './jwks';

/**
 * OIDC JWT bearer tokens, verified in the function with `jose` (signature, algorithm, issuer, audience, exp / nbf /
 * iat): the one place this code runs a third-party library at request time, because hand-written JWT checks are
 * how the classic forgeries get through. Loaded (a chunk of its own, with jose) only when AUTH_* JWT settings are.
 *
 * What each forgery meets, before any rule sees the caller (every one a 401 with its own code):
 * - `alg: none`, an HMAC algorithm (HS256 keyed with the issuer's public key), anything but RS256/ES256/EdDSA:
 *   TokenAlgorithmNotAllowed, from the header, before any key is looked at;
 * - a key the issuer does not publish (a stranger's key under a known kid, a payload swapped after signing):
 *   TokenSignatureInvalid; a kid the issuer does not publish: TokenKeyUnknown (after one refetch, at most a minute);
 * - expired, not yet valid (nbf, or iat in the future), beyond AUTH_CLOCK_SKEW_SECONDS: TokenExpired / TokenNotYetValid;
 *   a token without exp never expires, so it is refused (TokenClaimInvalid);
 * - another issuer or audience: TokenIssuerInvalid / TokenAudienceInvalid;
 * - more than MAX_TOKEN_CHARS, or not three base64url parts: TokenTooLarge / TokenMalformed, before anything is decoded.
 */
export const MAX_TOKEN_CHARS = 8192;

export interface JwtVerifier {
  /** The verified caller, or a 401 ServiceError with a code per failure (503 when the keys cannot be had). */
  verify(token: string): Promise<Caller>;
}
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
// The signature may be empty only so that an `alg: none` token is refused for its algorithm, by name.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** A payload's size and depth, as the request trees are bounded. */
const CLAIM_LIMITS = { maxBytes: MAX_TOKEN_CHARS, maxDepth: 8, maxNodes: 2000 };

export interface JwtSettings {
  issuer: string;
  audience: string[];
  algorithms: string[];
  clockSkewSeconds: number;
  keys: KeySource;
  now: () => number;
}

function invalid(code: string, message: string): ServiceError {
  return new ServiceError(code, 401, message);
}

function readKeySource(env: Env, now: () => number): KeySource {
  const inline = stringVar(env, 'AUTH_JWKS');
  const url = stringVar(env, 'AUTH_JWKS_URL');
  if (inline !== undefined && url !== undefined) throw new ConfigError('AUTH_JWKS', 'set either AUTH_JWKS or AUTH_JWKS_URL, not both');
  if (inline !== undefined) {
    const set = keySetOfText(inline);
    if (typeof set === 'string') throw new ConfigError('AUTH_JWKS', `${set}; paste the issuer's JWKS (its public keys) as JSON`);
    return inlineKeySource(set);
  }
  if (url === undefined) throw new ConfigError('AUTH_JWKS_URL', 'JWT callers need the issuer\'s keys: set AUTH_JWKS_URL (its jwks_uri) or AUTH_JWKS (the JWKS itself)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('AUTH_JWKS_URL', `"${url}" is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new ConfigError('AUTH_JWKS_URL', 'must be an https URL (plain http only to a loopback address, for a local issuer): keys fetched in the clear could be swapped');
  }
  if (parsed.username || parsed.password) throw new ConfigError('AUTH_JWKS_URL', 'must not carry credentials');
  return remoteKeySource({
    url: parsed,
    timeoutMs: intVar(env, 'AUTH_JWKS_TIMEOUT_MS', 2000, 100, 10_000),
    cacheMs: intVar(env, 'AUTH_JWKS_CACHE_SECONDS', 600, 60, 86_400) * 1000,
    maxStaleMs: intVar(env, 'AUTH_JWKS_MAX_STALE_SECONDS', 86_400, 0, 604_800) * 1000,
    now,
  });
}

function readAlgorithms(env: Env): string[] {
  const listed = listVar(env, 'AUTH_ALGORITHMS');
  for (const alg of listed) {
    if (!(ALGORITHMS as readonly string[]).includes(alg)) {
      const why = /^HS/i.test(alg) ? ' (an HMAC algorithm: anyone holding the key can sign, and a public key must never be one)' : alg.toLowerCase() === 'none' ? ' (unsigned tokens)' : '';
      throw new ConfigError('AUTH_ALGORITHMS', `"${alg}" is not allowed${why}; choose from ${ALGORITHMS.join(', ')}`);
    }
  }
  return listed.length > 0 ? listed : [...ALGORITHMS];
}

export function readJwtSettings(env: Env, now: () => number = Date.now): JwtSettings {
  const issuer = stringVar(env, 'AUTH_ISSUER');
  if (issuer === undefined) throw new ConfigError('AUTH_ISSUER', 'JWT callers need the issuer their tokens must name (the iss claim, e.g. https://example.auth0.com/)');
  const audience = listVar(env, 'AUTH_AUDIENCE');
  if (audience.length === 0) throw new ConfigError('AUTH_AUDIENCE', 'JWT callers need the audience their tokens must name (the aud claim: this API\'s identifier or the client id)');
  return {
    issuer,
    audience,
    algorithms: readAlgorithms(env),
    clockSkewSeconds: intVar(env, 'AUTH_CLOCK_SKEW_SECONDS', 60, 0, 300),
    keys: readKeySource(env, now),
    now,
  };
}

/**
 * jose's verdict as this service's 401 codes. (Never JOSEAlgNotAllowed: verify refuses an algorithm outside
 * settings.algorithms from the header before jose runs, and jose is given the same list.)
 */
function refusal(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof errors.JWTExpired) return invalid('TokenExpired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return invalid('TokenNotYetValid', 'the token is not valid yet (nbf)');
      case 'iss':
        return invalid('TokenIssuerInvalid', 'the token comes from another issuer');
      case 'aud':
        return invalid('TokenAudienceInvalid', 'the token is meant for another audience');
      default:
        return invalid('TokenClaimInvalid', `the token's ${error.claim} claim is missing or invalid`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('TokenSignatureInvalid', 'the token\'s signature does not verify with the issuer\'s keys');
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('TokenKeyUnknown', 'the issuer publishes no key for this token (kid and algorithm)');
  return invalid('TokenMalformed', 'the token is not a well-formed signed JWT');
}

/** The payload as a bounded null-prototype tree; reserved names are refused, as everywhere in request data. */
function claimsOf(payload: JWTPayload): Claims {
  const tree = adoptTree(payload, 'token', CLAIM_LIMITS);
  const reserved = (value: Tree): boolean =>
    value !== null && typeof value === 'object' && (Array.isArray(value) ? value.some(reserved) : Object.keys(value).some((name) => isReservedName(name) || reserved(value[name] as Tree)));
  if (reserved(tree)) throw invalid('TokenClaimInvalid', 'the token holds a reserved claim name (__proto__, constructor, prototype)');
  return tree as Claims;
}

export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  // One jose key set per key set fetched: jose keeps each imported key, so a warm instance imports a key once.
  const localSets = new WeakMap<KeySet, ReturnType<typeof createLocalJWKSet>>();
  return {
    async verify(token: string): Promise<Caller> {
      if (token.length > MAX_TOKEN_CHARS) throw invalid('TokenTooLarge', `the token is over ${MAX_TOKEN_CHARS} characters`);
      if (!COMPACT_JWS.test(token)) throw invalid('TokenMalformed', 'the token is not a signed JWT (three base64url parts)');
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw invalid('TokenMalformed', 'the token\'s header is not base64url JSON');
      }
      if (typeof header.alg !== 'string' || !settings.algorithms.includes(header.alg)) {
        throw invalid('TokenAlgorithmNotAllowed', `the token's algorithm must be one of ${settings.algorithms.join(', ')}`);
      }
      if (header.kid !== undefined && typeof header.kid !== 'string') throw invalid('TokenMalformed', 'the token\'s kid is not text');
      const set = await settings.keys.keysFor(header.kid);
      if (header.kid !== undefined && !set.kids.has(header.kid)) throw invalid('TokenKeyUnknown', 'the issuer publishes no key with this token\'s kid');
      let local = localSets.get(set);
      if (local === undefined) {
        local = createLocalJWKSet({ keys: set.keys as never });
        localSets.set(set, local);
      }
      const nowSeconds = Math.floor(settings.now() / 1000);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, local, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: settings.algorithms,
          clockTolerance: settings.clockSkewSeconds,
          requiredClaims: ['exp'],
          currentDate: new Date(nowSeconds * 1000),
        }));
      } catch (error) {
        throw refusal(error);
      }
      // jose checks iat only against a maximum age; a token issued in the future is not valid yet either.
      if (typeof payload.iat === 'number' && payload.iat > nowSeconds + settings.clockSkewSeconds) throw invalid('TokenNotYetValid', 'the token is issued in the future (iat)');
      return { kind: 'user', claims: claimsOf(payload) };
    },
  };
}

/** The chunk's entry: the settings read (and checked) at cold start, and the verifier built on them. */
export function createJwtVerifier(env: Env, now: () => number = Date.now): JwtVerifier {
  return jwtVerifier(readJwtSettings(env, now));
}
