import { invalidArgument } from '../errors';
import { ruleFor } from '../rules/match';
import type { Action, Rule } from '../rules/types';
import { checkKey } from '../signing';
import type { ServiceDeps } from './types';

type GeneratedKeys = typeof import('./generated-key');

/** PUT_KEY_MODE=generated (a rule's keyMode): ./generated-key.ts, loaded only where a rule generates keys (a chunk). */
function generatedKeys(): GeneratedKeys {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./generated-key') as GeneratedKeys;
}

/** What an upload request says about its key: the key itself, or (generated keys) a file name and a folder. */
export interface KeyFields {
  key?: string | undefined;
  filename?: string | undefined;
  prefix?: string | undefined;
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
  const key = checkKey(generatedKeys().chooseGeneratedKey(request, generating, caller, deps.now(), `${field}prefix`), `${field}key`);
  return { key, rule: ruleFor(rules, caller, action, key, `${field}key`) };
}

function refuseGeneratedOnly(request: KeyFields, field: string): void {
  const name = request.filename !== undefined ? 'filename' : request.prefix !== undefined ? 'prefix' : undefined;
  if (name !== undefined) throw invalidArgument(`${field}${name}`, `${field}${name} is only used when the service generates keys (PUT_KEY_MODE=generated); send ${field}key instead`);
}

/**
 * A key named by a later step of an upload the service began (multipart step 2): under a rule that generates keys,
 * it must have the shape step 1 gave it, so that step cannot be used to write anywhere else.
 */
export function checkLaterStepKey(key: unknown, deps: ServiceDeps, action: Action, field: string): { key: string; rule: Rule } {
  const checked = checkKey(key, field);
  const rule = ruleFor(deps.policy.rules, deps.caller, action, checked, field);
  if (rule.keyMode === 'generated' && !generatedKeys().isGeneratedKeyOf(rule, deps.caller, checked)) {
    throw invalidArgument(field, `${field} must be the key the first step generated (PUT_KEY_MODE=generated)`);
  }
  return { key: checked, rule };
}
