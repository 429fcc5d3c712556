import { ServiceError } from '../../shared/errors';
import { createCredentialResolver } from '../../shared/credentials';
import { makeTestPki } from '../../scripts/local-cloud/test-ca';
import { startLocalCredentialsUri, type LocalCredentialsUri } from '../../scripts/local-cloud/local-credentials-uri';
import { CredentialStore, expectNoSecrets, manualClock, recordingLogger } from './helpers';

const servers: LocalCredentialsUri[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function setup(opts: { tls?: boolean; ca?: string } = {}) {
  const clock = manualClock();
  const store = new CredentialStore();
  const pki = opts.tls ? makeTestPki() : undefined;
  const uri = await startLocalCredentialsUri({ store, now: clock.now, ...(pki ? { tls: pki } : {}) });
  servers.push(uri);
  const logger = recordingLogger();
  // Off FC (no FC_* vars), no env keys: the URI is the first source that answers.
  const resolver = createCredentialResolver({ env: { ALIBABA_CLOUD_CREDENTIALS_URI: uri.url }, now: clock.now, logger, ...(pki ? { ca: pki.caCert } : {}) });
  return { clock, store, uri, resolver, logger };
}

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ServiceError); return e as ServiceError; }
  throw new Error('expected a rejection');
}

describe('ALIBABA_CLOUD_CREDENTIALS_URI against a local server', () => {
  test('good JSON: keys and exact Expiration; cached until 5 min before expiry; forceRefresh refetches', async () => {
    const { clock, store, uri, resolver } = await setup();
    const got = await resolver.resolve(undefined);
    expect(got).toMatchObject({ source: 'credentials-uri', expiry: 'known' });
    const issued = store.lookup(got.credentials.accessKeyId);
    expect(issued?.accessKeySecret).toBe(got.credentials.accessKeySecret);
    expect(got.credentials.securityToken).toBe(issued?.securityToken);
    expect(got.expiration?.getTime()).toBe(clock.now() + 3600_000);
    await resolver.resolve({ credentials: {} });
    expect(uri.requests).toBe(1);
    clock.set(got.expiration!.getTime() - 301_000);
    await resolver.resolve(undefined);
    expect(uri.requests).toBe(1);
    clock.set(got.expiration!.getTime() - 300_000);
    const refreshed = await resolver.resolve(undefined);
    expect(uri.requests).toBe(2);
    expect(refreshed.credentials.accessKeyId).not.toBe(got.credentials.accessKeyId);
    await resolver.resolve(undefined, { forceRefresh: true });
    expect(uri.requests).toBe(3);
  });

  test('over https with the test CA', async () => {
    const { resolver, uri } = await setup({ tls: true });
    expect(uri.url).toMatch(/^https:/);
    expect((await resolver.resolve(undefined)).source).toBe('credentials-uri');
  });

  test.each([
    ['garbage', /did not answer a JSON object/, false],
    ['error-500', /answered HTTP 500/, true],
    ['code-failure', /answered Code "Failure"/, false],
    ['missing-token', /without SecurityToken/, false],
    ['bad-expiration', /without a valid Expiration/, false],
  ] as const)('%s → CredentialsUnavailable without echoing the body (which holds a secret)', async (mode, pattern, retryable) => {
    const { resolver, uri, logger } = await setup();
    uri.mode = mode;
    const err = await rejection(resolver.resolve(undefined));
    expect(err.code).toBe('CredentialsUnavailable');
    expect(err.message).toMatch(pattern);
    expect(err.retryable).toBe(retryable);
    // The server put a freshly generated secret in every broken answer; the URI fetcher never quotes bodies.
    expect(err.message).not.toMatch(/[A-Za-z0-9]{30,}/);
    expectNoSecrets([err.message, ...logger.lines], []);
  });

  test('unreachable URI → retryable CredentialsUnavailable naming the URI without its query', async () => {
    const { uri } = await setup();
    await uri.close();
    servers.length = 0;
    const resolver = createCredentialResolver({ env: { ALIBABA_CLOUD_CREDENTIALS_URI: `${uri.url}?token=QUERY-SECRET-77` } });
    const err = await rejection(resolver.resolve(undefined));
    expect(err).toMatchObject({ code: 'CredentialsUnavailable', retryable: true });
    expect(err.message).toContain(uri.url);
    expect(err.message).not.toContain('QUERY-SECRET-77');
  });
});
