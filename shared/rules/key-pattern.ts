/**
 * Which keys a rule covers. A pattern is written as a folder (`uploads/`: every key below it) or as an explicit
 * prefix ending in `*` (`img*`: every key starting with `img`, so `img2/` and `imgX` too, which is why it must be
 * spelt out). `*` alone is every key. A bare `uploads` is refused when the rule is read: it would admit `uploadsX/`,
 * which is rarely what was meant.
 */
export interface KeyPattern {
  /** As written, for messages. */
  readonly source: string;
  /** The literal start every covered key has ('' for `*`). */
  readonly prefix: string;
  /** Whether `prefix` is a folder (ends in `/`), where generated keys may be put. */
  readonly folder: boolean;
}

export type KeyPatternProblem = string;

/** The pattern, or why it cannot be one (the caller turns that into a ConfigError naming its setting). */
export function compileKeyPattern(source: string): KeyPattern | KeyPatternProblem {
  const star = source.endsWith('*');
  const prefix = star ? source.slice(0, -1) : source;
  if (prefix.includes('*')) return `"${source}": "*" may only end a pattern`;
  if (!star && !prefix.endsWith('/')) return `"${source}" would also admit "${source}X/...": write "${source}/" for a folder or "${source}*" for any key starting with it`;
  if (prefix.startsWith('/') || prefix.startsWith('\\')) return `"${source}" must not start with "/" or "\\"`;
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) return `"${source}" must not contain "." or ".." segments`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return `"${source}" must not contain control characters`;
  return { source, prefix, folder: prefix === '' || prefix.endsWith('/') };
}

/** A key is covered when it starts with the pattern's literal prefix: a key that merely contains it is not. */
export function keyMatches(pattern: KeyPattern, key: string): boolean {
  return key.startsWith(pattern.prefix);
}

/** Every key starting with `keyPrefix` is covered (a form whose browser picks the rest). */
export function prefixCovered(pattern: KeyPattern, keyPrefix: string): boolean {
  return keyPrefix.startsWith(pattern.prefix);
}
