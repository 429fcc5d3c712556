/**
 * Signing credentials for presigned URLs, each with what is known about its expiry. Importing this module loads no
 * SDK: @alicloud/credentials is required only when the off-FC default chain actually runs, and the signer-role and
 * off-FC code only when they are used (./lazy.ts). buildSessionPolicy lives in ./session-policy (signer role only).
 */
export { createCredentialResolver, type CredentialResolverOptions } from './resolver';
export { readCredentialConfig, stsEndpointFor, type CredentialConfig, type SignerRoleConfig } from './config';
export { credentialsUnavailable, redact } from './errors';
export type {
  CredentialLogger,
  CredentialResolver,
  CredentialSource,
  Env,
  ExpiryKnowledge,
  FcContextLike,
  ResolvedCredentials,
  ResolveOptions,
} from './types';
