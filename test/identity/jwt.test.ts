import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { readServicePolicy } from '../../shared/config/policy';
import { makeKey, startLocalOidc, type LocalOidc, type SigningAlgorithm } from '../../scripts/local-oidc/server';
import { callHttp, harness, httpEvent } from '../support/fc';

/**
 * OIDC JWTs verified in the function: valid tokens for each algorithm, every classic forgery answering 401 with its
 * own code, the clock's bounded skew, and the issuer's keys inline (AUTH_JWKS) and fetched from a JWKS served on
 * loopback (AUTH_JWKS_URL): rotation, and the issuer slow or down at cold start and later.
 */
const AUDIENCE = 'oss-presign-test';
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const body = (key: string) => ({ key, contentType: 'text/plain' });

let oidc: LocalOidc;
beforeAll(async () => {
  oidc = await startLocalOidc({ audience: AUDIENCE, algorithms: ['RS256', 'ES256', 'EdDSA'] });
});
afterAll(() => oidc.close());

const inlineEnv = () => ({
  ALLOWED_KEY_PREFIXES: 'users/{sub}/',
  AUTH_ISSUER: oidc.issuer,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_JWKS: JSON.stringify({ keys: oidc.keys().map((k) => k.publicJwk) }),
});

async function put(handler: ReturnType<typeof harness>['put'], token: string | undefined, key: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return callHttp(handler, httpEvent({ body: body(key), headers }));
}

describe('valid tokens (JWKS inline)', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as SigningAlgorithm[])('%s: the caller gets a URL for its own folder, and 403 for another user\'s', async (alg) => {
    const { put: handler, logs } = harness(inlineEnv());
    const key = oidc.keys().find((k) => k.alg === alg);
    const token = await oidc.sign({ sub: 'alice' }, { key });
    const own = await put(handler, token, 'users/alice/notes.txt');
    expect(own.statusCode).toBe(200);
    expect(own.json).toMatchObject({ method: 'PUT', key: 'users/alice/notes.txt' });
    const other = await put(handler, token, 'users/bob/notes.txt');
    expect(other.statusCode).toBe(403);
    expect(other.json).toMatchObject({ error: { code: 'KeyNotAllowed', field: 'key' } });
    expect(other.body).not.toMatch(/x-oss-signature=/);
    expect(logs.map((l) => l.caller)).toEqual(['user', 'user']);
  });

  it('a token with a leeway inside AUTH_CLOCK_SKEW_SECONDS passes, one beyond it does not', async () => {
    const { put: handler } = harness({ ...inlineEnv(), AUTH_CLOCK_SKEW_SECONDS: '60' });
    const now = Math.floor(Date.now() / 1000);
    expect((await put(handler, await oidc.sign({ sub: 'alice', exp: now - 30 }), 'users/alice/a')).statusCode).toBe(200);
    expect((await put(handler, await oidc.sign({ sub: 'alice', exp: now - 90 }), 'users/alice/a')).json).toMatchObject({ error: { code: 'TokenExpired' } });
    expect((await put(handler, await oidc.sign({ sub: 'alice', nbf: now + 30 }), 'users/alice/a')).statusCode).toBe(200);
    expect((await put(handler, await oidc.sign({ sub: 'alice', nbf: now + 90 }), 'users/alice/a')).json).toMatchObject({ error: { code: 'TokenNotYetValid' } });
  });
});

