import http from 'node:http';
import https from 'node:https';
import { ServiceError } from '../errors';
import { parseJsonTree, type Tree, type TreeLimits } from '../request/tree';

/**
 * The issuer's public keys (a JWKS), inline (AUTH_JWKS) or fetched from AUTH_JWKS_URL:
 * - fetched with a deadline (AUTH_JWKS_TIMEOUT_MS), at most 64 KB and 100 keys, no redirects; one fetch at a time;
 * - kept for AUTH_JWKS_CACHE_SECONDS, then fetched again on the next token; a token whose `kid` the set lacks (the
 *   issuer rotated) makes it fetch again at once, but at most once a minute, so made-up kids cannot make the
 *   function hammer the issuer;
 * - when the issuer is slow or down, the keys last fetched are used for up to AUTH_JWKS_MAX_STALE_SECONDS past their
 *   time; with no usable keys at all (a cold start while the issuer is down, or too stale) the answer is 503
 *   IdentityProviderUnavailable, retryable.
 * Only public signature keys of the allowed types are kept: `oct` (HMAC) keys and anything holding private
 * material (`d`) are dropped, so no set can turn a verification into an HMAC keyed with public data.
 */
export interface Jwk {
  kty: string;
  kid?: string;
  [name: string]: unknown;
}
export interface KeySet {
  readonly keys: readonly Jwk[];
  readonly kids: ReadonlySet<string>;
}

export interface KeySource {
  /** The keys to verify a token whose header names `kid`; 503 when none can be had. */
  keysFor(kid: string | undefined): Promise<KeySet>;
}

export const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 100;
/** A JWKS as JSON text: a JWK is three levels deep in its document, and 100 keys of a few dozen values each fit. */
const JWKS_LIMITS: TreeLimits = { maxBytes: MAX_JWKS_BYTES, maxDepth: 8, maxNodes: 20_000 };
/** Unknown-kid refetches: at most one a minute. */
export const KID_REFETCH_MS = 60_000;
/** With no keys at all, a failed fetch is not retried for this long (503s meanwhile are answered at once). */
const EMPTY_RETRY_MS = 5_000;
const KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

/** The usable keys of a JWKS document, or a sentence saying why it is none. */
export function keySetOf(tree: Tree | undefined): KeySet | string {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree) || !Array.isArray(tree.keys)) return 'it is not a JWKS: {"keys": [...]}';
  if (tree.keys.length > MAX_KEYS) return `it holds more than ${MAX_KEYS} keys`;
  const keys: Jwk[] = [];
  for (const key of tree.keys) {
    if (key === null || typeof key !== 'object' || Array.isArray(key)) continue;
    if (typeof key.kty !== 'string' || !KEY_TYPES.has(key.kty) || 'd' in key) continue;
    if (key.use !== undefined && key.use !== 'sig') continue;
    if (key.kid !== undefined && typeof key.kid !== 'string') continue;
    // jose reads keys as plain JSON; the copy keeps only what a JWK holds, as JSON text would.
    keys.push(JSON.parse(JSON.stringify(key)) as Jwk);
  }
  if (keys.length === 0) return 'it holds no public RSA, EC or OKP signature key';
  return { keys, kids: new Set(keys.flatMap((key) => (key.kid === undefined ? [] : [key.kid]))) };
}

/**
 * The usable keys of a JWKS as JSON text (AUTH_JWKS, or the body the issuer sent), or a sentence saying why it is
 * none: never a throw, since a fetched body is read in a stream's event handler, where a throw would be uncaught and
 * the fetch would never settle.
 */
export function keySetOfText(text: string): KeySet | string {
  let parsed: ReturnType<typeof parseJsonTree>;
  try {
    // Named "it", the bounds' own refusals read as the sentences above do: "it holds more than 20000 values".
    parsed = parseJsonTree(text, 'it', JWKS_LIMITS);
  } catch (error) {
    return (error as Error).message;
  }
  return keySetOf(parsed.ok ? parsed.tree : undefined);
}

export function inlineKeySource(set: KeySet): KeySource {
  return { keysFor: async () => set };
}

export interface RemoteKeySourceOptions {
  url: URL;
  timeoutMs: number;
  cacheMs: number;
  maxStaleMs: number;
  now?: () => number;
}

function unavailable(why: string): ServiceError {
  return new ServiceError('IdentityProviderUnavailable', 503, `the token issuer's keys cannot be had right now (${why}); retry shortly`, { retryable: true });
}

/** GET the JWKS: 200 and JSON within the deadline and the size bound, or a sentence saying what went wrong. */
export function fetchJwks(url: URL, timeoutMs: number): Promise<KeySet | string> {
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { headers: { accept: 'application/json' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(`the issuer answered HTTP ${response.statusCode}`);
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_JWKS_BYTES) {
          request.destroy();
          resolve(`the JWKS is over ${MAX_JWKS_BYTES} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        resolve(keySetOfText(Buffer.concat(chunks).toString('utf8')));
      });
      response.on('error', () => resolve('the connection failed'));
    });
    const deadline = setTimeout(() => {
      request.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    // One deadline for the whole exchange; a socket idle timeout of the same length could never fire before it.
    request.on('close', () => clearTimeout(deadline));
    request.on('error', () => resolve('the issuer could not be reached'));
  });
}

export function remoteKeySource(options: RemoteKeySourceOptions): KeySource {
  const now = options.now ?? Date.now;
  let current: { set: KeySet; fetchedAt: number } | undefined;
  let lastAttempt = -Infinity;
  let lastFailure = '';
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      lastAttempt = now();
      const result = await fetchJwks(options.url, options.timeoutMs);
      if (typeof result === 'string') lastFailure = result;
      else current = { set: result, fetchedAt: now() };
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  /** The keys held, read through a function so that the checks after each await see what the fetch left. */
  const held = () => current;

  return {
    async keysFor(kid) {
      const at = now();
      const before = held();
      if (before === undefined) {
        if (at - lastAttempt >= EMPTY_RETRY_MS || inFlight !== undefined) await refresh();
      } else if (at - lastAttempt >= KID_REFETCH_MS && (at - before.fetchedAt >= options.cacheMs || (kid !== undefined && !before.set.kids.has(kid)))) {
        await refresh();
      }
      const after = held();
      // No keys held means a fetch has been made and has failed (a cold caller always waits for one, and fetchJwks
      // only resolves), so lastFailure says why.
      if (after === undefined) throw unavailable(lastFailure);
      if (now() - after.fetchedAt > options.cacheMs + options.maxStaleMs) {
        throw unavailable(`the keys last fetched are too old, and fetching them again failed: ${lastFailure}`);
      }
      // A kid the set lacks after a fetch that failed may be a new key the issuer has: retryable, not a forgery.
      if (kid !== undefined && !after.set.kids.has(kid) && after.fetchedAt < lastAttempt) {
        throw unavailable(`the token names a key not fetched yet, and fetching the keys failed: ${lastFailure}`);
      }
      return after.set;
    },
  };
}
