/**
 * V4 timestamps: `x-oss-date` is the signing instant in `yyyyMMdd'T'HHmmss'Z'`; its first eight characters are the
 * scope date. Signing truncates to the second, and the URL's expiry counts from that truncated instant.
 */
let memoSecond = Number.NaN;
let memoDateTime = '';

export function formatDateTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== memoSecond) {
    const iso = new Date(second * 1000).toISOString(); // 2023-12-17T02:54:37.000Z
    memoDateTime = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    memoSecond = second;
  }
  return memoDateTime;
}

let memoIsoSecond = Number.NaN;
let memoIso = '';

/** ISO 8601 without milliseconds, the form the service reports expiries in. */
export function isoSeconds(epochSeconds: number): string {
  if (epochSeconds !== memoIsoSecond) {
    memoIso = `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}Z`;
    memoIsoSecond = epochSeconds;
  }
  return memoIso;
}
