import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compactIncremental, inputsDigest, recordTestedInputs, retestSurvivors } from '../../scripts/mutation/baseline';
import { tempDir } from '../support/temp';

/**
 * The incremental baseline of npm run mutate: last run's survivors are tested again exactly when the code, the tests
 * or the configuration changed since that run (Stryker alone would reuse a survivor no new test covers, and code run
 * at module load is covered by none), and never because of the results or the reasons themselves.
 */
const CONFIG_FILES = ['stryker.config.mjs', 'jest.config.js', 'tsconfig.json', 'tsconfig.mutation.json', 'package-lock.json'];
const mutant = (status: string) => ({ id: status, status });

function project(): string {
  const root = tempDir('mutation-baseline-');
  for (const folder of ['shared/rules', 'functions/presign-put', 'test/mutation', 'test/rules']) mkdirSync(path.join(root, folder), { recursive: true });
  for (const name of CONFIG_FILES) writeFileSync(path.join(root, name), `${name}\n`);
  writeFileSync(path.join(root, 'shared/rules/match.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(root, 'test/rules/match.test.ts'), "it('a', () => expect(1).toBe(1));\n");
  writeFileSync(path.join(root, 'test/mutation/equivalent.json'), '{}\n');
  writeFileSync(path.join(root, 'test/mutation/incremental.json'), JSON.stringify({
    files: { 'shared/rules/match.ts': { mutants: ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'Survived'].map(mutant) } },
  }, null, 2));
  return root;
}
const statuses = (root: string): string[] =>
  (JSON.parse(readFileSync(path.join(root, 'test/mutation/incremental.json'), 'utf8')) as { files: Record<string, { mutants: { status: string }[] }> }).files['shared/rules/match.ts']!.mutants.map((m) => m.status);

describe('the digest of what a run tested', () => {
  it.each([
    ['a deciding module', 'shared/rules/match.ts'],
    ['a handler', 'functions/presign-put/index.ts'],
    ['a test', 'test/rules/match.test.ts'],
    ['the Stryker configuration', 'stryker.config.mjs'],
    ['the locked dependencies', 'package-lock.json'],
  ])('changes with %s', (_name, file) => {
    const root = project();
    const before = inputsDigest(root);
    writeFileSync(path.join(root, file), 'changed\n');
    expect(inputsDigest(root)).not.toBe(before);
  });

  it.each([
    ['the reasons for survivors', 'test/mutation/equivalent.json'],
    ['the results', 'test/mutation/incremental.json'],
    ['the digest file itself', 'test/mutation/tested-inputs.json'],
  ])('does not change with %s', (_name, file) => {
    const root = project();
    const before = inputsDigest(root);
    writeFileSync(path.join(root, file), '{"changed": true}\n');
    expect(inputsDigest(root)).toBe(before);
  });
});

describe('survivors are tested again when anything changed since the run that left them', () => {
  it('a tree as the last run tested it keeps every result, survivors included', () => {
    const root = project();
    recordTestedInputs(root, inputsDigest(root));
    expect(retestSurvivors(root, inputsDigest(root))).toBeUndefined();
    expect(statuses(root)).toEqual(['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'Survived']);
  });

  it('a changed test drops the survivors (Survived, NoCoverage) and keeps what was detected or did not compile', () => {
    const root = project();
    recordTestedInputs(root, inputsDigest(root));
    writeFileSync(path.join(root, 'test/rules/match.test.ts'), "it('b', () => expect(2).toBe(2));\n");
    expect(retestSurvivors(root, inputsDigest(root))).toBe(3);
    expect(statuses(root)).toEqual(['Killed', 'Timeout', 'CompileError']);
  });

  it('with no record of what was tested, the survivors are tested again', () => {
    const root = project();
    expect(retestSurvivors(root, inputsDigest(root))).toBe(3);
  });

  it('the tracked results are written on one line', () => {
    const root = project();
    compactIncremental(root);
    const text = readFileSync(path.join(root, 'test/mutation/incremental.json'), 'utf8');
    expect(text).not.toContain('\n');
    expect(statuses(root)).toHaveLength(6);
  });
});
