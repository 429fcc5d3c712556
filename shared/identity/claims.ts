import type { Claims } from './caller';

/**
 * Reading a verified token's claims for the rules. A claim is named as in the token (`tenant`,
 * `https://example.com/roles`), or as a dotted path into nested claims (`realm_access.roles`, Keycloak's roles):
 * the whole name is tried first, then the path. Only own properties are read, and the claims are a null-prototype
 * copy, so no name can reach anything inherited.
 */
export function claimAt(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const step of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * What a claim may hold to be put into an object key (`users/{sub}/`): 1 to 128 characters of ASCII letters, digits
 * and `. _ - @ + | :`, and not only dots. So a substituted claim is always exactly one folder name and can never widen
 * the key it is put in:
 * - no `/` or `\`: a value cannot add folders (`alice/x` would land inside alice's folder), nor start at the root;
 * - not `.` or `..` (nor any run of dots): no dot segments, which the service refuses in keys and some clients and
 *   CDNs collapse;
 * - never empty: `users//` would be one folder shared by everyone whose claim is empty;
 * - no `*`, `?`, `{`, `}`, `$`: nothing a pattern, a policy condition or a template could read as a wildcard;
 * - no `%`: a percent-escape (`%2F`) that a tool decodes on the way becomes a `/`;
 * - ASCII only: no look-alike letters (Cyrillic `а` for Latin `a`), no two spellings of one name (NFC and NFD),
 *   no control, format or space characters;
 * - at most 128 characters, well inside OSS's 1,023-byte keys.
 * Auth0 (`auth0|5f1…`, `google-oauth2|1…`), Keycloak and Cognito (UUIDs), Okta, Firebase, Authing and IDaaS subjects,
 * and e-mail addresses, all fit.
 */
const KEY_SAFE_CLAIM = /^[A-Za-z0-9._@+|:-]{1,128}$/;

/** The claim as one folder name, or a sentence saying why it cannot be one. Numbers count as their decimal digits. */
export function claimAsFolderName(value: unknown): { ok: true; text: string } | { ok: false; why: string } {
  // Number.isSafeInteger is false for anything but a number (it never converts), so it is the whole test.
  const text = Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return { ok: false, why: `it is ${Array.isArray(value) ? 'a list' : typeof value}, not text` };
  if (!KEY_SAFE_CLAIM.test(text)) return { ok: false, why: 'it must be 1 to 128 characters of A-Z a-z 0-9 . _ - @ + | :' };
  if (/^\.+$/.test(text)) return { ok: false, why: 'it is a dot segment' };
  return { ok: true, text };
}