describe('every classic forgery answers 401 with its code, a Bearer challenge, and no URL', () => {
  let stranger: Awaited<ReturnType<typeof makeKey>>;
  let rsaPublic: JWK;
  beforeAll(async () => {
    stranger = await makeKey('ES256');
    rsaPublic = (oidc.keys().find((k) => k.alg === 'RS256') as { publicJwk: JWK }).publicJwk;
  });
  const now = () => Math.floor(Date.now() / 1000);
  const es = () => oidc.keys().find((k) => k.alg === 'ES256');
  const rs = () => oidc.keys().find((k) => k.alg === 'RS256');

  const forgeries: [string, () => Promise<string>, string, string][] = [
    ['alg: none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: now() + 60 })}.`, 'TokenAlgorithmNotAllowed', 'the token\'s algorithm must be one of RS256, ES256, EdDSA'],
    ['alg: none, with a signature part', async () => `${b64url({ alg: 'none' })}.${b64url({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: now() + 60 })}.AAAA`, 'TokenAlgorithmNotAllowed', 'the token\'s algorithm must be one of RS256, ES256, EdDSA'],
    ['HS256 keyed with the issuer\'s public key', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(rsaPublic));
      return new SignJWT({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256', kid: rs()?.kid }).setExpirationTime('5m').sign(secret);
    }, 'TokenAlgorithmNotAllowed', 'the token\'s algorithm must be one of RS256, ES256, EdDSA'],
    ['HS256 keyed with the public key\'s modulus', async () => new SignJWT({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256', kid: rs()?.kid }).setExpirationTime('5m').sign(Buffer.from(String(rsaPublic.n), 'base64url')), 'TokenAlgorithmNotAllowed', 'the token\'s algorithm must be one of RS256, ES256, EdDSA'],
    ['a stranger\'s key under a known kid', () => oidc.sign({ sub: 'alice' }, { key: { ...stranger, kid: es()?.kid as string } }), 'TokenSignatureInvalid', 'the token\'s signature does not verify with the issuer\'s keys'],
    ['a payload swapped after signing', async () => {
      const [header, , signature] = (await oidc.sign({ sub: 'bob' })).split('.');
      return `${header}.${b64url({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: now() + 60 })}.${signature}`;
    }, 'TokenSignatureInvalid', 'the token\'s signature does not verify with the issuer\'s keys'],
    ['a signature cut short', async () => (await oidc.sign({ sub: 'alice' })).slice(0, -4), 'TokenSignatureInvalid', 'the token\'s signature does not verify with the issuer\'s keys'],
    ['an ES256 token under an RSA key\'s kid', () => oidc.sign({ sub: 'alice' }, { key: { ...(es() as NonNullable<ReturnType<typeof es>>), kid: rs()?.kid as string } }), 'TokenKeyUnknown', 'the issuer publishes no key for this token (kid and algorithm)'],
    ['expired', () => oidc.sign({ sub: 'alice', exp: now() - 3600 }), 'TokenExpired', 'the token has expired'],
    ['not yet valid (nbf)', () => oidc.sign({ sub: 'alice', nbf: now() + 3600 }), 'TokenNotYetValid', 'the token is not valid yet (nbf)'],
    ['issued in the future (iat)', () => oidc.sign({ sub: 'alice', iat: now() + 3600 }), 'TokenNotYetValid', 'the token is issued in the future (iat)'],
    ['without exp', () => oidc.sign({ sub: 'alice', exp: undefined }), 'TokenClaimInvalid', 'the token\'s exp claim is missing or invalid'],
    ['another issuer', () => oidc.sign({ sub: 'alice', iss: 'https://evil.example' }), 'TokenIssuerInvalid', 'the token comes from another issuer'],
    ['another audience', () => oidc.sign({ sub: 'alice', aud: 'someone-else' }), 'TokenAudienceInvalid', 'the token is meant for another audience'],
    ['an unknown kid', () => oidc.sign({ sub: 'alice' }, { key: { ...stranger, kid: 'nobody-knows' } }), 'TokenKeyUnknown', 'the issuer publishes no key with this token\'s kid'],
    ['oversized', () => oidc.sign({ sub: 'alice', pad: 'x'.repeat(9000) }), 'TokenTooLarge', 'the token is over 8192 characters'],
    ['not a JWT at all', async () => 'just-some-opaque-token', 'TokenMalformed', 'the token is not a signed JWT (three base64url parts)'],
    ['three parts that are not base64url JSON', async () => 'a.b.c', 'TokenMalformed', 'the token\'s header is not base64url JSON'],
    ['a JWE (five parts)', async () => 'a.b.c.d.e', 'TokenMalformed', 'the token is not a signed JWT (three base64url parts)'],
    ['a validly signed __proto__ claim', async () => {
      // jose builds a payload from an object; JSON text with "__proto__" as a name has to be signed by hand.
      const key = es() as NonNullable<ReturnType<typeof es>>;
      const header = b64url({ alg: 'ES256', kid: key.kid });
      const payload = b64url(`{"sub":"alice","iss":"${oidc.issuer}","aud":"${AUDIENCE}","exp":${now() + 60},"__proto__":{"admin":true}}`);
      return `${header}.${payload}.${await signRaw(`${header}.${payload}`, key.privateKey)}`;
    }, 'TokenClaimInvalid', 'the token holds a reserved claim name (__proto__, constructor, prototype)'],
  ];

  it.each(forgeries)('%s → 401 with its code and the message naming the flaw', async (_name, forge, code, message) => {
    const { put: handler, get } = harness(inlineEnv());
    const token = await forge();
    for (const fn of [handler, get]) {
      const answer = await put(fn, token, 'users/alice/a.txt');
      expect(answer.statusCode).toBe(401);
      expect(answer.json).toMatchObject({ error: { code, message } });
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(answer.body).not.toMatch(/x-oss-signature/);
    }
  });

  it('AUTH_ALGORITHMS narrows the algorithms: with ES256 only, an RS256 token of the issuer is refused and an ES256 one let in', async () => {
    const { put: handler } = harness({ ...inlineEnv(), AUTH_ALGORITHMS: 'ES256' });
    const refused = await put(handler, await oidc.sign({ sub: 'alice' }, { key: rs() as NonNullable<ReturnType<typeof rs>> }), 'users/alice/a.txt');
    expect(refused.json).toMatchObject({ error: { code: 'TokenAlgorithmNotAllowed' } });
    expect((await put(handler, await oidc.sign({ sub: 'alice' }, { key: es() as NonNullable<ReturnType<typeof es>> }), 'users/alice/a.txt')).statusCode).toBe(200);
  });

  it('the same token, unforged, is let in (each forgery above fails for its forgery alone)', async () => {
    const { put: handler } = harness(inlineEnv());
    expect((await put(handler, await oidc.sign({ sub: 'alice' }), 'users/alice/a.txt')).statusCode).toBe(200);
    expect((await put(handler, await oidc.sign({ sub: 'alice' }, { key: rs() }), 'users/alice/a.txt')).statusCode).toBe(200);
  });

  it('no token at all: 401 Unauthorized when no rule admits anonymous callers', async () => {
    const answer = await put(harness(inlineEnv()).put, undefined, 'users/alice/a.txt');
    expect(answer.statusCode).toBe(401);
    expect(answer.json).toMatchObject({ error: { code: 'Unauthorized' } });
    expect(answer.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('malformed tokens validly signed: refused for what is wrong with them, by name', () => {
  const now = () => Math.floor(Date.now() / 1000);
  /** A token signed by the issuer's own ES256 key over exactly this header and payload text. */
  async function signedByIssuer(header: Record<string, unknown>, payload: string): Promise<string> {
    const key = oidc.keys().find((k) => k.alg === 'ES256') as NonNullable<ReturnType<LocalOidc['keys']>[number]>;
    const input = `${b64url({ alg: 'ES256', kid: key.kid, ...header })}.${b64url(payload)}`;
    return `${input}.${await signRaw(input, key.privateKey)}`;
  }
  const claims = () => JSON.stringify({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: now() + 60 });

  it.each([
    ['a kid that is not text', () => signedByIssuer({ kid: 5 }, claims()), 'TokenMalformed', 'the token\'s kid is not text'],
    ['a payload that is not JSON', () => signedByIssuer({}, 'not json'), 'TokenMalformed', 'the token is not a well-formed signed JWT'],
    ['a payload that is a JSON list, not claims', () => signedByIssuer({}, '["alice"]'), 'TokenMalformed', 'the token is not a well-formed signed JWT'],
    ['a stray character after a good token', async () => `${await signedByIssuer({}, claims())}!`, 'TokenMalformed', 'the token is not a signed JWT (three base64url parts)'],
    ['a stray character before a good token', async () => `!${await signedByIssuer({}, claims())}`, 'TokenMalformed', 'the token is not a signed JWT (three base64url parts)'],
    ['an exp in the past', () => signedByIssuer({}, JSON.stringify({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: now() - 3600 })), 'TokenExpired', 'the token has expired'],
  ])('%s → 401 %s', async (_name, forge, code, message) => {
    const answer = await put(harness(inlineEnv()).put, await forge(), 'users/alice/a.txt');
    expect(answer.statusCode).toBe(401);
    expect(answer.json).toMatchObject({ error: { code, message } });
    expect(answer.body).not.toMatch(/x-oss-signature/);
  });

  it('the same signing, over good claims, is let in (each refusal above is for its flaw alone)', async () => {
    expect((await put(harness(inlineEnv()).put, await signedByIssuer({}, claims()), 'users/alice/a.txt')).statusCode).toBe(200);
  });
});

/** A compact JWS signature over `input` with an ES256 private key (IEEE P1363 form, as JWS wants it). */
async function signRaw(input: string, key: CryptoKey): Promise<string> {
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return Buffer.from(signature).toString('base64url');
}

describe('settings, checked at cold start', () => {
  const base = { OSS_BUCKET: 'my-bucket', OSS_REGION: 'cn-hangzhou' };
  const jwks = () => JSON.stringify({ keys: oidc.keys().map((k) => k.publicJwk) });
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['no audience', { AUTH_ISSUER: 'https://i', AUTH_JWKS: '{}' }, 'AUTH_AUDIENCE', /audience/],
    ['no issuer', { AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks' }, 'AUTH_ISSUER', /issuer/],
    // Any one AUTH_* setting turns JWT callers on, so a lone key source is refused, never silently ignored.
    ['only a JWKS', { AUTH_JWKS: '{}' }, 'AUTH_ISSUER', /issuer/],
    ['only a JWKS URL', { AUTH_JWKS_URL: 'https://i/jwks' }, 'AUTH_ISSUER', /issuer/],
    ['no keys', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a' }, 'AUTH_JWKS_URL', /^AUTH_JWKS_URL: JWT callers need the issuer's keys: set AUTH_JWKS_URL \(its jwks_uri\) or AUTH_JWKS \(the JWKS itself\)$/],
    ['a JWKS URL of another scheme, even on loopback', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'ftp://127.0.0.1/jwks' }, 'AUTH_JWKS_URL', /https/],
    ['a JWKS URL with a user name only', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://user@idp.example.com/jwks' }, 'AUTH_JWKS_URL', /^AUTH_JWKS_URL: must not carry credentials$/],
    ['a JWKS cache time under a minute', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_JWKS_CACHE_SECONDS: '10' }, 'AUTH_JWKS_CACHE_SECONDS', /between 60 and 86400/],
    ['both key sources', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_JWKS: '{"keys":[]}' }, 'AUTH_JWKS', /not both/],
    ['a JWKS URL in the clear', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'http://idp.example.com/jwks' }, 'AUTH_JWKS_URL', /https/],
    ['an HMAC algorithm', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_ALGORITHMS: 'RS256,HS256' }, 'AUTH_ALGORITHMS', /HMAC/],
    ['alg none', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_ALGORITHMS: 'none' }, 'AUTH_ALGORITHMS', /unsigned/],
    // Only a name that starts with HS is called HMAC: ES256HS is simply not one this service verifies.
    ['a made-up algorithm ending in HS', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_ALGORITHMS: 'ES256HS' }, 'AUTH_ALGORITHMS', /^AUTH_ALGORITHMS: "ES256HS" is not allowed; choose from RS256, ES256, EdDSA$/],
    ['a JWKS that is not one', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS: '[1,2]' }, 'AUTH_JWKS', /not a JWKS/],
    ['a JWKS of HMAC keys only', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' }, 'AUTH_JWKS', /no public RSA, EC or OKP/],
    ['a skew beyond 5 minutes', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_CLOCK_SKEW_SECONDS: '3600' }, 'AUTH_CLOCK_SKEW_SECONDS', /between 0 and 300/],
    ['a blank token digest list', { AUTH_TOKEN_SHA256: ' , ' }, 'AUTH_TOKEN_SHA256', /no entry/],
    ['a JWKS URL that is not a URL', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'idp.example.com/jwks' }, 'AUTH_JWKS_URL', /^AUTH_JWKS_URL: "idp\.example\.com\/jwks" is not a URL$/],
    ['a JWKS URL with credentials in it', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://user:secret@idp.example.com/jwks' }, 'AUTH_JWKS_URL', /^AUTH_JWKS_URL: must not carry credentials$/],
    ['an algorithm this service does not verify', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'https://i/jwks', AUTH_ALGORITHMS: 'PS256' }, 'AUTH_ALGORITHMS', /^AUTH_ALGORITHMS: "PS256" is not allowed; choose from RS256, ES256, EdDSA$/],
    ['a JWKS over 64 KB', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS: JSON.stringify({ keys: [], pad: 'x'.repeat(65536) }) }, 'AUTH_JWKS', /^AUTH_JWKS: it must be at most 65536 bytes; paste/],
    ['a JWKS of more than 20,000 values', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS: `{"keys":[${new Array(20001).fill(0).join(',')}]}` }, 'AUTH_JWKS', /^AUTH_JWKS: it holds more than 20000 values; paste/],
    ['a JWKS of more than 100 keys', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS: JSON.stringify({ keys: new Array(101).fill({ kty: 'EC' }) }) }, 'AUTH_JWKS', /^AUTH_JWKS: it holds more than 100 keys; paste/],
  ];
  it.each(cases)('%s: refused at cold start, naming the variable', (_name, env, variable, message) => {
    expect(() => readServicePolicy({ ...base, ...env })).toThrow(expect.objectContaining({ variable, message: expect.stringMatching(message) }));
  });

  it.each(['http://127.0.0.1:9/jwks', 'http://localhost:9/jwks', 'http://[::1]:9/jwks'])('a JWKS URL in the clear to a loopback address (a local issuer) is accepted: %s', (url) => {
    expect(readServicePolicy({ ...base, AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: url }).identity.check?.kinds.has('user')).toBe(true);
  });

  it('a JWKS with private parts keeps only its public keys; a good one is accepted', () => {
    const withPrivate = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret', kid: 'p' }, ...oidc.keys().map((k) => k.publicJwk)] });
    expect(readServicePolicy({ ...base, AUTH_ISSUER: oidc.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS: withPrivate }).identity.check?.kinds.has('user')).toBe(true);
    expect(readServicePolicy({ ...base, AUTH_ISSUER: oidc.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS: jwks() }).identity.check).toBeDefined();
  });
});

