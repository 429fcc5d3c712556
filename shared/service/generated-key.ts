import { randomUUID } from 'node:crypto';
import { invalidArgument } from '../errors';
import type { Caller } from '../identity/caller';
import { startFor } from '../rules/key-pattern';
import type { Rule } from '../rules/types';

/**
 * PUT_KEY_MODE=generated: `<prefix>/<yyyy>/<mm>/<uuid>-<sanitised filename>`. The caller picks neither the
 * folder nor a name that could collide with or overwrite someone else's object; the file name survives only as
 * a readable, URL-safe suffix.
 */
const UNSAFE = /[^A-Za-z0-9._-]+/g;
const MAX_NAME = 100;

export function sanitiseFilename(filename: string | undefined): string {
  // split always yields at least one part, so pop() has a string to give.
  const base = (filename ?? '').split(/[\\/]/).pop() as string;
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

/** The folders generated keys may go in under `rule` for `caller`: its folder patterns, or uploads/ when it lists none. */
export function generatedFolders(rule: Rule, caller: Caller): string[] {
  if (rule.keys.length === 0) return [DEFAULT_FOLDER];
  return rule.keys.flatMap((pattern) => {
    const start = pattern.folder ? startFor(pattern, caller) : undefined;
    return start === undefined ? [] : [start];
  });
}

function chooseFolder(requested: string | undefined, generating: readonly Rule[], caller: Caller, field: string): string {
  const listed = generating.flatMap((rule) => (rule.keys.length === 0 ? [] : generatedFolders(rule, caller)));
  if (requested === undefined) return listed[0] ?? DEFAULT_FOLDER;
  if (listed.length === 0) {
    throw invalidArgument(field, `${field} may only name a folder the operator listed (ALLOWED_KEY_PREFIXES), and none is listed: keys go under ${DEFAULT_FOLDER}`);
  }
  if (!listed.includes(requested)) throw invalidArgument(field, `${field} must be one of: ${listed.join(', ')} (ALLOWED_KEY_PREFIXES)`);
  return requested;
}

/**
 * A generated key for an upload: the caller sends a file name, and at most picks one of the generating rules' folders
 * (for this caller: `users/{sub}/` is their own), never a folder of its own. `field` names the folder field in errors.
 */
export function chooseGeneratedKey(request: { filename?: string | undefined; prefix?: string | undefined }, generating: readonly Rule[], caller: Caller, nowMs: number, field: string): string {
  return generateKey(chooseFolder(request.prefix, generating, caller, field), request.filename, nowMs);
}

/** Whether a later step's key has the shape the first step generated under `rule` for `caller`. */
export function isGeneratedKeyOf(rule: Rule, caller: Caller, key: string): boolean {
  return isGeneratedKey(key, generatedFolders(rule, caller));
}
