/**
 * `npm run mutate`: Stryker mutation testing on the modules that decide yes or no (stryker.config.mjs), then the
 * check of its report (scripts/mutation/report.ts): every module at 90 % or more, every surviving mutant explained
 * in test/mutation/equivalent.json. Incremental: only mutants whose code or covering tests changed since the results
 * in test/mutation/incremental.json are tested again. Runs under `nice`: the machine has two cores, shared.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseCli } from '../cli/args';

const USAGE = `usage: npm run mutate -- [--force] [--report-only] [--write]
  Stryker mutation testing on the deciding modules (docs/mutation.md), incremental against
  test/mutation/incremental.json, then the check: each module at least 90 %, every survivor explained in
  test/mutation/equivalent.json. Exits 1 when the check fails.
  --force        test every mutant again, not only those whose code or tests changed
  --report-only  no Stryker run: check the last report (reports/mutation/mutation.json)
  --write        also write the scores and the survivors into docs/mutation.md`;

function main(): void {
  const { values } = parseCli(USAGE, { force: { type: 'boolean' }, 'report-only': { type: 'boolean' }, write: { type: 'boolean' } });
  const root = path.resolve(__dirname, '../..');
  if (values['report-only'] !== true) {
    // The package exports no bin path: its bin sits beside its package.json.
    const stryker = path.join(path.dirname(createRequire(__filename).resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
    const run = spawnSync('nice', ['-n', '10', process.execPath, stryker, 'run', ...(values.force === true ? ['--force'] : [])], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`stryker exited with ${run.status ?? run.signal}\n`);
      process.exit(1);
    }
  }
  // Loaded after the run: the report module reads files Stryker has just written.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkReport } = require('./report') as typeof import('./report');
  const ok = checkReport(root, { write: values.write === true });
  process.exit(ok ? 0 : 1);
}

main();
