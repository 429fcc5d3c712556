import type { SigningCredentials } from '../signing/types';
import { parseUtcInstant } from './rpc-signature';
import type { CredentialSource, ResolvedCredentials } from './types';

/**
 * The off-Function-Compute fallback: @alicloud/credentials' providers for OIDC, the CLI profile
 * (~/.aliyun/config.json) and the credentials file (~/.alibabacloud/credentials), and — only when
 * PRESIGN_ALLOW_ECS_METADATA=true — ECS instance metadata. Env keys and ALIBABA_CLOUD_CREDENTIALS_URI are read by
 * the resolver before this, itself.
 *
 * - Loaded lazily with require() inside `get()`: a function on FC, or any run that finds credentials earlier, never
 *   pays for importing the SDK (and its httpx/kitx/ini dependency tree).
 * - Why not the SDK's DefaultCredentialsProvider: in 2.4.7 it always appends its URI provider, even when
 *   ALIBABA_CLOUD_CREDENTIALS_URI is unset, and that provider then sends an HTTPS request to the host "undefined" on
 *   every miss (seen in test/credentials/default-chain.test.ts's connection recorder) — traffic beyond loopback.
 *   It also adds ECS metadata (100.100.100.200, 1 s timeouts) unless ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, and
 *   after one total failure only retries the last provider it tried. The same providers, chained here, avoid all three.
 * - The SDK builders read process.env when built: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true is set for the synchronous
 *   construction unless ECS is allowed, so a profile cannot smuggle in an ECS lookup at build time either.
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

/**
 * The SDK never returns Expiration, but its session providers keep the last session (with its Expiration string) on
 * the instance. If the provider that answered holds a session for the very key we got, its expiry is known; otherwise
 * we stay honest and say 'unknown'. This reads SDK internals and degrades to 'unknown' if they change.
 */
function sessionExpiration(provider: unknown, accessKeyId: string): Date | null {
  let p: unknown = provider;
  for (let depth = 0; depth < 5 && p !== null && typeof p === 'object'; depth++) {
    const session = (p as { session?: { accessKeyId?: unknown; expiration?: unknown } }).session;
    if (session && session.accessKeyId === accessKeyId) return parseUtcInstant(session.expiration);
    p = (p as { innerProvider?: unknown }).innerProvider;
  }
  return null;
}

interface SdkModule {
  OIDCRoleArnCredentialsProvider: { builder(): { build(): SdkProvider } };
  CLIProfileCredentialsProvider: { builder(): { build(): SdkProvider } };
  ProfileCredentialsProvider: { builder(): { build(): SdkProvider } };
  ECSRAMRoleCredentialsProvider: { builder(): { withRoleName(name: string | undefined): { build(): SdkProvider } } };
}

export class DefaultChain {
  private chain: { source: CredentialSource; provider: SdkProvider }[] | null = null;

  constructor(private readonly options: { allowEcsMetadata: boolean }) {}

  private build(): { source: CredentialSource; provider: SdkProvider }[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@alicloud/credentials') as SdkModule;
    const chain: { source: CredentialSource; provider: SdkProvider }[] = [];
    const add = (source: CredentialSource, build: () => SdkProvider) => {
      try {
        chain.push({ source, provider: build() });
      } catch {
        // A builder throws when its source is not configured (no OIDC env, CLI profile disabled, ECS disabled).
      }
    };
    withProcessEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: this.options.allowEcsMetadata ? process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED : 'true' }, () => {
      add('oidc', () => sdk.OIDCRoleArnCredentialsProvider.builder().build());
      add('profile', () => sdk.CLIProfileCredentialsProvider.builder().build());
      add('profile', () => sdk.ProfileCredentialsProvider.builder().build());
      if (this.options.allowEcsMetadata) add('ecs-metadata', () => sdk.ECSRAMRoleCredentialsProvider.builder().withRoleName(process.env.ALIBABA_CLOUD_ECS_METADATA).build());
    });
    return chain;
  }

  /** Credentials from the first provider that gives some, or null when none can. */
  async get(): Promise<ResolvedCredentials | null> {
    this.chain ??= this.build();
    for (const { source, provider } of this.chain) {
      let got: SdkCredentials;
      try {
        got = await provider.getCredentials();
      } catch {
        // The SDK's messages can quote response bodies and file contents (keys included): dropped, never logged.
        continue;
      }
      if (!got.accessKeyId || !got.accessKeySecret) continue;
      const credentials: SigningCredentials = got.securityToken
        ? { accessKeyId: got.accessKeyId, accessKeySecret: got.accessKeySecret, securityToken: got.securityToken }
        : { accessKeyId: got.accessKeyId, accessKeySecret: got.accessKeySecret };
      if (!got.securityToken) return { credentials, expiration: null, expiry: 'none', source };
      const expiration = sessionExpiration(provider, got.accessKeyId);
      return expiration ? { credentials, expiration, expiry: 'known', source } : { credentials, expiration: null, expiry: 'unknown', source };
    }
    return null;
  }
}
