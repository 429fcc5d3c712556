import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../support/temp';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts } from '../../scripts/local-cloud/local-sts';
import { makeTestPki } from '../../scripts/local-cloud/test-ca';

/**
 * These run in child processes: the SDK's default chain reads process.env and ~ (HOME), and the module-load check
 * needs a process whose require cache has never seen @alicloud/credentials.
 */
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const PROBE = resolve(__dirname, 'fixtures/chain-probe.ts');

interface ProbeOut {
  afterImport: boolean;
  afterResolve: boolean;
  lazyModules: string[];
  connections: string[];
  result?: { source: string; expiry: string; accessKeyId: string; cap: string | null };
  error?: { code: string; message: string };
}

async function probe(mode: 'import-only' | 'resolve', env: Record<string, string>, home = tempDir('oss-presign-home-')): Promise<ProbeOut> {
  // By default a fresh HOME: no ~/.aliyun, no ~/.alibabacloud.
  const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', PROBE, mode], {
    cwd: ROOT,
    // A clean environment: nothing inherited from the developer's shell can change what the chain finds.
    env: { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, ...env },
    timeout: 20_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProbeOut;
}

describe('cold import and the default chain (child processes)', () => {
  test('importing the credentials and expiry modules and resolving FC context keys does not load @alicloud/credentials', async () => {
    const out = await probe('import-only', { FC_FUNCTION_NAME: 'presign-get' });
    expect(out.result).toMatchObject({ source: 'fc-context', expiry: 'unknown', cap: null }); // default 900 s < 3600 s unknown-token cap
    expect(out.afterImport).toBe(false);
    expect(out.afterResolve).toBe(false);
    // Nor the signer-role or off-FC modules (the chunks of the bundle): FC context keys need neither.
    expect(out.lazyModules).toEqual([]);
    expect(out.connections).toEqual([]);
  });

  test('the check can fail: off FC with nothing configured the chain runs and the SDK is loaded — yet no traffic leaves loopback, ECS metadata is off', async () => {
    const out = await probe('resolve', {});
    expect(out.afterImport).toBe(false);
    expect(out.afterResolve).toBe(true);
    expect(out.lazyModules).toEqual(['off-fc']);
    expect(out.error?.code).toBe('CredentialsUnavailable');
    expect(out.error?.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(out.connections).toEqual([]);
  });

  test('the connection recorder sees ECS metadata when explicitly opted in (PRESIGN_ALLOW_ECS_METADATA=true) — and blocks it', async () => {
    const out = await probe('resolve', { PRESIGN_ALLOW_ECS_METADATA: 'true' });
    expect(out.connections).toContain('100.100.100.200');
    expect(out.error?.code).toBe('CredentialsUnavailable');
  });

  test('a profile file (~/.alibabacloud/credentials) is found by the chain: long-term key → expiry none', async () => {
    const dir = tempDir('oss-presign-profile-');
    mkdirSync(join(dir, 'p'));
    const file = join(dir, 'p', 'credentials');
    writeFileSync(file, '[default]\ntype = access_key\naccess_key_id = LTAIprofileKey\naccess_key_secret = SECRET-profile-5c1d-DO-NOT-LEAK\n');
    const out = await probe('resolve', { ALIBABA_CLOUD_CREDENTIALS_FILE: file });
    expect(out.result).toMatchObject({ source: 'profile', expiry: 'none', accessKeyId: 'LTAIprofileKey', cap: null });
    expect(out.connections).toEqual([]);
    expect(JSON.stringify(out)).not.toContain('SECRET-profile-5c1d');
  });

  function cliHome(profile: Record<string, unknown>): string {
    const home = tempDir('oss-presign-cli-');
    mkdirSync(join(home, '.aliyun'));
    writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify({ current: 'dev', profiles: [{ name: 'dev', ...profile }] }));
    return home;
  }

  test('a CLI profile (~/.aliyun/config.json) with an STS token: expiry unknown, capped like FC context keys', async () => {
    const home = cliHome({ mode: 'StsToken', access_key_id: 'STS.cliKey', access_key_secret: 'SECRET-cli-DO-NOT-LEAK', sts_token: 'TOKEN-cli' });
    const out = await probe('resolve', { PRESIGN_DEFAULT_EXPIRES: '7200' }, home);
    expect(out.result).toMatchObject({ source: 'profile', expiry: 'unknown', accessKeyId: 'STS.cliKey', cap: 'unknown-token' });
    expect(out.connections).toEqual([]);
  });

  test('a CLI RamRoleArn profile: the SDK assumes the role at the local STS and its session Expiration is recovered (expiry known)', async () => {
    const pki = makeTestPki();
    const dir = tempDir('oss-presign-ca-');
    writeFileSync(join(dir, 'ca.pem'), pki.caCert);
    const store = new CredentialStore();
    store.add({ accessKeyId: 'LTAIcliCaller', accessKeySecret: 'SECRET-cli-caller-DO-NOT-LEAK' });
    const sts = await startLocalSts({ store, tls: pki });
    try {
      const home = cliHome({
        mode: 'RamRoleArn', access_key_id: 'LTAIcliCaller', access_key_secret: 'SECRET-cli-caller-DO-NOT-LEAK',
        ram_role_arn: 'acs:ram::1234567890123456:role/dev', ram_session_name: 'dev-session', expired_seconds: 900,
        sts_endpoint: `127.0.0.1:${sts.port}`,
      });
      // The SDK's HTTP client takes no CA option; NODE_EXTRA_CA_CERTS (read at process start) is its only way to trust ours.
      const out = await probe('resolve', { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PRESIGN_DEFAULT_EXPIRES: '3600' }, home);
      expect(sts.requests.map((r) => r.outcome)).toEqual(['Success']);
      expect(out.result).toMatchObject({ source: 'profile', expiry: 'known', accessKeyId: sts.issued[0]?.accessKeyId, cap: 'token' });
      expect(out.connections).toEqual(['127.0.0.1']);
    } finally {
      await sts.close();
    }
  });
});
