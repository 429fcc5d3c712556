import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { buildFunctions, type BuiltFunction } from '../build';
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

interface Target { label: string; file: string; bytes: number | undefined; payload: string }

const PUT = '{"key":"uploads/a.png","contentType":"image/png"}';

/** As cold-import.ts's coldRequireNs, but with the function's environment: the handlers read their policy at require. */
function requireNs(file: string): number {
  return Number(execFileSync(process.execPath, [REQUIRE_PROBE, file], { cwd: ROOT, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
}

function firstUrl(file: string, payload: string): { ns: number; rss: number } {
  // stderr dropped: ali-oss warns on every construction with an STS token and no refresh function.
  const out = execFileSync(process.execPath, [HANDLER_PROBE, file, payload], { cwd: ROOT, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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

export async function benchColdHandlers(built?: readonly BuiltFunction[], runs = 9): Promise<ColdHandlerResult[]> {
  built ??= await buildFunctions({ log: false });
  const targets: Target[] = [
    ...built.map((b) => ({ label: `dist/${b.name}/index.js`, file: b.mainFile, bytes: b.mainBytes, payload: b.name === 'presign-put' ? PUT : '{"key":"uploads/a.png"}' })),
    ...buildReference(),
  ];
  const results: ColdHandlerResult[] = targets.map((t) => {
    const req: number[] = [];
    const first: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      req.push(requireNs(t.file));
      const answered = firstUrl(t.file, t.payload);
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
  return results;
}

if (require.main === module) {
  benchColdHandlers().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
