import type { SigningCredentials } from '../signing/types';
import { credentialsUnavailable } from './errors';
import type { CredentialSource, Env, FcContextLike, ResolvedCredentials } from './types';

/**
 * Credentials handed to us as plain values: FC's context.credentials and environment variables. Read on every
 * invocation, so keys that rotate between invocations are used at once (an unchanged context key is answered with
 * the object built for it last time: see createContextSource). Their lifetime is not
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

const CONTEXT_FIELDS = {
  id: 'context.credentials.accessKeyId',
  secret: 'context.credentials.accessKeySecret',
  token: 'context.credentials.securityToken',
};

/**
 * fromContext with a one-entry memo: while FC passes the same key, secret and token, every invocation gets the very
 * same (frozen) ResolvedCredentials, so what is cached per credentials object (the derived signing key, the signer
 * role's caller identity) is computed once per key instead of once per invocation. The fields are still read and
 * compared on every call: the moment any of them differs, a new object is built and remembered instead.
 */
export function createContextSource(): (context: FcContextLike | undefined) => ResolvedCredentials | null {
  let last: { id: string; secret: string; token: string | undefined; resolved: ResolvedCredentials } | null = null;
  return (context) => {
    const c = context?.credentials;
    if (c === undefined || c === null || typeof c !== 'object') return null;
    const id = str(c.accessKeyId);
    const secret = str(c.accessKeySecret);
    const token = str(c.securityToken);
    if (last !== null && last.id === id && last.secret === secret && last.token === token) return last.resolved;
    const resolved = fromTriple(id, secret, token, 'fc-context', CONTEXT_FIELDS);
    if (resolved === null || id === undefined || secret === undefined) return resolved;
    Object.freeze(resolved.credentials);
    last = { id, secret, token, resolved: Object.freeze(resolved) };
    return resolved;
  };
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
