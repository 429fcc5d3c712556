import { ConfigError } from '../errors';

/**
 * Readers for environment variables. Each is read once at cold start; a bad value throws a ConfigError naming
 * the variable, so a broken deployment fails on its first start with a message that says what to fix.
 */
export type Env = Readonly<Record<string, string | undefined>>;

function present(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

export function stringVar(env: Env, name: string): string | undefined {
  return present(env, name);
}

export function intVar(env: Env, name: string, fallback: number, min: number, max: number): number;
export function intVar(env: Env, name: string, fallback: undefined, min: number, max: number): number | undefined;
export function intVar(env: Env, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function boolVar(env: Env, name: string): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/**
 * Comma-separated; blanks between commas dropped. Unset or '' is the empty list (the variable's "not set" meaning);
 * a value that holds no entry at all (`" "`, `","`) is refused: for most lists "empty" means "anything", and a
 * deployment must not fail open because of a stray comma.
 */
export function listVar(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [];
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ConfigError(name, `holds no entry ("${raw}"); leave it empty to unset it`);
  return items;
}

export function oneOfVar<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}
