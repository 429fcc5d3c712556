import fc from 'fast-check';
import { ConfigError, ServiceError } from '../../shared/errors';
import { capLifetime, readExpiryPolicy, resolveSigningLifetime, OSS_MAX_EXPIRES, type ExpiryPolicy } from '../../shared/expiry';
import type { CredentialResolver, ResolvedCredentials } from '../../shared/credentials';

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const DEFAULTS = readExpiryPolicy({});
const KEY = { accessKeyId: 'STS.k', accessKeySecret: 's', securityToken: 't' };
const known = (secondsLeft: number, now = NOW): ResolvedCredentials => ({ credentials: KEY, expiration: new Date(now + secondsLeft * 1000), expiry: 'known', source: 'signer-role' });
const unknown: ResolvedCredentials = { credentials: KEY, expiration: null, expiry: 'unknown', source: 'fc-context' };
const longTerm: ResolvedCredentials = { credentials: { accessKeyId: 'LTAI', accessKeySecret: 's' }, expiration: null, expiry: 'none', source: 'environment' };

describe('readExpiryPolicy', () => {
  test('defaults', () => {
    expect(DEFAULTS).toEqual({ defaultExpires: 900, maxExpires: 604800, unknownTokenMaxExpires: 3600, clockSkewSeconds: 60 });
  });
  test.each([
    ['PRESIGN_DEFAULT_EXPIRES', '0'], ['PRESIGN_DEFAULT_EXPIRES', '15m'], ['PRESIGN_DEFAULT_EXPIRES', '-5'],
    ['PRESIGN_MAX_EXPIRES', '604801'], ['PRESIGN_MAX_EXPIRES', '1.5'],
    ['PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES', '0'], ['PRESIGN_CLOCK_SKEW_SECONDS', '3601'], ['PRESIGN_CLOCK_SKEW_SECONDS', 'sixty'],
  ])('%s=%s → ConfigError naming it', (name, value) => {
    let caught: unknown;
    try { readExpiryPolicy({ [name]: value }); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as ConfigError).message).toContain(name);
  });
  test('a default above the max is a ConfigError; a small max lowers the implicit default', () => {
    expect(() => readExpiryPolicy({ PRESIGN_DEFAULT_EXPIRES: '7200', PRESIGN_MAX_EXPIRES: '3600' })).toThrow(/PRESIGN_DEFAULT_EXPIRES/);
    expect(() => readExpiryPolicy({ PRESIGN_DEFAULT_EXPIRES: '3601', PRESIGN_MAX_EXPIRES: '3600' })).toThrow(
      expect.objectContaining({ variable: 'PRESIGN_DEFAULT_EXPIRES', message: 'PRESIGN_DEFAULT_EXPIRES: (3601) must not exceed PRESIGN_MAX_EXPIRES (3600)' }),
    );
    expect(readExpiryPolicy({ PRESIGN_DEFAULT_EXPIRES: '3600', PRESIGN_MAX_EXPIRES: '3600' }).defaultExpires).toBe(3600);
    expect(readExpiryPolicy({ PRESIGN_MAX_EXPIRES: '300' }).defaultExpires).toBe(300);
  });
});

