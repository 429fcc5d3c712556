import { startLocalOidc, type LocalOidc, type OidcKey } from '../../scripts/local-oidc/server';
import { ServiceError } from '../../shared/errors';
import { inlineKeySource, keySetOfText, type KeySet } from '../../shared/identity/jwks';
import { jwtVerifier, MAX_TOKEN_CHARS, type JwtVerifier } from '../../shared/identity/jwt';

/**
 * The verifier itself, on a clock that stands still: the edges of what it lets in (the token's length, iat against
 * the allowed skew, a token naming no kid) and the claims it refuses for their shape once the signature holds.
 */
const AUDIENCE = 'oss-presign-test';
const SKEW = 60;
const b64url = (text: string) => Buffer.from(text).toString('base64url');

let oidc: LocalOidc;
let es256: OidcKey;
let verifier: JwtVerifier;
// Whole seconds, so that "now" in the verifier and in the claims signed below are the same instant.
const nowSeconds = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  oidc = await startLocalOidc({ audience: AUDIENCE, algorithms: ['ES256'] });
  es256 = oidc.keys()[0] as OidcKey;
  const set = keySetOfText(JSON.stringify({ keys: oidc.keys().map((k) => k.publicJwk) })) as KeySet;
  verifier = jwtVerifier({ issuer: oidc.issuer, audience: [AUDIENCE], algorithms: ['ES256'], clockSkewSeconds: SKEW, keys: inlineKeySource(set), now: () => nowSeconds * 1000 });
});
afterAll(() => oidc.close());

async function refusal(token: string): Promise<ServiceError> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('the token was let in');
}

/** A token signed by the issuer's ES256 key over exactly this header and payload text. */
async function signedByIssuer(header: Record<string, unknown>, payload: string): Promise<string> {
  const input = `${b64url(JSON.stringify({ alg: 'ES256', kid: es256.kid, ...header }))}.${b64url(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, es256.privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', iss: oidc.issuer, aud: AUDIENCE, exp: nowSeconds + 300, ...extra });

/** A validly signed token of exactly `length` characters, its claims padded (and its header, to reach any length). */
async function tokenOfLength(length: number): Promise<string> {
  for (let headerPad = 0; headerPad < 4; headerPad++) {
    const header = { typ: 'JWT', x: 'h'.repeat(headerPad) };
    const bare = await signedByIssuer(header, JSON.stringify(claims({ pad: '' })));
    const missing = length - bare.length;
    // base64url turns 3 bytes into 4 characters, so padding grows the token by 4 per 3 characters of pad.
    if (missing % 4 !== 0) continue;
    const token = await signedByIssuer(header, JSON.stringify(claims({ pad: 'p'.repeat((missing / 4) * 3) })));
    if (token.length === length) return token;
  }
  throw new Error(`no token of ${length} characters`);
}

describe('the token\'s length: MAX_TOKEN_CHARS is allowed, one more is not', () => {
  it('a validly signed token of exactly MAX_TOKEN_CHARS characters is let in', async () => {
    const token = await tokenOfLength(MAX_TOKEN_CHARS);
    expect(token).toHaveLength(MAX_TOKEN_CHARS);
    expect(await verifier.verify(token)).toMatchObject({ kind: 'user', claims: { sub: 'alice' } });
  });

  it('one character more is refused before anything is decoded: 401 TokenTooLarge', async () => {
    const token = await tokenOfLength(MAX_TOKEN_CHARS + 1);
    expect(await refusal(token)).toMatchObject({ code: 'TokenTooLarge', status: 401, message: 'the token is over 8192 characters' });
  });
});

describe('iat against AUTH_CLOCK_SKEW_SECONDS', () => {
  it('a token issued exactly the skew ahead of this clock is let in', async () => {
    expect(await verifier.verify(await oidc.sign({ sub: 'alice', iat: nowSeconds + SKEW }))).toMatchObject({ kind: 'user' });
  });

  it('one second further is issued in the future: 401 TokenNotYetValid', async () => {
    expect(await refusal(await oidc.sign({ sub: 'alice', iat: nowSeconds + SKEW + 1 }))).toMatchObject({ code: 'TokenNotYetValid', status: 401, message: 'the token is issued in the future (iat)' });
  });
});

it('a token that names no kid is verified with the issuer\'s key of its algorithm', async () => {
  const token = await signedByIssuer({ kid: undefined }, JSON.stringify(claims()));
  expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).not.toHaveProperty('kid');
  expect(await verifier.verify(token)).toMatchObject({ kind: 'user', claims: { sub: 'alice' } });
});

describe('claims refused for their shape, though the signature holds', () => {
  it('a reserved name inside a list claim, beside ordinary items: 401 TokenClaimInvalid', async () => {
    const token = await signedByIssuer({}, `${JSON.stringify(claims()).slice(0, -1)},"groups":["staff",{"__proto__":{"admin":true}}]}`);
    expect(await refusal(token)).toMatchObject({ code: 'TokenClaimInvalid', status: 401, message: 'the token holds a reserved claim name (__proto__, constructor, prototype)' });
  });

  it('the same list without the reserved name is let in', async () => {
    const token = await signedByIssuer({}, JSON.stringify(claims({ groups: ['staff', { admin: true }] })));
    expect(await verifier.verify(token)).toMatchObject({ claims: { groups: ['staff', { admin: true }] } });
  });

  it('claims nested deeper than 8 levels are refused, naming the token', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 8; i++) deep = { d: deep };
    expect(await refusal(await signedByIssuer({}, JSON.stringify(claims({ deep }))))).toMatchObject({ code: 'InvalidArgument', status: 400, field: 'token', message: 'token is nested deeper than 8 levels' });
  });
});
