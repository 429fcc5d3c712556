import type { SigningCredentials } from '../signing/types';
import { credentialsUnavailable } from './errors';
import type { CredentialSource, Env, FcContextLike, ResolvedCredentials } from './types';

/**
 * Credentials handed to us as plain values: FC's context.credentials and environment variables. Read on every
 * invocation and never cached, so keys that rotate between invocations are used at once. Their lifetime is not
 * known; a key without a token is a long-term AccessKey and has no token lifetime at all.
 */
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Checks a triple for shape; `where` names the fields in messages (never their values, beyond nothing). */
function fromTriple(
  id: string | undefined,
  secret: string | undefined,
  token: string | undefined,
  source: CredentialSource,
  where: { id: string; secret: string; token: string },
): ResolvedCredentials | null {
  if (id === undefined && secret === undefined && token === undefined) return null;
  if (id === undefined || secret === undefined) {
    throw credentialsUnavailable(`Incomplete credentials from ${source}: ${id === undefined ? where.id : where.secret} is missing while ${id === undefined ? where.secret : where.id} is set.`);
  }
  // An STS key without its token cannot sign anything OSS accepts: fail here rather than hand out dead URLs.
  if (token === undefined && id.startsWith('STS.')) {
    throw credentialsUnavailable(`Incomplete credentials from ${source}: ${where.id} is a temporary (STS.) key but ${where.token} is missing.`);
  }
  const credentials: SigningCredentials = token === undefined ? { accessKeyId: id, accessKeySecret: secret } : { accessKeyId: id, accessKeySecret: secret, securityToken: token };
  return { credentials, expiration: null, expiry: token === undefined ? 'none' : 'unknown', source };
}

export function fromContext(context: FcContextLike | undefined): ResolvedCredentials | null {
  const c = context?.credentials;
  if (c === undefined || c === null || typeof c !== 'object') return null;
  return fromTriple(str(c.accessKeyId), str(c.accessKeySecret), str(c.securityToken), 'fc-context', {
    id: 'context.credentials.accessKeyId',
    secret: 'context.credentials.accessKeySecret',
    token: 'context.credentials.securityToken',
  });
}

/** ALIBABA_CLOUD_* first (what FC and the SDKs use), then the OSS_* names the project's seeds use. */
export function fromEnvironment(env: Env): ResolvedCredentials | null {
  const alibaba = fromTriple(str(env.ALIBABA_CLOUD_ACCESS_KEY_ID), str(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET), str(env.ALIBABA_CLOUD_SECURITY_TOKEN), 'environment', {
    id: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    secret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    token: 'ALIBABA_CLOUD_SECURITY_TOKEN',
  });
  if (alibaba) return alibaba;
  return fromTriple(str(env.OSS_ACCESS_KEY_ID), str(env.OSS_ACCESS_KEY_SECRET), str(env.OSS_SESSION_TOKEN), 'environment', {
    id: 'OSS_ACCESS_KEY_ID',
    secret: 'OSS_ACCESS_KEY_SECRET',
    token: 'OSS_SESSION_TOKEN',
  });
}