describe('capLifetime', () => {
  const cap = (requested: number | undefined, token: ResolvedCredentials, policy: ExpiryPolicy = DEFAULTS) => capLifetime({ requested, nowMs: NOW, token, policy });

  test('honoured as is: by null', () => {
    expect(cap(600, known(3600))).toMatchObject({ expiresIn: 600, cap: { requested: 600, applied: 600, by: null, tokenExpiration: new Date(NOW + 3600_000).toISOString() } });
    expect(cap(undefined, longTerm)).toMatchObject({ expiresIn: 900, cap: { requested: 900, by: null, tokenExpiration: null } });
  });
  test('token: expiry − now − skew, floored to whole seconds', () => {
    expect(cap(7200, known(2400))).toMatchObject({ expiresIn: 2340, cap: { by: 'token', applied: 2340 } });
    const fractional = capLifetime({ requested: 7200, nowMs: NOW + 400, token: known(2400), policy: DEFAULTS });
    expect(fractional.expiresIn).toBe(2339);
  });
  test('unknown token → PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES', () => {
    expect(cap(86400, unknown)).toMatchObject({ expiresIn: 3600, cap: { by: 'unknown-token', tokenExpiration: null } });
  });
  test('7 days is OSS\'s hard limit; a lower configured max says max', () => {
    expect(cap(10 ** 9, longTerm)).toMatchObject({ expiresIn: OSS_MAX_EXPIRES, cap: { by: '7d' } });
    expect(cap(10 ** 9, longTerm, { ...DEFAULTS, maxExpires: 86400 })).toMatchObject({ expiresIn: 86400, cap: { by: 'max' } });
  });
  test('a spent token gives an applied value below 1 (the caller must refuse)', () => {
    expect(cap(900, known(30)).expiresIn).toBeLessThan(1);
  });
  test('non-integers and values below 1 are InvalidArgument on the field', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => cap(bad, longTerm)).toThrow(ServiceError);
      try { cap(bad, longTerm); } catch (e) { expect((e as ServiceError).field).toBe('expires'); }
    }
    expect(() => capLifetime({ requested: 60, minExpires: 0, nowMs: NOW, token: longTerm, policy: DEFAULTS })).toThrow(/minExpires/);
  });
});

/** A resolver over a fixed list of answers: the first for a normal resolve, the next ones for forceRefresh calls. */
function scripted(first: ResolvedCredentials, refreshed: ResolvedCredentials[]): CredentialResolver & { calls: { forceRefresh: boolean }[] } {
  const calls: { forceRefresh: boolean }[] = [];
  const queue = [...refreshed];
  return {
    calls,
    async resolve(_ctx, opts) {
      calls.push({ forceRefresh: opts?.forceRefresh === true });
      if (opts?.forceRefresh) {
        const next = queue.shift();
        if (!next) throw new Error('no more refreshes scripted');
        return next;
      }
      return first;
    },
  };
}

/** A resolver whose token has 40 s left (below the skew: nothing usable) and whose forced refresh throws `thrown`. */
function refreshThrows(thrown: unknown): CredentialResolver {
  return {
    async resolve(_ctx, opts) {
      if (opts?.forceRefresh) throw thrown;
      return known(40);
    },
  };
}

