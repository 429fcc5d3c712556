import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens for HTTP triggers left anonymous. Only SHA-256 digests are configured, so the deployment's
 * environment never holds a usable token; the comparison is constant-time and runs against every configured
 * digest, so timing says nothing about which (if any) almost matched.
 */
export function bearerTokenAccepted(authorization: string | undefined, digests: readonly Buffer[]): boolean {
  const match = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const presented = createHash('sha256').update(match?.[1] ?? '').digest();
  let accepted = false;
  for (const digest of digests) accepted = timingSafeEqual(presented, digest) || accepted;
  return accepted && match !== null;
}
