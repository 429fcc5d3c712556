import type { LocalOidc } from '../local-oidc/server';

/**
 * What `npm start` deploys with its local OIDC issuer: the functions verify the issuer's JWTs (JWKS fetched from
 * loopback) and decide by a rules document, so that a signed-in user has a folder of their own:
 * - own-folder: users/<their sub>/ for every upload shape and downloads (another user's folder answers 403);
 * - user-folders-for-the-platform: the OSS trigger (a platform caller) may still sign download URLs there, so every
 *   upload lands in the result queue;
 * - everything-else: the rest of the bucket for anyone, signed in or not, as before (the printed curl example, the page
 *   before sign-in). It never reaches into users/: a more specific rule decides there.
 * InvokeFunction wraps are trusted (AUTH_TRUST_INVOKE_FUNCTION): the local FC host signs them with the local key.
 */
export const LOCAL_AUDIENCE = 'oss-presign-local';

export const LOCAL_RULES = {
  rules: [
    { name: 'own-folder', keys: ['users/{sub}/'], actions: ['put', 'get', 'head', 'multipart', 'form'] },
    { name: 'user-folders-for-the-platform', keys: ['users/'], actions: ['get', 'head'], callers: ['platform'] },
    { name: 'everything-else', keys: ['*'], actions: ['put', 'get', 'head', 'multipart', 'form'], anonymous: true },
  ],
};

export function oidcEnvironment(oidc: LocalOidc): Record<string, string> {
  return {
    AUTH_ISSUER: oidc.issuer,
    AUTH_AUDIENCE: oidc.audience,
    AUTH_JWKS_URL: oidc.jwksUrl,
    AUTH_TRUST_INVOKE_FUNCTION: 'true',
    PRESIGN_RULES: JSON.stringify(LOCAL_RULES),
  };
}
