import { ConfigError } from '../errors';

/**
 * A session policy for AssumeRole: the session may do no more than the role AND this policy allow, so a leaked URL
 * signer key is limited to the configured bucket(s) and key prefixes. STS limits the policy text to 1024 characters.
 */
// Multipart's initiate, parts and complete need oss:PutObject; its presigned abort and ListParts URLs need their own
// actions (permission tables of help.aliyun.com .../abortmultipartupload and .../listparts).
export const DEFAULT_POLICY_ACTIONS = ['oss:GetObject', 'oss:PutObject', 'oss:AbortMultipartUpload', 'oss:ListParts'] as const;
const MAX_POLICY_LENGTH = 1024;

export function buildSessionPolicy(input: { buckets: readonly string[]; keyPrefixes: readonly string[]; actions?: readonly string[] | undefined }): string | undefined {
  if (input.buckets.length === 0) return undefined; // nothing to narrow to: the role's own policy applies
  for (const bucket of input.buckets) {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('ALLOWED_BUCKETS', `"${bucket}" is not a valid bucket name`);
  }
  const actions = input.actions ?? DEFAULT_POLICY_ACTIONS;
  if (actions.length === 0 || actions.some((a) => !/^oss:[A-Za-z*]+$/.test(a))) throw new ConfigError('SIGNER_POLICY_ACTIONS', 'must be a comma-separated list of oss:<Action>');
  // A key pattern's literal start: `uploads/` as written, `img*` (an explicit prefix) without its star, `users/{sub}/`
  // up to its first claim (every user's folder is under users/).
  const literal = (pattern: string): string => (pattern.endsWith('*') ? pattern.slice(0, -1) : pattern).split('{')[0] as string;
  const prefixes = input.keyPrefixes.length === 0 ? [''] : [...new Set(input.keyPrefixes.map(literal))];
  for (const prefix of prefixes) {
    if (prefix.includes('*') || prefix.startsWith('/')) throw new ConfigError('ALLOWED_KEY_PREFIXES', `"${prefix}" must not contain * (but at its end) or start with /`);
  }
  const resources = input.buckets.flatMap((bucket) => prefixes.map((prefix) => `acs:oss:*:*:${bucket}/${prefix}*`));
  const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: [...actions], Resource: resources }] });
  if (policy.length > MAX_POLICY_LENGTH) {
    throw new ConfigError('ALLOWED_KEY_PREFIXES', `the session policy would be ${policy.length} characters, STS allows ${MAX_POLICY_LENGTH}; use fewer buckets/prefixes or SIGNER_SESSION_POLICY=off`);
  }
  return policy;
}
