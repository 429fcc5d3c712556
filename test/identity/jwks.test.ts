import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJwks, KID_REFETCH_MS, keySetOf, MAX_JWKS_BYTES, remoteKeySource, type KeySet } from '../../shared/identity/jwks';
import { ServiceError } from '../../shared/errors';
import { startLocalOidc, type LocalOidc } from '../../scripts/local-oidc/server';

/**
 * The issuer's keys, unit by unit: what a JWKS document may hold, what fetching one meets when the issuer (or the
 * network) misbehaves, and how the fetched keys are shared and refetched. The issuer is a real HTTP server on
 * loopback: the local OIDC issuer (scripts/local-oidc) for keys, and a bare server here for bodies no issuer sends.
 */
const ecKey = (kid?: string) => ({ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', ...(kid === undefined ? {} : { kid }) });

describe('keySetOf: the usable keys of a JWKS document', () => {
  it('at most 100 keys', () => {
    const keys = Array.from({ length: 100 }, (_, i) => ecKey(`k${i}`));
    expect(keySetOf({ keys } as never)).toMatchObject({ keys: expect.any(Array) });
    expect(keySetOf({ keys: [...keys, ecKey('one-more')] } as never)).toBe('it holds more than 100 keys');
  });

  it('a key without a kid is kept, and adds no kid to the set', () => {
    const set = keySetOf({ keys: [ecKey(), ecKey('named')] } as never) as KeySet;
    expect(set.keys).toHaveLength(2);
    expect([...set.kids]).toEqual(['named']);
  });

  it('only public signature keys with a text kid are kept: private (d), encryption-only and odd-kid keys are dropped', () => {
    const set = keySetOf({ keys: [{ ...ecKey('private'), d: 'secret' }, { ...ecKey('enc'), use: 'enc' }, { ...ecKey(), kid: 5 }, { ...ecKey('sig'), use: 'sig' }] } as never) as KeySet;
    expect(set.keys.map((key) => key.kid)).toEqual(['sig']);
  });
});

/** A bare HTTP server on loopback that answers every request with `respond`. */
async function serve(respond: (res: http.ServerResponse) => void): Promise<{ url: URL; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => respond(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/jwks`),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('fetchJwks: what a misbehaving issuer meets', () => {
  it.each([
    ['a JWKS over 64 KB', (res: http.ServerResponse) => {
      // A well-formed JWKS, padded: only the size bound refuses it.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [ecKey('a')], padding: 'x'.repeat(MAX_JWKS_BYTES) }));
    }, `the JWKS is over ${MAX_JWKS_BYTES} bytes`],
    ['an error status, even over a JWKS body', (res: http.ServerResponse) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [ecKey('a')] }));
    }, 'the issuer answered HTTP 404'],
    ['a connection cut in the middle of the body', (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"keys":[');
      setTimeout(() => res.socket?.destroy(), 20);
    }, 'the connection failed'],
    ['more than 20,000 values within 64 KB', (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"keys":[${new Array(25_000).fill('0').join(',')}]}`);
    }, 'it holds more than 20000 values'],
    ['nested deeper than 8 levels', (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"keys":[${'['.repeat(20)}${']'.repeat(20)}]}`);
    }, 'it is nested deeper than 8 levels'],
  ])('%s: a sentence saying so, never a throw', async (_name, respond, why) => {
    const issuer = await serve(respond);
    try {
      expect(await fetchJwks(issuer.url, 2000)).toBe(why);
    } finally {
      await issuer.close();
    }
  });
});

describe('fetchJwks: the exchange with a working issuer', () => {
  /** A JWKS of exactly `size` bytes (padded with spaces, which JSON ignores). */
  const jwksOfSize = (size: number) => {
    const text = JSON.stringify({ keys: [ecKey('a')] });
    return text + ' '.repeat(size - Buffer.byteLength(text));
  };

  it('asks for JSON, and takes a JWKS of exactly 64 KB', async () => {
    const accepts: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      accepts.push(req.headers.accept);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(jwksOfSize(MAX_JWKS_BYTES));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      expect(await fetchJwks(url, 2000)).toMatchObject({ kids: new Set(['a']) });
      expect(accepts).toEqual(['application/json']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a refused connection says so at once, not when the deadline passes', async () => {
    const issuer = await serve(() => undefined);
    await issuer.close();
    const started = Date.now();
    expect(await fetchJwks(issuer.url, 20_000)).toBe('the issuer could not be reached');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('an issuer that never answers: a sentence naming the deadline', async () => {
    const issuer = await serve(() => undefined);
    try {
      expect(await fetchJwks(issuer.url, 100)).toBe('no answer within 100 ms');
    } finally {
      await issuer.close();
    }
  });

  it('an https URL is fetched over TLS: a closed port says so, never a throw', async () => {
    const issuer = await serve(() => undefined);
    await issuer.close();
    const url = new URL(issuer.url);
    url.protocol = 'https:';
    expect(await fetchJwks(url, 2000)).toBe('the issuer could not be reached');
  });

  it('clears its deadline once the exchange is over (no timer left to hold the instance)', async () => {
    const issuer = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [ecKey('a')] }));
    });
    const set = jest.spyOn(global, 'setTimeout');
    const clear = jest.spyOn(global, 'clearTimeout');
    try {
      expect(await fetchJwks(issuer.url, 60_000)).toMatchObject({ kids: new Set(['a']) });
      const deadline = set.mock.results[set.mock.calls.findIndex((call) => call[1] === 60_000)]?.value;
      expect(deadline).toBeDefined();
      // The request closes just after its response ends.
      for (let i = 0; i < 50 && !clear.mock.calls.some(([handle]) => handle === deadline); i++) await new Promise((resolve) => setImmediate(resolve));
      expect(clear.mock.calls.some(([handle]) => handle === deadline)).toBe(true);
    } finally {
      set.mockRestore();
      clear.mockRestore();
      await issuer.close();
    }
  });
});

describe('remoteKeySource: sharing and refetching the keys', () => {
  let oidc: LocalOidc;
  let clock = 0;
  beforeAll(async () => {
    oidc = await startLocalOidc({ algorithms: ['ES256'] });
  });
  afterAll(() => oidc.close());
  beforeEach(() => {
    clock = Date.now();
    oidc.setJwksBehaviour({});
  });
  const source = () => remoteKeySource({ url: new URL(oidc.jwksUrl), timeoutMs: 300, cacheMs: 600_000, maxStaleMs: 3_600_000, now: () => clock });

  it('keys held and fresh: a known kid or none is served from them, however long since the last fetch within the cache time', async () => {
    const keys = source();
    const kid = oidc.keys()[0]?.kid;
    await keys.keysFor(kid);
    const before = oidc.jwksFetches();
    clock += KID_REFETCH_MS + 1;
    await keys.keysFor(kid);
    await keys.keysFor(undefined);
    clock += 500_000;
    await keys.keysFor(kid);
    expect(oidc.jwksFetches() - before).toBe(0);
  });

  it('a kid the keys lack is fetched again exactly a minute after the last fetch; the keys are fetched again exactly at the cache time', async () => {
    const keys = source();
    await keys.keysFor(undefined);
    const before = oidc.jwksFetches();
    clock += KID_REFETCH_MS;
    await keys.keysFor('not-published');
    expect(oidc.jwksFetches() - before).toBe(1);
    clock += 600_000;
    await keys.keysFor(undefined);
    expect(oidc.jwksFetches() - before).toBe(2);
  });

  it('the issuer down later: the keys are served up to exactly the cache time plus AUTH_JWKS_MAX_STALE_SECONDS, then 503 saying why', async () => {
    const keys = source();
    await keys.keysFor(undefined);
    oidc.setJwksBehaviour({ down: true });
    clock += 600_000 + 3_600_000;
    expect((await keys.keysFor(undefined)).keys.length).toBeGreaterThan(0);
    clock += 1;
    await expect(keys.keysFor(undefined)).rejects.toMatchObject({
      code: 'IdentityProviderUnavailable',
      status: 503,
      message: 'the token issuer\'s keys cannot be had right now (the keys last fetched are too old, and fetching them again failed: the issuer answered HTTP 503); retry shortly',
    });
  });

  it('callers arriving together at a cold start wait for one fetch, and all get the keys', async () => {
    const keys = source();
    const before = oidc.jwksFetches();
    const sets = await Promise.all([keys.keysFor(undefined), keys.keysFor(undefined), keys.keysFor(undefined)]);
    expect(oidc.jwksFetches() - before).toBe(1);
    expect(sets[1]).toBe(sets[0]);
    expect(sets[2]).toBe(sets[0]);
  });

  it('the issuer down at a cold start: 503 saying why, and for 5 s more callers get the same answer without a fetch', async () => {
    const keys = source();
    oidc.setJwksBehaviour({ down: true });
    const why = 'the token issuer\'s keys cannot be had right now (the issuer answered HTTP 503); retry shortly';
    const before = oidc.jwksFetches();
    await expect(keys.keysFor(undefined)).rejects.toMatchObject({ code: 'IdentityProviderUnavailable', status: 503, retryable: true, message: why });
    clock += 4_000;
    await expect(keys.keysFor(undefined)).rejects.toMatchObject({ code: 'IdentityProviderUnavailable', message: why });
    expect(oidc.jwksFetches() - before).toBe(1);
    oidc.setJwksBehaviour({});
    clock += 1_000;
    expect((await keys.keysFor(undefined)).keys.length).toBeGreaterThan(0);
    expect(oidc.jwksFetches() - before).toBe(2);
  });

  it('a kid the keys lack, when fetching them again failed: 503, retryable (the issuer may have a new key), while known kids still verify', async () => {
    const keys = source();
    const known = [...(await keys.keysFor(undefined)).kids][0] as string;
    oidc.setJwksBehaviour({ down: true });
    clock += 61_000;
    const refused = await keys.keysFor('a-new-key').then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({
      code: 'IdentityProviderUnavailable',
      status: 503,
      retryable: true,
      message: 'the token issuer\'s keys cannot be had right now (the token names a key not fetched yet, and fetching the keys failed: the issuer answered HTTP 503); retry shortly',
    });
    expect((await keys.keysFor(known)).kids.has(known)).toBe(true);
  });
});
