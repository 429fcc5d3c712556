/**
 * Every script a user runs answers `--help` with its usage and exits 0 without starting its job, and refuses an
 * unknown flag (non-zero exit, the flag named, the usage shown). The package.json scripts run through npm, as the
 * README writes them (so `npm run load -- --help` is tested with load's own node flags); the other command-line
 * scripts run as their own usage lines say. A new script that reads process.argv must be added here.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = require.resolve('tsx/cli');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** jest and tsc + eslint are third-party tools with their own --help. */
const THIRD_PARTY = new Set(['test', 'lint']);
/** What `npm run X` runs from scripts/, so the scan below can tell which CLI files are covered through npm. */
const NPM_SCRIPTS = Object.keys(pkg.scripts).filter((name) => !THIRD_PARTY.has(name)).sort();
const OTHER_CLIS: Record<string, string[]> = {
  'scripts/remote-invoke.ts': [process.execPath, TSX, 'scripts/remote-invoke.ts'],
  'scripts/local-oss/cli.ts': [process.execPath, TSX, 'scripts/local-oss/cli.ts'],
  'scripts/setup-test-machine.sh': ['bash', 'scripts/setup-test-machine.sh'],
};

interface Result { code: number; stdout: string; stderr: string }

function run(command: string[], extra: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const [file, ...args] = command as [string, ...string[]];
    execFile(file, [...args, ...extra], { cwd: ROOT, timeout: 60_000, env: { ...process.env, CI: 'true' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const npm = (name: string) => ['npm', 'run', '--silent', name, '--'];
const cases: [string, string[]][] = [...NPM_SCRIPTS.map((name): [string, string[]] => [`npm run ${name}`, npm(name)]), ...Object.entries(OTHER_CLIS)];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [path.relative(ROOT, full)];
  });
}

it('every command-line script in scripts/ is covered, through npm or by name', () => {
  const viaNpm = Object.values(pkg.scripts).join(' ');
  const clis = filesUnder(path.join(ROOT, 'scripts'))
    .filter((f) => /\.(ts|sh)$/.test(f))
    .filter((f) => f.endsWith('.sh') || /process\.argv|parseCli\(/.test(readFileSync(path.join(ROOT, f), 'utf8')))
    .filter((f) => f !== 'scripts/cli/args.ts');
  const uncovered = clis.filter((f) => !(f in OTHER_CLIS) && !viaNpm.includes(f.replace(/\/index\.ts$/, '')));
  expect(uncovered).toEqual([]);
  expect(NPM_SCRIPTS).toEqual(expect.arrayContaining(['bench', 'build', 'fuzz', 'invoke', 'load', 'queue', 'start']));
});

// Every run up front, three at a time: they are process starts, and the machine has two cores.
const results = new Map<string, Result>();
beforeAll(async () => {
  const jobs = cases.flatMap(([label, command]) => [['--help', '--no-such-flag'].map((flag) => async () => results.set(`${label} ${flag}`, await run(command, [flag])))]).flat();
  const worker = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) await job();
  };
  await Promise.all([worker(), worker(), worker()]);
}, 180_000);

const resultOf = (label: string, flag: string): Result => {
  const found = results.get(`${label} ${flag}`);
  if (!found) throw new Error(`${label} ${flag} did not run`);
  return found;
};

describe.each(cases)('%s', (label) => {
  it('--help prints the usage and exits 0 without starting the job', () => {
    const result = resultOf(label, '--help');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: /);
    // Nothing of the job itself ran: no report, no server, no build.
    expect(result.stdout).not.toMatch(/PASS|FAIL|is up|wrote |fuzz: \d|load: \d|KB {2}\(lazy|metafiles:/);
  });

  it('an unknown flag is an error naming it, with the usage', () => {
    const result = resultOf(label, '--no-such-flag');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).toMatch(/usage: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
