import { ServiceError } from '../errors';
import type { Caller } from '../identity/caller';
import { settingName } from './describe';
import { startFor } from './key-pattern';
import type { Action, Rule } from './types';

/**
 * How narrowly `rule` covers the keys `covers` accepts for `caller`: the longest such start, or -1. `covers` is a
 * starts-with test, so a rule without patterns (every key) covers everything at length 0.
 */
function reach(rule: Rule, caller: Caller, covers: (start: string) => boolean): number {
  if (rule.keys.length === 0) return 0;
  let longest = -1;
  for (const pattern of rule.keys) {
    const start = startFor(pattern, caller);
    if (start !== undefined && start.length > longest && covers(start)) longest = start.length;
  }
  return longest;
}

/**
 * Which rule decides. Precedence is "most specific": of the rules whose key patterns cover the key (for this caller:
 * `users/{sub}/` covers only the caller's own folder), those with the longest covering prefix are the candidates,
 * and the first of them, in the order written, that allows the action and admits the caller decides. A less specific
 * rule never decides a key a more specific one covers, so a sub-folder rule carves its folder out of a wider one
 * whatever the order (`uploads/private/` for admins inside everyone's `uploads/`). No candidate: 403 KeyNotAllowed;
 * candidates without the action: 403 ActionNotAllowed; none admitting the caller: 403 CallerNotAllowed. An anonymous
 * caller gets 401 Unauthorized instead of KeyNotAllowed or CallerNotAllowed: signing in may help.
 */
function choose(rules: readonly Rule[], caller: Caller, action: Action, covers: (start: string) => boolean, field: string): { rule: Rule; reach: number } {
  let best = -1;
  let candidates: Rule[] = [];
  for (const rule of rules) {
    const length = reach(rule, caller, covers);
    if (length > best) [best, candidates] = [length, [rule]];
    else if (length === best && length >= 0) candidates.push(rule);
  }
  const [first] = candidates;
  const forAction = candidates.filter((rule) => rule.actions.has(action));
  const rule = forAction.find((r) => r.admits(caller));
  if (rule !== undefined) return { rule, reach: best };
  // An anonymous caller learns no more than that it must sign in (a folder such as users/{sub}/ covers nothing for it).
  if (caller.kind === 'anonymous' && (first === undefined || forAction.length > 0)) throw new ServiceError('Unauthorized', 401, `sign in: this ${field} is not open to anonymous callers`, { field });
  if (first === undefined) {
    // Only the patterns of rules that let this caller in: the others are none of its business.
    const listed = rules.filter((r) => r.admits(caller)).flatMap((r) => r.keys.map((pattern) => pattern.source));
    const [only] = rules;
    throw new ServiceError('KeyNotAllowed', 403, `${field} must start with one of: ${listed.join(', ') || 'none, for this caller'}${rules.length === 1 && only ? ` (${settingName(only, 'keys')})` : ''}`, { field });
  }
  if (forAction.length === 0) throw new ServiceError('ActionNotAllowed', 403, `${action} is not allowed for this ${field} (${settingName(first, 'actions')})`, { field });
  const [closest] = forAction as [Rule];
  throw new ServiceError('CallerNotAllowed', 403, `${action} on this ${field} is for ${closest.admitted} (${settingName(closest, 'callers')})`, { field });
}

/** The rule that decides `action` on `key` for `caller`. */
export function ruleFor(rules: readonly Rule[], caller: Caller, action: Action, key: string, field = 'key'): Rule {
  return choose(rules, caller, action, (start) => key.startsWith(start), field).rule;
}

/**
 * The same for a form whose browser names the rest of the key: the rule must cover every key under `keyPrefix`, and
 * no more specific rule may cover any of them (the browser could otherwise post into a folder another rule decides).
 */
export function ruleForPrefix(rules: readonly Rule[], caller: Caller, action: Action, keyPrefix: string, field: string): Rule {
  const { rule, reach: length } = choose(rules, caller, action, (start) => keyPrefix.startsWith(start), field);
  for (const other of rules) {
    for (const pattern of other.keys) {
      const start = startFor(pattern, caller);
      if (start !== undefined && start.length > length && start.startsWith(keyPrefix)) {
        throw new ServiceError('KeyNotAllowed', 403, `${field} ${keyPrefix} reaches keys under ${start}, which another rule decides; ask for a narrower ${field}`, { field });
      }
    }
  }
  return rule;
}
