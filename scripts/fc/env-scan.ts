import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Which environment variables the deployed code reads, found by reading its source (shared/ and functions/):
 *   env.NAME / process.env.NAME / env['NAME']      direct reads
 *   someReader(env, 'NAME', …)                      the config readers (stringVar, intVar, read, …) take env first
 * Returns each name with the files that read it.
 */
const PATTERNS = [
  /\benv\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]/g,
  /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]+)['"]/g,
];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(name) && !/\.(test|spec)\.ts$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

export function envReads(root: string, dirs: readonly string[] = ['shared', 'functions']): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of dirs.flatMap((d) => sourceFiles(path.join(root, d)))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        const name = m[1] as string;
        const files = found.get(name) ?? [];
        const rel = path.relative(root, file);
        if (!files.includes(rel)) files.push(rel);
        found.set(name, files);
      }
    }
  }
  return found;
}
