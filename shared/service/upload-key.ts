import { invalidArgument } from '../errors';
import { ruleFor } from '../rules/match';
import type { Caller } from '../identity/caller';
import { startFor } from '../rules/key-pattern';
import type { Action, Rule } from '../rules/types';
import { checkKey } from '../signing';
import { DEFAULT_FOLDER, generateKey, isGeneratedKey } from './generated-key';
import type { ServiceDeps } from './types';

/** What an upload request says about its key: the key itself, or (generated keys) a file name and a folder. */
export interface KeyFields {
  key?: string | undefined;
  filename?: string | undefined;
  prefix?: string | undefined;
}

/** The folders generated keys may go in under `rule` for `caller`: its folder patterns, or uploads/ when it lists none. */
export function generatedFolders(rule: Rule, caller: Caller): string[] {
  if (rule.keys.length === 0) return [DEFAULT_FOLDER];
  return rule.keys.flatMap((pattern) => {
    const start = pattern.folder ? startFor(pattern, caller) : undefined;
    return start === undefined ? [] : [start];
  });
}

/**
 * The key an upload writes, and the rule that decides it. A caller names the key, unless the rule that would cover
 * it generates keys (PUT_KEY_MODE=generated): then the caller sends a file name, and at most picks one of the
 * rule's folders, never a folder of its own. `field` prefixes the names in errors (`multipart.`, `form.`).
 */
export function chooseUploadKey(request: KeyFields, deps: ServiceDeps, action: Action, field = ''): { key: string; rule: Rule } {
  const { policy: { rules }, caller } = deps;
  const generating = rules.filter((rule) => rule.keyMode === 'generated' && rule.actions.has(action) && rule.admits(caller));
  if (request.key !== undefined) {
    const key = checkKey(request.key, `${field}key`);
    const rule = ruleFor(rules, caller, action, key, `${field}key`);
    if (rule.keyMode === 'generated') {
      throw invalidArgument(`${field}key`, `${field}key is chosen by the service here (PUT_KEY_MODE=generated); send ${field}filename (and ${field}prefix) instead`);
    }
    refuseGeneratedOnly(request, field);
    return { key, rule };
  }
  if (generating.length === 0) {
    refuseGeneratedOnly(request, field);
    throw invalidArgument(`${field}key`, `${field}key is required`);
  }
  const folder = chooseFolder(request.prefix, generating, caller, `${field}prefix`);
  const key = checkKey(generateKey(folder, request.filename, deps.now()), `${field}key`);
  return { key, rule: ruleFor(rules, caller, action, key, `${field}key`) };
}

function refuseGeneratedOnly(request: KeyFields, field: string): void {
  const name = request.filename !== undefined ? 'filename' : request.prefix !== undefined ? 'prefix' : undefined;
  if (name !== undefined) throw invalidArgument(`${field}${name}`, `${field}${name} is only used when the service generates keys (PUT_KEY_MODE=generated); send ${field}key instead`);
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
 * A key named by a later step of an upload the service began (multipart step 2): under a rule that generates keys,
 * it must have the shape step 1 gave it, so that step cannot be used to write anywhere else.
 */
export function checkLaterStepKey(key: unknown, deps: ServiceDeps, action: Action, field: string): { key: string; rule: Rule } {
  const checked = checkKey(key, field);
  const rule = ruleFor(deps.policy.rules, deps.caller, action, checked, field);
  if (rule.keyMode === 'generated' && !isGeneratedKey(checked, generatedFolders(rule, deps.caller))) {
    throw invalidArgument(field, `${field} must be the key the first step generated (PUT_KEY_MODE=generated)`);
  }
  return { key: checked, rule };
}
