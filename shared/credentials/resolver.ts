import { createHash } from 'node:crypto';
import type { SigningCredentials } from '../signing/types';
import { readCredentialConfig, stsEndpointFor, type CredentialConfig } from './config';
import { DefaultChain } from './default-chain';
import { credentialsUnavailable, keyHint } from './errors';
import { SessionCache } from './session-cache';
import { createContextSource, fromEnvironment } from './static-source';
import { assumeRole } from './sts-client';
import { fetchCredentialsUri } from './uri-source';
import type { CredentialLogger, CredentialResolver, Env, FcContextLike, ResolvedCredentials, ResolveOptions } from './types';

export interface CredentialResolverOptions {
  /** Defaults to process.env. */
  env?: Env;
  /** Defaults to readCredentialConfig(env); pass one to skip env parsing. */
  config?: CredentialConfig;
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
  logger?: CredentialLogger;
  /** Extra CA certificate(s) to trust for STS and the credentials URI, on top of the system store. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

/** Never serve a cached session with less than this left, even when its refresh failed. */
const MIN_SERVE_MS = 120_000;

const NO_CREDENTIALS_ON_FC =
  'No credentials to sign with: this function has no role, so Function Compute passes empty context.credentials. '
  + 'Set `role` on the function in s.yaml (a RAM role allowed oss:GetObject/oss:PutObject on the bucket, or sts:AssumeRole '
  + 'on SIGNER_ROLE_ARN) and redeploy.';
const NO_CREDENTIALS_OFF_FC =
  'No credentials to sign with. Off Function Compute set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET '
  + '(or OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET), ALIBABA_CLOUD_CREDENTIALS_URI, or an Alibaba Cloud CLI profile; '
  + 'on Function Compute set `role` on the function in s.yaml.';

/**
 * Who is calling STS: a hash of the whole key so a rotated key (or token) is a different caller. Remembered per
 * credentials object: an unchanged FC context key is the same (frozen) object every invocation.
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

/**
 * Resolves the credentials to sign one request with, in this order:
 * 1. the caller key, from context.credentials (FC), else — off FC — env, credentials URI, then the SDK default chain;
 * 2. if SIGNER_ROLE_ARN is set, that caller assumes the signer role and the session (known Expiration) is returned.
 * Context and environment values are read on every call, so rotation is picked up at once (an unchanged context key
 * gets the same credentials object back, so per-object caches downstream stay warm).
 */
export function createCredentialResolver(options: CredentialResolverOptions = {}): CredentialResolver {
  const env: Env = options.env ?? process.env;
  const config = options.config ?? readCredentialConfig(env);
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const role = config.signerRole;

  const roleSessions = role === null ? null : new SessionCache<Required<SigningCredentials>>({
    refreshAheadMs: role.refreshAheadSeconds * 1000,
    minServeMs: MIN_SERVE_MS,
    now,
    onStaleServe: (err) => logger?.warn(`signer role session refresh failed, serving the current session: ${(err as Error).message}`),
  });
  const uriSessions = new SessionCache<Required<SigningCredentials>>({
    refreshAheadMs: 5 * 60_000,
    minServeMs: MIN_SERVE_MS,
    now,
    onStaleServe: (err) => logger?.warn(`credentials URI refresh failed, serving the current credentials: ${(err as Error).message}`),
  });
  let defaultChain: DefaultChain | null = null;
  const fromContext = createContextSource();

  async function resolveCaller(context: FcContextLike | undefined, forceRefresh: boolean): Promise<ResolvedCredentials> {
    const fromFc = fromContext(context);
    if (fromFc) return fromFc;
    const fromEnv = fromEnvironment(env);
    if (fromEnv) return fromEnv;
    // On FC nothing else can exist: no profiles, and the default chain would only probe the network.
    if (config.onFunctionCompute) throw credentialsUnavailable(NO_CREDENTIALS_ON_FC);
    if (config.credentialsUri !== undefined) {
      const uri = config.credentialsUri;
      const session = await uriSessions.get(uri, () => fetchCredentialsUri(uri, { timeoutMs: config.uriTimeoutMs, ca: options.ca }), forceRefresh);
      return { credentials: session.value, expiration: session.expiration, expiry: 'known', source: 'credentials-uri' };
    }
    // DefaultChain loads @alicloud/credentials only here, on first use.
    defaultChain ??= new DefaultChain({ allowEcsMetadata: config.allowEcsMetadata });
    const fromChain = await defaultChain.get();
    if (fromChain) return fromChain;
    throw credentialsUnavailable(NO_CREDENTIALS_OFF_FC);
  }

  return {
    async resolve(context: FcContextLike | undefined, resolveOptions: ResolveOptions = {}): Promise<ResolvedCredentials> {
      const forceRefresh = resolveOptions.forceRefresh === true;
      if (role === null || roleSessions === null) return resolveCaller(context, forceRefresh);

      // The caller's own cache is not forced: only the outermost session (the signer role's) is renewed on demand.
      const caller = await resolveCaller(context, false);
      const endpoint = stsEndpointFor(role, config.onFunctionCompute, context?.region);
      const session = await roleSessions.get(`${identityOf(caller.credentials)}|${endpoint}`, async () => {
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
