import { ServiceError, ConfigError } from '../../shared/errors';
import { createCredentialResolver, readCredentialConfig, stsEndpointFor } from '../../shared/credentials';
import { presign } from '../../shared/signing';
import { expectNoSecrets } from './helpers';

const SECRET = 'SECRET-ctx-4e2b91-DO-NOT-LEAK';
const TOKEN = 'TOKEN-ctx-77aa-DO-NOT-LEAK';
const ON_FC = { FC_FUNCTION_NAME: 'presign-get', FC_REGION: 'cn-hangzhou' };

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ServiceError); return e as ServiceError; }
  throw new Error('expected a rejection');
}

describe('FC context credentials', () => {
  test('used as is, expiry unknown, re-read on every invocation (rotation picked up at once)', async () => {
    const resolver = createCredentialResolver({ env: ON_FC });
    const a = await resolver.resolve({ credentials: { accessKeyId: 'STS.ctxA', accessKeySecret: SECRET, securityToken: TOKEN } });
    expect(a).toEqual({ credentials: { accessKeyId: 'STS.ctxA', accessKeySecret: SECRET, securityToken: TOKEN }, expiration: null, expiry: 'unknown', source: 'fc-context' });
    const b = await resolver.resolve({ credentials: { accessKeyId: 'STS.ctxB', accessKeySecret: 'SECRET-b', securityToken: 'TOKEN-b' } });
    expect(b.credentials).toEqual({ accessKeyId: 'STS.ctxB', accessKeySecret: 'SECRET-b', securityToken: 'TOKEN-b' });
  });

  test('an unchanged context key gets the same credentials object back, each invocation with fresh context objects', async () => {
    const resolver = createCredentialResolver({ env: ON_FC });
    // FC builds a new context (and a new credentials object) per invocation: only the values are the same.
    const ctx = () => ({ credentials: { accessKeyId: 'STS.ctxA', accessKeySecret: SECRET, securityToken: TOKEN } });
    const a = await resolver.resolve(ctx());
    const b = await resolver.resolve(ctx());
    expect(b).toBe(a);
    expect(b.credentials).toBe(a.credentials);
    expect(Object.isFrozen(a.credentials)).toBe(true);
    // Surrounding whitespace is trimmed before comparing, as before building.
    expect((await resolver.resolve({ credentials: { accessKeyId: ' STS.ctxA', accessKeySecret: SECRET, securityToken: `${TOKEN} ` } })).credentials).toBe(a.credentials);
    // Another resolver (another instance) has its own memo.
    expect((await createCredentialResolver({ env: ON_FC }).resolve(ctx())).credentials).not.toBe(a.credentials);
  });

  test.each([
    ['the security token', { securityToken: 'TOKEN-ctx-rotated' }],
    ['the secret', { accessKeySecret: 'SECRET-ctx-rotated' }],
    ['the key id', { accessKeyId: 'STS.ctxRotated' }],
  ])('a change in %s alone gives a new credentials object at once, and a new signature', async (_what, change) => {
    const resolver = createCredentialResolver({ env: ON_FC });
    const before = { accessKeyId: 'STS.ctxA', accessKeySecret: SECRET, securityToken: TOKEN };
    const a = await resolver.resolve({ credentials: before });
    const b = await resolver.resolve({ credentials: { ...before, ...change } });
    expect(b.credentials).not.toBe(a.credentials);
    expect(b.credentials).toEqual({ ...before, ...change });
    const sign = (credentials: typeof a.credentials) => new URL(presign({ method: 'PUT', bucket: 'examplebucket', key: 'a.txt', region: 'cn-hangzhou', expires: 60, credentials, now: () => Date.UTC(2026, 0, 1) }).url);
    const [urlA, urlB] = [sign(a.credentials), sign(b.credentials)];
    expect(urlB.searchParams.get('x-oss-signature')).not.toBe(urlA.searchParams.get('x-oss-signature'));
    if ('securityToken' in change) expect(urlB.searchParams.get('x-oss-security-token')).toBe(change.securityToken);
    // Back to the first key: a new object again (the memo holds one entry), with the first signature.
    const c = await resolver.resolve({ credentials: before });
    expect(c.credentials).not.toBe(b.credentials);
    expect(sign(c.credentials).searchParams.get('x-oss-signature')).toBe(urlA.searchParams.get('x-oss-signature'));
  });

  test('no role on FC (credentials {}) → 500 CredentialsUnavailable naming the s.yaml fix, no stack', async () => {
    const resolver = createCredentialResolver({ env: ON_FC });
    for (const context of [{ credentials: {} }, {}, undefined, { credentials: { accessKeyId: '', accessKeySecret: '' } }]) {
      const err = await rejection(resolver.resolve(context));
      expect(err).toMatchObject({ code: 'CredentialsUnavailable', status: 500, retryable: false });
      expect(err.message).toContain('s.yaml');
      expect(err.message).toContain('`role`');
      expect(err.message).not.toMatch(/\n\s+at /);
    }
  });

  test('on FC with no context credentials, FC\'s ALIBABA_CLOUD_* variables are used', async () => {
    const resolver = createCredentialResolver({ env: { ...ON_FC, ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.envkey', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN } });
    expect(await resolver.resolve({ credentials: {} })).toMatchObject({ source: 'environment', expiry: 'unknown' });
  });

  test('half a key is an error naming the missing field, never the value', async () => {
    const resolver = createCredentialResolver({ env: ON_FC });
    const e1 = await rejection(resolver.resolve({ credentials: { accessKeyId: 'STS.x', securityToken: TOKEN } }));
    expect(e1.message).toContain('context.credentials.accessKeySecret is missing');
    const e2 = await rejection(resolver.resolve({ credentials: { accessKeyId: 'STS.x', accessKeySecret: SECRET } }));
    expect(e2.message).toContain('securityToken is missing');
    expectNoSecrets([e1.message, e2.message], [SECRET, TOKEN]);
  });
});

describe('environment off FC', () => {
  test('ALIBABA_CLOUD_* long-term key → expiry none', async () => {
    const resolver = createCredentialResolver({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tLongTermKey', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET } });
    expect(await resolver.resolve(undefined)).toEqual({ credentials: { accessKeyId: 'LTAI5tLongTermKey', accessKeySecret: SECRET }, expiration: null, expiry: 'none', source: 'environment' });
  });

  test('the seeds\' OSS_* names, with a session token → expiry unknown; ALIBABA_CLOUD_* wins when both are set', async () => {
    const seeds = { OSS_ACCESS_KEY_ID: 'STS.seed', OSS_ACCESS_KEY_SECRET: SECRET, OSS_SESSION_TOKEN: TOKEN };
    expect(await createCredentialResolver({ env: seeds }).resolve(undefined)).toMatchObject({ expiry: 'unknown', credentials: { accessKeyId: 'STS.seed', securityToken: TOKEN } });
    const both = createCredentialResolver({ env: { ...seeds, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIboth', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x-secret' } });
    expect((await both.resolve(undefined)).credentials.accessKeyId).toBe('LTAIboth');
  });

  test('env is read per call: a changed variable is used on the next invocation', async () => {
    const env: Record<string, string> = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIone', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'one-secret' };
    const resolver = createCredentialResolver({ env });
    expect((await resolver.resolve(undefined)).credentials.accessKeyId).toBe('LTAIone');
    env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAItwo';
    expect((await resolver.resolve(undefined)).credentials.accessKeyId).toBe('LTAItwo');
  });

  test('an STS. key without its token, or half a key, is refused with the variable named', async () => {
    const e1 = await rejection(createCredentialResolver({ env: { OSS_ACCESS_KEY_ID: 'STS.noToken', OSS_ACCESS_KEY_SECRET: SECRET } }).resolve(undefined));
    expect(e1.message).toContain('OSS_SESSION_TOKEN is missing');
    const e2 = await rejection(createCredentialResolver({ env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET } }).resolve(undefined));
    expect(e2.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID is missing');
    expectNoSecrets([e1.message, e2.message], [SECRET]);
  });
});

describe('configuration', () => {
  test.each([
    [{ SIGNER_ROLE_ARN: 'arn:aws:iam::1:role/x' }, 'SIGNER_ROLE_ARN'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', SIGNER_SESSION_SECONDS: '600' }, 'SIGNER_SESSION_SECONDS'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', SIGNER_SESSION_SECONDS: '43201' }, 'SIGNER_SESSION_SECONDS'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', SIGNER_SESSION_SECONDS: '1h' }, 'SIGNER_SESSION_SECONDS'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', SIGNER_STS_ENDPOINT: 'http://sts.example.com' }, 'SIGNER_STS_ENDPOINT'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', ALLOWED_BUCKETS: 'Bad_Bucket' }, 'ALLOWED_BUCKETS'],
    [{ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', OSS_BUCKET: 'b-1', ALLOWED_KEY_PREFIXES: Array.from({ length: 40 }, (_, i) => `some/long/prefix-${i}/`).join(',') }, 'ALLOWED_KEY_PREFIXES'],
    [{ PRESIGN_ALLOW_ECS_METADATA: 'maybe' }, 'PRESIGN_ALLOW_ECS_METADATA'],
    [{ ALIBABA_CLOUD_CREDENTIALS_URI: 'file:///etc/passwd' }, 'ALIBABA_CLOUD_CREDENTIALS_URI'],
  ])('%j → ConfigError naming %s', (env, variable) => {
    expect(() => readCredentialConfig(env)).toThrow(ConfigError);
    try { readCredentialConfig(env); } catch (e) { expect((e as ConfigError).variable).toBe(variable); }
  });

  test('defaults: 3600 s session, half-life refresh, VPC endpoint chosen at resolve time, no policy without a bucket', () => {
    const c = readCredentialConfig({ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', FC_FUNCTION_NAME: 'f' });
    expect(c.signerRole).toMatchObject({ sessionSeconds: 3600, refreshAheadSeconds: 1800, endpoint: undefined, policy: undefined, timeoutMs: 5000, roleSessionName: 'oss-presign-f' });
    expect(c.onFunctionCompute).toBe(true);
    expect(c.allowEcsMetadata).toBe(false);
    expect(readCredentialConfig({ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', SIGNER_STS_ENDPOINT: 'sts-vpc.cn-shanghai.aliyuncs.com' }).signerRole?.endpoint).toBe('https://sts-vpc.cn-shanghai.aliyuncs.com');
    expect(readCredentialConfig({ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', OSS_BUCKET: 'b-1', SIGNER_SESSION_POLICY: 'off' }).signerRole?.policy).toBeUndefined();
  });

  test('STS endpoint: explicit wins; on FC the regional VPC endpoint (FC_REGION or context.region); off FC the public one', () => {
    const role = (env: Record<string, string>) => readCredentialConfig({ SIGNER_ROLE_ARN: 'acs:ram::123:role/r', ...env }).signerRole!;
    expect(stsEndpointFor(role({ FC_REGION: 'cn-shanghai' }), true, 'cn-hangzhou')).toBe('https://sts-vpc.cn-shanghai.aliyuncs.com');
    expect(stsEndpointFor(role({}), true, 'cn-hangzhou')).toBe('https://sts-vpc.cn-hangzhou.aliyuncs.com');
    expect(stsEndpointFor(role({}), false, 'cn-hangzhou')).toBe('https://sts.cn-hangzhou.aliyuncs.com');
    expect(stsEndpointFor(role({}), true, undefined)).toBe('https://sts.aliyuncs.com');
    expect(stsEndpointFor(role({ SIGNER_STS_ENDPOINT: '127.0.0.1:8443', FC_REGION: 'cn-shanghai' }), true, 'x')).toBe('https://127.0.0.1:8443');
  });
});