describe('the kinds of caller a deployment can have, which a rules document is checked against', () => {
  const base = { OSS_BUCKET: 'my-bucket', OSS_REGION: 'cn-hangzhou' };
  const digest = createHash('sha256').update('a-machine-token').digest('hex');
  const jwtEnv = () => ({ AUTH_ISSUER: oidc.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS: JSON.stringify({ keys: oidc.keys().map((k) => k.publicJwk) }) });
  const rulesFor = (callers: string[]) => JSON.stringify({ rules: [{ name: 'r', keys: ['data/'], actions: ['get'], callers }] });
  const load = (env: Record<string, string>, callers: string[]) => () => readServicePolicy({ ...base, ...env, PRESIGN_RULES: rulesFor(callers) });
  const unreachable = expect.objectContaining({ variable: 'PRESIGN_RULES', message: expect.stringMatching(/rule "r", callers: no caller of these kinds can reach this deployment/) });

  it('machine tokens only: anonymous and machine callers, no users', () => {
    expect(readServicePolicy({ ...base, AUTH_TOKEN_SHA256: digest }).identity.check?.kinds).toEqual(new Set(['anonymous', 'machine']));
    expect(load({ AUTH_TOKEN_SHA256: digest }, ['machine'])).not.toThrow();
    expect(load({ AUTH_TOKEN_SHA256: digest }, ['anonymous'])).not.toThrow();
    expect(load({ AUTH_TOKEN_SHA256: digest }, ['user'])).toThrow(unreachable);
  });

  it('a JWT issuer only: anonymous and user callers, no machines', () => {
    expect(readServicePolicy({ ...base, ...jwtEnv() }).identity.check?.kinds).toEqual(new Set(['anonymous', 'user']));
    expect(load(jwtEnv(), ['user'])).not.toThrow();
    expect(load(jwtEnv(), ['machine'])).toThrow(unreachable);
  });
});

