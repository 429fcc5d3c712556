import type { RuleSetting } from './types';

/**
 * Which variable sets each capability of the environment's rule (./env-rule.ts), for messages that name the setting
 * that refused. Only a refusal reads it: loaded on first use (in the bundles, a chunk of its own).
 */
export const ENV_VARIABLES: Readonly<Record<RuleSetting, string>> = {
  keys: 'ALLOWED_KEY_PREFIXES',
  actions: 'ALLOWED_KEY_PREFIXES',
  keyMode: 'PUT_KEY_MODE',
  contentTypes: 'ALLOWED_CONTENT_TYPES',
  maxSize: 'MAX_CONTENT_LENGTH',
  minSize: 'MAX_CONTENT_LENGTH',
  maxExpires: 'PRESIGN_MAX_EXPIRES',
  forceForbidOverwrite: 'FORCE_FORBID_OVERWRITE',
  acls: 'ALLOWED_ACLS',
  storageClasses: 'ALLOWED_STORAGE_CLASSES',
  process: 'ALLOWED_PROCESS',
  responseCaching: 'ALLOW_RESPONSE_CACHE_OVERRIDES',
  formKeyPrefix: 'ALLOW_FORM_KEY_PREFIX',
  callbacks: 'CALLBACK_URL_ALLOWLIST',
  callers: 'AUTH_TOKEN_SHA256, AUTH_ISSUER',
};

