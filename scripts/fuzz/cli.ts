/**
 * `npm run fuzz`: 100,000 generated requests through both real handlers (see test/fuzz/engine.ts for what is
 * generated and checked), every 20th success used for real against the local OSS. Prints the counts and the time;
 * exits 1 with fast-check's shrunk counterexample on the first failure.
 * Options: --runs N, --seed S (default: random, printed), --sample-every N.
 */
import { parseCli, wholeNumber } from '../cli/args';

const USAGE = `usage: npm run fuzz -- [--runs N] [--seed S] [--sample-every N]
  Generated requests through both real handlers; every Nth success is used for real against the local OSS.
  --runs N           how many cases (default 100000)
  --seed S           fast-check seed (default: random, printed)
  --sample-every N   OSS round trip for every Nth success (default 20)`;

async function main(): Promise<void> {
  const { values } = parseCli(USAGE, { runs: { type: 'string' }, seed: { type: 'string' }, 'sample-every': { type: 'string' } });
  const runs = wholeNumber(USAGE, 'runs', values.runs, 100_000);
  const seed = wholeNumber(USAGE, 'seed', values.seed, Date.now() % 2 ** 31);
  const sampleEvery = Math.max(1, wholeNumber(USAGE, 'sample-every', values['sample-every'], 20));
  // Loaded after the command line is read, so that --help and a wrong flag answer at once.
  const { default: fc } = await import('fast-check');
  const { formatStats, fuzzCase, newStats, runCase, startRig } = await import('../../test/fuzz/engine');
  const rig = await startRig();
  const stats = newStats();
  const started = Date.now();
  try {
    process.stdout.write(`fuzz: ${runs} runs, seed ${seed}, OSS round trip for every ${sampleEvery}th success\n`);
    await fc.assert(fc.asyncProperty(fuzzCase, (c) => runCase(rig, c, stats, sampleEvery)), { seed, numRuns: runs, endOnFailure: true });
    process.stdout.write(`${formatStats(stats, Date.now() - started)}\nPASS: 0 violations\n`);
  } catch (error) {
    // fast-check keeps what the check said in the error's cause; the message holds the counterexample.
    const cause = error instanceof Error && error.cause !== undefined ? `\ncause: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}` : '';
    process.stdout.write(`${formatStats(stats, Date.now() - started)}\nFAIL (seed ${seed})\n${error instanceof Error ? error.message : String(error)}${cause}\n`);
    process.exitCode = 1;
  } finally {
    await rig.close();
  }
}

void main();
