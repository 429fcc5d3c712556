import { claimAt } from '../../shared/identity/claims';
import type { Claims } from '../../shared/identity/caller';

/**
 * Reading a claim by a dotted path (`realm_access.roles`): the path walks own properties of nested objects only, and
 * a path that runs into anything else (a missing claim, null, text, a list, an inherited name) is no claim at all,
 * never a crash and never a value reached some other way.
 */
const claims = (value: Record<string, unknown>): Claims => Object.assign(Object.create(null) as Record<string, unknown>, value);

describe('claimAt', () => {
  const token = claims({
    sub: 'alice',
    realm_access: { roles: ['reader'] },
    'https://example.com/tenant': 'acme',
    nothing: null,
    list: ['first'],
    text: 'abc',
  });

  it.each([
    ['a top-level claim', 'sub', 'alice'],
    ['a nested claim', 'realm_access.roles', ['reader']],
    ['a claim whose name holds dots', 'https://example.com/tenant', 'acme'],
  ])('%s is read', (_name, path, value) => {
    expect(claimAt(token, path)).toEqual(value);
  });

  it.each([
    ['a path under a missing claim', 'missing.roles'],
    ['a path under null', 'nothing.roles'],
    ['a path into a list', 'list.0'],
    ['a path into text', 'text.length'],
    ['an inherited name under a nested claim', 'realm_access.constructor'],
    ['an inherited name of a list', 'realm_access.roles.length'],
  ])('%s is no claim', (_name, path) => {
    expect(claimAt(token, path)).toBeUndefined();
  });
});
