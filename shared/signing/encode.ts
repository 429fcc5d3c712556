/**
 * Percent-encoding as OSS V4 canonicalises it: every UTF-8 byte outside A-Z a-z 0-9 - . _ ~ becomes %XX with
 * uppercase hex. encodeURIComponent leaves !'()* raw, so those five are finished by hand. Space is %20 and `+` is
 * %2B, never a raw `+`, which OSS would read as a space.
 */
const UNRESERVED_ONLY = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_OR_SLASH_ONLY = /^[A-Za-z0-9\-._~/]*$/;
const LEFT_RAW_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;
const ENCODED_SLASH = /%2F/g;

function hexEscape(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** Encodes a query key or value (and anything where `/` must become %2F). Callers must pass well-formed UTF-16. */
export function percentEncode(value: string): string {
  // Most inputs (x-oss-* names, dates, hex, plain keys) need no escaping; the test is cheaper than the encode.
  if (UNRESERVED_ONLY.test(value)) return value;
  return encodeURIComponent(value).replace(LEFT_RAW_BY_ENCODE_URI_COMPONENT, hexEscape);
}

/** Encodes a path: like percentEncode, but `/` separates segments and stays literal. */
export function percentEncodePath(path: string): string {
  if (UNRESERVED_OR_SLASH_ONLY.test(path)) return path;
  return percentEncode(path).replace(ENCODED_SLASH, '/');
}

/**
 * percentEncode that remembers its last input. The STS token (~600 characters) and the credential
 * (`ak/scope`) are the same for every URL an instance signs until the token rotates or the day turns, and
 * encoding them is a large share of a signature's cost. The token is no secret from a URL's holder (it
 * travels in every URL), so remembering it adds no exposure.
 */
export function lastValueEncoder(): (value: string) => string {
  let lastRaw: string | undefined;
  let lastEncoded = '';
  return (value) => {
    if (value !== lastRaw) {
      lastEncoded = percentEncode(value);
      lastRaw = value;
    }
    return lastEncoded;
  };
}
