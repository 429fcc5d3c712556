import { assumeRole } from '../../shared/credentials/sts-client';
import type { FcCredentials } from './types';

/**
 * The function's role credentials, as FC obtains them: the platform assumes the function's RAM role at STS (here the
 * local STS, which puts the issued key into the CredentialStore the local OSS checks) and hands the temporary key to
 * every invocation as `context.credentials`. The session is renewed once less than `refreshAheadSeconds` is left, so
 * a URL signed under FC's unknown-expiry cap (PRESIGN_UNKNOWN_TOKEN_MAX_EXPIRES, default 3600 s) never outlives the key
 * when refreshAheadSeconds is at least that cap. Concurrent callers share one AssumeRole.
 */
export interface RoleCredentialsOptions {
  stsEndpoint: string;
  /** The platform's own key (FC's service-linked identity); must be in the STS's CredentialStore. */
  caller: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  roleArn: string;
  roleSessionName?: string;
  durationSeconds?: number;
  refreshAheadSeconds?: number;
  now?: () => number;
  ca?: string;
}

export interface RoleCredentials {
  (): Promise<FcCredentials>;
  /** Expiration of the current session, or undefined before the first call. */
  expiration(): Date | undefined;
  /** How many AssumeRole calls were made. */
  renewals(): number;
}

export function roleCredentials(options: RoleCredentialsOptions): RoleCredentials {
  const now = options.now ?? Date.now;
  const duration = options.durationSeconds ?? 3 * 3600;
  const ahead = options.refreshAheadSeconds ?? Math.floor(duration / 2);
  if (ahead >= duration) throw new Error('refreshAheadSeconds must be less than durationSeconds');
  let current: { credentials: FcCredentials; expiration: Date } | undefined;
  let pending: Promise<FcCredentials> | undefined;
  let count = 0;

  const renew = async (): Promise<FcCredentials> => {
    const result = await assumeRole({
      endpoint: options.stsEndpoint,
      caller: options.caller,
      roleArn: options.roleArn,
      roleSessionName: options.roleSessionName ?? 'local-fc-runtime',
      durationSeconds: duration,
      timeoutMs: 5000,
      now,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    count += 1;
    current = { credentials: { ...result.credentials }, expiration: result.expiration };
    return current.credentials;
  };

  const get = (async () => {
    if (current && current.expiration.getTime() - now() > ahead * 1000) return current.credentials;
    pending ??= renew().finally(() => {
      pending = undefined;
    });
    return pending;
  }) as RoleCredentials;
  get.expiration = () => current?.expiration;
  get.renewals = () => count;
  return get;
}
