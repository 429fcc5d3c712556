import type { SigningCredentials } from '../signing/types';
import { parseUtcInstant } from './rpc-signature';
import type { CredentialSource, ResolvedCredentials } from './types';

/**
 * The off-Function-Compute fallback: @alicloud/credentials' DefaultCredentialsProvider (OIDC, CLI profile
 * ~/.aliyun/config.json, ~/.alibabacloud/credentials, ECS metadata, credentials URI).
 *
 * - Loaded lazily with require() inside `get()`: a function on FC, or any run that finds credentials earlier, never
 *   pays for importing the SDK (and its httpx/kitx/ini dependency tree).
 * - ECS metadata (100.100.100.200) is switched off while the chain is built unless PRESIGN_ALLOW_ECS_METADATA=true:
 *   off FC this would otherwise be a 1 s network probe beyond loopback on every miss (and on a laptop, a request to
 *   whatever answers that address). The SDK reads ALIBABA_CLOUD_ECS_METADATA_DISABLED from process.env when each
 *   provider is *built*, so it is set for the synchronous construction and restored right after.
 * - ALIBABA_CLOUD_CREDENTIALS_URI is hidden the same way: the resolver fetches it itself, earlier, to keep Expiration.
 * - The SDK remembers the last provider it *tried* even when all failed (then only retries that one), so a failed
 *   chain is thrown away and rebuilt on the next call.
 */
interface SdkCredentials { accessKeyId?: string; accessKeySecret?: string; securityToken?: string; providerName?: string }
interface SdkProvider { getCredentials(): Promise<SdkCredentials> }

function withProcessEnv<T>(overrides: Record<string, string | undefined>, fn: () => T): T {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(overrides)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function sourceOf(providerName: string | undefined): CredentialSource {
  const inner = (providerName ?? '').split('/')[1] ?? '';
  if (inner === 'cli_profile' || inner === 'profile') return 'profile';
  if (inner === 'oidc_role_arn') return 'oidc';
  if (inner === 'ecs_ram_role') return 'ecs-metadata';
  if (inner === 'env') return 'environment';
  if (inner === 'credential_uri') return 'credentials-uri';
  return 'default-chain';
}

/**
 * The SDK never returns Expiration, but its session providers keep the last session (with its Expiration string) on
 * the instance. If the provider that answered holds a session for the very key we got, its expiry is known; otherwise
 * we stay honest and say 'unknown'. This reads SDK internals and degrades to 'unknown' if they change.
 */
function sessionExpiration(chain: unknown, accessKeyId: string): Date | null {
  let p: unknown = (chain as { lastUsedProvider?: unknown }).lastUsedProvider;
  for (let depth = 0; depth < 5 && p !== null && typeof p === 'object'; depth++) {
    const session = (p as { session?: { accessKeyId?: unknown; expiration?: unknown } }).session;
    if (session && session.accessKeyId === accessKeyId) return parseUtcInstant(session.expiration);
    p = (p as { innerProvider?: unknown }).innerProvider;
  }
  return null;
}

export class DefaultChain {
  private chain: SdkProvider | null = null;

  constructor(private readonly options: { allowEcsMetadata: boolean }) {}

  /** Credentials from the chain, or null when no provider in it could give any. */
  async get(): Promise<ResolvedCredentials | null> {
    if (this.chain === null) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('@alicloud/credentials') as { DefaultCredentialsProvider: { builder(): { build(): SdkProvider } } };
      this.chain = withProcessEnv(
        {
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: this.options.allowEcsMetadata ? process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED : 'true',
          ALIBABA_CLOUD_CREDENTIALS_URI: undefined,
        },
        () => sdk.DefaultCredentialsProvider.builder().build(),
      );
    }
    const chain = this.chain;
    let got: SdkCredentials;
    try {
      got = await chain.getCredentials();
    } catch {
      // The SDK's message can quote response bodies (with keys in them): it is dropped, not logged.
      this.chain = null;
      return null;
    }
    if (!got.accessKeyId || !got.accessKeySecret) {
      this.chain = null;
      return null;
    }
    const credentials: SigningCredentials = got.securityToken
      ? { accessKeyId: got.accessKeyId, accessKeySecret: got.accessKeySecret, securityToken: got.securityToken }
      : { accessKeyId: got.accessKeyId, accessKeySecret: got.accessKeySecret };
    const expiration = got.securityToken ? sessionExpiration(chain, got.accessKeyId) : null;
    return {
      credentials,
      expiration,
      expiry: !got.securityToken ? 'none' : expiration ? 'known' : 'unknown',
      source: sourceOf(got.providerName),
    };
  }
}
