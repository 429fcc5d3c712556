import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { buildFunctions, type BuiltFunction } from '../build';
import { benchJwtCaller } from './fixtures';
import { formatNs, median, ratio } from './measure';

/**
 * Cold start of what gets deployed: each built handler (dist/<function>/index.js, as `npm run build` makes it) against
 * the same handler written on ali-oss, deployed the two ways users do — with node_modules (`s build` runs npm install)
 * and bundled by esbuild. Two figures per target, each the median over fresh node processes:
 *   require      `require(bundle)` alone (cold-require-probe.js: timed before process.stdout is touched)
 *   first URL    require + the first request answered with a URL (cold-handler-probe.js)
 */
const ROOT = path.resolve(__dirname, '../..');
const HANDLER_PROBE = path.join(__dirname, 'cold-handler-probe.js');
const REQUIRE_PROBE = path.join(__dirname, 'cold-require-probe.js');
const ENV = { ...process.env, OSS_BUCKET: 'examplebucket', OSS_REGION: 'cn-hangzhou', FC_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'bench' };

interface Target { label: string; file: string; bytes: number | undefined; payload: string; env?: Record<string, string> }

const PUT = '{"key":"uploads/a.png","contentType":"image/png"}';

/** As cold-import.ts's coldRequireNs, but with the function's environment: the handlers read their policy at require. */
function requireNs(file: string, env: Record<string, string> = {}): number {
  return Number(execFileSync(process.execPath, [REQUIRE_PROBE, file], { cwd: ROOT, env: { ...ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
}

function firstUrl(file: string, payload: string, env: Record<string, string> = {}): { ns: number; rss: number } {
  // stderr dropped: ali-oss warns on every construction with an STS token and no refresh function.
  const out = execFileSync(process.execPath, [HANDLER_PROBE, file, payload], { cwd: ROOT, env: { ...ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [ns, rss] = out.slice(out.lastIndexOf('\n') + 1).split(' ').map(Number);
  return { ns: ns as number, rss: rss as number };
}

function firstUrlNs(file: string, payload: string): number {
  return firstUrl(file, payload).ns;
}

/** The reference handler: ali-oss left in node_modules (resolved from the repo's), or bundled into one file. */
function buildReference(): Target[] {
  const entry = path.join(__dirname, 'reference-ali-oss-handler.ts');
  const common: BuildOptions = { entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' };
  const withModules = path.join(ROOT, 'dist/bench/reference-ali-oss/index.js');
  buildSync({ ...common, outfile: withModules, external: ['ali-oss'] });
  const targets: Target[] = [{ label: 'ali-oss handler + node_modules', file: withModules, bytes: undefined, payload: PUT }];
  const bundled = path.join(ROOT, 'dist/bench/reference-ali-oss-bundled/index.js');
  try {
    // proxy-agent is urllib's optional dependency, loaded only behind an HTTP proxy: left external as users do.
    buildSync({ ...common, outfile: bundled, minify: true, external: ['proxy-agent'] });
    firstUrlNs(bundled, PUT); // a bundle that cannot run is left out rather than timed
    targets.push({ label: 'ali-oss handler, bundled+minified', file: bundled, bytes: statSync(bundled).size, payload: PUT });
  } catch (error) {
    console.log(`  (ali-oss bundled by esbuild does not run: ${(error as Error).message.split('\n')[0]})`);
  }
  return targets;
}

export interface ColdHandlerResult { label: string; bytes: number | undefined; requireNs: number; firstUrlNs: number; rssBytes: number }

/** An FC 3.0 HTTP trigger event (v1) with a JSON body and, for a JWT caller, its bearer token. */
function httpPayload(body: string, token?: string): string {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
  return JSON.stringify({ version: 'v1', rawPath: '/', body, isBase64Encoded: false, headers, queryParameters: {}, requestContext: { accountId: '1', domainName: 'x.fcapp.run', domainPrefix: 'x', http: { method: 'POST', path: '/' } } });
}

export async function benchColdHandlers(built?: readonly BuiltFunction[], runs = 9): Promise<ColdHandlerResult[]> {
  built ??= await buildFunctions({ log: false });
  const put = built.find((b) => b.name === 'presign-put');
  const jwt = await benchJwtCaller('ES256');
  const targets: Target[] = [
    ...built.map((b) => ({ label: `dist/${b.name}/index.js`, file: b.mainFile, bytes: b.mainBytes, payload: b.name === 'presign-put' ? PUT : '{"key":"uploads/a.png"}' })),
    // The same bundle behind an HTTP trigger: no caller check, then a JWT caller (AUTH_* set, JWKS inline): the
    // caller-check and JWT chunks and jose load at cold start, and the first request verifies an ES256 token.
    ...(put === undefined ? [] : [
      { label: 'presign-put, HTTP, no caller check', file: put.mainFile, bytes: put.mainBytes, payload: httpPayload(`{"key":"${jwt.key}","contentType":"image/png"}`) },
      { label: 'presign-put, HTTP, JWT (AUTH_JWKS inline)', file: put.mainFile, bytes: put.mainBytes, payload: httpPayload(`{"key":"${jwt.key}","contentType":"image/png"}`, jwt.token), env: jwt.env },
    ]),
    ...buildReference(),
  ];
  const results: ColdHandlerResult[] = targets.map((t) => {
    const req: number[] = [];
    const first: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      req.push(requireNs(t.file, t.env));
      const answered = firstUrl(t.file, t.payload, t.env);
      first.push(answered.ns);
      rss.push(answered.rss);
    }
    return { label: t.label, bytes: t.bytes, requireNs: median(req), firstUrlNs: median(first), rssBytes: median(rss) };
  });
  console.log(`Cold start of the deployed handler in a fresh node process (median of ${runs})`);
  console.log(`  ${'target'.padEnd(38)} ${'size'.padStart(9)} ${'require'.padStart(10)} ${'first URL'.padStart(10)} ${'RSS'.padStart(9)}`);
  for (const r of results) {
    const size = r.bytes === undefined ? 'n/a' : `${(r.bytes / 1024).toFixed(1)} KB`;
    console.log(`  ${r.label.padEnd(38)} ${size.padStart(9)} ${formatNs(r.requireNs).padStart(10)} ${formatNs(r.firstUrlNs).padStart(10)} ${`${(r.rssBytes / 2 ** 20).toFixed(1)} MB`.padStart(9)}`);
  }
  const ours = results.find((r) => r.label.includes('presign-put'));
  const ref = results.find((r) => r.label.includes('node_modules'));
  if (ours && ref) console.log(`  presign-put vs ali-oss + node_modules: require ${ratio(ref.requireNs, ours.requireNs)} faster, first URL ${ratio(ref.firstUrlNs, ours.firstUrlNs)} faster`);
  const plain = results.find((r) => r.label.endsWith('no caller check'));
  const withJwt = results.find((r) => r.label.includes('JWT'));
  if (plain && withJwt) console.log(`  JWT caller vs no caller check, HTTP: require ×${(withJwt.requireNs / plain.requireNs).toFixed(2)}, first URL ×${(withJwt.firstUrlNs / plain.firstUrlNs).toFixed(2)}`);
  return results;
}

if (require.main === module) {
  benchColdHandlers().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
