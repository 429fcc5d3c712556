import { createHash } from 'node:crypto';
import { createCallerCheck } from '../../shared/identity/caller-check';
import { ConfigError, ServiceError } from '../../shared/errors';

/**
 * The function's own check of HTTP callers, unit by unit: which AUTH_TOKEN_SHA256 values it accepts at cold start,
 * which Authorization headers carry a machine token (RFC 6750's `Bearer` scheme, case-insensitive, one or more
 * spaces or tabs, nothing else), and that any one JWT setting turns JWT callers on (so a half-configured issuer is
 * refused at cold start, never silently ignored).
 */
const TOKEN = 'a-machine-token';
const DIGEST = createHash('sha256').update(TOKEN).digest('hex');
const machineOnly = () => createCallerCheck({ AUTH_TOKEN_SHA256: DIGEST }, Date.now);

async function outcome(authorization: string): Promise<string> {
  try {
    return (await machineOnly().identify(authorization)).kind;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return `${error.status} ${error.code}`;
  }
}

function configRefusal(env: Record<string, string>): ConfigError {
  try {
    createCallerCheck(env, Date.now);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('AUTH_TOKEN_SHA256: 64-character hex digests, nothing around them', () => {
  it.each([
    ['a digest', DIGEST],
    ['in capitals', DIGEST.toUpperCase()],
    ['two, with spaces', ` ${DIGEST} , ${createHash('sha256').update('other').digest('hex')} `],
  ])('%s is accepted', (_name, value) => {
    expect(createCallerCheck({ AUTH_TOKEN_SHA256: value }, Date.now).kinds).toEqual(new Set(['anonymous', 'machine']));
  });

  it.each([
    ['something before the digest', `x${DIGEST}`],
    ['something after the digest', `${DIGEST}0`],
    ['the token itself, not its digest', TOKEN],
    ['a digest cut short', DIGEST.slice(0, 63)],
  ])('%s is refused at cold start, saying what the variable must hold', (_name, value) => {
    const error = configRefusal({ AUTH_TOKEN_SHA256: value });
    expect(error.variable).toBe('AUTH_TOKEN_SHA256');
    expect(error.message).toBe('AUTH_TOKEN_SHA256: must be a comma-separated list of 64-character hex SHA-256 digests of the bearer tokens');
  });
});

describe('the Authorization header that carries a machine token', () => {
  it.each([
    ['Bearer and one space', `Bearer ${TOKEN}`],
    ['the scheme in any case', `bEARER ${TOKEN}`],
    ['two spaces', `Bearer  ${TOKEN}`],
    ['a tab', `Bearer\t${TOKEN}`],
    ['trailing blanks', `Bearer ${TOKEN} \t`],
  ])('%s: a machine caller', async (_name, header) => {
    expect(await outcome(header)).toBe('machine');
  });

  it.each([
    ['another scheme ending in "Bearer"', `XBearer ${TOKEN}`],
    ['the token under another scheme first', `Basic Bearer ${TOKEN}`],
    ['a second word after the token', `Bearer ${TOKEN} extra`],
    ['the token and another one', `Bearer ${TOKEN} ${TOKEN}`],
    ['no blank after the scheme', `Bearer${TOKEN}`],
    ['the token alone', TOKEN],
  ])('%s: 401 Unauthorized, never a machine caller nor anonymous', async (_name, header) => {
    expect(await outcome(header)).toBe('401 Unauthorized');
  });

  it('no header, or a blank one: anonymous (the rules decide)', async () => {
    expect((await machineOnly().identify(undefined)).kind).toBe('anonymous');
    expect(await outcome(' ')).toBe('anonymous');
  });
});

describe('any one JWT setting turns JWT callers on, so the rest must be there', () => {
  it.each([
    ['only an issuer', { AUTH_ISSUER: 'https://issuer.example/' }, 'AUTH_AUDIENCE'],
    ['only an audience', { AUTH_AUDIENCE: 'my-api' }, 'AUTH_ISSUER'],
    ['an issuer and an audience, no keys', { AUTH_ISSUER: 'https://issuer.example/', AUTH_AUDIENCE: 'my-api' }, 'AUTH_JWKS_URL'],
  ])('%s: refused at cold start, naming the setting missing', (_name, env, variable) => {
    expect(configRefusal(env).variable).toBe(variable);
  });

  it('machine tokens alone: no user callers', () => {
    expect(machineOnly().kinds).toEqual(new Set(['anonymous', 'machine']));
  });
});
