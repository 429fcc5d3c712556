import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../support/temp';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { buildFunctions, compileRulesFile, FUNCTIONS, HOST_MODULES, LAZY_CHUNKS, MAIN_BUNDLE_BUDGET_BYTES, SDK_CHUNK, type BuiltFunction } from '../../scripts/build';
import { makeKey } from '../../scripts/local-oidc/server';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalSts } from '../../scripts/local-cloud/local-sts';
import { callHandler, fcContext } from '../../scripts/fc/context';
import { holdOutputCapture, withCapturedOutput } from '../../scripts/local-fc/output-capture';
import { loadSYaml } from '../../scripts/fc/s-yaml';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
/**
 * The issue's target is 50 KB per main bundle (MAIN_BUNDLE_BUDGET_BYTES), and both are held to it. presign-put was
 * 64.4 KB once multipart plans, PostObject forms and callbacks landed; those, the signer-role path and the off-FC
 * credential sources now load from chunk files beside index.js (scripts/build.ts, LAZY_CHUNKS), only when used.
 */
const CEILING_BYTES: Record<string, number> = { 'presign-get': MAIN_BUNDLE_BUDGET_BYTES, 'presign-put': MAIN_BUNDLE_BUDGET_BYTES };

/** Modules that only run in a chunk's case: none may be in a main bundle (`npm run build -- --analyze`). */
const CHUNK_ONLY: Record<string, readonly string[]> = {
  'signer-role.js': ['shared/credentials/signer-role.ts', 'shared/credentials/sts-client.ts', 'shared/credentials/session-cache.ts', 'shared/credentials/session-policy.ts', 'shared/credentials/rpc-signature.ts'],
  'off-fc-credentials.js': ['shared/credentials/off-fc.ts', 'shared/credentials/uri-source.ts', 'shared/credentials/default-chain.ts', 'shared/credentials/session-cache.ts'],
  'upload-extras.js': [
    'shared/operations/upload-extras.ts', 'shared/request/upload.ts', 'shared/service/multipart.ts', 'shared/service/form.ts', 'shared/service/callback.ts',
    'shared/request/multipart.ts', 'shared/request/form.ts', 'shared/request/callback.ts', 'shared/signing/post-policy.ts',
  ],
  'caller-check.js': ['shared/identity/caller-check.ts'],
  'jwt-identity.js': ['shared/identity/jwt.ts', 'shared/identity/jwks.ts', 'node_modules/jose/dist/webapi/jwt/verify.js'],
  'rules-document.js': ['shared/rules/document.ts'],
  'key-claims.js': ['shared/rules/key-claims.ts', 'shared/identity/claims.ts'],
  'generated-keys.js': ['shared/service/generated-key.ts'],
  'setting-names.js': ['shared/rules/setting-names.ts'],
};
const chunksOf = (name: string) => LAZY_CHUNKS.filter((c) => c.functions.includes(name as never));

let built: BuiltFunction[];

beforeAll(async () => {
  built = await buildFunctions({ log: false });
});

function bundleOf(name: string): BuiltFunction {
  const f = built.find((b) => b.name === name);
  if (!f) throw new Error(`${name} was not built`);
  return f;
}

/** A folder with nothing in it and no node_modules anywhere above it. */
function bareFolder(): string {
  const dir = tempDir('oss-presign-bundle-');
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) expect(existsSync(path.join(path.dirname(d), 'node_modules'))).toBe(false);
  return dir;
}

// Runs in a fresh `node` with no NODE_PATH: requires ./index.js, records every non-builtin module resolved, calls the
// handler as FC does, prints { required, exported, result }.
const CHILD = `
const Module = require('module');
const required = [];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { if (!Module.isBuiltin(request)) required.push(request); return resolve.call(this, request, ...rest); };
const mod = require('./index.js');
const context = { requestId: 'bare-1', region: 'cn-hangzhou', credentials: { accessKeyId: 'STS.bareKey', accessKeySecret: 'bare-secret', securityToken: 'bare-token' },
  function: { name: process.env.FC_FUNCTION_NAME, handler: 'index.handler', memory: 128, timeout: 5 }, logger: { info() {}, warn() {}, error() {}, debug() {}, log() {} } };
Promise.resolve(mod.handler(Buffer.from(process.argv[1]), context)).then((result) => {
  process.stdout.write('\\n' + JSON.stringify({ required, exported: Object.keys(mod), result }));
}, (e) => { process.stdout.write('\\n' + JSON.stringify({ required, error: String(e) })); });
`;

