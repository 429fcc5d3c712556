import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { formatNs, median, ratio } from './measure';

const ROOT = path.resolve(__dirname, '../..');

const REQUIRE_PROBE = path.join(__dirname, 'cold-require-probe.js');
const FIRST_URL_PROBE = path.join(__dirname, 'cold-first-url-probe.js');

function probeNs(probe: string, target: string): number {
  return Number(execFileSync(process.execPath, [probe, target], { cwd: ROOT, encoding: 'utf8' }));
}

/** Time, in a fresh node process, from before `require(target)` to after it returns. */
export function coldRequireNs(target: string): number {
  return probeNs(REQUIRE_PROBE, target);
}

export interface ColdImportResult {
  signingNs: number;
  signingFirstUrlNs: number;
  aliOssNs: number;
  signingBytes: number;
}

/** The signing package as it ships (one minified CommonJS file) against `require('ali-oss')`. */
export function benchColdImport(runs = 9): ColdImportResult {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'oss-presign-bench-')), 'signing.js');
  buildSync({ entryPoints: [path.join(ROOT, 'shared/signing/index.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, outfile, logLevel: 'silent' });
  const ours: number[] = [];
  const oursFirstUrl: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(coldRequireNs(outfile));
    oursFirstUrl.push(probeNs(FIRST_URL_PROBE, outfile));
    theirs.push(coldRequireNs('ali-oss'));
  }
  const result = { signingNs: median(ours), signingFirstUrlNs: median(oursFirstUrl), aliOssNs: median(theirs), signingBytes: statSync(outfile).size };
  console.log(`Cold import in a fresh node process (median of ${runs})`);
  console.log(`  shared/signing (bundled, ${(result.signingBytes / 1024).toFixed(1)} KB)   ${formatNs(result.signingNs)} (target < 5 ms)`);
  console.log(`  … and its first URL               ${formatNs(result.signingFirstUrlNs)} (node:crypto loads on first use)`);
  console.log(`  require('ali-oss')               ${formatNs(result.aliOssNs)}`);
  console.log(`  ratio                            ${ratio(result.aliOssNs, result.signingNs)} faster`);
  return result;
}
