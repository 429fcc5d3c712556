/**
 * Stryker's jest runner, run one test file at a time (`testRunner: 'jest-by-file'` in stryker.config.mjs).
 *
 * With per-test coverage Stryker knows which tests reach a mutant, but its jest runner still loads every test file
 * related to the mutated module (--findRelatedTests) and runs every covering test even after one has failed: jest
 * cannot bail when it is driven programmatically. A module every handler uses is related to some twenty suites, so
 * each mutant cost about 10 s. Here a mutant runs the files that can reach it one jest run at a time, and stops at
 * the first file that kills it:
 * - a mutant with per-test coverage runs the files holding its covering tests, whole: code that runs when a module
 *   loads is counted only to the test that loaded it (a module required lazily, such as the JWT chunk, loads inside
 *   the file's first test), while the file's later tests use what it built (a regular expression, a table);
 * - a static mutant (code that runs when a module loads or a handler is created, which no single test owns) runs
 *   the files related to its module (jest --findRelatedTests), whole.
 * Files are tried in the order most likely to kill cheaply: those that killed mutants of the same module before,
 * then the quickest. A survivor still meets every test that could kill it.
 *
 * A suite that cannot even load under a mutant (its handler refuses the suite's configuration at cold start, so
 * the file fails before its first test) has detected that mutant: it counts as killed by that file's tests,
 * where Stryker's own runner would report a RuntimeError and leave the mutant out of the score.
 */
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { declareFactoryPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { MutantRunStatus, DryRunStatus } from '@stryker-mutator/api/test-runner';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const jestFactory = jestPlugins[0].factory;
/** What a jest run costs besides its tests (configuration, module map, loading the file), in ms. */
const FILE_OVERHEAD_MS = 400;
const JEST_CONFIG = 'test/mutation/jest.config.js';
/** What the dry run taught, kept in the sandbox: Stryker restarts a runner after a timeout, without a new dry run. */
const LEARNED = '.stryker-jest-by-file.json';

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

class JestByFileRunner {
  /** test id (jest's full name) -> the files that hold a test of that name */
  filesOf = new Map();
  /** file -> the ids of its tests */
  testsIn = new Map();
  /** file -> estimated cost of a run of it */
  costOf = new Map();
  /** mutated module -> test file -> mutants of that module the file killed */
  kills = new Map();
  /** mutated module -> the test files jest relates to it */
  related = new Map();
  forcedTestFiles = undefined;

  constructor(inner) {
    this.inner = inner;
    const run = inner.run.bind(inner);
    // JestTestRunner.run hands its settings to the jest adapter, which runs exactly `testFiles` when given them.
    inner.run = (settings) => run(this.forcedTestFiles ? { ...settings, testFiles: this.forcedTestFiles } : settings);
  }

  async init() {
    await this.inner.init();
    if (existsSync(LEARNED)) {
      const learned = JSON.parse(readFileSync(LEARNED, 'utf8'));
      this.filesOf = new Map(learned.filesOf.map(([id, files]) => [id, new Set(files)]));
      this.testsIn = new Map(learned.testsIn);
      this.costOf = new Map(learned.costOf);
    }
  }

  capabilities() {
    return this.inner.capabilities();
  }

  dispose() {
    return this.inner.dispose?.();
  }

  async dryRun(options) {
    const result = await this.inner.dryRun(options);
    if (result.status === DryRunStatus.Complete) {
      for (const test of result.tests) {
        if (!test.fileName) continue;
        if (!this.filesOf.has(test.id)) this.filesOf.set(test.id, new Set());
        this.filesOf.get(test.id).add(test.fileName);
        if (!this.testsIn.has(test.fileName)) this.testsIn.set(test.fileName, []);
        this.testsIn.get(test.fileName).push(test.id);
        this.costOf.set(test.fileName, (this.costOf.get(test.fileName) ?? FILE_OVERHEAD_MS) + test.timeSpentMs);
      }
      const filesOf = [...this.filesOf].map(([id, files]) => [id, [...files]]);
      writeFileSync(LEARNED, JSON.stringify({ filesOf, testsIn: [...this.testsIn], costOf: [...this.costOf] }));
    }
    return result;
  }

  /** The test files jest relates to `module` (its importers, transitively), among those the dry run ran. */
  relatedFiles(module) {
    if (!this.related.has(module)) {
      const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
      const out = execFileSync(process.execPath, [jest, '-c', JEST_CONFIG, '--listTests', '--json', '--findRelatedTests', module], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      this.related.set(module, JSON.parse(out).filter((file) => this.testsIn.has(file)));
    }
    return this.related.get(module);
  }

  order(module, files) {
    const kills = this.kills.get(module) ?? new Map();
    return files.sort((a, b) => (kills.get(b) ?? 0) - (kills.get(a) ?? 0) || (this.costOf.get(a) ?? 0) - (this.costOf.get(b) ?? 0));
  }

  async mutantRun(options) {
    const { testFilter, sandboxFileName: module } = options;
    let files;
    if (testFilter === undefined) {
      files = this.relatedFiles(module);
    } else {
      const holding = new Set();
      for (const id of testFilter) {
        const holders = this.filesOf.get(id);
        if (holders === undefined) return this.inner.mutantRun(options);
        for (const file of holders) holding.add(file);
      }
      files = [...holding];
    }
    // Nothing learned (no dry run in this sandbox): Stryker's own way, every related file in one jest run.
    if (files.length === 0) return this.inner.mutantRun(options);
    let nrOfTests = 0;
    for (const file of this.order(module, files)) {
      this.forcedTestFiles = [escapeRegExp(file)];
      let result;
      try {
        result = await this.inner.mutantRun({ ...options, testFilter: undefined });
      } finally {
        this.forcedTestFiles = undefined;
      }
      if (result.status === MutantRunStatus.Error) {
        result = { status: MutantRunStatus.Killed, killedBy: this.testsIn.get(file), failureMessage: `the suite failed to load: ${result.errorMessage}`, nrOfTests: 1 };
      }
      if (result.status === MutantRunStatus.Killed) {
        if (!this.kills.has(module)) this.kills.set(module, new Map());
        const byFile = this.kills.get(module);
        byFile.set(file, (byFile.get(file) ?? 0) + 1);
      }
      if (result.status !== MutantRunStatus.Survived) return result;
      nrOfTests += result.nrOfTests;
    }
    return { status: MutantRunStatus.Survived, nrOfTests };
  }
}

function jestByFileRunnerFactory(injector) {
  return new JestByFileRunner(jestFactory(injector));
}
jestByFileRunnerFactory.inject = jestFactory.inject;

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFileRunnerFactory)];