describe('resolveSigningLifetime', () => {
  test('returns credentials, expiresIn, expiration and cap; no refresh when enough is left', async () => {
    const r = scripted(known(3600), []);
    const out = await resolveSigningLifetime(r, undefined, { requested: 1200 }, DEFAULTS, () => NOW);
    expect(out).toMatchObject({ expiresIn: 1200, signedAt: NOW, expiration: new Date(NOW + 1200_000).toISOString(), source: 'signer-role', cap: { by: null } });
    expect(r.calls).toEqual([{ forceRefresh: false }]);
  });
  test('below minExpires → one forced refresh, then the longer token is used', async () => {
    const r = scripted(known(400), [known(3600)]);
    const out = await resolveSigningLifetime(r, undefined, { requested: 1200, minExpires: 600 }, DEFAULTS, () => NOW);
    expect(out.expiresIn).toBe(1200);
    expect(r.calls).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
  });
  test('exactly minExpires (or exactly 1 s) usable is enough: granted as is, with no refresh', async () => {
    const exact = scripted(known(3600), []);
    expect((await resolveSigningLifetime(exact, undefined, { requested: 600, minExpires: 600 }, DEFAULTS, () => NOW)).expiresIn).toBe(600);
    expect(exact.calls).toEqual([{ forceRefresh: false }]);
    const lastSecond = scripted(known(DEFAULTS.clockSkewSeconds + 1), []);
    expect((await resolveSigningLifetime(lastSecond, undefined, {}, DEFAULTS, () => NOW)).expiresIn).toBe(1);
    expect(lastSecond.calls).toEqual([{ forceRefresh: false }]);
  });
  test('still short after the refresh → 503 TokenNearExpiry, retryable', async () => {
    const r = scripted(known(40), [known(50)]);
    let caught: unknown;
    try { await resolveSigningLifetime(r, undefined, {}, DEFAULTS, () => NOW); } catch (e) { caught = e; }
    expect(caught).toMatchObject({ code: 'TokenNearExpiry', status: 503, retryable: true });
    expect((caught as Error).message).toBe('The signing credentials expire too soon (0 s usable, 1 s needed) and a refresh did not give longer-lived ones; retry shortly.');
    expect(r.calls).toHaveLength(2);
    // A refresh that gives exactly enough is enough.
    const justEnough = scripted(known(400), [known(DEFAULTS.clockSkewSeconds + 600)]);
    expect((await resolveSigningLifetime(justEnough, undefined, { requested: 900, minExpires: 600 }, DEFAULTS, () => NOW)).expiresIn).toBe(600);
  });

  test('a refresh that fails for good, or that the credentials already call TokenNearExpiry, is answered as itself', async () => {
    const denied = new ServiceError('CredentialsUnavailable', 500, 'NoPermission', { retryable: false });
    const nearEnd = new ServiceError('TokenNearExpiry', 503, 'The signing session has 5 s left', { retryable: true });
    for (const thrown of [denied, nearEnd]) {
      await expect(resolveSigningLifetime(refreshThrows(thrown), undefined, {}, DEFAULTS, () => NOW)).rejects.toBe(thrown);
    }
  });
  test('a refresh that fails in passing (a retryable error, or not even a ServiceError) → 503 TokenNearExpiry naming the failure', async () => {
    const slow = new ServiceError('CredentialsUnavailable', 503, 'STS AssumeRole timed out after 3000 ms', { retryable: true });
    const cases: [unknown, string][] = [
      [slow, 'STS AssumeRole timed out after 3000 ms'],
      [new TypeError('fetch failed'), 'fetch failed'],
      ['a thrown string', 'unknown error'],
    ];
    for (const [thrown, why] of cases) {
      const error = await resolveSigningLifetime(refreshThrows(thrown), undefined, {}, DEFAULTS, () => NOW).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ code: 'TokenNearExpiry', status: 503, retryable: true });
      expect((error as ServiceError).message).toBe(`The signing credentials expire too soon (0 s usable, 1 s needed) and the refresh failed: ${why}; retry shortly.`);
    }
  });
  test('minExpires above what any token could give (unknown-token cap) → 400 on minExpires, no refresh', async () => {
    const r = scripted(unknown, []);
    await expect(resolveSigningLifetime(r, undefined, { requested: 7200, minExpires: 5000 }, DEFAULTS, () => NOW)).rejects.toMatchObject({ code: 'InvalidArgument', field: 'minExpires', status: 400 });
    expect(r.calls).toHaveLength(1);
  });
  test('the 400 says what the most is and which settings make it; the unknown-token cap only where the token\'s expiry is unknown', async () => {
    const said = (resolved: ResolvedCredentials, request: { requested?: number; minExpires: number }) =>
      resolveSigningLifetime(scripted(resolved, []), undefined, request, DEFAULTS, () => NOW).then(() => 'granted', (e: unknown) => (e as ServiceError).message);
    expect(await said(unknown, { requested: 7200, minExpires: 5000 })).toBe('minExpires 5000 s is more than this request can ever be granted: 3600 s, '
      + 'the smallest of expires (or the default), PRESIGN_MAX_EXPIRES, 7 days and PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES (the token\'s expiry is unknown)');
    expect(await said(known(86_400), { requested: 600, minExpires: 601 })).toBe('minExpires 601 s is more than this request can ever be granted: 600 s, '
      + 'the smallest of expires (or the default), PRESIGN_MAX_EXPIRES, 7 days');
    expect(await said(longTerm, { minExpires: 901 })).toMatch(/^minExpires 901 s is more than this request can ever be granted: 900 s, the smallest of expires \(or the default\), PRESIGN_MAX_EXPIRES, 7 days$/);
  });
});

