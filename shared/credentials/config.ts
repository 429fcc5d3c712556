import { ConfigError } from '../errors';
import { boolVar, intVar } from '../config/env';
import type { Env } from './types';
import { signerRoleModule } from './lazy';

/**
 * Everything the credentials package reads from the environment, validated once at cold start so a bad deployment
 * fails with a ConfigError naming the variable instead of a confusing error on the first request.
 */
export interface SignerRoleConfig {
  roleArn: string;
  /** DurationSeconds asked of STS, 900..43200. */
  sessionSeconds: number;
  roleSessionName: string;
  /** Refresh the session once fewer than this many seconds are left. */
  refreshAheadSeconds: number;
  /** Session policy JSON narrowing the role to the configured buckets and prefixes, or undefined. */
  policy: string | undefined;
  /** Explicit STS origin (`https://host[:port]`), or undefined for the regional VPC endpoint. */
  endpoint: string | undefined;
  /** Region for the default endpoint when the context does not tell it. */
  region: string | undefined;
  timeoutMs: number;
  externalId: string | undefined;
}

export interface CredentialConfig {
  /** True when running inside Function Compute (FC sets FC_FUNCTION_NAME / FC_INSTANCE_ID in every instance). */
  onFunctionCompute: boolean;
  signerRole: SignerRoleConfig | null;
  credentialsUri: string | undefined;
  /** The off-FC default chain may ask ECS metadata (100.100.100.200) only when this is explicitly true. */
  allowEcsMetadata: boolean;
  uriTimeoutMs: number;
}

/** Accepts `host`, `host:port` or `https://host[:port]`; plain http only for loopback (the local cloud). */
export function normaliseStsEndpoint(raw: string, variable = 'SIGNER_STS_ENDPOINT'): string {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(variable, `is not a host or URL: "${raw}"`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(variable, 'must use https (plain http is allowed only for a loopback test server)');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw new ConfigError(variable, 'must be an origin without path, query or user info');
  }
  return url.origin;
}

/** SIGNER_ROLE_ARN unset: no signer role, and its code (the signer-role chunk) is never loaded. */
function readSignerRole(env: Env): SignerRoleConfig | null {
  const roleArn = env.SIGNER_ROLE_ARN?.trim();
  if (roleArn === undefined || roleArn === '') return null;
  return signerRoleModule().readSignerRoleConfig(env, roleArn);
}

export function readCredentialConfig(env: Env): CredentialConfig {
  const uri = env.ALIBABA_CLOUD_CREDENTIALS_URI?.trim() || undefined;
  if (uri !== undefined) {
    try {
      const parsed = new URL(uri);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new ConfigError('ALIBABA_CLOUD_CREDENTIALS_URI', 'must be an http(s) URL');
    }
  }
  return {
    onFunctionCompute: Boolean(env.FC_FUNCTION_NAME || env.FC_INSTANCE_ID),
    signerRole: readSignerRole(env),
    credentialsUri: uri,
    allowEcsMetadata: boolVar(env, 'PRESIGN_ALLOW_ECS_METADATA'),
    uriTimeoutMs: intVar(env, 'PRESIGN_CREDENTIALS_URI_TIMEOUT_MS', 5000, 100, 60000),
  };
}

/**
 * The STS origin for AssumeRole: SIGNER_STS_ENDPOINT if set; else, on FC, the regional VPC endpoint (keeps STS
 * traffic on Alibaba's network); off FC the public regional one (the VPC name does not resolve from elsewhere);
 * with no region known at all, the central sts.aliyuncs.com.
 */
export function stsEndpointFor(role: SignerRoleConfig, onFunctionCompute: boolean, contextRegion: string | undefined): string {
  if (role.endpoint !== undefined) return role.endpoint;
  const region = role.region ?? (typeof contextRegion === 'string' && /^[a-z0-9-]+$/.test(contextRegion) ? contextRegion : undefined);
  if (region === undefined) return 'https://sts.aliyuncs.com';
  return onFunctionCompute ? `https://sts-vpc.${region}.aliyuncs.com` : `https://sts.${region}.aliyuncs.com`;
}