interface ChildOutput { required: string[]; exported: string[]; result?: Record<string, unknown>; error?: string }

async function runBare(dir: string, payload: unknown, env: Record<string, string>): Promise<ChildOutput> {
  const { stdout } = await run(process.execPath, ['-e', CHILD, JSON.stringify(payload)], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1)) as ChildOutput;
}

describe('npm run build', () => {
  it('writes every code folder s.yaml deploys, each with index.js (and its map) exporting handler', () => {
    for (const [, r] of Object.entries(loadSYaml().resources)) {
      const dir = path.resolve(ROOT, r.props.code);
      const name = path.basename(dir);
      expect(readdirSync(dir).sort()).toEqual([SDK_CHUNK, 'index.js', 'index.js.map', ...chunksOf(name).map((c) => c.file)].sort());
      expect(r.props.handler).toBe('index.handler');
    }
    expect(built.map((b) => b.name).sort()).toEqual([...FUNCTIONS].sort());
  });

  it.each([...FUNCTIONS])('%s: main bundle is small, self-contained, and leaves the SDK and the rarely used code to lazy chunks', (name) => {
    const f = bundleOf(name);
    expect(f.mainBytes).toBeLessThan(CEILING_BYTES[name] as number);
    const inputs = Object.keys(f.metafile.inputs);
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([]);
    expect(inputs).toContain(`functions/${name}/index.ts`);
    const code = readFileSync(f.mainFile, 'utf8');
    // What is in index.js. A module parsed but tree-shaken away (a barrel's re-export nobody uses) adds 0 bytes, or
    // 4 when all that is left of it is the `init_errors();` call esbuild keeps for the errors module it imports
    // (required by the chunk loaders, so initialised lazily): none of its own code.
    const output = Object.entries(f.metafile.outputs).find(([file]) => file.endsWith(`${name}/index.js`))?.[1];
    const bundled = Object.entries(output?.inputs ?? {}).filter(([, { bytesInOutput }]) => bytesInOutput > 16).map(([input]) => input);
    expect(bundled).toContain(`functions/${name}/index.ts`);
    // The main bundle loads its own chunks by relative path, and carries none of their code.
    const expected = chunksOf(name);
    expect(expected.length).toBeGreaterThanOrEqual(name === 'presign-put' ? 3 : 2);
    for (const chunk of expected) {
      // A chunk another chunk loads (the JWT verifier, by the caller check) is required there, not here.
      const loader = chunk.loadedBy === undefined ? code : readFileSync(path.join(f.dir, chunk.loadedBy), 'utf8');
      // Each chunk's file name is literal where it is loaded (through the bundle's one chunk loader).
      expect(loader).toMatch(new RegExp(`\\w+\\(\\)\\("\\./${chunk.file.replace('.', '\\.')}"\\)`));
      expect(bundled.filter((i) => CHUNK_ONLY[chunk.file]?.includes(i))).toEqual([]);
    }
    if (name === 'presign-get') expect(code).not.toContain('upload-extras');
    // The SDK is required by the off-FC chunk only.
    expect(code).not.toContain(SDK_CHUNK);
    expect(readFileSync(path.join(f.dir, 'off-fc-credentials.js'), 'utf8')).toContain(`require("./${SDK_CHUNK}")`);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(JSON.parse(readFileSync(`${f.mainFile}.map`, 'utf8')).sources.some((s: string) => s.endsWith(`functions/${name}/index.ts`))).toBe(true);
  });

  it.each([...FUNCTIONS])('%s: each chunk exists beside index.js, holds its modules, and takes the error classes from the main bundle', (name) => {
    const f = bundleOf(name);
    for (const chunk of chunksOf(name)) {
      const built = f.chunks.find((c) => c.file === chunk.file);
      expect(built && existsSync(built.path)).toBe(true);
      expect(built?.bytes).toBeGreaterThan(1000);
      const inputs = Object.keys(built?.metafile?.inputs ?? {});
      expect(inputs).toEqual(expect.arrayContaining([...(CHUNK_ONLY[chunk.file] ?? [])]));
      // One ServiceError class per process: a chunk's errors must be the main bundle's, or instanceof fails.
      for (const host of HOST_MODULES) expect(inputs).not.toContain(host);
      // npm packages only where the chunk declares them (jose, in the JWT verifier's chunk).
      const packages = new Set(inputs.filter((i) => i.includes('node_modules/')).map((i) => i.split('node_modules/')[1]?.split('/')[0]));
      expect([...packages].sort()).toEqual([...(chunk.packages ?? [])].sort());
      expect(readFileSync(built?.path ?? '', 'utf8')).toMatch(/^var /);
    }
  });
});

