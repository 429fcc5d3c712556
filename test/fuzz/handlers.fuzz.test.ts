import fc from 'fast-check';
import { formatStats, fuzzCase, newStats, runCase, startRig, type Rig } from './engine';

/**
 * The jest-sized fuzz run: a fixed seed, 3,000 generated requests through both real handlers, every success used for
 * real against the local OSS. `npm run fuzz` runs 100,000 with a sample of round trips.
 */
const SEED = 20301;
const RUNS = 3000;
let rig: Rig;
beforeAll(async () => { rig = await startRig(); });
afterAll(async () => rig.close());

test(`${RUNS} generated requests (seed ${SEED}): 4xx with a code or a URL the local OSS accepts; no crash, no raw +`, async () => {
  const stats = newStats();
  const started = Date.now();
  await fc.assert(fc.asyncProperty(fuzzCase, (c) => runCase(rig, c, stats, 1)), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  process.stderr.write(`${formatStats(stats, Date.now() - started)}\n`);
  expect(stats.runs).toBe(RUNS);
  // The generator must reach both outcomes and every shape, or the run proves little.
  expect(stats.successes).toBeGreaterThan(RUNS / 5);
  expect(Object.values(stats.roundTrips).reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
  expect(Object.keys(stats.byShape).sort()).toEqual(['api-gateway', 'batch', 'cloudevent', 'direct', 'garbage', 'http-get', 'http-post', 'mns-batch']);
  expect(Object.keys(stats.rejections).length).toBeGreaterThan(5);
}, 60_000);
