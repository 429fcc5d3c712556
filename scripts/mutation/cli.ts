/**
 * `npm run mutate`: Stryker mutation testing on the modules that decide yes or no (stryker.config.mjs), then the
 * check of its report (scripts/mutation/report.ts): every module at 90 % or more, every surviving mutant explained
 * in test/mutation/equivalent.json. Incremental: only mutants whose code or covering tests changed since the results
 * in test/mutation/incremental.json are tested again, and last run's survivors whenever anything changed since it
 * (./baseline.ts). Runs under `nice`: the machine has two cores, shared.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseCli, wholeNumber } from '../cli/args';
import { compactIncremental, inputsDigest, recordTestedInputs, retestSurvivors } from './baseline';
import { checkReport } from './report';

const USAGE = `usage: npm run mutate -- [--force] [--concurrency N] [--report-only] [--write]
  Stryker mutation testing on the deciding modules (docs/mutation.md), incremental against
  test/mutation/incremental.json, then the check: each module at least 90 %, every survivor explained in
  test/mutation/equivalent.json. Exits 1 when the check fails.
  --force        test every mutant again, not only those whose code or tests changed
  --concurrency N  Stryker processes side by side (default 1; with N, half are type checkers until checking is done)
  --report-only  no Stryker run: check the last report (reports/mutation/mutation.json)
  --write        also write the scores and the survivors into docs/mutation.md`;

function main(): void {
  const { values } = parseCli(USAGE, { force: { type: 'boolean' }, 'report-only': { type: 'boolean' }, write: { type: 'boolean' }, concurrency: { type: 'string' } });
  const root = path.resolve(__dirname, '../..');
  if (values['report-only'] !== true) {
    const args = ['run', ...(values.force === true ? ['--force'] : [])];
    if (values.concurrency !== undefined) args.push('--concurrency', String(wholeNumber(USAGE, 'concurrency', values.concurrency, 1)));
    // Taken before the run: what Stryker copies into its sandbox now is what it tests.
    const digest = inputsDigest(root);
    if (values.force !== true) {
      const dropped = retestSurvivors(root, digest);
      process.stdout.write(dropped === undefined ? 'mutate: code and tests are as the last run tested them; its survivors stand\n' : `mutate: code or tests changed since the last run; its ${dropped} survivors are tested again\n`);
    }
    // The package exports no bin path: its bin sits beside its package.json.
    const stryker = path.join(path.dirname(createRequire(__filename).resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
    const run = spawnSync('nice', ['-n', '10', process.execPath, stryker, ...args], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`stryker exited with ${run.status ?? run.signal}\n`);
      process.exit(1);
    }
    compactIncremental(root);
    recordTestedInputs(root, digest);
  }
  const ok = checkReport(root, { write: values.write === true });
  process.exit(ok ? 0 : 1);
}

main();
