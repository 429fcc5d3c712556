import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  percentEncode,
  presignExplained,
  signatureHex,
  stringToSign,
  type PresignInput,
} from '../../shared/signing';
import { headerVectors, intermediatesById, queryVectors, vectors, type OfficialVector } from '../fixtures/vectors';

function presignInputFor(vector: OfficialVector): PresignInput {
  const { input } = vector;
  const isCloudBox = input.product === 'oss-cloudbox';
  return {
    method: input.method as PresignInput['method'],
    bucket: input.bucket,
    key: input.key,
    region: isCloudBox ? 'cn-hangzhou' : input.region,
    ...(isCloudBox ? { cloudBoxId: input.region } : {}),
    credentials: {
      accessKeyId: input.access_key_id,
      accessKeySecret: input.access_key_secret,
      ...(input.security_token ? { securityToken: input.security_token } : {}),
    },
    expires: (input.expiration_time_unix as number) - input.sign_time_unix,
    headers: input.headers,
    additionalHeaders: input.additional_headers ?? undefined,
    query: Object.fromEntries(input.query_params_raw),
    endpoint: { kind: 'public', protocol: 'http' },
    now: () => input.sign_time_unix * 1000,
  };
}

function queryOf(url: string): Map<string, string> {
  return new Map(new URL(url).searchParams);
}

describe('official OSS V4 query-mode vectors', () => {
  it('covers every query vector in the fixture', () => {
    expect(queryVectors.map((v) => v.id)).toEqual(['Q1-basic', 'Q2-token', 'Q3-additional', 'Q4-additional-filtered', 'Q5-cloudbox-additional', 'Q6-cloudbox-additional-filtered', 'Q7-long-expiration']);
  });

  describe.each(queryVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    const { presigned, canonicalRequest: cr, stringToSign: sts } = presignExplained(presignInputFor(vector));
    const params = queryOf(presigned.url);

    it('reproduces the literal signature', () => {
      expect(params.get('x-oss-signature')).toBe(vector.expected['x-oss-signature']);
    });

    it('puts every literal query value in the URL', () => {
      for (const name of ['x-oss-signature-version', 'x-oss-date', 'x-oss-expires', 'x-oss-credential', 'x-oss-security-token', 'x-oss-additional-headers']) {
        const expected = vector.expected[name];
        if (expected === undefined) continue;
        expect(params.get(name) ?? null).toBe(expected);
      }
      for (const name of ['x-oss-credential', 'x-oss-additional-headers']) {
        const encoded = vector.expected[`${name}_encoded`];
        if (encoded) expect(presigned.url).toContain(`${name}=${encoded}`);
      }
    });

    it('matches the canonical request and string to sign of the reference intermediates', () => {
      const expected = intermediatesById.get(vector.id);
      expect(expected).toBeDefined();
      expect(cr).toBe(expected?.canonical_request);
      expect(sts).toBe(expected?.string_to_sign);
    });

    it('reports the expiry the vector implies', () => {
      expect(presigned.expiresIn).toBe(Number(vector.expected['x-oss-expires'] ?? presigned.expiresIn));
      expect(Date.parse(presigned.expiration) / 1000).toBe(vector.input.expiration_time_unix);
    });
  });

  it.each(queryVectors.filter((v) => v.expected.full_url_go_sdk_v1_layout).map((v) => [v.id, v] as const))(
    '%s: same URL as the Go SDK literal, parameter order and path escaping aside',
    (_id, vector) => {
      const ours = new URL(presignInputFor(vector) && presignExplained(presignInputFor(vector)).presigned.url);
      const theirs = new URL(vector.expected.full_url_go_sdk_v1_layout as string);
      expect(ours.host).toBe(theirs.host);
      expect(decodeURIComponent(ours.pathname)).toBe(decodeURIComponent(theirs.pathname));
      const sorted = (u: URL) => [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      expect(sorted(ours)).toEqual(sorted(theirs));
    },
  );

  it('matches the C++ SDK literal URL prefix byte for byte', () => {
    const q1 = queryVectors.find((v) => v.id === 'Q1-basic') as OfficialVector;
    const { url } = presignExplained(presignInputFor(q1)).presigned;
    expect(url.startsWith(`${q1.expected.url_prefix_cpp_sdk_v2 as string}?`)).toBe(true);
  });

  it('derives the reference signing key', () => {
    const q1 = intermediatesById.get('Q1-basic');
    expect(deriveSigningKey('sk', '20231217', 'cn-hangzhou').toString('hex')).toBe(q1?.signing_key_hex);
  });
});

/**
 * Header mode shares every canonicalisation step with presigning (only where the signer's values travel differs),
 * so the same builders must reproduce the header-mode literals too.
 */
describe('official OSS V4 header-mode vectors through the shared canonical builders', () => {
  it.each(headerVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    const { input, expected } = vector;
    const isCloudBox = input.product === 'oss-cloudbox';
    const product = isCloudBox ? 'oss-cloudbox' : 'oss';
    const dateTime = new Date(input.sign_time_unix * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = dateTime.slice(0, 8);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
    headers['x-oss-date'] = dateTime;
    if (input.security_token) headers['x-oss-security-token'] = input.security_token;
    const additional = [...new Set((input.additional_headers ?? []).map((n) => n.toLowerCase()))]
      .filter((n) => !(n === 'content-type' || n === 'content-md5' || n.startsWith('x-oss-')) && headers[n] !== undefined)
      .sort();
    const lines = Object.entries(headers).filter(
      ([n]) => n === 'content-type' || n === 'content-md5' || n.startsWith('x-oss-') || additional.includes(n),
    );
    const cr = canonicalRequest({
      method: input.method,
      uri: `/${input.bucket}/${percentEncode(input.key).replace(/%2F/g, '/')}`,
      query: canonicalQuery(input.query_params_raw.map(([k, v]) => [percentEncode(k), v === '' ? null : percentEncode(v)])),
      headers: canonicalHeaders(lines),
      additionalHeaders: additional.join(';'),
      payloadHash: headers['x-oss-content-sha256'] ?? 'UNSIGNED-PAYLOAD',
    });
    if (expected.canonical_request) expect(cr).toBe(expected.canonical_request);
    const scope = credentialScope(date, input.region, product);
    const sts = stringToSign(dateTime, scope, cr);
    if (expected.string_to_sign) expect(sts).toBe(expected.string_to_sign);
    const signature = signatureHex(deriveSigningKey(input.access_key_secret, date, input.region, product), sts);
    const authorization = `OSS4-HMAC-SHA256 Credential=${input.access_key_id}/${scope},${additional.length ? `AdditionalHeaders=${additional.join(';')},` : ''}Signature=${signature}`;
    expect(authorization).toBe(expected.authorization);
  });

});

describe('official canonical-headers vector', () => {
  const c1 = vectors.find((v) => v.id === 'C1-canonical-headers-sorting') as OfficialVector;

  it('sorts and lowercases the signed headers of a presign exactly as the Java SDK literal', () => {
    const { canonicalRequest: cr } = presignExplained({
      method: 'PUT',
      bucket: 'bucket',
      key: 'k',
      region: 'cn-hangzhou',
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      expires: 60,
      headers: c1.input.headers,
      now: () => 0,
    });
    expect(cr.split('\n').slice(3).join('\n')).toBe(`${c1.expected.canonical_headers as string}\n\nUNSIGNED-PAYLOAD`);
  });

  it('leaves no vector in the fixture untested', () => {
    expect(queryVectors.length + headerVectors.length + 1).toBe(vectors.length);
  });
});
