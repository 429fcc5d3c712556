import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The examples in README.md and docs/*.md, as a reader copies them: fenced code blocks, split into commands, each with
 * the answer the text says it gives (`# → …` under a shell command, a `→ …` line or an `answer` block after an event).
 *
 * Which blocks are examples:
 * - every ```sh / ```bash block; each command in it is either run (RUNNABLE) or named as not runnable here with the
 *   reason (NOT_RUN); a command that is neither fails the test, so a new kind of example must be classified;
 * - a ```json block marked `<!-- example: event <function> -->` (an event to send) or `<!-- example: answer -->`
 *   (the answer to the event before it); a json block that looks like an event or request and carries no marker fails
 *   the test; policy documents (`"Statement"`) and marked `<!-- example: shape -->` blocks are text, not examples.
 */
export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  /** From `<!-- example: … -->` just above the fence. */
  marker: string | undefined;
  /** The first non-blank line after the closing fence (where `→ …` answers are written). */
  after: string;
}

export interface Command {
  block: CodeBlock;
  line: number;
  /** The command as a shell reads it (continuations joined). */
  text: string;
  /** Text of the `# →` lines that follow it. */
  expect: string;
}

export const DOC_FILES = ['README.md', 'docs/operations.md'];

export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j] as string)) j++;
    let k = i - 1;
    while (k >= 0 && (lines[k] as string).trim() === '') k--;
    const marker = /^<!--\s*example:\s*(.+?)\s*-->$/.exec((lines[k] ?? '').trim())?.[1];
    let m = j + 1;
    while (m < lines.length && (lines[m] as string).trim() === '') m++;
    blocks.push({ file, line: i + 1, lang: open[1] ?? '', text: lines.slice(i + 1, j).join('\n'), marker, after: lines[m] ?? '' });
    i = j;
  }
  return blocks;
}

export function commandsOf(block: CodeBlock): Command[] {
  const commands: Command[] = [];
  const lines = block.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const start = i;
    let text = raw.replace(/\s+#\s.*$/, '');
    while (text.trimEnd().endsWith('\\') && i + 1 < lines.length) text = `${text.trimEnd().slice(0, -1)} ${(lines[++i] as string).trim()}`;
    const expect: string[] = [];
    while (i + 1 < lines.length && /^\s*#\s*→/.test(lines[i + 1] as string)) expect.push((lines[++i] as string).replace(/^\s*#\s*→\s*/, ''));
    commands.push({ block, line: block.line + 1 + start, text: text.trim(), expect: expect.join(' ') });
  }
  return commands;
}

/** Commands the test runs, against the local stack. */
export const RUNNABLE: RegExp[] = [
  /^curl /,
  /^s presign_(put|get) invoke /,
  /^(\w+=\S+ )*npm run invoke -- /,
  /^npx tsx scripts\/remote-invoke\.ts /,
  /^printf %s .* \| sha256sum$/,
];

/** Commands that cannot run here, each with the reason. */
export const NOT_RUN: [RegExp, string][] = [
  [/^npm ci\b/, 'installs the dependencies (the test machine has them)'],
  [/^npm start\b/, 'starts its own stack and waits; test/local-stack/npm-start.test.ts runs it'],
  [/^npm test\b|^bash scripts\/setup-test-machine\.sh/, 'the test suite itself'],
  [/^npm run (build|lint|bench|load|fuzz)\b/, 'a development job with its own tests (test/deploy, test/load, test/fuzz)'],
  [/^npm run mutate\b/, 'Stryker over the deciding modules: about two hours from scratch on this machine, minutes incrementally; not in CI yet (docs/mutation.md)'],
  [/^npm i(nstall)? -g /, 'installs a global tool'],
  [/^s (config|deploy|presign_(put|get) (deploy|logs))\b|^s deploy\b/, 'needs Serverless Devs and a cloud account'],
  [/^ossutil /, 'needs a real bucket'],
  [/^npm run queue\b/, 'reads what uploads produced; test/local-stack/event-flow.test.ts runs it after one'],
  [/^npm run screenshots\b/, 'rewrites docs/screenshots with Chromium; the page states it shows are test/local-stack/browser.test.ts'],
];

export function classify(command: string): 'run' | string | undefined {
  if (RUNNABLE.some((r) => r.test(command))) return 'run';
  return NOT_RUN.find(([r]) => r.test(command))?.[1];
}

/** A json block that a reader would take for a request or an event. */
export function looksLikeEvent(text: string): boolean {
  return !text.includes('"Statement"') && /"(specversion|httpMethod|events|requests|key|rawPath|Message)"/.test(text);
}

/**
 * What an answer text promises, as checks a real answer must pass: every `"name": "value"` pair written out in full
 * (values with `…` are elisions) must be in the output, and an answer that shows no error must have none.
 */
export function promisedPairs(expect: string): { pairs: [string, string][]; error: boolean } {
  const pairs: [string, string][] = [];
  for (const m of expect.matchAll(/"([\w-]+)":\s*"([^"…]*)"/g)) pairs.push([m[1] as string, m[2] as string]);
  return { pairs, error: /"error"|\berror\b/.test(expect) };
}

export function describeExample(block: CodeBlock, text = block.text): string {
  return `${block.file}:${block.line}\n${text}`;
}
