import { formatReport, loadProblems, runLoad } from '../../scripts/load';

/**
 * The bounded version of `npm run load`: the local FC host with both real handlers under autocannon for a fixed
 * duration at a fixed concurrency, valid requests only, loopback only. `npm run load` does the 100,000-request run.
 */
test('6 s at 16 connections: every answer a 200 with a URL, p50/p99 measured, heap flat', async () => {
  const report = await runLoad({ amount: 0, durationSeconds: 6, connections: 16, warmupAmount: 1000, maxSeconds: 30, heapBudgetMb: 4 });
  process.stderr.write(`${formatReport(report)}\n`);
  expect(loadProblems(report)).toEqual([]);
  expect(report.requests).toBeGreaterThan(500); // ~8,000–11,000 alone; other suites share the 2 cores under npm test
  expect(report.status).toEqual({ 200: report.requests });
  expect(report.latencyMs.p50).toBeGreaterThan(0);
  expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
}, 60_000);