describe('a bundle alone in a folder without node_modules, run by node', () => {
  it.each([...FUNCTIONS])('%s: loads, exports handler, needs no other file, and answers {key:"a.txt"} with a URL', async (name) => {
    const dir = bareFolder();
    copyFileSync(bundleOf(name).mainFile, path.join(dir, 'index.js'));
    const out = await runBare(dir, { key: 'a.txt' }, { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: `oss-${name}`, FC_REGION: 'cn-hangzhou' });
    expect(out.error).toBeUndefined();
    expect(out.exported).toContain('handler');
    expect(out.required).toEqual(['./index.js']);
    const url = new URL(String(out.result?.url));
    expect(out.result?.method).toBe(name === 'presign-put' ? 'PUT' : 'GET');
    expect(`${url.origin}${url.pathname}`).toBe('https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt');
    expect(url.searchParams.get('x-oss-signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('x-oss-security-token')).toBe('bare-token');
  });

  it('off FC with no key in the environment, the lazy SDK chunk beside it signs with a credentials-file profile', async () => {
    const dir = bareFolder();
    const f = bundleOf('presign-get');
    for (const file of readdirSync(f.dir)) copyFileSync(path.join(f.dir, file), path.join(dir, file));
    writeFileSync(path.join(dir, 'credentials.ini'), '[default]\ntype = access_key\naccess_key_id = LTAIprofileKey0001\naccess_key_secret = profile-secret\n');
    const env = { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', ALIBABA_CLOUD_CREDENTIALS_FILE: path.join(dir, 'credentials.ini'), ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' };
    // The child's context has FC credentials; drop them so the resolver must reach the default chain.
    const child = CHILD.replace("credentials: { accessKeyId: 'STS.bareKey', accessKeySecret: 'bare-secret', securityToken: 'bare-token' }", 'credentials: {}');
    const { stdout } = await run(process.execPath, ['-e', child, JSON.stringify({ key: 'a.txt' })], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
    const out = JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1)) as ChildOutput;
    expect(out.required).toEqual(['./index.js', './off-fc-credentials.js', `./${SDK_CHUNK}`]);
    expect(new URL(String(out.result?.url)).searchParams.get('x-oss-credential')).toMatch(/^LTAIprofileKey0001\//);
  });
});

describe('the lazy chunks, from a folder without node_modules, run by node', () => {
  const ENV = { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'oss-presign-put', FC_REGION: 'cn-hangzhou' };

  /** Every file of the function's dist folder, copied alone into a bare folder. */
  function deployed(name: string): string {
    const dir = bareFolder();
    const f = bundleOf(name);
    for (const file of readdirSync(f.dir)) copyFileSync(path.join(f.dir, file), path.join(dir, file));
    return dir;
  }

  it('a plain PUT reads no chunk even when they are all there', async () => {
    const out = await runBare(deployed('presign-put'), { key: 'a.txt' }, ENV);
    expect(out.required).toEqual(['./index.js']);
    expect(out.result?.method).toBe('PUT');
  });

  it('presign-put: multipart, form and callback requests load upload-extras.js once, and its errors keep their codes and fields', async () => {
    const dir = deployed('presign-put');
    const env = { ...ENV, CALLBACK_URL_ALLOWLIST: 'hooks.example.com' };
    const multipart = await runBare(dir, { multipart: { key: 'big.bin', size: 100 } }, env);
    expect(multipart.error).toBeUndefined();
    // The allowlist is compiled at cold start, by a chunk only deployments that allow callbacks load.
    expect(multipart.required).toEqual(['./index.js', './callback-allowlist.js', './upload-extras.js']);
    expect(new URL(String(multipart.result?.url)).searchParams.has('uploads')).toBe(true);
    const form = await runBare(dir, { form: { key: 'f.txt' } }, env);
    expect(form.required).toEqual(['./index.js', './callback-allowlist.js', './upload-extras.js']);
    expect(form.result).toMatchObject({ method: 'POST', fields: { key: 'f.txt' } });
    const callback = await runBare(dir, { key: 'c.txt', callback: { url: 'https://hooks.example.com/done', body: 'object=${object}' } }, env);
    expect(callback.required).toEqual(['./index.js', './callback-allowlist.js', './upload-extras.js']);
    const callbackHeader = (callback.result?.signedHeaders as Record<string, string> | undefined)?.['x-oss-callback'] ?? '';
    expect(JSON.parse(Buffer.from(callbackHeader, 'base64').toString())).toMatchObject({ callbackUrl: 'https://hooks.example.com/done' });
    // A ServiceError thrown inside the chunk is the main bundle's: a 400 with the nested field, not a 500.
    const bad = await runBare(dir, { multipart: { key: '/bad', size: 100 } }, env);
    expect(bad.result).toMatchObject({ error: { code: 'InvalidArgument', field: 'multipart.key' } });
  });

  it.each([...FUNCTIONS])('%s: SIGNER_ROLE_ARN loads signer-role.js, which assumes the role at a loopback STS and signs with the session', async (name) => {
    const store = new CredentialStore();
    store.add({ accessKeyId: 'STS.bareKey', accessKeySecret: 'bare-secret', securityToken: 'bare-token', expiration: new Date(Date.now() + 3600_000) });
    const role = 'acs:ram::1234567890123456:role/bare-signer';
    const sts = await startLocalSts({ store, roles: [{ arn: role, maxSessionDuration: 3600 }] });
    try {
      const env = { ...ENV, FC_FUNCTION_NAME: `oss-${name}`, SIGNER_ROLE_ARN: role, SIGNER_STS_ENDPOINT: sts.origin, SIGNER_SESSION_SECONDS: '900' };
      const out = await runBare(deployed(name), { key: 'a.txt', expires: 3600 }, env);
      expect(out.error).toBeUndefined();
      expect(out.required).toEqual(['./index.js', './signer-role.js']);
      const url = new URL(String(out.result?.url));
      const sessionKey = (url.searchParams.get('x-oss-credential') ?? '').split('/')[0] ?? '';
      expect(sessionKey).not.toBe('STS.bareKey');
      expect(store.lookup(sessionKey)).toBeDefined();
      expect(out.result?.cap).toMatchObject({ by: 'token' });
      expect(sts.requests).toHaveLength(1);
      // STS refusing (a chunk's CredentialsUnavailable) is answered with its code, not as an internal error.
      sts.behaviour = { fail: { status: 403, code: 'NoPermission', message: 'You are not authorized to do this action.' } };
      const refused = await runBare(deployed(name), { key: 'a.txt' }, env);
      expect(refused.required).toEqual(['./index.js', './signer-role.js']);
      expect(refused.result).toMatchObject({ error: { code: 'CredentialsUnavailable' } });
    } finally {
      await sts.close();
    }
  });
});

describe('a rules file shipped in the code folder, and JWT callers, from a folder without node_modules', () => {
  it('npm run build turns presign-rules.yaml into presign-rules.json; the bundle reads it (PRESIGN_RULES_FILE, relative to index.js) and verifies tokens with jose from its chunk', async () => {
    const outDir = tempDir('oss-presign-rules-build-');
    const [f] = await buildFunctions({ outDir, functions: ['presign-put'], rulesFile: path.join(ROOT, 'docs/presign-rules.example.yaml'), log: false });
    const shipped = JSON.parse(readFileSync(path.join(f?.dir ?? '', 'presign-rules.json'), 'utf8')) as { rules: { name: string }[] };
    expect(shipped.rules.map((r) => r.name)).toContain('own-avatars');
    const dir = bareFolder();
    for (const file of readdirSync(f?.dir ?? '')) copyFileSync(path.join(f?.dir ?? '', file), path.join(dir, file));
    const key = await makeKey('EdDSA');
    const env = {
      OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'oss-presign-put', FC_REGION: 'cn-hangzhou',
      PRESIGN_RULES_FILE: 'presign-rules.json', AUTH_ISSUER: 'https://issuer.example', AUTH_AUDIENCE: 'presign', AUTH_JWKS: JSON.stringify({ keys: [key.publicJwk] }),
    };
    // A direct invocation is a platform caller: the backend rule lets it publish, and nothing else.
    const published = await runBare(dir, { key: 'public/logo.png', contentType: 'image/png' }, env);
    expect(published.error).toBeUndefined();
    expect(published.result?.method).toBe('PUT');
    expect(published.required).toEqual(['./index.js', './caller-check.js', './jwt-identity.js', './rules-document.js', './key-claims.js', './process-rules.js']);
    const refused = await runBare(dir, { key: 'users/alice/a.png', contentType: 'image/png' }, env);
    expect(refused.result).toMatchObject({ error: { code: 'ActionNotAllowed' } });
    // A user's token, through the HTTP trigger shape, verified by jose inside the chunk.
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'alice', iss: 'https://issuer.example', aud: 'presign', iat: now, exp: now + 60 }).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).sign(key.privateKey);
    const http = { version: 'v1', rawPath: '/', body: JSON.stringify({ key: 'users/alice/avatars/me.png', contentType: 'image/png', contentLength: 100 }), isBase64Encoded: false,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      requestContext: { accountId: '1', domainName: 'x.cn-hangzhou.fcapp.run', domainPrefix: 'x', http: { method: 'POST', path: '/' } } };
    const answered = await runBare(dir, http, env);
    expect(JSON.parse(String((answered.result as { body?: string } | undefined)?.body))).toMatchObject({ method: 'PUT', key: 'users/alice/avatars/me.png' });
  });

  it('a rules file with a mistake fails the build, naming the rule and the field', () => {
    const file = path.join(tempDir('oss-presign-rules-bad-'), 'presign-rules.yaml');
    writeFileSync(file, 'rules:\n  - name: avatars\n    keys: [avatars]\n    actions: [put]\n');
    expect(() => compileRulesFile(file)).toThrow(/rule "avatars", keys: "avatars" would also admit/);
  });
});

