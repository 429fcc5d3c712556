import type { Rule, RuleSetting } from './types';

/** How an error names the setting that refused: the variable (`ALLOWED_ACLS`), or the rule and its field. */
export function settingName(rule: Rule, setting: RuleSetting): string {
  return rule.origin.kind === 'environment' ? rule.origin.variables[setting] : `rule "${rule.origin.name}", ${setting}`;
}
