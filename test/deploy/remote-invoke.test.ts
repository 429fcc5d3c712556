import { execFile } from 'node:child_process';
import { tempDir } from '../support/temp';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildFunctions, type BuiltFunction } from '../../scripts/build';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalFc, type FcHandler, type LocalFc } from '../../scripts/local-fc';
import { startLocalOss, type LocalOss } from '../../scripts/local-oss';
import { invoke, type InvokeTarget } from '../../scripts/remote-invoke';

/**
 * scripts/remote-invoke.ts against the local FC host: the built bundles are the functions, the local OSS is the
 * bucket, InvokeFunction signatures are verified (FC 2.0 and 3.0), and the URL that comes back is used for real.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const ACCOUNT = '1999888877776666';
const INVOKER = { accessKeyId: 'LTAIremoteInvoker01', accessKeySecret: 'invoker-secret-not-logged' };
const ROLE = { accessKeyId: 'STS.runtimeRoleRemote1', accessKeySecret: 'role-secret-not-logged', securityToken: 'role-token/with+odd=chars' };

let oss: LocalOss;
let fc: LocalFc;
let built: BuiltFunction[];

/** Loads the built bundle on its first invocation, after the host has written the function environment. */
function lazyBundle(file: string): FcHandler {
  let handler: FcHandler | undefined;
  return (event, context, callback) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler ??= (require(file) as { handler: FcHandler }).handler;
    return handler(event, context, callback);
  };
}

beforeAll(async () => {
  const store = new CredentialStore();
  store.add({ ...INVOKER });
  store.add({ ...ROLE, expiration: new Date(Date.now() + 3600_000) });
  oss = await startLocalOss({ credentials: store, buckets: ['examplebucket'] });
  built = await buildFunctions({ outDir: tempDir('oss-presign-remote-'), log: false });
  const file = (name: string) => built.find((b) => b.name === name)?.mainFile as string;
  fc = await startLocalFc({
    region: 'cn-hangzhou',
    accountId: ACCOUNT,
    service: 'oss-presign',
    invokeAuth: store,
    credentials: ROLE,
    env: { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: oss.origin, ALLOWED_KEY_PREFIXES: 'uploads/' },
    functions: { 'oss-presign-put': lazyBundle(file('presign-put')), 'oss-presign-get': lazyBundle(file('presign-get')) },
  });
});

afterAll(async () => {
  await fc?.close();
  await oss?.close();
});

async function cli(args: string[], credentials: { accessKeyId: string; accessKeySecret: string } = INVOKER): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [require.resolve('tsx/cli'), 'scripts/remote-invoke.ts', ...args, '--account-id', ACCOUNT, '--region', 'cn-hangzhou', '--endpoint', fc.origin], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret },
  });
}

function target(api: 'fc2' | 'fc3', functionName: string, extra: Partial<InvokeTarget> = {}): InvokeTarget {
  return { api, functionName, serviceName: 'oss-presign', accountId: ACCOUNT, region: 'cn-hangzhou', endpoint: fc.origin, credentials: INVOKER, ...extra };
}

describe('scripts/remote-invoke.ts against the local FC host', () => {
  const content = `uploaded through a URL from remote-invoke at ${new Date().toISOString()}`;

  it('fc3: a sync InvokeFunction of presign-put returns a URL the local OSS accepts for the upload', async () => {
    const { stdout, stderr } = await cli(['fc3', '--function', 'oss-presign-put', '-e', JSON.stringify({ key: 'uploads/remote/hello.txt', contentType: 'text/plain' })]);
    expect(stderr).toMatch(/fc3 Sync oss-presign-put: HTTP 200, x-fc-request-id \S+/);
    const result = JSON.parse(stdout) as { method: string; url: string; signedHeaders: Record<string, string> };
    expect(result.method).toBe('PUT');
    expect(result.url.startsWith(`${oss.origin}/examplebucket/uploads/remote/hello.txt?`)).toBe(true);
    const put = await fetch(result.url, { method: 'PUT', headers: result.signedHeaders, body: content });
    expect(put.status).toBe(200);
    // The host saw a signed FC 3.0 call, and the function signed with the role key FC handed it.
    expect(fc.invocations.at(-1)).toMatchObject({ functionName: 'oss-presign-put', kind: 'invoke-fc3', async: false, ok: true });
    expect(new URL(result.url).searchParams.get('x-oss-credential')).toMatch(/^STS\.runtimeRoleRemote1\//);
  });

  it('fc2 (@alicloud/fc2, service + function): presign-get returns a URL that downloads the object', async () => {
    const { stdout } = await cli(['fc2', '--service', 'oss-presign', '--function', 'oss-presign-get', '-e', JSON.stringify({ key: 'uploads/remote/hello.txt' })]);
    const result = JSON.parse(stdout) as { url: string };
    const get = await fetch(result.url);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(content);
    expect(fc.invocations.at(-1)).toMatchObject({ functionName: 'oss-presign-get', kind: 'invoke-fc2', ok: true });
  });

  it('the local OSS refuses the same URL with one byte of the signature changed (the acceptance above means something)', async () => {
    const { url } = JSON.parse((await cli(['fc3', '--function', 'oss-presign-get', '-e', '{"key":"uploads/remote/hello.txt"}'])).stdout) as { url: string };
    const u = new URL(url);
    const sig = u.searchParams.get('x-oss-signature') as string;
    u.searchParams.set('x-oss-signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    expect((await fetch(u)).status).toBe(403);
  });

  it.each(['fc2', 'fc3'] as const)('%s --async: FC answers 202 at once and the function runs in the background', async (api) => {
    const before = fc.invocations.length;
    const result = await invoke(target(api, 'oss-presign-put', { async: true }), Buffer.from('{"key":"uploads/remote/async.txt"}'));
    expect(result.status).toBe(202);
    await fc.idle();
    const recorded = fc.invocations.slice(before).find((i) => i.async);
    expect(recorded).toMatchObject({ functionName: 'oss-presign-put', kind: `invoke-${api}`, async: true, ok: true });
    expect(recorded?.requestId).toBe(result.requestId);
  });

  it.each(['fc2', 'fc3'] as const)('%s: a caller with the wrong secret is refused by the host, and the script exits non-zero', async (api) => {
    const args = api === 'fc3' ? ['fc3', '--function', 'oss-presign-put'] : ['fc2', '--service', 'oss-presign', '--function', 'oss-presign-put'];
    await expect(cli([...args, '-e', '{"key":"uploads/a.txt"}'], { ...INVOKER, accessKeySecret: 'wrong-secret' })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/Signature/i) });
  });

  it('a request the function refuses comes back as its error object, not a URL', async () => {
    const result = await invoke(target('fc3', 'oss-presign-put'), Buffer.from('{"key":"../etc/passwd"}'));
    expect(result.status).toBe(200);
    expect(result.errorType).toBeUndefined();
    expect(JSON.parse(result.body.toString('utf8'))).toMatchObject({ error: { code: expect.any(String) } });
  });
});
