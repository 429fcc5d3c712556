import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkReport, summarise } from '../../scripts/mutation/report';
import { tempDir } from '../support/temp';

/**
 * The check after npm run mutate: each deciding module at 90 % or more, every survivor explained by a reason keyed by
 * what the mutant changes, and no reason left for a mutant that no longer survives.
 */
const SOURCE = 'const a = x > 0;\nconst b = y > 0;\n';
type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError';
const at = (line: number, column: number, length: number) => ({ start: { line, column }, end: { line, column: column + length } });
const mutant = (id: string, status: Status, line = 1) => ({ id, mutatorName: 'EqualityOperator', replacement: 'x >= 0', location: at(line, 11, 5), status });

function project(mutants: ReturnType<typeof mutant>[], reasons: Record<string, string>): string {
  const root = tempDir('mutation-report-');
  for (const folder of ['reports/mutation', 'test/mutation', 'docs']) mkdirSync(path.join(root, folder), { recursive: true });
  writeFileSync(path.join(root, 'reports/mutation/mutation.json'), JSON.stringify({ files: { 'shared/rules/match.ts': { source: SOURCE, mutants } } }));
  writeFileSync(path.join(root, 'test/mutation/equivalent.json'), JSON.stringify(reasons));
  writeFileSync(path.join(root, 'docs/mutation.md'), 'before\n<!-- mutation-report:begin (npm run mutate -- --write) -->\nold\n<!-- mutation-report:end -->\nafter\n');
  return root;
}

function check(root: string, write = false): { ok: boolean; out: string; err: string } {
  let out = '';
  let err = '';
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { ok: checkReport(root, { write }), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const KEY = 'shared/rules/match.ts EqualityOperator: x > 0 => x >= 0';
const nineKilled = Array.from({ length: 9 }, (_, i) => mutant(`k${i}`, 'Killed'));

describe('survivor keys', () => {
  it('name the file, the mutator, the original and the replacement; twins in one file are told apart in source order', () => {
    const report = { files: { 'shared/rules/match.ts': { source: 'x > 0 || x > 0\n', mutants: [
      { id: '2', mutatorName: 'EqualityOperator', replacement: 'x >= 0', location: at(1, 10, 5), status: 'Survived' },
      { id: '1', mutatorName: 'EqualityOperator', replacement: 'x >= 0', location: at(1, 1, 5), status: 'NoCoverage' },
    ] } } };
    expect(summarise(report).survivors.map((s) => [s.key, s.status])).toEqual([[KEY, 'NoCoverage'], [`${KEY} #2`, 'Survived']]);
  });
});

describe('the check', () => {
  it('passes with a module at exactly 90 % whose one survivor is explained', () => {
    const result = check(project([...nineKilled, mutant('s', 'Survived')], { [KEY]: 'why' }));
    expect(result.ok).toBe(true);
    expect(result.out).toContain('| `shared/rules` | 90.00 % | 9 | 0 | 1 | 0 | 0 |');
    expect(result.out).toContain('every module at 90 % or more; 1 survivors, each explained');
  });

  it('fails on a module under 90 %, even with every survivor explained', () => {
    const result = check(project([...nineKilled.slice(1), mutant('s', 'Survived'), mutant('n', 'NoCoverage', 2)], {
      [KEY]: 'why', 'shared/rules/match.ts EqualityOperator: y > 0 => x >= 0': 'why',
    }));
    expect(result.ok).toBe(false);
    expect(result.err).toContain('shared/rules: 80.00 %, under 90 %');
  });

  it('fails on a survivor without a reason, naming it', () => {
    const result = check(project([...nineKilled, ...nineKilled, mutant('s', 'Survived')], {}));
    expect(result.ok).toBe(false);
    expect(result.err).toContain(`unexplained survivor: ${KEY} (shared/rules/match.ts:1)`);
  });

  it('fails on a reason whose mutant no longer survives', () => {
    const result = check(project([...nineKilled, mutant('k', 'Killed')], { [KEY]: 'why' }));
    expect(result.ok).toBe(false);
    expect(result.err).toContain(`explained as equivalent, but no longer survives: ${KEY}`);
  });

  it('counts timeouts as detected, compile errors as neither', () => {
    const result = check(project([...nineKilled.slice(1), mutant('t', 'Timeout'), mutant('c', 'CompileError')], {}));
    expect(result.ok).toBe(true);
    expect(result.out).toContain('| `shared/rules` | 100.00 % | 8 | 1 | 0 | 0 | 1 |');
  });

  it('with --write, replaces only what stands between the markers of docs/mutation.md', () => {
    const root = project([...nineKilled, mutant('s', 'Survived')], { [KEY]: 'a reason' });
    expect(check(root, true).ok).toBe(true);
    const doc = readFileSync(path.join(root, 'docs/mutation.md'), 'utf8');
    expect(doc.startsWith('before\n<!-- mutation-report:begin (npm run mutate -- --write) -->\nRun of ')).toBe(true);
    expect(doc.endsWith('<!-- mutation-report:end -->\nafter\n')).toBe(true);
    expect(doc).not.toContain('\nold\n');
    expect(doc).toContain("| `shared/rules/match.ts:1` | EqualityOperator: `x > 0` → `x >= 0` | a reason |");
  });
});
