/**
 * Percent-encoding as OSS V4 canonicalises it: every UTF-8 byte outside A-Z a-z 0-9 - . _ ~ becomes %XX with
 * uppercase hex. encodeURIComponent leaves !'()* raw, so those five are finished by hand. Space is %20 and `+` is
 * %2B, never a raw `+`, which OSS would read as a space.
 */
const LEFT_RAW_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;
const ENCODED_SLASH = /%2F/g;

function hexEscape(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** For each ASCII code, its escape, or undefined where the character stays as it is. */
function escapeTable(keepSlash: boolean): (string | undefined)[] {
  const table: (string | undefined)[] = [];
  for (let code = 0; code < 0x80; code++) {
    const char = String.fromCharCode(code);
    const unreserved = /[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === '/');
    table.push(unreserved ? undefined : `%${code.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  return table;
}

const QUERY_TABLE = escapeTable(false);
const PATH_TABLE = escapeTable(true);

function encodeUtf8(value: string, keepSlash: boolean): string {
  const encoded = encodeURIComponent(value).replace(LEFT_RAW_BY_ENCODE_URI_COMPONENT, hexEscape);
  return keepSlash ? encoded.replace(ENCODED_SLASH, '/') : encoded;
}

// A table walk over ASCII input costs about a third of encodeURIComponent plus two regex passes, and most keys,
// names and values are ASCII; anything else takes the UTF-8 path.
function encode(value: string, table: (string | undefined)[], keepSlash: boolean): string {
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) return encodeUtf8(value, keepSlash);
    const escape = table[code];
    if (escape !== undefined) {
      out += value.slice(copiedUpTo, i) + escape;
      copiedUpTo = i + 1;
    }
  }
  return copiedUpTo === 0 ? value : out + value.slice(copiedUpTo);
}

/** Encodes a query key or value (and anything where `/` must become %2F). Callers must pass well-formed UTF-16. */
export function percentEncode(value: string): string {
  return encode(value, QUERY_TABLE, false);
}

/** Encodes a path: like percentEncode, but `/` separates segments and stays literal. */
export function percentEncodePath(path: string): string {
  return encode(path, PATH_TABLE, true);
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
