import { readCredentialConfig, type CredentialConfig } from './config';
import { credentialsUnavailable } from './errors';
import type { ExtraCa } from './http-exchange';
import { offFcModule, signerRoleModule } from './lazy';
import type { OffFcSources } from './off-fc';
import { createContextSource, fromEnvironment } from './static-source';
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
  ca?: ExtraCa;
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
  const fromContext = createContextSource();
  // The signer-role code is loaded (at cold start) only when SIGNER_ROLE_ARN is set.
  const signer = config.signerRole === null ? null : signerRoleModule().createSignerSessions({
    role: config.signerRole, onFunctionCompute: config.onFunctionCompute, minServeMs: MIN_SERVE_MS, now, logger, ca: options.ca,
  });
  // The off-FC sources are loaded on first use, never on Function Compute.
  let offFc: OffFcSources | null = null;

  async function resolveCaller(context: FcContextLike | undefined, forceRefresh: boolean): Promise<ResolvedCredentials> {
    const fromFc = fromContext(context);
    if (fromFc) return fromFc;
    const fromEnv = fromEnvironment(env);
    if (fromEnv) return fromEnv;
    // On FC nothing else can exist: no profiles, and the default chain would only probe the network.
    if (config.onFunctionCompute) throw credentialsUnavailable(NO_CREDENTIALS_ON_FC);
    offFc ??= offFcModule().createOffFcSources({ config, minServeMs: MIN_SERVE_MS, now, logger, ca: options.ca });
    const found = await offFc.resolve(forceRefresh);
    if (found) return found;
    throw credentialsUnavailable(NO_CREDENTIALS_OFF_FC);
  }

  return {
    async resolve(context: FcContextLike | undefined, resolveOptions: ResolveOptions = {}): Promise<ResolvedCredentials> {
      const forceRefresh = resolveOptions.forceRefresh === true;
      if (signer === null) return resolveCaller(context, forceRefresh);
      // The caller's own cache is not forced: only the outermost session (the signer role's) is renewed on demand.
      return signer.resolve(await resolveCaller(context, false), context?.region, forceRefresh);
    },
  };
}
