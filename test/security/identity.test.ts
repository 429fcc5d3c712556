import { startLocalOidc, type LocalOidc } from '../../scripts/local-oidc/server';
import { harness } from '../support/fc';
import { send, signaturesIn, type Route } from './routes';

/**
 * The hostile-callers suite for verified callers: forged tokens, claims made to widen a key, and request fields or
 * headers made to stand in for an identity, each tried by every route it can arrive by. HTTP trigger and API Gateway
 * carry an Authorization header; a genuine InvokeFunction wrap carries FC's ACS3 signature there (never a bearer
 * token); a direct invocation carries none (the platform authenticated it). Every refusal is a 4xx with a code and
 * no signature anywhere in the answer.
 */
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const HTTP: readonly Route[] = ['http', 'apigw'];
const AUDIENCE = 'oss-presign-hostile';

let oidc: LocalOidc;
beforeAll(async () => {
  oidc = await startLocalOidc({ audience: AUDIENCE, algorithms: ['ES256'] });
});
afterAll(() => oidc.close());

const rules = (extra: unknown[] = []) => JSON.stringify({ rules: [
  { name: 'own', keys: ['users/{sub}/'], actions: ['put', 'get', 'head', 'multipart', 'form'] },
  { name: 'tenant', keys: ['tenants/{claims.tenant}/'], actions: ['put', 'get'] },
  { name: 'public', keys: ['public/'], actions: ['get', 'head'], anonymous: true },
  ...extra,
] });
const env = (extra: Record<string, string> = {}) => ({
  PRESIGN_RULES: rules(),
  AUTH_ISSUER: oidc.issuer,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_JWKS: JSON.stringify({ keys: oidc.keys().map((k) => k.publicJwk) }),
  ...extra,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectRefused(answer: { status: number; error?: { code: string }; text: string }, status: number, code?: string): void {
  expect(answer.status).toBe(status);
  if (code !== undefined) expect(answer.error?.code).toBe(code);
  expect(signaturesIn(answer.text)).toEqual([]);
}

function expectClientError(answer: { status: number; error?: { code: string }; text: string }): void {
  expect([400, 403]).toContain(answer.status);
  expect(['InvalidArgument', 'ClaimNotUsable', 'KeyNotAllowed']).toContain(answer.error?.code);
  expect(signaturesIn(answer.text)).toEqual([]);
}

describe('claims made to widen a key: 4xx by every HTTP route, for every request shape', () => {
  const injected: [string, unknown][] = [
    ['a parent segment', '..'],
    ['a path into another user\'s folder', 'bob/../alice'],
    ['a slash', 'alice/x'],
    ['empty', ''],
    ['a wildcard', '*'],
    ['a percent-escaped slash', 'alice%2Fx'],
    ['very long', 'a'.repeat(300)],
    ['a look-alike letter', '\u0430lice'],
    ['a list', ['alice', 'bob']],
    ['an object', { toString: 'alice' }],
  ];
  const shapes: [string, (sub: string) => object][] = [
    ['PUT', (folder) => ({ key: `users/${folder}/a.txt` })],
    ['multipart', (folder) => ({ multipart: { key: `users/${folder}/a.bin`, size: 1000 } })],
    ['form', (folder) => ({ form: { key: `users/${folder}/a.txt` } })],
  ];

  it.each(injected)('sub as %s', async (_name, sub) => {
    const { put, get } = harness(env());
    const token = await oidc.sign({ sub: sub as string }); // a list or an object too: the payload is JSON
    const folder: string = typeof sub === 'string' ? sub : 'alice';
    for (const route of HTTP) {
      // 403 ClaimNotUsable where the key itself is fine; 400 where the key the claim spells is refused on its own.
      for (const [, shape] of shapes) expectClientError(await send(put, route, JSON.stringify(shape(folder)), { headers: bearer(token) }));
      expectClientError(await send(get, route, JSON.stringify({ key: `users/${folder}/a.txt` }), { headers: bearer(token) }));
    }
  });

  it('the same shapes pass for a plain subject (the refusals above are the claim\'s, not the shape\'s)', async () => {
    const { put, get } = harness(env());
    const token = await oidc.sign({ sub: 'alice' });
    for (const route of HTTP) {
      for (const [, shape] of shapes) expect((await send(put, route, JSON.stringify(shape('alice')), { headers: bearer(token) })).status).toBe(200);
      expect((await send(get, route, JSON.stringify({ key: 'users/alice/a.txt' }), { headers: bearer(token) })).status).toBe(200);
    }
  });

  it('a nested claim injected the same way ({claims.tenant}) is refused; a clean one passes', async () => {
    const { put } = harness(env());
    for (const route of HTTP) {
      expectRefused(await send(put, route, JSON.stringify({ key: 'tenants/acme/x/a.txt' }), { headers: bearer(await oidc.sign({ sub: 'alice', tenant: 'acme/x' })) }), 403, 'ClaimNotUsable');
      expect((await send(put, route, JSON.stringify({ key: 'tenants/acme/a.txt' }), { headers: bearer(await oidc.sign({ sub: 'alice', tenant: 'acme' })) })).status).toBe(200);
    }
  });

  it('another user\'s folder is 403 whatever the request says about whose it is', async () => {
    const { put, get } = harness(env());
    const alice = await oidc.sign({ sub: 'alice' });
    for (const route of HTTP) {
      expectRefused(await send(put, route, JSON.stringify({ key: 'users/bob/a.txt' }), { headers: bearer(alice) }), 403, 'KeyNotAllowed');
      expectRefused(await send(get, route, JSON.stringify({ key: 'users/bob/a.txt' }), { headers: bearer(alice) }), 403, 'KeyNotAllowed');
      expectRefused(await send(put, route, JSON.stringify({ multipart: { key: 'users/bob/a.bin', uploadId: 'u', parts: 1 } }), { headers: bearer(alice) }), 403, 'KeyNotAllowed');
    }
  });
});

describe('nothing but verified credentials makes an identity', () => {
  // Anonymous callers pass the caller check here (a rule opens public/ to them): what they add is then an unknown
  // field (400), or nothing at all, and the key stays one only a signed-in caller may use (401).
  const impostors: [string, { body?: object; headers?: Record<string, string>; query?: Record<string, string> }, number, string][] = [
    ['a caller field in the body', { body: { key: 'users/alice/a.txt', caller: 'user' } }, 400, 'InvalidArgument'],
    ['a sub field in the body', { body: { key: 'users/alice/a.txt', sub: 'alice' } }, 400, 'InvalidArgument'],
    ['claims in the body', { body: { key: 'users/alice/a.txt', claims: { sub: 'alice', roles: ['admin'] } } }, 400, 'InvalidArgument'],
    ['a token in the query string', { body: { key: 'users/alice/a.txt' }, query: { authorization: 'Bearer x', access_token: 'x' } }, 400, 'InvalidArgument'],
    ['claims as FC\'s claimPassBy headers would pass them', { body: { key: 'users/alice/a.txt' }, headers: { sub: 'alice', 'x-jwt-sub': 'alice', 'x-fc-jwt-claims': '{"sub":"alice"}' } }, 401, 'Unauthorized'],
    ['an X-Acs-Action header', { body: { key: 'users/alice/a.txt' }, headers: { 'x-acs-action': 'InvokeFunction' } }, 401, 'Unauthorized'],
    ['a Basic Authorization header', { body: { key: 'users/alice/a.txt' }, headers: { authorization: 'Basic YWxpY2U6eA==' } }, 401, 'Unauthorized'],
    ['an empty bearer', { body: { key: 'users/alice/a.txt' }, headers: { authorization: 'Bearer ' } }, 401, 'Unauthorized'],
  ];

  it.each(impostors)('%s: refused, by HTTP trigger and API Gateway', async (_name, attempt, status, code) => {
    const { put } = harness(env());
    for (const route of HTTP) {
      const answer = await send(put, route, JSON.stringify(attempt.body), { headers: { 'content-type': 'application/json', ...attempt.headers }, ...(attempt.query ? { query: attempt.query } : {}) });
      expectRefused(answer, status, code);
    }
  });

  it('where no rule opens anything to anonymous callers, every one of them meets the caller check first: 401', async () => {
    const { put } = harness(env({ PRESIGN_RULES: JSON.stringify({ rules: [{ name: 'own', keys: ['users/{sub}/'], actions: ['put'] }] }) }));
    for (const [, attempt] of impostors) {
      for (const route of HTTP) {
        const answer = await send(put, route, JSON.stringify(attempt.body), { headers: { 'content-type': 'application/json', ...attempt.headers }, ...(attempt.query ? { query: attempt.query } : {}) });
        expectRefused(answer, 401, 'Unauthorized');
      }
    }
  });

  it('an anonymous caller reaches what a rule opens to anonymous callers, and nothing else', async () => {
    const { put, get } = harness(env());
    for (const route of HTTP) {
      expect((await send(get, route, JSON.stringify({ key: 'public/logo.png' }))).status).toBe(200);
      expectRefused(await send(put, route, JSON.stringify({ key: 'public/logo.png' })), 403, 'ActionNotAllowed');
      expectRefused(await send(get, route, JSON.stringify({ key: 'users/alice/a.txt' })), 401, 'Unauthorized');
    }
  });

  it('a forged token is never downgraded to anonymous, even where anonymous callers may read', async () => {
    const { get } = harness(env());
    const expired = await oidc.sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 3600 });
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE })).toString('base64url')}.`;
    for (const route of HTTP) {
      expectRefused(await send(get, route, JSON.stringify({ key: 'public/logo.png' }), { headers: bearer(expired) }), 401, 'TokenExpired');
      expectRefused(await send(get, route, JSON.stringify({ key: 'public/logo.png' }), { headers: bearer(noneAlg) }), 401, 'TokenAlgorithmNotAllowed');
    }
  });
});

describe('InvokeFunction and direct invocations under a JWT configuration', () => {
  it('a JWT issuer counts as a caller check: a genuine wrap is refused without AUTH_TRUST_INVOKE_FUNCTION, even where anonymous callers may read', async () => {
    const { put, get } = harness(env());
    for (const [handler, key] of [[put, 'users/alice/a.txt'], [get, 'public/a.txt']] as const) {
      const refused = await send(handler, 'wrapped', JSON.stringify({ key }));
      expectRefused(refused, 401, 'Unauthorized');
      expect(refused.error?.message).toMatch(/AUTH_TRUST_INVOKE_FUNCTION/);
    }
  });

  it('trusted wraps and direct calls are platform callers: users/{sub}/ covers nothing for them, a platform rule does', async () => {
    const trusting = harness(env({ AUTH_TRUST_INVOKE_FUNCTION: 'true', PRESIGN_RULES: rules([{ name: 'backend', keys: ['backend/'], actions: ['put'], callers: ['platform'] }]) }));
    for (const route of ['wrapped', 'direct'] as const) {
      expectRefused(await send(trusting.put, route, JSON.stringify({ key: 'users/alice/a.txt' })), route === 'direct' ? 0 : 403, 'KeyNotAllowed');
      expect((await send(trusting.put, route, JSON.stringify({ key: 'backend/a.txt' }))).status).toBe(200);
    }
    expect(trusting.logs.map((l) => l.caller)).toEqual(['platform', 'platform', 'platform', 'platform']);
    for (const route of HTTP) expectRefused(await send(trusting.put, route, JSON.stringify({ key: 'backend/a.txt' }), { headers: bearer(await oidc.sign({ sub: 'alice' })) }), 403, 'CallerNotAllowed');
  });
});

describe('after the identity suite', () => {
  it('Object.prototype is unchanged', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(prototypeBefore);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
