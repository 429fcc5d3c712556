import {
  buildCanonicalRequest,
  buildScope,
  buildStringToSign,
  canonicalHeaders,
  deriveSigningKey,
  normaliseAdditionalHeaders,
  signHex,
} from '../../scripts/local-oss/v4-canonical';
import { intermediatesById, vectors, type OfficialVector } from '../fixtures/vectors';

// The same official vectors the signing package is held to, read from the copy in test/fixtures.
type Vector = OfficialVector;
const official = { vectors };
const intermediates = { vectors: [...intermediatesById.values()] };

function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function dateTimeOf(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Additional-header names as a signer would keep them: lower-cased, not default-signed, present in the request. */
function signerAdditional(v: Vector): string[] {
  const present = lowerHeaders(v.input.headers);
  return normaliseAdditionalHeaders((v.input.additional_headers ?? []).join(';')).filter((n) => (present[n] ?? '') !== '');
}

/** Recreates the query the server would receive for a query-mode vector (signer-added params included). */
function receivedQuery(v: Vector): Array<{ key: string; value: string }> {
  const i = v.input;
  const dateTime = dateTimeOf(i.sign_time_unix);
  const q = i.query_params_raw.map(([key, value]) => ({ key, value }));
  q.push({ key: 'x-oss-signature-version', value: 'OSS4-HMAC-SHA256' });
  q.push({ key: 'x-oss-date', value: dateTime });
  q.push({ key: 'x-oss-expires', value: String((i.expiration_time_unix ?? 0) - i.sign_time_unix) });
  q.push({ key: 'x-oss-credential', value: `${i.access_key_id}/${buildScope(dateTime.slice(0, 8), i.region, i.product)}` });
  if (i.security_token) q.push({ key: 'x-oss-security-token', value: i.security_token });
  const additional = signerAdditional(v);
  if (additional.length > 0) q.push({ key: 'x-oss-additional-headers', value: additional.join(';') });
  return q;
}

const queryVectors = official.vectors.filter((v) => v.mode.startsWith('query'));
const headerVectors = official.vectors.filter((v) => v.mode.startsWith('header'));

describe('server-side V4 canonicalisation against the official query vectors', () => {
  it('covers Q1..Q7', () => {
    expect(queryVectors.map((v) => v.id.split('-')[0])).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7']);
  });

  it.each(queryVectors.map((v) => [v.id, v] as const))('%s: canonical request, string to sign and signature', (id, v) => {
    const mid = intermediates.vectors.find((m) => m.id === id);
    if (!mid) throw new Error(`no intermediates for ${id}`);
    const dateTime = dateTimeOf(v.input.sign_time_unix);
    if (typeof v.expected['x-oss-date'] === 'string') expect(dateTime).toBe(v.expected['x-oss-date']);
    const additional = signerAdditional(v);
    const cr = buildCanonicalRequest({
      method: v.input.method,
      bucket: v.input.bucket,
      key: v.input.key,
      query: receivedQuery(v),
      headers: lowerHeaders(v.input.headers),
      additionalHeaders: additional,
    });
    expect(cr).toBe(mid.canonical_request);
    const scope = buildScope(dateTime.slice(0, 8), v.input.region, v.input.product);
    const sts = buildStringToSign(dateTime, scope, cr);
    expect(sts).toBe(mid.string_to_sign);
    const key = deriveSigningKey(v.input.access_key_secret, dateTime.slice(0, 8), v.input.region, v.input.product);
    expect(key.toString('hex')).toBe(mid.signing_key_hex);
    expect(signHex(key, sts)).toBe(v.expected['x-oss-signature']);
  });

  it('a one-byte change in the received query changes the signature (the check can fail)', () => {
    const v = queryVectors[0]!;
    const q = receivedQuery(v).map((p) => (p.key === 'param1' ? { ...p, value: 'value2' } : p));
    const cr = buildCanonicalRequest({ method: 'PUT', bucket: 'bucket', key: v.input.key, query: q, headers: lowerHeaders(v.input.headers), additionalHeaders: [] });
    const dt = dateTimeOf(v.input.sign_time_unix);
    const sig = signHex(deriveSigningKey('sk', dt.slice(0, 8), 'cn-hangzhou', 'oss'), buildStringToSign(dt, buildScope(dt.slice(0, 8), 'cn-hangzhou', 'oss'), cr));
    expect(sig).not.toBe(v.expected['x-oss-signature']);
  });
});

describe('server-side V4 canonicalisation against the official header vectors', () => {
  it.each(headerVectors.map((v) => [v.id, v] as const))('%s: Authorization signature', (_id, v) => {
    const auth = v.expected['authorization'] ?? '';
    const m = /Credential=([^,]+),(?:AdditionalHeaders=([^,]+),)?Signature=([0-9a-f]{64})/.exec(auth);
    if (!m) throw new Error(`bad authorization ${auth}`);
    const [, credential = '', additionalRaw, signature] = m;
    const date8 = credential.split('/')[1] ?? '';
    // The signer stamps x-oss-date itself; recover the instant from the vector (explicit, or the sign time).
    const dateTime = v.expected['x-oss-date'] ?? dateTimeOf(v.input.sign_time_unix);
    expect(dateTime.slice(0, 8)).toBe(date8);
    const headers: Record<string, string> = { ...lowerHeaders(v.input.headers), 'x-oss-date': dateTime };
    if (v.input.security_token) headers['x-oss-security-token'] = v.input.security_token;
    const cr = buildCanonicalRequest({
      method: v.input.method,
      bucket: v.input.bucket,
      key: v.input.key,
      query: v.input.query_params_raw.map(([key, value]) => ({ key, value })),
      headers,
      additionalHeaders: normaliseAdditionalHeaders(additionalRaw),
    });
    if (typeof v.expected['canonical_request'] === 'string') expect(cr).toBe(v.expected['canonical_request']);
    const sts = buildStringToSign(dateTime, buildScope(date8, v.input.region, v.input.product), cr);
    if (typeof v.expected['string_to_sign'] === 'string') expect(sts).toBe(v.expected['string_to_sign']);
    expect(signHex(deriveSigningKey(v.input.access_key_secret, date8, v.input.region, v.input.product), sts)).toBe(signature);
  });

  it('C1: canonical headers are sorted bytewise and lower-cased', () => {
    const c1 = official.vectors.find((v) => v.id.startsWith('C1'));
    if (!c1) throw new Error('no C1');
    expect(canonicalHeaders(lowerHeaders(c1.input.headers), [])).toBe(c1.expected['canonical_headers']);
  });
});