describe('machine tokens and JWTs side by side', () => {
  const TOKEN = 'machine-token-for-the-backend';
  const env = () => ({ ...inlineEnv(), ALLOWED_KEY_PREFIXES: '', AUTH_TOKEN_SHA256: createHash('sha256').update(TOKEN).digest('hex'), PRESIGN_RULES: JSON.stringify({ rules: [
    { name: 'own', keys: ['users/{sub}/'], actions: ['put', 'get'] },
    { name: 'backend', keys: ['*'], actions: ['put', 'get'], callers: ['machine', 'platform'] },
  ] }) });

  it('the machine token is a machine caller (the backend rule), a JWT a user (its own folder), garbage neither', async () => {
    const { put: handler, logs } = harness(env());
    expect((await put(handler, TOKEN, 'anything/x')).statusCode).toBe(200);
    expect((await put(handler, await oidc.sign({ sub: 'alice' }), 'anything/x')).statusCode).toBe(403);
    expect((await put(handler, await oidc.sign({ sub: 'alice' }), 'users/alice/x')).statusCode).toBe(200);
    expect((await put(handler, `${TOKEN}x`, 'anything/x')).json).toMatchObject({ error: { code: 'TokenMalformed' } });
    expect(logs.map((l) => l.caller)).toEqual(['machine', 'user', 'user', undefined]);
  });
});

