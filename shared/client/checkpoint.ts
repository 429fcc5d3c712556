/**
 * Checkpoints of multipart uploads, keyed by a fingerprint of the file (tus-js-client's idea: what identifies the
 * file, not the tab, so a reload or a new session finds the upload again). Browsers keep them in localStorage;
 * Node callers pass fileCheckpointStore() from ./node. Only the key, UploadId, sizes and part ETags are stored:
 * never a URL or a token.
 */
import type { Checkpoint, CheckpointStore } from './types';

const PREFIX = 'oss-presign:upload:';

export function memoryCheckpointStore(): CheckpointStore {
  const map = new Map<string, Checkpoint>();
  return {
    get: (fp) => map.get(fp),
    set: (fp, cp) => void map.set(fp, structuredClone(cp)),
    delete: (fp) => void map.delete(fp),
    list: () => [...map.entries()],
  };
}

function isCheckpoint(value: unknown): value is Checkpoint {
  const cp = value as Partial<Checkpoint> | null;
  return typeof cp === 'object' && cp !== null && cp.version === 1 && typeof cp.key === 'string' && typeof cp.uploadId === 'string'
    && typeof cp.size === 'number' && typeof cp.partSize === 'number' && typeof cp.parts === 'object' && cp.parts !== null;
}

export function localStorageCheckpointStore(storage: Storage = globalThis.localStorage): CheckpointStore {
  const read = (name: string): Checkpoint | undefined => {
    try {
      const value: unknown = JSON.parse(storage.getItem(name) ?? 'null');
      return isCheckpoint(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    get: (fp) => read(PREFIX + fp),
    set: (fp, cp) => storage.setItem(PREFIX + fp, JSON.stringify(cp)),
    delete: (fp) => storage.removeItem(PREFIX + fp),
    list: () => {
      const out: Array<[string, Checkpoint]> = [];
      for (let i = 0; i < storage.length; i++) {
        const name = storage.key(i);
        const cp = name?.startsWith(PREFIX) ? read(name) : undefined;
        if (name && cp) out.push([name.slice(PREFIX.length), cp]);
      }
      return out;
    },
  };
}

export function defaultCheckpointStore(): CheckpointStore | undefined {
  try {
    if (typeof globalThis.localStorage !== 'undefined') return localStorageCheckpointStore();
  } catch {
    // localStorage can throw where storage is disabled: then uploads simply are not resumable across reloads.
  }
  return undefined;
}

/** A File's identity across reloads (name, type, size, last change) plus where it goes. */
export function fileFingerprint(body: unknown, target: string, endpoint: string): string | undefined {
  if (typeof File === 'undefined' || !(body instanceof File)) return undefined;
  return ['v1', endpoint, target, body.name, body.type, body.size, body.lastModified].join('|');
}
