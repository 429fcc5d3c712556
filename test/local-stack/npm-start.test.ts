/**
 * `npm start` as a user runs it: the real npm → sh → tsx → node chain. A signal to any process of the chain stops every
 * server, and `--data <dir>` keeps the objects across a restart. Each run is its own process group, so whatever a
 * failing run leaves behind is ended by its group id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { presign } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  child: ChildProcess;
  output: () => string;
  /** npm, tsx and the node process that runs scripts/start.ts, outermost first. */
  chain: { pid: number; cmd: string }[];
  origins: { put: string; get: string; oss: string; fc: string };
}

const started: Run[] = [];

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function npmStart(args: string[]): Promise<Run> {
  const child = spawn('npm', ['start', '--', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOCAL_BUCKET: 'start-bucket' } });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const run: Run = { child, output: () => text, chain: [], origins: { put: '', get: '', oss: '', fc: '' } };
  started.push(run);
  await until('npm start to be up', () => text.includes('stops everything') || child.exitCode !== null, 60_000);
  if (!text.includes('stops everything')) throw new Error(`npm start did not come up:\n${text}`);
  const pid = child.pid as number;
  run.chain = [{ pid, cmd: 'npm' }];
  // Down the chain: the child that runs scripts/start.ts (tsx also starts an esbuild service beside it).
  const cmdOf = (p: number) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
  for (let next = childrenOf(pid).find((c) => cmdOf(c).includes('scripts/start.ts')); next !== undefined; next = childrenOf(next).find((c) => cmdOf(c).includes('scripts/start.ts'))) {
    run.chain.push({ pid: next, cmd: cmdOf(next) });
  }
  const find = (label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(text)?.[1] ?? '';
  run.origins = { put: find('presign-put'), get: find('presign-get'), oss: find('local OSS'), fc: new URL(find('presign-put')).origin };
  return run;
}

/** Sends the signal to one process of the chain, then every process of it must end and the servers stop answering. */
async function stopBy(run: Run, which: number, signal: NodeJS.Signals): Promise<void> {
  const target = run.chain[which];
  if (!target) throw new Error(`the chain has no process ${which}: ${JSON.stringify(run.chain)}`);
  process.kill(target.pid, signal);
  await until(`every process of the chain to end after ${signal} to ${target.cmd}`, () => run.chain.every((p) => !alive(p.pid)));
  await expect(fetch(run.origins.put, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  await expect(fetch(run.origins.oss, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
}

afterEach(() => {
  for (const run of started.splice(0)) {
    try {
      process.kill(-(run.child.pid as number), 'SIGKILL');
    } catch {
      /* the group is already gone, as it should be */
    }
  }
});

it('the chain is npm → tsx → node running scripts/start.ts (the start script execs, so no shell waits in between)', async () => {
  const run = await npmStart([]);
  expect(run.chain.map((p) => p.cmd)).toEqual(['npm', expect.stringMatching(/tsx scripts\/start\.ts/), expect.stringMatching(/--import \S+tsx\S+ scripts\/start\.ts/)]);
  // SIGTERM to npm itself: npm ends its child without passing the signal on; the servers notice and stop anyway.
  await stopBy(run, 0, 'SIGTERM');
  expect(run.output()).toMatch(/stopped \(/);
});

it('--data keeps objects across a restart; SIGINT to the node process stops it', async () => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'oss-presign-start-data-'));
  try {
    const first = await npmStart(['--data', data]);
    const bytes = randomBytes(2048);
    const put = await presign(first.origins.put, { key: 'kept/a.bin', contentType: 'application/octet-stream' });
    expect((await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: new Uint8Array(bytes) })).status).toBe(200);
    await stopBy(first, 2, 'SIGINT');

    const second = await npmStart(['--data', data]);
    const get = await presign(second.origins.get, { key: 'kept/a.bin' });
    const res = await fetch(get.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    await stopBy(second, 1, 'SIGTERM');
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

it('SIGINT to npm, and SIGINT to tsx, each stop every server', async () => {
  await stopBy(await npmStart([]), 0, 'SIGINT');
  await stopBy(await npmStart(['--verbose']), 1, 'SIGINT');
});
