import os from 'node:os';
import path from 'node:path';
import type { ColdImportResult } from './cold-import';
import type { ColdHandlerResult } from './handlers';
import type { InvocationResult } from './invocation';
import type { LargestResult } from './largest';
import { formatNs } from './measure';
import type { SigningResult } from './signing';

export interface BenchResults {
  signing: SigningResult;
  coldImport: ColdImportResult;
  invocations: InvocationResult[];
  batches: InvocationResult[];
  coldHandlers: ColdHandlerResult[];
  largest: LargestResult[];
}

const x = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`;
const kb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(1)} KB`);
const target = (ok: boolean) => (ok ? 'met' : '**not met**');

export const REPORT_FILE = path.resolve(__dirname, '../../BENCHMARKS.md');

/** The JWT caller's cold start beside the same bundle behind an HTTP trigger without a caller check. */
function jwtColdStart(coldHandlers: ColdHandlerResult[]): string[] {
  const plain = coldHandlers.find((r) => r.label.endsWith('no caller check'));
  const jwt = coldHandlers.find((r) => r.label.includes('JWT'));
  if (plain === undefined || jwt === undefined) return [];
  return [
    `With a JWT caller (AUTH_* set, JWKS inline: the caller-check and JWT chunks and jose load, the first token is verified), the cold start to the first URL is ${x(jwt.firstUrlNs, plain.firstUrlNs)} that of the same request without a caller check (require ${x(jwt.requireNs, plain.requireNs)}).`,
    '',
  ];
}

/** The BENCHMARKS.md text: every figure from the one run that made it, with the command and the machine. */
export function renderReport(results: BenchResults): string {
  const { signing, coldImport, invocations, batches, coldHandlers, largest } = results;
  const heaviest = largest.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
  const cpu = os.cpus();
  const signRatio = signing.aliOssNs / signing.oursNs;
  const aliOss = invocations.at(-1) as InvocationResult;
  const putDirect = invocations.find((r) => r.label.startsWith('presign-put, direct')) as InvocationResult;
  const put = coldHandlers.find((r) => r.label.includes('presign-put')) as ColdHandlerResult;
  const reference = coldHandlers.find((r) => r.label.includes('node_modules')) as ColdHandlerResult;
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end.`,
    'Every comparison is side by side in this one run; timings are medians (or the best of interleaved rounds) on a shared 2-core machine, so read the ratios, not the absolute figures.',
    '',
    '## Targets',
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| per-URL signing ≥ 10× faster than ali-oss \`signatureUrlV4\` | ${x(signing.aliOssNs, signing.oursNs)} | ${target(signRatio >= 10)} |`,
    `| importing the signing package < 5 ms | ${formatNs(coldImport.signingNs)} | ${target(coldImport.signingNs < 5e6)} |`,
    `| a whole presign-put invocation ≤ 1/5 of one ali-oss URL (≥ 5×) | ${x(aliOss.ns, putDirect.ns)} | ${target(aliOss.ns / putDirect.ns >= 5)} |`,
    `| cold start to first answer ≥ 20× less than an ali-oss handler | ${x(reference.firstUrlNs, put.firstUrlNs)} | ${target(reference.firstUrlNs / put.firstUrlNs >= 20)} |`,
    `| the largest request the budgets allow fits a 128 MB instance with room to spare | peak RSS ${(heaviest.peakRssBytes / 2 ** 20).toFixed(1)} MB (${heaviest.label}) | ${target(heaviest.peakRssBytes < 112 * 2 ** 20)} |`,
    `| each main bundle < 50 KB | ${coldHandlers.filter((r) => r.label.startsWith('dist/')).map((r) => `${r.label}: ${kb(r.bytes)}`).join(', ')} | ${target(coldHandlers.filter((r) => r.label.startsWith('dist/')).every((r) => (r.bytes ?? Infinity) < 50 * 1024))} |`,
    '',
    '## Per-URL signing (PUT, signed content-type, 600-character STS token)',
    '',
    '| implementation | per URL |',
    '|---|---|',
    `| oss-presign \`presign()\` | ${formatNs(signing.oursNs)} |`,
    `| ali-oss \`signatureUrlV4()\` | ${formatNs(signing.aliOssNs)} |`,
    `| the crypto floor: one SHA-256 of the canonical request + one HMAC (node:crypto) | ${formatNs(signing.floorNs)} |`,
    '',
    `On this machine no V4 signer built on node:crypto can be more than ${x(signing.aliOssNs, signing.floorNs)} faster than ali-oss; presign() spends ${((signing.floorNs / signing.oursNs) * 100).toFixed(0)} % of its time in those two calls.`,
    '',
    '## Cold import of the signing package (fresh node process)',
    '',
    '| what | time |',
    '|---|---|',
    `| \`require\` of shared/signing, bundled (${kb(coldImport.signingBytes)}) | ${formatNs(coldImport.signingNs)} |`,
    `| … and its first URL (node:crypto loads on first use) | ${formatNs(coldImport.signingFirstUrlNs)} |`,
    `| \`require('ali-oss')\` | ${formatNs(coldImport.aliOssNs)} |`,
    '',
    '## Whole warm invocation in process',
    '',
    'A Buffer event in, the answer out, the log line built (not written).',
    '',
    '| invocation | time | vs one ali-oss URL |',
    '|---|---|---|',
    ...invocations.map((r) => `| ${r.label} | ${formatNs(r.ns)} | ${r === aliOss ? '—' : x(aliOss.ns, r.ns)} |`),
    '',
    '## Batches (presign-put, direct invocation)',
    '',
    '| batch | time | per URL |',
    '|---|---|---|',
    ...batches.map((r) => `| ${r.label} | ${formatNs(r.ns)} | ${formatNs(r.ns / Number(r.label.replace(/\D/g, '')))} |`),
    '',
    '## Cold start of the deployed handler (fresh node process, first request answered)',
    '',
    '| target | bundle | require | first URL | RSS after first answer |',
    '|---|---|---|---|---|',
    ...coldHandlers.map((r) => `| ${r.label} | ${kb(r.bytes)} | ${formatNs(r.requireNs)} | ${formatNs(r.firstUrlNs)} | ${(r.rssBytes / 2 ** 20).toFixed(1)} MB |`),
    '',
    ...jwtColdStart(coldHandlers),
    '## The largest requests the budgets allow (fresh node process, peak RSS)',
    '',
    'PRESIGN_MAX_BATCH 100, PRESIGN_MAX_URLS 1,000, PRESIGN_MAX_ANSWER_BYTES 4 MiB, events up to 1 MiB, every capability allowed; `test/security/largest-request.test.ts` answers each under `--max-old-space-size=96`.',
    '',
    '| request | event | answer | URLs | peak RSS |',
    '|---|---|---|---|---|',
    ...largest.map((r) => `| ${r.label} | ${kb(r.eventBytes)} | ${kb(r.answerBytes)} | ${r.urls} | ${(r.peakRssBytes / 2 ** 20).toFixed(1)} MB |`),
    '',
    'Load (p50/p99 under autocannon, memory across 100,000 requests) is measured by `npm run load`, and fuzzing by `npm run fuzz`; both print their own reports.',
    '',
  ];
  return lines.join('\n');
}
