import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A local OpenID Connect issuer on loopback, for `npm start` and the tests: what an IdP (Auth0, Keycloak, Authing,
 * Alibaba Cloud IDaaS) publishes for a resource server, and nothing more.
 * - GET /.well-known/openid-configuration: `issuer`, `jwks_uri` (OIDC Discovery 1.0, section 3);
 * - GET /jwks.json: the public keys (RFC 7517), each with its `kid`, `alg` and `use: sig`;
 * - POST /token {"username": "alice"}: a signed access token for that user name, no password: the upload page's
 *   sign-in. A demo only: a real IdP authenticates the user first. CORS for the page's origins.
 * Tests steer it like a misbehaving IdP: add and remove keys (rotation), go down, answer slowly; it counts JWKS fetches.
 */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface OidcKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface LocalOidcOptions {
  host?: string;
  port?: number;
  audience?: string;
  /** Origins that may call POST /token from a page. */
  allowedOrigins?: readonly string[];
  /** Token lifetime in seconds (default 3600). */
  tokenSeconds?: number;
  /** Algorithms of the keys made at start (default ES256). */
  algorithms?: readonly SigningAlgorithm[];
}

export interface LocalOidc {
  origin: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** The keys the JWKS publishes now, newest last; `sign` uses the last one unless told otherwise. */
  keys(): OidcKey[];
  addKey(alg?: SigningAlgorithm): Promise<OidcKey>;
  removeKey(kid: string): void;
  /** A token for `claims` (sub, iss, aud, iat, exp filled in unless given), signed with `key` (default the newest). */
  sign(claims: JWTPayload, options?: { key?: OidcKey; header?: Record<string, unknown>; expiresIn?: number }): Promise<string>;
  /** JWKS misbehaviour: `down` answers 503, `hang` never answers, `delayMs` answers late. */
  setJwksBehaviour(behaviour: { down?: boolean; hang?: boolean; delayMs?: number }): void;
  jwksFetches(): number;
  close(): Promise<void>;
}

const USER_NAME = /^[a-z0-9_-]{1,32}$/;

export async function makeKey(alg: SigningAlgorithm = 'ES256'): Promise<OidcKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = `local-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startLocalOidc(options: LocalOidcOptions = {}): Promise<LocalOidc> {
  const host = options.host ?? '127.0.0.1';
  const audience = options.audience ?? 'oss-presign-local';
  const tokenSeconds = options.tokenSeconds ?? 3600;
  let keys: OidcKey[] = await Promise.all((options.algorithms ?? ['ES256']).map((alg) => makeKey(alg)));
  let behaviour: { down?: boolean; hang?: boolean; delayMs?: number } = {};
  let fetches = 0;
  const hanging = new Set<http.ServerResponse>();
  let origin = '';

  const sign: LocalOidc['sign'] = async (claims, signOptions = {}) => {
    const key = signOptions.key ?? keys[keys.length - 1];
    if (key === undefined) throw new Error('the local issuer has no key');
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iss: origin, aud: audience, iat: now, exp: now + (signOptions.expiresIn ?? tokenSeconds), ...claims };
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...signOptions.header }).sign(key.privateKey);
  };

  function cors(req: http.IncomingMessage): Record<string, string> {
    const from = req.headers.origin;
    if (from === undefined || !(options.allowedOrigins ?? []).includes(from)) return {};
    return { 'access-control-allow-origin': from, vary: 'Origin', 'access-control-allow-methods': 'POST, GET', 'access-control-allow-headers': 'content-type' };
  }

  function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      json(res, 200, { issuer: origin, jwks_uri: `${origin}/jwks.json`, token_endpoint: `${origin}/token`, id_token_signing_alg_values_supported: [...new Set(keys.map((k) => k.alg))] });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/jwks.json') {
      fetches++;
      if (behaviour.hang) {
        hanging.add(res);
        return;
      }
      const answer = () => (behaviour.down ? json(res, 503, { error: 'temporarily_unavailable' }) : json(res, 200, { keys: keys.map((k) => k.publicJwk) }));
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
      return;
    }
    if (req.method === 'OPTIONS' && url.pathname === '/token') {
      res.writeHead(204, cors(req));
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let username: unknown;
        try {
          username = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username?: unknown }).username;
        } catch {
          username = undefined;
        }
        if (typeof username !== 'string' || !USER_NAME.test(username)) {
          json(res, 400, { error: 'invalid_request', error_description: 'username: 1 to 32 of a-z 0-9 _ -' }, cors(req));
          return;
        }
        sign({ sub: username, preferred_username: username }).then(
          (token) => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: tokenSeconds }, cors(req)),
          () => json(res, 500, { error: 'server_error' }, cors(req)),
        );
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;

  return {
    origin,
    issuer: origin,
    audience,
    jwksUrl: `${origin}/jwks.json`,
    keys: () => [...keys],
    async addKey(alg = 'ES256') {
      const key = await makeKey(alg);
      keys.push(key);
      return key;
    },
    removeKey(kid) {
      keys = keys.filter((k) => k.kid !== kid);
    },
    sign,
    setJwksBehaviour(next) {
      behaviour = next;
      if (!next.hang) for (const res of hanging) res.destroy();
      if (!next.hang) hanging.clear();
    },
    jwksFetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