describe('a cold start with a bad setting', () => {
  it.each([...FUNCTIONS])('%s: one readable log line naming the variable, and every invocation fails with it', async (name) => {
    const dir = bareFolder();
    for (const f of readdirSync(bundleOf(name).dir)) copyFileSync(path.join(bundleOf(name).dir, f), path.join(dir, f));
    const script = `const { handler } = require('./index.js');
      handler(Buffer.from('{"key":"a.txt"}'), { requestId: 'r' }).then(() => process.stdout.write('answered'), (e) => process.stdout.write(JSON.stringify({ name: e.name, message: e.message, stack: e.stack })));`;
    const { stdout, stderr } = await run(process.execPath, ['-e', script], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, FC_FUNCTION_NAME: `oss-${name}`, OSS_BUCKET: '', PRESIGN_MAX_EXPIRES: '700000' } });
    const lines = stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect((lines[0] as string).length).toBeLessThan(400);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', code: 'InvalidConfiguration', function: `oss-${name}` });
    expect(lines[0]).toMatch(/PRESIGN_MAX_EXPIRES|OSS_BUCKET/);
    const failure = JSON.parse(stdout) as { name: string; message: string; stack: string };
    expect(failure.name).toBe('ConfigError');
    expect(failure.message).toBe(JSON.parse(lines[0] as string).message.replace(/^[\w-]+ cannot start: /, ''));
    expect(failure.stack.split('\n')).toHaveLength(1);
  });
});

