import { createHash } from 'node:crypto';
import { intVar, listVar, stringVar } from '../config/env';
import { ConfigError } from '../errors';
import { CALLER_KINDS } from '../identity/caller';
import type { SigningCredentials } from '../signing/types';
import { normaliseStsEndpoint, stsEndpointFor, type SignerRoleConfig } from './config';
import { keyHint } from './errors';
import { SessionCache } from './session-cache';
import { buildSessionPolicy } from './session-policy';
import { assumeRole } from './sts-client';
import type { CachedSourceOptions, Env, ResolvedCredentials } from './types';

/**
 * Everything that runs only when SIGNER_ROLE_ARN is set: reading the SIGNER_* settings, and the cached signer
 * session that the runtime role's key assumes. Loaded lazily (./lazy.ts); in the bundle, a chunk of its own.
 */

const ROLE_ARN = /^acs:ram::\d+:role\/[\w.@+=,-]{1,64}$/i;
const SESSION_NAME = /^[\w.@-]{2,64}$/;

/**
 * The key patterns the signer session is narrowed to: ALLOWED_KEY_PREFIXES, or every pattern of the rules document
 * (read again here, as written; a rule without patterns means every key).
 */
function sessionKeyPatterns(env: Env): string[] {
  if (stringVar(env, 'PRESIGN_RULES') === undefined && stringVar(env, 'PRESIGN_RULES_FILE') === undefined) return listVar(env, 'ALLOWED_KEY_PREFIXES');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rules = (require('../rules/document') as typeof import('../rules/document')).rulesFromEnv(env, new Set(CALLER_KINDS));
  return rules.some((rule) => rule.keys.length === 0) ? [] : rules.flatMap((rule) => rule.keys.map((pattern) => pattern.source));
}

/** SIGNER_* settings, validated at cold start (config.ts calls this only when SIGNER_ROLE_ARN is set). */
export function readSignerRoleConfig(env: Env, roleArn: string): SignerRoleConfig {
  if (!ROLE_ARN.test(roleArn)) throw new ConfigError('SIGNER_ROLE_ARN', `must look like acs:ram::<account-id>:role/<name>, got "${roleArn}"`);
  const sessionSeconds = intVar(env, 'SIGNER_SESSION_SECONDS', 3600, 900, 43200);
  // Refreshing at half-life means every URL can be granted at least half the session (minus skew) before a token
  // cap bites, at the price of one AssumeRole per half session per instance.
  const refreshAheadSeconds = intVar(env, 'SIGNER_REFRESH_AHEAD_SECONDS', Math.floor(sessionSeconds / 2), 0, sessionSeconds - 1);
  const fallbackName = `oss-presign-${(env.FC_FUNCTION_NAME ?? 'local').replace(/[^\w.@-]/g, '-')}`.slice(0, 64);
  const roleSessionName = env.SIGNER_ROLE_SESSION_NAME?.trim() || fallbackName;
  if (!SESSION_NAME.test(roleSessionName)) throw new ConfigError('SIGNER_ROLE_SESSION_NAME', 'must be 2..64 characters of letters, digits, . @ - _');
  const endpointRaw = env.SIGNER_STS_ENDPOINT?.trim();
  // Empty means unset for every variable: s.yaml passes '' for a var left blank.
  const region = stringVar(env, 'SIGNER_STS_REGION') ?? stringVar(env, 'FC_REGION');
  if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) throw new ConfigError(env.SIGNER_STS_REGION ? 'SIGNER_STS_REGION' : 'FC_REGION', `is not a region id: "${region}"`);
  const policyMode = (stringVar(env, 'SIGNER_SESSION_POLICY') ?? 'auto').toLowerCase();
  if (policyMode !== 'auto' && policyMode !== 'off') throw new ConfigError('SIGNER_SESSION_POLICY', 'must be auto or off');
  const policy = policyMode === 'off' ? undefined : buildSessionPolicy({
    buckets: [...new Set([...listVar(env, 'OSS_BUCKET'), ...listVar(env, 'ALLOWED_BUCKETS')])],
    keyPrefixes: sessionKeyPatterns(env),
    actions: stringVar(env, 'SIGNER_POLICY_ACTIONS') === undefined ? undefined : listVar(env, 'SIGNER_POLICY_ACTIONS'),
  });
  const externalId = env.SIGNER_EXTERNAL_ID?.trim() || undefined;
  return {
    roleArn,
    sessionSeconds,
    roleSessionName,
    refreshAheadSeconds,
    policy,
    endpoint: endpointRaw ? normaliseStsEndpoint(endpointRaw) : undefined,
    region,
    timeoutMs: intVar(env, 'SIGNER_STS_TIMEOUT_MS', 5000, 100, 60000),
    externalId,
  };
}

export interface SignerSessionsOptions extends CachedSourceOptions {
  role: SignerRoleConfig;
  onFunctionCompute: boolean;
}

export interface SignerSessions {
  /** The signer session for this caller (the runtime role's key), assumed, cached and refreshed ahead of expiry. */
  resolve(caller: ResolvedCredentials, contextRegion: string | undefined, forceRefresh: boolean): Promise<ResolvedCredentials>;
}

/**
 * Who is calling STS: a hash of the whole key so a rotated key (or token) is a different caller. Remembered per
 * credentials object when the object is frozen (an unchanged FC context key is the same frozen object every time).
 */
const identities = new WeakMap<SigningCredentials, string>();
function identityOf(c: SigningCredentials): string {
  let identity = identities.get(c);
  if (identity === undefined) {
    identity = createHash('sha256').update(`${c.accessKeyId}\0${c.accessKeySecret}\0${c.securityToken ?? ''}`).digest('hex');
    if (Object.isFrozen(c)) identities.set(c, identity);
  }
  return identity;
}

export function createSignerSessions(options: SignerSessionsOptions): SignerSessions {
  const { role, now, logger } = options;
  const sessions = new SessionCache<Required<SigningCredentials>>({
    refreshAheadMs: role.refreshAheadSeconds * 1000,
    minServeMs: options.minServeMs,
    now,
    onStaleServe: (err) => logger?.warn(`signer role session refresh failed, serving the current session: ${(err as Error).message}`),
  });
  return {
    async resolve(caller, contextRegion, forceRefresh) {
      const endpoint = stsEndpointFor(role, options.onFunctionCompute, contextRegion);
      const session = await sessions.get(`${identityOf(caller.credentials)}|${endpoint}`, async () => {
        const started = now();
        const result = await assumeRole({
          endpoint,
          caller: caller.credentials,
          roleArn: role.roleArn,
          roleSessionName: role.roleSessionName,
          durationSeconds: role.sessionSeconds,
          policy: role.policy,
          externalId: role.externalId,
          timeoutMs: role.timeoutMs,
          ca: options.ca,
          now,
        });
        logger?.info(`assumed ${role.roleArn} as ${caller.source} key ${keyHint(caller.credentials.accessKeyId)}: session key `
          + `${keyHint(result.credentials.accessKeyId)} expires ${result.expiration.toISOString()} (RequestId ${result.requestId}, ${now() - started} ms)`);
        return { value: result.credentials, expiration: result.expiration };
      }, forceRefresh);
      return { credentials: session.value, expiration: session.expiration, expiry: 'known', source: 'signer-role' };
    },
  };
}
