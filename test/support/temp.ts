import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Temporary folders for a test file, removed after its last test. (Importing this module registers the afterAll for
 * the importing file: jest evaluates support modules once per test file.) test/global-teardown.js fails the run if
 * anything is left in the run's temporary folder.
 */
const created: string[] = [];

afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}
