import { boolVar, intVar, listVar, oneOfVar, type Env } from '../config/env';
import { ConfigError } from '../errors';
import type { Caller } from '../identity/caller';
import { OBJECT_ACLS, STORAGE_CLASSES, type ObjectAcl, type StorageClass } from '../request/put';
import { CONTENT_TYPE_PATTERN } from './content-types';
import { compileKeyPattern, type KeyPattern } from './key-pattern';
import type { ProcessPattern } from './process';
import { processRules } from './process-lazy';
import { ACTIONS, type Rule } from './types';

/** The environment's rule lets in every caller the deployment lets in at all: anyone but an anonymous one. */
const signedIn = (caller: Caller): boolean => caller.kind !== 'anonymous';

/** Largest object a single PUT (and a PostObject) may carry: 5 GB. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

function compiled<T>(variable: string, values: string[], compile: (value: string) => T | string): T[] {
  return values.map((value) => {
    const result = compile(value);
    if (typeof result === 'string') throw new ConfigError(variable, result);
    return result;
  });
}

function oneOfList<T extends string>(variable: string, values: string[], allowed: readonly T[]): Set<T> {
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(variable, `"${value}" is not one of ${allowed.join(', ')}`);
  }
  return new Set(values as T[]);
}

function contentTypePatterns(values: string[]): string[] {
  const patterns = values.map((p) => p.toLowerCase());
  for (const pattern of patterns) {
    if (!CONTENT_TYPE_PATTERN.test(pattern)) throw new ConfigError('ALLOWED_CONTENT_TYPES', `"${pattern}" is not a type/subtype pattern such as image/* or application/pdf`);
  }
  return patterns;
}

/**
 * The environment's policy as one rule covering every action: ALLOWED_KEY_PREFIXES, PUT_KEY_MODE,
 * ALLOWED_CONTENT_TYPES, MAX_CONTENT_LENGTH and FORCE_FORBID_OVERWRITE as before, and the capabilities that widen
 * access, each off until its variable names it. Any value that would fail open is refused at cold start. (Each
 * variable is read by its literal name, so the deploy test's source scan finds it; ./setting-names.ts names it in messages.)
 */
export function ruleFromEnv(env: Env, claimsAvailable = false): Rule {
  const keys: KeyPattern[] = compiled('ALLOWED_KEY_PREFIXES', listVar(env, 'ALLOWED_KEY_PREFIXES'), compileKeyPattern);
  if (!claimsAvailable && keys.some((pattern) => pattern.resolve !== undefined)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    throw (require('./key-claims') as typeof import('./key-claims')).claimsNeedTokens('ALLOWED_KEY_PREFIXES');
  }
  const patterns = contentTypePatterns(listVar(env, 'ALLOWED_CONTENT_TYPES'));
  const processItems = listVar(env, 'ALLOWED_PROCESS');
  const process: ProcessPattern[] = processItems.length === 0 ? [] : compiled('ALLOWED_PROCESS', processRules().joinProcessParameters(processItems), processRules().compileProcessPattern);
  return {
    origin: { kind: 'environment' },
    keys,
    actions: new Set(ACTIONS),
    keyMode: oneOfVar(env, 'PUT_KEY_MODE', ['caller', 'generated'] as const, 'caller'),
    contentTypes: { patterns, required: patterns.length > 0 },
    maxSize: intVar(env, 'MAX_CONTENT_LENGTH', undefined, 0, MAX_OBJECT_BYTES),
    minSize: undefined,
    maxExpires: undefined,
    forceForbidOverwrite: boolVar(env, 'FORCE_FORBID_OVERWRITE'),
    acls: oneOfList<ObjectAcl>('ALLOWED_ACLS', listVar(env, 'ALLOWED_ACLS'), OBJECT_ACLS),
    storageClasses: oneOfList<StorageClass>('ALLOWED_STORAGE_CLASSES', listVar(env, 'ALLOWED_STORAGE_CLASSES'), STORAGE_CLASSES),
    process,
    responseCaching: boolVar(env, 'ALLOW_RESPONSE_CACHE_OVERRIDES'),
    formKeyPrefix: boolVar(env, 'ALLOW_FORM_KEY_PREFIX'),
    callbacks: listVar(env, 'CALLBACK_URL_ALLOWLIST').length > 0,
    admits: signedIn,
    admitted: 'callers with credentials',
  };
}