describe('scripts/events/*.json through the built handlers, as FC delivers them', () => {
  const EVENTS = path.join(ROOT, 'scripts/events');
  const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).sort();
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  const saved = { ...process.env };

  beforeAll(() => {
    // Cold start reads the policy: what s.yaml deploys, plus an allowed browser origin for the HTTP events.
    Object.assign(process.env, { OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', ALLOWED_KEY_PREFIXES: 'uploads/', CORS_ALLOW_ORIGINS: 'https://app.example.com', FC_REGION: 'cn-hangzhou' });
    for (const name of FUNCTIONS) {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handlers.set(name, (require(bundleOf(name).mainFile) as { handler: (...a: unknown[]) => unknown }).handler);
      });
    }
  });
  // What the handlers print is their log: taken per invocation and checked below, not printed among the results.
  let releaseCapture: () => void = () => undefined;
  beforeAll(() => {
    releaseCapture = holdOutputCapture();
  });
  afterAll(() => {
    releaseCapture();
    process.env = saved;
  });

  it('there is at least one file per function and event source', () => {
    const sources = ['direct', 'http', 'apigw', 'eventbridge', 'batch'];
    for (const fn of ['put', 'get']) for (const source of sources) expect(files.some((f) => f.startsWith(`${fn}-${source}`))).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['put-mns-batch.json', 'get-oss-object-created.json', 'put-http-preflight.json', 'get-http-query.json']));
  });

  const urlOk = (r: unknown) => typeof (r as { url?: unknown }).url === 'string' && new URL((r as { url: string }).url).searchParams.has('x-oss-signature');

  it.each(files)('%s', async (file) => {
    const fn = file.startsWith('put-') ? 'presign-put' : 'presign-get';
    const handler = handlers.get(fn);
    if (!handler) throw new Error(`${fn} not loaded`);
    const context = fcContext({ name: `oss-${fn}`, region: 'cn-hangzhou' }, { accessKeyId: 'STS.eventsKey', accessKeySecret: 'events-secret', securityToken: 'events-token' }, { write: () => undefined });
    const logLines: string[] = [];
    const result = (await withCapturedOutput((line) => logLines.push(line), () => callHandler(handler, readFileSync(path.join(EVENTS, file)), context))) as Record<string, unknown>;
    expect(logLines).toHaveLength(1);
    expect(JSON.parse(logLines[0] as string)).toMatchObject({ message: 'presign', function: `oss-${fn}`, requestId: context.requestId });
    const body = typeof result.body === 'string' && result.body !== '' ? JSON.parse(result.body) as Record<string, unknown> : undefined;
    if (file.includes('preflight')) {
      expect(result.statusCode).toBe(204);
      expect((result.headers as Record<string, string>)['access-control-allow-origin']).toBe('https://app.example.com');
    } else if (file.includes('-http')) {
      expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: false });
      expect((result.headers as Record<string, string>)['access-control-allow-origin']).toBe('https://app.example.com');
      expect(urlOk(body)).toBe(true);
    } else if (file.includes('-apigw')) {
      expect(Object.keys(result).sort()).toEqual(['body', 'headers', 'isBase64Encoded', 'statusCode']);
      expect(result.statusCode).toBe(200);
      expect(urlOk(body)).toBe(true);
    } else if (file.includes('batch') || file.includes('oss-object')) {
      const results = result.results as Record<string, unknown>[];
      const items = file.includes('oss-object') ? 1 : (JSON.parse(readFileSync(path.join(EVENTS, file), 'utf8')) as { requests?: unknown[] }).requests?.length ?? 2;
      expect(results).toHaveLength(items);
      if (file === 'put-batch.json') {
        expect(results.slice(0, 2).every(urlOk)).toBe(true);
        expect(results[2]).toMatchObject({ error: { code: expect.any(String) } });
      } else {
        expect(results.every(urlOk)).toBe(true);
      }
    } else {
      expect(urlOk(result)).toBe(true);
    }
  });
});

