// @ts-check
/**
 * `npm run mutate`: Stryker mutation testing on the modules that decide yes or no. What it measures, the scores and
 * every surviving mutant with the reason it is equivalent are in docs/mutation.md.
 *
 * Incremental: the results of the last run are kept in test/mutation/incremental.json (tracked), and a run re-tests
 * only the mutants whose code or covering tests changed since (`npm run mutate -- --force` re-tests everything).
 * Run it with `concurrency: 1` under `nice`: the machine has two cores, shared.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: [
    'shared/rules/**/*.ts',
    'shared/identity/**/*.ts',
    'shared/service/**/*.ts',
    'shared/http/**/*.ts',
    'shared/adapters/**/*.ts',
    'shared/request/**/*.ts',
    'shared/core/budget.ts',
    'shared/expiry/**/*.ts',
  ],
  testRunner: 'jest-by-file',
  plugins: ['@stryker-mutator/*', './test/mutation/jest-by-file-runner.mjs'],
  jest: { projectType: 'custom', configFile: 'test/mutation/jest.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  // Only the deployed code: type-checking each mutant against every test and script as well cost about twice the CPU.
  tsconfigFile: 'tsconfig.mutation.json',
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'test/mutation/incremental.json',
  concurrency: 1,
  // A mutant's files run one jest run each, whole (test/mutation/jest-by-file-runner.mjs): each run costs about half a
  // second more than its tests, and a file's other tests, neither of which Stryker's estimate (the covering tests' own
  // time) knows. A survivor of a module every suite loads meets some forty files, about a minute on this machine, and
  // at 30 s it was reported as a timeout (detected) instead of a survivor: two minutes leave room for that.
  timeoutMS: 120000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // The score table only: the check after the run names every unexplained survivor, and the HTML report shows them all.
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportMutants: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
