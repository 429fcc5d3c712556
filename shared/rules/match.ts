import { ServiceError } from '../errors';
import { settingName } from './describe';
import { keyMatches, prefixCovered, type KeyPattern } from './key-pattern';
import type { Action, Rule } from './types';

function covers(rule: Rule, test: (pattern: KeyPattern) => boolean): boolean {
  return rule.keys.length === 0 || rule.keys.some(test);
}

function choose(rules: readonly Rule[], action: Action, test: (pattern: KeyPattern) => boolean, field: string, what: string): Rule {
  const covering = rules.filter((rule) => covers(rule, test));
  const [first] = covering;
  if (first === undefined) {
    const last = rules[rules.length - 1];
    const listed = rules.flatMap((rule) => rule.keys.map((pattern) => pattern.source));
    const where = last === undefined ? 'this deployment' : settingName(last, 'keys');
    throw new ServiceError('KeyNotAllowed', 403, `${what} must start with one of: ${listed.join(', ')} (${where})`, { field });
  }
  const allowing = covering.find((rule) => rule.actions.has(action));
  if (allowing === undefined) {
    throw new ServiceError('ActionNotAllowed', 403, `${action} is not allowed for this ${what === field ? 'key' : what} (${settingName(first, 'actions')})`, { field });
  }
  return allowing;
}

/**
 * The rule that decides `action` on `key`: the first rule that covers the key and allows the action. No rule
 * covering the key is 403 KeyNotAllowed; rules that cover it but none for this action is 403 ActionNotAllowed.
 */
export function ruleFor(rules: readonly Rule[], action: Action, key: string, field = 'key'): Rule {
  return choose(rules, action, (pattern) => keyMatches(pattern, key), field, field);
}

/** The same for a form whose browser names the rest of the key: the rule must cover every key under `keyPrefix`. */
export function ruleForPrefix(rules: readonly Rule[], action: Action, keyPrefix: string, field: string): Rule {
  return choose(rules, action, (pattern) => prefixCovered(pattern, keyPrefix), field, field);
}
