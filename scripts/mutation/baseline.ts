/**
 * The incremental baseline of `npm run mutate`: Stryker's results (test/mutation/incremental.json) and the digest of
 * what they were tested against (test/mutation/tested-inputs.json), which decides whether last run's survivors are
 * tested again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UNDETECTED } from './report';

const INCREMENTAL = 'test/mutation/incremental.json';

interface IncrementalReport { files: Record<string, { mutants: { status: string }[] }> }

/** What the last run tested: a digest of the code and the tests, written beside the incremental file after a run. */
const TESTED_INPUTS = 'test/mutation/tested-inputs.json';
const INPUT_FOLDERS = ['shared', 'functions', 'test'];
const INPUT_FILES = ['stryker.config.mjs', 'jest.config.js', 'tsconfig.json', 'tsconfig.mutation.json', 'package-lock.json'];
/** The results and the reasons for survivors: what a run writes or the check reads, not what Stryker tests. */
const NOT_INPUTS = new Set([INCREMENTAL, TESTED_INPUTS, 'test/mutation/equivalent.json']);

/** One digest of every file under shared/, functions/ and test/ (but the mutation results and reasons) and of the configuration. */
export function inputsDigest(root: string): string {
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
 * Returns how many survivors were dropped, or undefined when they stand.
 */
export function retestSurvivors(root: string, digest: string): number | undefined {
  const file = path.join(root, INCREMENTAL);
  if (!existsSync(file)) return undefined;
  const tested = existsSync(path.join(root, TESTED_INPUTS)) ? (JSON.parse(readFileSync(path.join(root, TESTED_INPUTS), 'utf8')) as { digest?: string }).digest : undefined;
  if (tested === digest) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as IncrementalReport;
  let dropped = 0;
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((mutant) => !UNDETECTED.has(mutant.status));
    dropped += entry.mutants.length - kept.length;
    entry.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  return dropped;
}

/** Stryker writes the incremental file indented; the tracked copy is one line, half the size. */
export function compactIncremental(root: string): void {
  const file = path.join(root, INCREMENTAL);
  if (existsSync(file)) writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))));
}

/** Written after a run that finished: the digest taken before it started. */
export function recordTestedInputs(root: string, digest: string): void {
  writeFileSync(path.join(root, TESTED_INPUTS), `${JSON.stringify({ digest }, null, 2)}\n`);
}
