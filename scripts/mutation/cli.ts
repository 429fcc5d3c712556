/**
 * `npm run mutate`: Stryker mutation testing on the modules that decide yes or no (stryker.config.mjs), then the
 * check of its report (scripts/mutation/report.ts): every module at 90 % or more, every surviving mutant explained
 * in test/mutation/equivalent.json. Incremental: only mutants whose code or covering tests changed since the results
 * in test/mutation/incremental.json are tested again. Runs under `nice`: the machine has two cores, shared.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseCli, wholeNumber } from '../cli/args';

const USAGE = `usage: npm run mutate -- [--force] [--report-only] [--write]
  Stryker mutation testing on the deciding modules (docs/mutation.md), incremental against
  test/mutation/incremental.json, then the check: each module at least 90 %, every survivor explained in
  test/mutation/equivalent.json. Exits 1 when the check fails.
  --force        test every mutant again, not only those whose code or tests changed
  --concurrency N  Stryker processes side by side (default 1; with N, half are type checkers until checking is done)
  --report-only  no Stryker run: check the last report (reports/mutation/mutation.json)
  --write        also write the scores and the survivors into docs/mutation.md`;

const INCREMENTAL = 'test/mutation/incremental.json';
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

interface IncrementalReport { files: Record<string, { mutants: { status: string }[] }> }

/** What the last run tested: a digest of the code and the tests, written beside the incremental file after a run. */
const TESTED_INPUTS = 'test/mutation/tested-inputs.json';
const INPUT_FOLDERS = ['shared', 'functions', 'test'];
const INPUT_FILES = ['stryker.config.mjs', 'jest.config.js', 'tsconfig.json', 'tsconfig.mutation.json', 'package-lock.json'];
/** The results and the reasons for survivors: what a run writes or the check reads, not what Stryker tests. */
const NOT_INPUTS = new Set([INCREMENTAL, TESTED_INPUTS, 'test/mutation/equivalent.json']);

/** One digest of every file under shared/, functions/ and test/ (but the mutation results and reasons) and of the configuration. */
function inputsDigest(root: string): string {
  const hash = createHash('sha256');
  const walk = (folder: string): void => {
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (!NOT_INPUTS.has(name)) hash.update(`${name}\0`).update(readFileSync(path.join(root, name))).update('\0');
    }
  };
  for (const folder of INPUT_FOLDERS) walk(folder);
  for (const name of INPUT_FILES) hash.update(`${name}\0`).update(readFileSync(path.join(root, name))).update('\0');
  return hash.digest('hex');
}

/**
 * When the code or the tests changed since the last run, drops that run's survivors from the incremental file, so
 * that Stryker tests each of them again. Stryker reuses a survivor while no new test *covers* it
 * (https://stryker-mutator.io/docs/stryker-js/incremental, "Reuse is possible when"), and code that runs when a
 * module loads (a regular expression, a table) is covered by no test or only by the one that loaded it: a test
 * written later to kill such a mutant would never be run against it. Killed mutants are still reused while their
 * killing test is unchanged. With nothing changed, the survivors stand: they met these very tests.
 */
function retestSurvivors(root: string, digest: string): void {
  const file = path.join(root, INCREMENTAL);
  if (!existsSync(file)) return;
  const tested = existsSync(path.join(root, TESTED_INPUTS)) ? (JSON.parse(readFileSync(path.join(root, TESTED_INPUTS), 'utf8')) as { digest?: string }).digest : undefined;
  if (tested === digest) {
    process.stdout.write('mutate: code and tests are as the last run tested them; its survivors stand\n');
    return;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as IncrementalReport;
  let dropped = 0;
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((mutant) => !UNDETECTED.has(mutant.status));
    dropped += entry.mutants.length - kept.length;
    entry.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  process.stdout.write(`mutate: code or tests changed since the last run; its ${dropped} survivors are tested again\n`);
}

/** Stryker writes the incremental file indented; the tracked copy is one line, half the size. */
function compactIncremental(root: string): void {
  const file = path.join(root, INCREMENTAL);
  if (existsSync(file)) writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))));
}

function main(): void {
  const { values } = parseCli(USAGE, { force: { type: 'boolean' }, 'report-only': { type: 'boolean' }, write: { type: 'boolean' }, concurrency: { type: 'string' } });
  const root = path.resolve(__dirname, '../..');
  if (values['report-only'] !== true) {
    const args = ['run', ...(values.force === true ? ['--force'] : [])];
    if (values.concurrency !== undefined) args.push('--concurrency', String(wholeNumber(USAGE, 'concurrency', values.concurrency, 1)));
    // Taken before the run: what Stryker copies into its sandbox now is what it tests.
    const digest = inputsDigest(root);
    if (values.force !== true) retestSurvivors(root, digest);
    // The package exports no bin path: its bin sits beside its package.json.
    const stryker = path.join(path.dirname(createRequire(__filename).resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
    const run = spawnSync('nice', ['-n', '10', process.execPath, stryker, ...args], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`stryker exited with ${run.status ?? run.signal}\n`);
      process.exit(1);
    }
    compactIncremental(root);
    writeFileSync(path.join(root, TESTED_INPUTS), `${JSON.stringify({ digest }, null, 2)}\n`);
  }
  // Loaded after the run: the report module reads files Stryker has just written.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkReport } = require('./report') as typeof import('./report');
  const ok = checkReport(root, { write: values.write === true });
  process.exit(ok ? 0 : 1);
}

main();
