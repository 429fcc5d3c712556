import { ConfigError, ServiceError } from '../errors';
import type { Caller } from '../identity/caller';
import { claimAsFolderName, claimAt } from '../identity/claims';
import { isReservedName } from '../request/tree';
import { literalProblem, type KeyPattern, type KeyPatternProblem } from './key-pattern';

/**
 * Key patterns with claims of the caller's verified token: `users/{sub}/`, `tenants/{claims.tenant}/{sub}/`. Loaded
 * (in the bundles, a chunk of its own) only when a pattern has a `{`.
 *
 * A claim is always one whole folder name: `{…}` stands alone between two `/` (or at the start), and is followed
 * by `/`. With the characters ../identity/claims.ts allows (no `/`, never empty, never a dot segment), two callers
 * with different claims then always get two folders neither of which holds the other, whatever the claims are:
 * `u-{sub}/` (a claim `x` next to one `x-y`... both start `u-x`) or `{claims.a}{sub}/` (`ab`+`c` = `a`+`bc`) could not
 * promise that, so they are refused, and so is `users/{sub}*`, which would give `al` every key of `alice`.
 */
const PLACEHOLDER = /^\{(sub|claims\.[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64}){0,3})\}$/;

type Segment = { literal: string } | { claim: string };

/** A pattern with a claim where no token is verified: the claim could never be filled. */
export function claimsNeedTokens(setting: string): ConfigError {
  return new ConfigError(setting, 'a claim such as {sub} needs verified tokens: set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS or AUTH_JWKS_URL');
}

export function compileClaimPattern(source: string): KeyPattern | KeyPatternProblem {
  if (source.includes('${')) return `"${source}": write a claim as {sub} or {claims.name}, without "$" (Serverless Devs expands \${...} in s.yaml)`;
  const star = source.endsWith('*');
  const body = star ? source.slice(0, -1) : source;
  const parts = body.split('/');
  const segments: Segment[] = [];
  for (const [index, part] of parts.entries()) {
    if (!/[{}]/.test(part)) {
      segments.push({ literal: part });
      continue;
    }
    const placeholder = PLACEHOLDER.exec(part);
    if (placeholder === null || (placeholder[1] as string).split('.').some(isReservedName)) {
      return `"${source}": a claim must be a whole folder name, written {sub} or {claims.name} (letters, digits, _ and -; dots for nested claims), e.g. users/{sub}/`;
    }
    if (index === parts.length - 1) return `"${source}": a claim must be followed by "/" (write "${body}/"), or a caller whose claim starts another's would share its keys`;
    segments.push({ claim: (placeholder[1] as string).replace(/^claims\./, '') });
  }
  const problem = literalProblem(source, segments.map((s) => ('literal' in s ? s.literal : 'x')).join('/'), star);
  if (problem !== undefined) return problem;
  const firstClaim = segments.findIndex((s) => 'claim' in s);
  const prefix = segments.slice(0, firstClaim).map((s) => `${(s as { literal: string }).literal}/`).join('');
  return {
    source,
    prefix,
    folder: !star,
    resolve: (caller: Caller) => {
      if (caller.kind !== 'user') return undefined;
      const filled: string[] = [];
      for (const segment of segments) {
        if ('literal' in segment) {
          filled.push(segment.literal);
          continue;
        }
        const value = claimAt(caller.claims, segment.claim);
        if (value === undefined || value === null) return undefined;
        const name = claimAsFolderName(value);
        if (!name.ok) {
          throw new ServiceError('ClaimNotUsable', 403, `the token's claim "${segment.claim}" cannot name a folder in ${source}: ${name.why}`);
        }
        filled.push(name.text);
      }
      return filled.join('/');
    },
  };
}
