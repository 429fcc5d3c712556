/**
 * The check of a mutation report (reports/mutation/mutation.json, Stryker's JSON report): the score of each deciding
 * module, at least 90 %, and every mutant left alive (Survived or NoCoverage) explained in
 * test/mutation/equivalent.json with the reason it cannot change behaviour. A survivor without a reason, or a
 * reason whose mutant no longer survives, fails the check. With `write`, the table and the survivors go into
 * docs/mutation.md between its markers.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const THRESHOLD = 90;

/** The modules that decide, as the issue names them; a file belongs to the first that matches. */
export const MODULES: { name: string; matches: (file: string) => boolean }[] = [
  { name: 'shared/rules', matches: (f) => f.startsWith('shared/rules/') },
  { name: 'shared/identity', matches: (f) => f.startsWith('shared/identity/') },
  { name: 'shared/service', matches: (f) => f.startsWith('shared/service/') },
  { name: 'shared/http', matches: (f) => f.startsWith('shared/http/') },
  { name: 'shared/adapters', matches: (f) => f.startsWith('shared/adapters/') },
  { name: 'shared/request', matches: (f) => f.startsWith('shared/request/') },
  { name: 'shared/core/budget.ts', matches: (f) => f === 'shared/core/budget.ts' },
  { name: 'shared/expiry', matches: (f) => f.startsWith('shared/expiry/') },
];

interface Position { line: number; column: number }
interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: Position; end: Position };
  status: string;
}
interface Report { files: Record<string, { source: string; mutants: ReportMutant[] }> }

export interface Survivor { key: string; file: string; line: number; status: string; mutator: string; original: string; replacement: string }
export interface ModuleScore { name: string; killed: number; timeout: number; survived: number; noCoverage: number; invalid: number; score: number | null }

/** The statuses of a mutant no test noticed. */
export const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function textAt(source: string, { start, end }: { start: Position; end: Position }): string {
  const lines = source.split('\n');
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return [first, ...lines.slice(start.line, end.line - 1), last].join('\n');
}

const oneLine = (text: string, max = 100): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Scores per module and the survivors, each keyed by what it changes (stable when lines move). */
export function summarise(report: Report): { modules: ModuleScore[]; survivors: Survivor[]; files: string[] } {
  const modules = MODULES.map((m): ModuleScore => ({ name: m.name, killed: 0, timeout: 0, survived: 0, noCoverage: 0, invalid: 0, score: null }));
  const survivors: Survivor[] = [];
  const seen = new Map<string, number>();
  const files = Object.keys(report.files).sort();
  for (const file of files) {
    const { source, mutants } = report.files[file]!;
    const index = MODULES.findIndex((m) => m.matches(file));
    const module = modules[index];
    const ordered = [...mutants].sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column || a.mutatorName.localeCompare(b.mutatorName));
    for (const mutant of ordered) {
      if (module) {
        if (mutant.status === 'Killed') module.killed += 1;
        else if (mutant.status === 'Timeout') module.timeout += 1;
        else if (mutant.status === 'Survived') module.survived += 1;
        else if (mutant.status === 'NoCoverage') module.noCoverage += 1;
        else module.invalid += 1;
      }
      if (!UNDETECTED.has(mutant.status)) continue;
      const original = oneLine(textAt(source, mutant.location));
      const replacement = oneLine(mutant.replacement ?? '');
      const base = `${file} ${mutant.mutatorName}: ${original} => ${replacement}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      survivors.push({ key: count === 1 ? base : `${base} #${count}`, file, line: mutant.location.start.line, status: mutant.status, mutator: mutant.mutatorName, original, replacement });
    }
  }
  for (const m of modules) {
    const detected = m.killed + m.timeout;
    const total = detected + m.survived + m.noCoverage;
    m.score = total === 0 ? null : (100 * detected) / total;
  }
  return { modules, survivors, files };
}

const pct = (score: number | null): string => (score === null ? 'n/a' : `${score.toFixed(2)} %`);
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/`/g, "'");

export function markdown(modules: ModuleScore[], survivors: Survivor[], reasons: Record<string, string>, date: string): string {
  const lines = [
    `Run of ${date}: \`npm run mutate\` (Stryker, \`stryker.config.mjs\`; incremental against \`test/mutation/incremental.json\`).`,
    '',
    '| module | score | killed | timed out | survived | no coverage | invalid (compile errors) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...modules.map((m) => `| \`${m.name}\` | ${pct(m.score)} | ${m.killed} | ${m.timeout} | ${m.survived} | ${m.noCoverage} | ${m.invalid} |`),
    '',
    `Surviving mutants (${survivors.length}), each with the reason it cannot change behaviour:`,
    '',
    '| where | mutant | why it is equivalent |',
    '| --- | --- | --- |',
    ...survivors.map((s) => `| \`${s.file}:${s.line}\` | ${s.mutator}: \`${escapeCell(s.original)}\` → \`${escapeCell(s.replacement)}\` | ${escapeCell(reasons[s.key] ?? '**not explained**')} |`),
  ];
  return lines.join('\n');
}

const BEGIN = '<!-- mutation-report:begin (npm run mutate -- --write) -->';
const END = '<!-- mutation-report:end -->';

/** Prints the scores and the survivors; false when a module is under THRESHOLD or a survivor is unexplained. */
export function checkReport(root: string, options: { write: boolean }): boolean {
  const reportFile = path.join(root, 'reports/mutation/mutation.json');
  if (!existsSync(reportFile)) {
    process.stderr.write(`no report at ${path.relative(root, reportFile)}: run npm run mutate first\n`);
    return false;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const reasonsFile = path.join(root, 'test/mutation/equivalent.json');
  const reasons = JSON.parse(readFileSync(reasonsFile, 'utf8')) as Record<string, string>;
  const { modules, survivors } = summarise(report);
  const problems: string[] = [];
  for (const m of modules) {
    if (m.score !== null && m.score < THRESHOLD) problems.push(`${m.name}: ${pct(m.score)}, under ${THRESHOLD} %`);
  }
  const alive = new Set(survivors.map((s) => s.key));
  for (const s of survivors) if (!reasons[s.key]) problems.push(`unexplained survivor: ${s.key} (${s.file}:${s.line})`);
  for (const key of Object.keys(reasons)) if (!alive.has(key)) problems.push(`explained as equivalent, but no longer survives: ${key}`);
  const date = statSync(reportFile).mtime.toISOString().slice(0, 10);
  const table = markdown(modules, survivors, reasons, date);
  process.stdout.write(`${table.split('\n').slice(0, modules.length + 4).join('\n')}\n`);
  if (options.write) {
    const doc = path.join(root, 'docs/mutation.md');
    const text = readFileSync(doc, 'utf8');
    const begin = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (begin < 0 || end < begin) throw new Error(`docs/mutation.md lacks the markers ${BEGIN} ... ${END}`);
    writeFileSync(doc, `${text.slice(0, begin + BEGIN.length)}\n${table}\n${text.slice(end)}`);
    process.stdout.write('wrote docs/mutation.md\n');
  }
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.stdout.write(problems.length === 0 ? `every module at ${THRESHOLD} % or more; ${survivors.length} survivors, each explained\n` : `${problems.length} problem(s)\n`);
  return problems.length === 0;
}
