/**
 * Node-only helpers, kept out of the browser bundle: checkpoints in a folder (one JSON file per upload, named by a
 * hash of its fingerprint), so a process that dies can resume with a new one. Pair with fs.openAsBlob(path), a Blob
 * read from disk part by part.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Checkpoint, CheckpointStore } from './types';

export function fileCheckpointStore(dir: string): CheckpointStore {
  const file = (fp: string): string => path.join(dir, `${createHash('sha256').update(fp).digest('hex').slice(0, 32)}.json`);
  return {
    async get(fp) {
      try {
        const saved = JSON.parse(await fs.readFile(file(fp), 'utf8')) as { fingerprint: string; checkpoint: Checkpoint };
        return saved.fingerprint === fp ? saved.checkpoint : undefined;
      } catch {
        return undefined;
      }
    },
    async set(fp, checkpoint) {
      await fs.mkdir(dir, { recursive: true });
      const tmp = `${file(fp)}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(tmp, JSON.stringify({ fingerprint: fp, checkpoint }));
      await fs.rename(tmp, file(fp));
    },
    async delete(fp) {
      await fs.rm(file(fp), { force: true });
    },
    async list() {
      const out: Array<[string, Checkpoint]> = [];
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith('.json')) continue;
        try {
          const saved = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as { fingerprint: string; checkpoint: Checkpoint };
          out.push([saved.fingerprint, saved.checkpoint]);
        } catch {
          // a file being written by another process
        }
      }
      return out;
    },
  };
}
