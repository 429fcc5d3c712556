import { randomUUID } from 'node:crypto';

/**
 * PUT_KEY_MODE=generated: `<prefix>/<yyyy>/<mm>/<uuid>-<sanitised filename>`. The caller picks neither the
 * folder nor a name that could collide with or overwrite someone else's object; the file name survives only as
 * a readable, URL-safe suffix.
 */
const UNSAFE = /[^A-Za-z0-9._-]+/g;
const MAX_NAME = 100;

export function sanitiseFilename(filename: string | undefined): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  const safe = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(UNSAFE, '-').replace(/-+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  if (safe.length <= MAX_NAME) return safe || 'file';
  const dot = safe.lastIndexOf('.');
  const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
  return safe.slice(0, MAX_NAME - extension.length) + extension;
}

export function generateKey(prefix: string, filename: string | undefined, nowMs: number, uuid: () => string = randomUUID): string {
  const date = new Date(nowMs);
  const folder = prefix.replace(/\/+$/, '');
  const yyyy = String(date.getUTCFullYear());
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${folder ? `${folder}/` : ''}${yyyy}/${mm}/${uuid()}-${sanitiseFilename(filename)}`;
}

/** The default folder for generated keys when the rule lists none. */
export const DEFAULT_FOLDER = 'uploads/';

const GENERATED_TAIL = /^\d{4}\/\d{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[A-Za-z0-9._-]{1,100}$/;

/** Whether `key` has the shape generateKey gives keys under one of `folders`. */
export function isGeneratedKey(key: string, folders: readonly string[]): boolean {
  return folders.some((folder) => {
    const base = folder.replace(/\/+$/, '');
    const start = base === '' ? '' : `${base}/`;
    return key.startsWith(start) && GENERATED_TAIL.test(key.slice(start.length));
  });
}