describe('property: the URL never outlives its token, 7 days or the max, and is never below 1 s', () => {
  const policyArb = fc.record({
    maxExpires: fc.integer({ min: 1, max: OSS_MAX_EXPIRES }),
    unknownTokenMaxExpires: fc.integer({ min: 1, max: OSS_MAX_EXPIRES }),
    clockSkewSeconds: fc.integer({ min: 0, max: 3600 }),
  }).chain((p) => fc.integer({ min: 1, max: p.maxExpires }).map((defaultExpires) => ({ ...p, defaultExpires })));
  const tokenArb = (nowMs: number) => fc.oneof(
    // Known expiry anywhere from 2 h ago to 13 h ahead, at millisecond resolution.
    fc.integer({ min: -7_200_000, max: 46_800_000 }).map((ms): ResolvedCredentials => ({ credentials: KEY, expiration: new Date(nowMs + ms), expiry: 'known', source: 'signer-role' })),
    fc.constant(unknown),
    fc.constant(longTerm),
  );
  const requestedArb = fc.option(fc.oneof(fc.integer({ min: 1, max: 2 * OSS_MAX_EXPIRES }), fc.constant(Number.MAX_SAFE_INTEGER)), { nil: undefined });

  test('capLifetime', () => {
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).chain((nowMs) => fc.tuple(fc.constant(nowMs), tokenArb(nowMs))),
      policyArb, requestedArb,
      ([nowMs, token], policy, requested) => {
        const { expiresIn, cap } = capLifetime({ requested, nowMs, token, policy });
        const asked = requested ?? policy.defaultExpires;
        expect(Number.isInteger(expiresIn)).toBe(true);
        expect(cap.applied).toBe(expiresIn);
        expect(cap.requested).toBe(asked);
        expect(expiresIn).toBeLessThanOrEqual(asked);
        expect(expiresIn).toBeLessThanOrEqual(policy.maxExpires);
        expect(expiresIn).toBeLessThanOrEqual(OSS_MAX_EXPIRES);
        if (token.expiry === 'known') expect(nowMs + expiresIn * 1000).toBeLessThanOrEqual(token.expiration!.getTime() - policy.clockSkewSeconds * 1000);
        if (token.expiry === 'unknown') expect(expiresIn).toBeLessThanOrEqual(policy.unknownTokenMaxExpires);
        expect(cap.by === null).toBe(expiresIn === asked);
        if (cap.by === 'max') expect(expiresIn).toBe(policy.maxExpires);
        if (cap.by === '7d') expect(expiresIn).toBe(OSS_MAX_EXPIRES);
        if (cap.by === 'unknown-token') expect(expiresIn).toBe(policy.unknownTokenMaxExpires);
      },
    ), { numRuns: 5000 });
  });

  test('resolveSigningLifetime: either a lifetime >= max(1, minExpires) within every bound, or TokenNearExpiry / InvalidArgument, after at most one refresh', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).chain((nowMs) => fc.tuple(fc.constant(nowMs), tokenArb(nowMs), tokenArb(nowMs))),
      policyArb, requestedArb, fc.option(fc.integer({ min: 1, max: 8 * 86400 }), { nil: undefined }),
      async ([nowMs, first, second], policy, requested, minExpires) => {
        const r = scripted(first, [second]);
        let out: Awaited<ReturnType<typeof resolveSigningLifetime>> | undefined;
        let error: unknown;
        try { out = await resolveSigningLifetime(r, undefined, { requested, minExpires }, policy, () => nowMs); } catch (e) { error = e; }
        expect(r.calls.filter((c) => c.forceRefresh).length).toBeLessThanOrEqual(1);
        if (out) {
          const used = r.calls.length === 2 ? second : first;
          expect(out.expiresIn).toBeGreaterThanOrEqual(Math.max(1, minExpires ?? 1));
          expect(out.expiresIn).toBeLessThanOrEqual(Math.min(requested ?? policy.defaultExpires, policy.maxExpires, OSS_MAX_EXPIRES));
          expect(Date.parse(out.expiration)).toBe(nowMs + out.expiresIn * 1000);
          if (used.expiry === 'known') expect(Date.parse(out.expiration)).toBeLessThanOrEqual(used.expiration!.getTime() - policy.clockSkewSeconds * 1000);
          if (used.expiry === 'unknown') expect(out.expiresIn).toBeLessThanOrEqual(policy.unknownTokenMaxExpires);
        } else {
          expect(error).toBeInstanceOf(ServiceError);
          expect(['TokenNearExpiry', 'InvalidArgument']).toContain((error as ServiceError).code);
          if ((error as ServiceError).code === 'TokenNearExpiry') expect(r.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
        }
      },
    ), { numRuns: 3000 });
  });
});
