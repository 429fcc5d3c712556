import type { Caller } from '../identity/caller';

/**
 * Which keys a rule covers. A pattern is written as a folder (`uploads/`: every key below it) or as an explicit
 * prefix ending in `*` (`img*`: every key starting with `img`, so `img2/` and `imgX` too, which is why it must be
 * spelt out). `*` alone is every key. A bare `uploads` is refused when the rule is read: it would admit `uploadsX/`,
 * which is rarely what was meant. A folder may be a claim of the caller's token (`users/{sub}/`,
 * `tenants/{claims.tenant}/`): ./key-claims.ts, loaded only where a pattern has one.
 */
export interface KeyPattern {
  /** As written, for messages. */
  readonly source: string;
  /** The literal start every covered key has ('' for `*`); for a pattern with claims, the part before the first. */
  readonly prefix: string;
  /** Whether the covered keys are a folder (ends in `/`), where generated keys may be put. */
  readonly folder: boolean;
  /**
   * Patterns with claims only: the start of the keys covered for this caller, or undefined when the caller has no
   * such claim (the pattern covers nothing for them). A claim that cannot be a folder name is refused (403).
   */
  readonly resolve?: (caller: Caller) => string | undefined;
}

export type KeyPatternProblem = string;

type KeyClaims = typeof import('./key-claims');

/** The pattern, or why it cannot be one (the caller turns that into a ConfigError naming its setting). */
export function compileKeyPattern(source: string): KeyPattern | KeyPatternProblem {
  if (/[{}]/.test(source)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./key-claims') as KeyClaims).compileClaimPattern(source);
  }
  const star = source.endsWith('*');
  const prefix = star ? source.slice(0, -1) : source;
  return literalProblem(source, prefix, star) ?? { source, prefix, folder: prefix === '' || prefix.endsWith('/') };
}

/** What is wrong with a pattern's literal text, if anything. */
export function literalProblem(source: string, prefix: string, star: boolean): KeyPatternProblem | undefined {
  if (prefix.includes('*')) return `"${source}": "*" may only end a pattern`;
  if (!star && !prefix.endsWith('/')) return `"${source}" would also admit "${source}X/...": write "${source}/" for a folder or "${source}*" for any key starting with it`;
  if (prefix.startsWith('/') || prefix.startsWith('\\')) return `"${source}" must not start with "/" or "\\"`;
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) return `"${source}" must not contain "." or ".." segments`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return `"${source}" must not contain control characters`;
  return undefined;
}

/** Where the keys `pattern` covers for `caller` start, or undefined when it covers none for them. */
export function startFor(pattern: KeyPattern, caller: Caller): string | undefined {
  return pattern.resolve === undefined ? pattern.prefix : pattern.resolve(caller);
}
