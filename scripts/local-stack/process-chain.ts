import { readFileSync } from 'node:fs';

/**
 * `npm start` is a chain of processes: npm → sh -c → tsx → node (this script). A signal to any one of them must stop
 * the servers, but npm and sh do not pass SIGTERM on (npm kills its shell, which leaves tsx and this process
 * orphaned, servers running). So this process watches its own ancestors of the chain and stops when one of them is
 * gone, besides handling the signals it receives itself. Linux only (/proc); elsewhere only the direct parent is
 * watched (process.ppid changes when it dies).
 */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** A process that belongs to the chain: the shell or tsx running this script, or npm running the start script. */
export function isChainCommand(cmd: string, script: string): boolean {
  return cmd.includes(script) || (/(^|[\s/])npm(-cli\.js)?(\s|$)/.test(cmd) && /(^|\s)(start|run start|run-script start)(\s|$)/.test(cmd));
}

/** This process's ancestors that belong to the chain, nearest first, with the command line each had. */
export function chainAncestors(script: string): { pid: number; cmd: string }[] {
  const chain: { pid: number; cmd: string }[] = [];
  for (let pid = process.ppid; pid > 1 && chain.length < 6; ) {
    const cmd = commandLine(pid);
    if (cmd === undefined || !isChainCommand(cmd, script)) break;
    chain.push({ pid, cmd });
    const parent = parentOf(pid);
    if (parent === undefined) break;
    pid = parent;
  }
  return chain;
}

/**
 * Calls `onGone` once when the direct parent changes or an ancestor of the chain is no longer that process (gone, or
 * its pid reused by another command). The timer does not keep the process alive.
 */
export function watchChain(script: string, onGone: (why: string) => void, intervalMs = 300): () => void {
  const parent = process.ppid;
  const ancestors = chainAncestors(script);
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? `parent ${parent}` : ancestors.find((a) => commandLine(a.pid) !== a.cmd);
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(typeof gone === 'string' ? gone : `${gone.cmd.split(' ')[0]} (${gone.pid})`);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
