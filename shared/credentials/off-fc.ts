import type { SigningCredentials } from '../signing/types';
import type { CredentialConfig } from './config';
import { DefaultChain } from './default-chain';
import { SessionCache } from './session-cache';
import type { CachedSourceOptions, ResolvedCredentials } from './types';
import { fetchCredentialsUri } from './uri-source';

/**
 * The sources that exist only off Function Compute, after the environment: ALIBABA_CLOUD_CREDENTIALS_URI (cached,
 * refreshed ahead of its Expiration), then the SDK's default chain (which loads @alicloud/credentials on first use).
 * Loaded lazily (./lazy.ts); in the bundle, a chunk of its own.
 */
export interface OffFcSourcesOptions extends CachedSourceOptions {
  config: CredentialConfig;
}

export interface OffFcSources {
  /** Credentials from the URI or the default chain, or null when neither has any. */
  resolve(forceRefresh: boolean): Promise<ResolvedCredentials | null>;
}

export function createOffFcSources(options: OffFcSourcesOptions): OffFcSources {
  const { config, logger } = options;
  const uriSessions = new SessionCache<Required<SigningCredentials>>({
    refreshAheadMs: 5 * 60_000,
    minServeMs: options.minServeMs,
    now: options.now,
    onStaleServe: (err) => logger?.warn(`credentials URI refresh failed, serving the current credentials: ${(err as Error).message}`),
  });
  let defaultChain: DefaultChain | null = null;
  return {
    async resolve(forceRefresh) {
      if (config.credentialsUri !== undefined) {
        const uri = config.credentialsUri;
        const session = await uriSessions.get(uri, () => fetchCredentialsUri(uri, { timeoutMs: config.uriTimeoutMs, ca: options.ca }), forceRefresh);
        return { credentials: session.value, expiration: session.expiration, expiry: 'known', source: 'credentials-uri' };
      }
      // DefaultChain loads @alicloud/credentials only here, on first use.
      defaultChain ??= new DefaultChain({ allowEcsMetadata: config.allowEcsMetadata });
      return defaultChain.get();
    },
  };
}
