import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildFunctions, type BuiltFunction } from '../../scripts/build';
import { LARGEST_ENV, largestRequests } from '../../scripts/bench/largest-requests';
import { tempDir } from '../support/temp';

/**
 * The largest requests the budgets let through (scripts/bench/largest-requests.ts), each answered by the deployed
 * bundle in a fresh node process whose V8 heap is held to 96 MB: FC deploys these functions with memorySize 128
 * (s.yaml), and an answer the budgets allow must fit with room to spare. Each must be answered in full, not refused,
 * or the bound would prove nothing. `npm run bench` reports the same requests' peak RSS.
 */
const PROBE = path.resolve(__dirname, '../../scripts/bench/peak-rss-probe.js');
const MB = 1024;

let built: BuiltFunction[];
let dir: string;
beforeAll(async () => {
  dir = tempDir('oss-presign-largest-');
  built = await buildFunctions({ outDir: path.join(dir, 'dist'), log: false });
}, 120_000);

describe('the largest requests the budgets allow, under --max-old-space-size=96', () => {
  it.each(largestRequests().map((r) => [r.label, r] as const))('%s', (_label, request) => {
    const file = built.find((b) => b.name === request.fn)?.mainFile as string;
    const eventFile = path.join(dir, `${request.fn}-${request.urls}.json`);
    writeFileSync(eventFile, request.event);
    const out = execFileSync(process.execPath, ['--max-old-space-size=96', PROBE, file, eventFile], {
      env: { ...process.env, ...LARGEST_ENV },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { peakRssKb: number; answerBytes: number; signatures: number; error: string | null };
    expect(result.error).toBeNull();
    expect(result.signatures).toBe(request.urls);
    expect(result.answerBytes).toBeGreaterThan(100 * 1024);
    // Room to spare in a 128 MB instance.
    expect(result.peakRssKb).toBeLessThan(112 * MB);
  });
});