describe('keys fetched from AUTH_JWKS_URL (a JWKS on loopback)', () => {
  let clock = Date.now();
  const tick = (seconds: number) => {
    clock += seconds * 1000;
  };
  // The handler's clock steers the JWKS cache; tokens are made for that clock.
  const signAt = (claims: Record<string, unknown>, key?: Awaited<ReturnType<LocalOidc['addKey']>>) => {
    const iat = Math.floor(clock / 1000);
    return oidc.sign({ iat, exp: iat + 600, ...claims }, key === undefined ? {} : { key });
  };
  const remoteEnv = () => ({
    ALLOWED_KEY_PREFIXES: 'users/{sub}/',
    AUTH_ISSUER: oidc.issuer,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_URL: oidc.jwksUrl,
    AUTH_JWKS_TIMEOUT_MS: '300',
    AUTH_JWKS_CACHE_SECONDS: '600',
    AUTH_JWKS_MAX_STALE_SECONDS: '3600',
  });
  const make = () => harness(remoteEnv(), { now: () => clock }).put;

  beforeEach(() => {
    clock = Date.now();
    oidc.setJwksBehaviour({});
  });

  it('fetches once, then serves from the cache: a warm instance verifies without asking the issuer', async () => {
    const handler = make();
    const before = oidc.jwksFetches();
    for (let i = 0; i < 3; i++) expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    expect(oidc.jwksFetches() - before).toBe(1);
  });

  it('keeps the keys for AUTH_JWKS_CACHE_SECONDS (600 here), then fetches them again on the next token', async () => {
    const handler = make();
    const before = oidc.jwksFetches();
    expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    tick(599);
    expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    expect(oidc.jwksFetches() - before).toBe(1);
    tick(1);
    expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    expect(oidc.jwksFetches() - before).toBe(2);
  });

  it('rotation: a new kid is fetched (at most once a minute), and a removed one stops working', async () => {
    const handler = make();
    const old = oidc.keys()[oidc.keys().length - 1];
    expect((await put(handler, await signAt({ sub: 'alice' }, old), 'users/alice/a')).statusCode).toBe(200);
    const fresh = await oidc.addKey('ES256');
    oidc.removeKey(old?.kid as string);
    const fetched = oidc.jwksFetches();
    tick(10);
    // Within a minute of the last fetch: the unknown kid is not fetched again (made-up kids cannot hammer the IdP).
    expect((await put(handler, await signAt({ sub: 'alice' }, fresh), 'users/alice/a')).json).toMatchObject({ error: { code: 'TokenKeyUnknown' } });
    expect(oidc.jwksFetches()).toBe(fetched);
    tick(60);
    expect((await put(handler, await signAt({ sub: 'alice' }, fresh), 'users/alice/a')).statusCode).toBe(200);
    expect(oidc.jwksFetches()).toBe(fetched + 1);
    tick(5);
    expect((await put(handler, await signAt({ sub: 'alice' }, old), 'users/alice/a')).json).toMatchObject({ error: { code: 'TokenKeyUnknown' } });
    expect(oidc.jwksFetches()).toBe(fetched + 1);
  });

  it.each([['down (503)', { down: true }], ['slow (beyond the deadline)', { delayMs: 1500 }], ['hanging', { hang: true }]])(
    'the issuer %s at cold start: 503 IdentityProviderUnavailable, retryable; once it is back, tokens pass',
    async (_name, behaviour) => {
      oidc.setJwksBehaviour(behaviour);
      const handler = make();
      const started = Date.now();
      const answer = await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a');
      expect(Date.now() - started).toBeLessThan(1400);
      expect(answer.statusCode).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'IdentityProviderUnavailable', retryable: true } });
      expect(answer.body).not.toMatch(/x-oss-signature/);
      oidc.setJwksBehaviour({});
      tick(6);
      expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    },
  );

  it.each([['down (503)', { down: true }], ['slow (beyond the deadline)', { delayMs: 1500 }]])(
    'the issuer %s later: the cached keys are served past their time, up to AUTH_JWKS_MAX_STALE_SECONDS, then 503',
    async (_name, behaviour) => {
      const handler = make();
      expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
      oidc.setJwksBehaviour(behaviour);
      tick(700);
      const fetched = oidc.jwksFetches();
      expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
      expect(oidc.jwksFetches()).toBe(fetched + 1);
      tick(3600);
      const stale = await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a');
      expect(stale.statusCode).toBe(503);
      expect(stale.json).toMatchObject({ error: { code: 'IdentityProviderUnavailable', retryable: true } });
      oidc.setJwksBehaviour({});
      tick(61);
      expect((await put(handler, await signAt({ sub: 'alice' }), 'users/alice/a')).statusCode).toBe(200);
    },
  );
});

describe('a JWKS document the issuer serves is bounded and filtered', () => {
  it('keys of other types and private keys are dropped; an HS256 token is refused whatever the set holds', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'x' };
    const env = { ALLOWED_KEY_PREFIXES: 'users/{sub}/', AUTH_ISSUER: oidc.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS: JSON.stringify({ keys: [jwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }] }) };
    const { put: handler } = harness(env);
    const hs = await new SignJWT({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256', kid: 'hmac' }).setExpirationTime('5m').sign(Buffer.from('secret'));
    expect((await put(handler, hs, 'users/alice/a')).json).toMatchObject({ error: { code: 'TokenAlgorithmNotAllowed' } });
  });
});