describe('npm run invoke', () => {
  it('runs the built presign-put on an event file and prints only the result on stdout', async () => {
    const { stdout, stderr } = await run(process.execPath, [require.resolve('tsx/cli'), 'scripts/invoke.ts', 'presign-put', '-f', 'scripts/events/put-direct.json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    const result = JSON.parse(stdout) as { url: string; signedHeaders: Record<string, string> };
    expect(new URL(result.url).pathname).toBe('/uploads/2024/avatar.png');
    expect(result.signedHeaders['content-type']).toBe('image/png');
    expect(stderr).toContain('LOCAL DEMO KEY');
  });

  it('signs with ALIBABA_CLOUD_* from the environment when set, and takes -e payloads', async () => {
    const { stdout } = await run(process.execPath, [require.resolve('tsx/cli'), 'scripts/invoke.ts', 'presign-get', '-e', '{"key":"uploads/x.txt"}'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIfromShell0001', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'shell-secret', OSS_BUCKET: 'shellbucket' },
    });
    const url = new URL((JSON.parse(stdout) as { url: string }).url);
    expect(url.host).toBe('shellbucket.oss-cn-hangzhou.aliyuncs.com');
    expect(url.searchParams.get('x-oss-credential')).toMatch(/^LTAIfromShell0001\//);
  });
});
