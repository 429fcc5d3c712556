import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuiltFunction } from '../build';
import { LARGEST_ENV, largestRequests } from './largest-requests';
import { median } from './measure';

/**
 * Peak resident memory of the largest requests the budgets allow (./largest-requests.ts), each answered once by the
 * deployed bundle in a fresh node process (./peak-rss-probe.js): the figure to hold against the 128 MB FC instance
 * s.yaml deploys. The median of `runs` processes per request.
 */
export interface LargestResult {
  label: string;
  eventBytes: number;
  answerBytes: number;
  urls: number;
  peakRssBytes: number;
}

const PROBE = path.join(__dirname, 'peak-rss-probe.js');

export function benchLargest(built: readonly BuiltFunction[], runs = 3): LargestResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-largest-'));
  try {
    const results = largestRequests().map((request, n) => {
      const file = built.find((b) => b.name === request.fn)?.mainFile as string;
      const eventFile = path.join(dir, `${n}.json`);
      writeFileSync(eventFile, request.event);
      const samples = Array.from({ length: runs }, () => {
        const out = execFileSync(process.execPath, [PROBE, file, eventFile], { env: { ...process.env, ...LARGEST_ENV }, encoding: 'utf8' });
        const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { peakRssKb: number; answerBytes: number; signatures: number; error: string | null };
        if (result.error !== null || result.signatures !== request.urls) throw new Error(`${request.label}: not answered in full (${out.trim()})`);
        return result;
      });
      return {
        label: request.label,
        eventBytes: Buffer.byteLength(request.event),
        answerBytes: samples[0]?.answerBytes ?? 0,
        urls: request.urls,
        peakRssBytes: median(samples.map((s) => s.peakRssKb * 1024)),
      };
    });
    console.log(`The largest requests the budgets allow: peak RSS in a fresh process (median of ${runs}; FC instance: 128 MB)`);
    for (const r of results) {
      console.log(`  ${r.label.padEnd(66)} event ${(r.eventBytes / 1024).toFixed(0).padStart(5)} KB  answer ${(r.answerBytes / 1024).toFixed(0).padStart(5)} KB  peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(1)} MB`);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
