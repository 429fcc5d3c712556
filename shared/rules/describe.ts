import type { Rule, RuleSetting } from './types';

type SettingNames = typeof import('./setting-names');

/** How an error names the setting that refused: the variable (`ALLOWED_ACLS`), or the rule and its field. */
export function settingName(rule: Rule, setting: RuleSetting): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return rule.origin.kind === 'environment' ? (require('./setting-names') as SettingNames).ENV_VARIABLES[setting] : `rule "${rule.origin.name}", ${setting}`;
}
