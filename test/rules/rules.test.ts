import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readServicePolicy } from '../../shared/config/policy';
import { readCredentialConfig } from '../../shared/credentials';
import { ConfigError, ServiceError } from '../../shared/errors';
import { ANONYMOUS, MACHINE, PLATFORM, type Caller, type CallerKind } from '../../shared/identity/caller';
import { compileRulesDocument, type DocumentContext } from '../../shared/rules/document';
import { compileKeyPattern, startFor, type KeyPattern } from '../../shared/rules/key-pattern';
import { ruleFor, ruleForPrefix } from '../../shared/rules/match';
import type { Action, Rule } from '../../shared/rules/types';
import { generatedFolders } from '../../shared/service/generated-key';
import { tempDir } from '../support/temp';
import { refusal } from '../support/refusal';

/**
 * The rules module, table by table: key patterns (and the claims in them), what a claim may hold, which rule decides
 * (patterns, actions, caller conditions, precedence), and what a rules document may say. Every decision is pinned
 * from both sides: a case the rule allows next to the nearest one it refuses.
 */
const user = (claims: Record<string, unknown>): Caller => ({ kind: 'user', claims: Object.assign(Object.create(null) as Record<string, unknown>, claims) });
const alice = user({ sub: 'alice' });
const bob = user({ sub: 'bob' });
const admin = user({ sub: 'root', roles: ['admin', 'staff'] });

const ALL_KINDS = new Set<CallerKind>(['user', 'machine', 'platform', 'anonymous']);
const context = (overrides: Partial<DocumentContext> = {}): DocumentContext => ({ variable: 'PRESIGN_RULES', callers: ALL_KINDS, callbackHosts: false, ...overrides });
const compile = (rules: unknown[], overrides: Partial<DocumentContext> = {}) => compileRulesDocument(JSON.stringify({ rules }), context(overrides));

function pattern(source: string): KeyPattern {
  const compiled = compileKeyPattern(source);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
}

describe('key patterns', () => {
  const accepted: [string, Caller, string | undefined][] = [
    ['uploads/', PLATFORM, 'uploads/'],
    ['img*', PLATFORM, 'img'],
    ['*', PLATFORM, ''],
    ['users/{sub}/', alice, 'users/alice/'],
    ['users/{sub}/', bob, 'users/bob/'],
    ['users/{sub}/', MACHINE, undefined],
    ['users/{sub}/', ANONYMOUS, undefined],
    ['users/{sub}/avatars/', alice, 'users/alice/avatars/'],
    ['t/{claims.tenant}/{sub}/', user({ sub: 'alice', tenant: 'acme' }), 't/acme/alice/'],
    ['t/{claims.tenant}/{sub}/', alice, undefined],
    ['{sub}/', alice, 'alice/'],
    ['users/{sub}/img*', alice, 'users/alice/img'],
    ['org/{claims.org.id}/', user({ sub: 'a', org: { id: 'o1' } }), 'org/o1/'],
  ];
  it.each(accepted)('%s for %j covers keys starting %j', (source, caller, start) => {
    expect(startFor(pattern(source), caller)).toBe(start);
  });

  it('a pattern with claims keeps, as its literal start, the folders before the first claim', () => {
    expect(['users/{sub}/', 'org/team/{sub}/x/', 't/{claims.tenant}/{sub}/', '{sub}/'].map((source) => pattern(source).prefix)).toEqual(['users/', 'org/team/', 't/', '']);
  });

  it('a claim pattern ending in "/" is a folder generated keys may go in (the caller\'s own); one ending in "*" is not', () => {
    expect(['users/{sub}/', 't/{claims.tenant}/{sub}/', 'users/{sub}/img*'].map((source) => pattern(source).folder)).toEqual([true, true, false]);
    const [own] = compile([{ name: 'own', keys: ['users/{sub}/', 'users/{sub}/img*'], actions: ['put'], keyMode: 'generated' }]) as [Rule];
    expect(generatedFolders(own, alice)).toEqual(['users/alice/']);
  });

  const refused: [string, RegExp][] = [
    ['uploads', /uploadsX/],
    ['up*loads/', /may only end/],
    ['/uploads/', /must not start/],
    ['a/../b/', /"\." or "\.\." segments/],
    ['users/{sub}', /followed by "\/"/],
    ['users/{sub}*', /whole folder name|followed by/],
    ['u-{sub}/', /whole folder name/],
    ['{claims.a}{sub}/', /whole folder name/],
    ['users/${sub}/', /Serverless Devs/],
    ['users/{email}/', /whole folder name/],
    ['users/{claims.__proto__}/', /whole folder name/],
    ['users/{claims.a.constructor}/', /whole folder name/],
    ['users/{sub/', /whole folder name/],
    ['users/sub}/', /whole folder name/],
    ['x/{sub}/../', /segments/],
  ];
  it.each(refused)('%s is refused: %s', (source, why) => {
    const compiled = compileKeyPattern(source);
    expect(typeof compiled).toBe('string');
    expect(compiled).toMatch(why);
  });
});

describe('what a claim may hold inside a key (it can never widen it)', () => {
  const own = pattern('users/{sub}/');
  const fits: [string, unknown, string][] = [
    ['a plain name', 'alice', 'users/alice/'],
    ['an Auth0 subject', 'auth0|64a1f0c2', 'users/auth0|64a1f0c2/'],
    ['an e-mail address', 'a.b+c@example.com', 'users/a.b+c@example.com/'],
    ['a UUID', '0b3c7e1a-3f7d-4f5e-9a41-2d1a4c0f9e11', 'users/0b3c7e1a-3f7d-4f5e-9a41-2d1a4c0f9e11/'],
    ['a whole number', 42, 'users/42/'],
    ['128 characters', 'x'.repeat(128), `users/${'x'.repeat(128)}/`],
    ['dots inside a name', 'a..b', 'users/a..b/'],
    ['a trailing dot (a name, not a dot segment)', 'alice.', 'users/alice./'],
    ['a leading dot', '.alice', 'users/.alice/'],
  ];
  it.each(fits)('%s fits', (_name, sub, start) => {
    expect(startFor(own, user({ sub }))).toBe(start);
  });

  const refused: [string, unknown][] = [
    ['a slash (a folder inside another user\'s)', 'alice/x'],
    ['a backslash', 'alice\\x'],
    ['a dot segment', '..'],
    ['a single dot', '.'],
    ['only dots', '...'],
    ['empty', ''],
    ['a wildcard', '*'],
    ['a template', '${x}'],
    ['braces', '{sub}'],
    ['a percent-escape of /', 'a%2Fb'],
    ['129 characters', 'x'.repeat(129)],
    ['a Cyrillic look-alike', '\u0430lice'],
    ['an NFD accent', 'e\u0301'],
    ['a right-to-left override', 'a\u202eb'],
    ['a control character', 'a\u0000b'],
    ['a space', 'a b'],
    ['a fraction', 1.5],
    ['a boolean', true],
    ['a list', ['alice']],
    ['an object', { id: 'alice' }],
  ];
  it.each(refused)('%s is refused with 403 ClaimNotUsable, naming the claim', (_name, sub) => {
    let thrown: unknown;
    try {
      startFor(own, user({ sub }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceError);
    expect(thrown).toMatchObject({ code: 'ClaimNotUsable', status: 403 });
    expect((thrown as Error).message).toMatch(/claim "sub"/);
  });

  it('the refusal says why the claim cannot be a folder name', () => {
    const why = (sub: unknown) => (refusal(() => startFor(own, user({ sub }))).message.split(': ').slice(1).join(': '));
    expect(why(['alice'])).toBe('it is a list, not text');
    expect(why({ id: 'alice' })).toBe('it is object, not text');
    expect(why(1.5)).toBe('it is number, not text');
    expect(why('a b')).toBe('it must be 1 to 128 characters of A-Z a-z 0-9 . _ - @ + | :');
    expect(why('..')).toBe('it is a dot segment');
    expect(refusal(() => startFor(own, user({ sub: '..' }))).message).toBe('the token\'s claim "sub" cannot name a folder in users/{sub}/: it is a dot segment');
  });

  it('a missing or null claim covers nothing (the rule does not apply), rather than failing', () => {
    expect(startFor(own, user({}))).toBeUndefined();
    expect(startFor(own, user({ sub: null }))).toBeUndefined();
  });
});

describe('which rule decides', () => {
  const rules = compile([
    { name: 'own', keys: ['users/{sub}/'], actions: ['put', 'get', 'head', 'multipart', 'form'] },
    { name: 'admins-read', keys: ['users/'], actions: ['get', 'head'], claims: { roles: 'admin' } },
    { name: 'public', keys: ['public/'], actions: ['get', 'head'], anonymous: true },
    { name: 'private', keys: ['uploads/private/'], actions: ['get'], claims: { roles: 'admin' } },
    { name: 'uploads', keys: ['uploads/'], actions: ['put', 'get'] },
    { name: 'backend', keys: ['*'], actions: ['get', 'put'], callers: ['machine', 'platform'] },
  ]);
  const decide = (list: readonly Rule[], caller: Caller, action: Action, key: string): string => {
    try {
      const rule = ruleFor(list, caller, action, key);
      return rule.origin.kind === 'document' ? rule.origin.name : 'environment';
    } catch (error) {
      return `${(error as ServiceError).status} ${(error as ServiceError).code}`;
    }
  };

  const table: [caller: string, Caller, Action, string, string][] = [
    ['alice', alice, 'put', 'users/alice/a.png', 'own'],
    ['alice', alice, 'get', 'users/alice/a.png', 'own'],
    ['alice', alice, 'get', 'users/bob/a.png', '403 CallerNotAllowed'],
    ['alice', alice, 'put', 'users/bob/a.png', '403 ActionNotAllowed'],
    ['bob', bob, 'get', 'users/bob/a.png', 'own'],
    ['bob', bob, 'get', 'users/alice/a.png', '403 CallerNotAllowed'],
    ['alice', alice, 'get', 'users/alicex/a.png', '403 CallerNotAllowed'],
    ['admin', admin, 'get', 'users/alice/a.png', 'admins-read'],
    ['admin', admin, 'put', 'users/alice/a.png', '403 ActionNotAllowed'],
    ['admin', admin, 'put', 'users/root/a.png', 'own'],
    ['anonymous', ANONYMOUS, 'get', 'public/a.png', 'public'],
    ['anonymous', ANONYMOUS, 'put', 'public/a.png', '403 ActionNotAllowed'],
    ['anonymous', ANONYMOUS, 'get', 'users/alice/a.png', '401 Unauthorized'],
    ['anonymous', ANONYMOUS, 'get', 'uploads/a.png', '401 Unauthorized'],
    ['alice', alice, 'get', 'public/a.png', 'public'],
    ['alice', alice, 'get', 'uploads/a.png', 'uploads'],
    ['alice', alice, 'get', 'uploads/private/a.png', '403 CallerNotAllowed'],
    ['admin', admin, 'get', 'uploads/private/a.png', 'private'],
    ['admin', admin, 'put', 'uploads/private/a.png', '403 ActionNotAllowed'],
    ['machine', MACHINE, 'get', 'other/a.png', 'backend'],
    ['platform', PLATFORM, 'put', 'other/a.png', 'backend'],
    ['machine', MACHINE, 'get', 'uploads/a.png', 'uploads'],
    ['machine', MACHINE, 'get', 'users/alice/a.png', '403 CallerNotAllowed'],
    ['alice', alice, 'get', 'other/a.png', '403 CallerNotAllowed'],
    ['anonymous', ANONYMOUS, 'get', 'other/a.png', '401 Unauthorized'],
    ['machine', MACHINE, 'head', 'other/a.png', '403 ActionNotAllowed'],
  ];
  it.each(table)('%s %s %s → %s', (_who, caller, action, key, expected) => {
    expect(decide(rules, caller, action, key)).toBe(expected);
  });

  it('precedence is most specific, not document order: the same table holds with the rules reversed', () => {
    const reversed = [...rules].reverse();
    for (const [, caller, action, key, expected] of table) expect(decide(reversed, caller, action, key)).toBe(expected);
  });

  it('rules with the same pattern are tried in document order; the first that allows the action and admits the caller decides', () => {
    const tied = compile([
      { name: 'writers', keys: ['uploads/'], actions: ['put'] },
      { name: 'readers', keys: ['uploads/'], actions: ['get'], anonymous: true },
      { name: 'short', keys: ['uploads/'], actions: ['get'], maxExpires: 60 },
    ]);
    expect(decide(tied, alice, 'put', 'uploads/a')).toBe('writers');
    expect(decide(tied, ANONYMOUS, 'get', 'uploads/a')).toBe('readers');
    expect(decide(tied, alice, 'get', 'uploads/a')).toBe('readers');
    expect(decide([...tied].reverse(), alice, 'get', 'uploads/a')).toBe('short');
  });

  it('a key no rule covers is 403 KeyNotAllowed, listing only the patterns of rules that admit the caller', () => {
    const narrow = compile([
      { name: 'own', keys: ['users/{sub}/'], actions: ['get'] },
      { name: 'secret', keys: ['secret/'], actions: ['get'], claims: { roles: 'admin' } },
    ]);
    expect(() => ruleFor(narrow, alice, 'get', 'elsewhere/x')).toThrow(expect.objectContaining({ code: 'KeyNotAllowed', status: 403, message: expect.stringContaining('users/{sub}/') }));
    expect(() => ruleFor(narrow, alice, 'get', 'elsewhere/x')).toThrow(expect.not.objectContaining({ message: expect.stringContaining('secret/') }));
    expect(decide(narrow, admin, 'get', 'secret/x')).toBe('secret');
  });

  it('a rule reaches as far as its longest covering pattern, in whatever order its patterns are written', () => {
    for (const keys of [['a/b/', 'a/'], ['a/', 'a/b/']]) {
      const both = compile([{ name: 'wide', keys: ['a/'], actions: ['put'] }, { name: 'both', keys, actions: ['put'] }]);
      expect(decide(both, alice, 'put', 'a/b/x')).toBe('both');
      expect(decide(both, alice, 'put', 'a/c/x')).toBe('wide');
    }
  });

  it('rules that cover every key tie at length 0, like any others: the first that allows the action decides', () => {
    const everywhere = compile([{ name: 'readers', keys: ['*'], actions: ['get'] }, { name: 'writers', keys: ['*'], actions: ['put'] }]);
    expect(decide(everywhere, alice, 'get', 'x')).toBe('readers');
    expect(decide(everywhere, alice, 'put', 'x')).toBe('writers');
  });

  it('each refusal names the field, and says what would have been allowed and which setting decided', () => {
    const said = (list: readonly Rule[], caller: Caller, action: Action, key: string) => {
      const error = refusal(() => ruleFor(list, caller, action, key, 'multipart.key'));
      return { status: error.status, code: error.code, field: error.field, message: error.message };
    };
    expect(said(rules, ANONYMOUS, 'get', 'users/alice/a.png')).toEqual({ status: 401, code: 'Unauthorized', field: 'multipart.key', message: 'sign in: this multipart.key is not open to anonymous callers' });
    expect(said(rules, alice, 'put', 'users/bob/a.png')).toEqual({ status: 403, code: 'ActionNotAllowed', field: 'multipart.key', message: 'put is not allowed for this multipart.key (rule "admins-read", actions)' });
    expect(said(rules, alice, 'get', 'users/bob/a.png')).toEqual({
      status: 403, code: 'CallerNotAllowed', field: 'multipart.key', message: 'get on this multipart.key is for signed-in users whose roles is or includes admin (rule "admins-read", callers)',
    });
    expect(said(rules, MACHINE, 'get', 'users/alice/a.png')).toMatchObject({ code: 'CallerNotAllowed', message: expect.stringMatching(/^get on this multipart\.key is for signed-in users whose roles/) });
    // Several rules: the patterns of those that admit the caller, and no one setting to name.
    const several = compile([
      { name: 'own', keys: ['users/{sub}/'], actions: ['get'] },
      { name: 'staff', keys: ['staff/', 'team/'], actions: ['get'], claims: { roles: 'staff' } },
    ]);
    expect(said(several, alice, 'get', 'elsewhere/x')).toEqual({ status: 403, code: 'KeyNotAllowed', field: 'multipart.key', message: 'multipart.key must start with one of: users/{sub}/' });
    expect(said(several, admin, 'get', 'elsewhere/x')).toMatchObject({ message: 'multipart.key must start with one of: users/{sub}/, staff/, team/' });
    // A caller no rule admits learns no pattern at all.
    const usersOnly = compile([{ name: 'own', keys: ['users/{sub}/'], actions: ['get'], callers: ['user'] }]);
    expect(said(usersOnly, MACHINE, 'get', 'users/x/a')).toEqual({
      status: 403, code: 'KeyNotAllowed', field: 'multipart.key', message: 'multipart.key must start with one of: none, for this caller (rule "own", keys)',
    });
  });

  it('claim conditions: a value in a list claim, a scalar claim, a nested claim, every condition at once', () => {
    const conditioned = compile([
      { name: 'roles', keys: ['a/'], actions: ['get'], claims: { roles: ['admin', 'auditor'] } },
      { name: 'verified', keys: ['b/'], actions: ['get'], claims: { email_verified: true, tenant: 'acme' } },
      { name: 'keycloak', keys: ['c/'], actions: ['get'], claims: { 'realm_access.roles': 'uploader' } },
      { name: 'auth0', keys: ['d/'], actions: ['get'], claims: { 'https://example.com/roles': 'admin' } },
    ]);
    expect(decide(conditioned, user({ roles: ['auditor'] }), 'get', 'a/x')).toBe('roles');
    expect(decide(conditioned, user({ roles: 'auditor' }), 'get', 'a/x')).toBe('roles');
    expect(decide(conditioned, user({ roles: ['staff'] }), 'get', 'a/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, user({ roles: 'Admin' }), 'get', 'a/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, user({ email_verified: true, tenant: 'acme' }), 'get', 'b/x')).toBe('verified');
    expect(decide(conditioned, user({ email_verified: 'true', tenant: 'acme' }), 'get', 'b/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, user({ email_verified: true, tenant: 'other' }), 'get', 'b/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, user({ realm_access: { roles: ['uploader'] } }), 'get', 'c/x')).toBe('keycloak');
    expect(decide(conditioned, user({ realm_access: { roles: ['viewer'] } }), 'get', 'c/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, user({ 'https://example.com/roles': ['admin'] }), 'get', 'd/x')).toBe('auth0');
    expect(decide(conditioned, MACHINE, 'get', 'a/x')).toBe('403 CallerNotAllowed');
    expect(decide(conditioned, ANONYMOUS, 'get', 'a/x')).toBe('401 Unauthorized');
  });

  it('a form keyPrefix must be covered by one rule, and must not reach into a more specific rule\'s folder', () => {
    const forms = compile([
      { name: 'uploads', keys: ['uploads/'], actions: ['form'], formKeyPrefix: true },
      { name: 'private', keys: ['uploads/private/'], actions: ['form'], claims: { roles: 'admin' } },
    ]);
    expect(ruleForPrefix(forms, alice, 'form', 'uploads/pictures/', 'form.keyPrefix').origin).toEqual({ kind: 'document', name: 'uploads' });
    expect(() => ruleForPrefix(forms, alice, 'form', 'uploads/', 'form.keyPrefix')).toThrow(expect.objectContaining({
      code: 'KeyNotAllowed', status: 403, field: 'form.keyPrefix',
      message: 'form.keyPrefix uploads/ reaches keys under uploads/private/, which another rule decides; ask for a narrower form.keyPrefix',
    }));
    expect(() => ruleForPrefix(forms, alice, 'form', 'upl', 'form.keyPrefix')).toThrow(expect.objectContaining({ code: 'KeyNotAllowed' }));
  });
});

describe('rules documents are checked at cold start; each error names the rule and the field', () => {
  const good = { name: 'ok', keys: ['uploads/'], actions: ['put'] };
  const bad: [string, unknown, RegExp, Partial<DocumentContext>?][] = [
    ['no rules list', { rule: [] }, /\{ "rules": \[ \.\.\. \] \}/],
    ['an extra document field', { rules: [good], version: 2 }, /"version" is not a document field/],
    ['an empty list', { rules: [] }, /must not be empty/],
    ['a rule that is not an object', { rules: ['x'] }, /rule #1: must be an object/],
    ['a rule without a name', { rules: [{ keys: ['a/'], actions: ['get'] }] }, /rule #1, name: required/],
    ['two rules of one name', { rules: [good, good] }, /rule #2, name: "ok" names two rules/],
    ['a name with a space (only its end is well-formed)', { rules: [{ ...good, name: 'my rule' }] }, /rule #1, name: required, 1 to 64 letters, digits, \. _ -/],
    ['a misspelt field', { rules: [{ ...good, actoins: ['get'] }] },
      /rule "ok", actoins: is not a rule field; the fields are name, keys, actions, keyMode, contentTypes, maxSize, minSize, maxExpires, forceForbidOverwrite, acls, storageClasses, process, responseCaching, formKeyPrefix, callbacks, anonymous, callers, claims$/],
    ['no keys', { rules: [{ name: 'r', actions: ['get'] }] }, /rule "r", keys: is required/],
    ['empty keys', { rules: [{ name: 'r', keys: [], actions: ['get'] }] }, /rule "r", keys: must not be empty/],
    ['a bare folder name', { rules: [{ name: 'r', keys: ['uploads'], actions: ['get'] }] }, /rule "r", keys: "uploads" would also admit/],
    ['no actions', { rules: [{ name: 'r', keys: ['a/'] }] }, /rule "r", actions: is required/],
    ['an unknown action', { rules: [{ name: 'r', keys: ['a/'], actions: ['delete'] }] }, /rule "r", actions: "delete" is not one of put, get, head, multipart, form/],
    ['a negative maxSize', { rules: [{ ...good, name: 'r', maxSize: -1 }] }, /rule "r", maxSize: must be a whole number/],
    ['a fractional minSize', { rules: [{ ...good, name: 'r', minSize: 1.5 }] }, /rule "r", minSize: must be a whole number/],
    ['minSize over maxSize', { rules: [{ ...good, name: 'r', minSize: 10, maxSize: 5 }] }, /rule "r", minSize: 10 is over maxSize 5/],
    ['maxExpires 0', { rules: [{ ...good, name: 'r', maxExpires: 0 }] }, /rule "r", maxExpires: must be a whole number from 1 to 604800/],
    ['maxExpires over 7 days', { rules: [{ ...good, name: 'r', maxExpires: 604801 }] }, /rule "r", maxExpires/],
    ['a bad content type', { rules: [{ ...good, name: 'r', contentTypes: ['image'] }] }, /rule "r", contentTypes: "image" is not a type\/subtype pattern/],
    ['an unknown ACL', { rules: [{ ...good, name: 'r', acls: ['public'] }] }, /rule "r", acls: "public" is not one of/],
    ['an unknown storage class', { rules: [{ ...good, name: 'r', storageClasses: ['Cold'] }] }, /rule "r", storageClasses/],
    ['a bad processing pattern', { rules: [{ ...good, name: 'r', process: ['*/*'] }] }, /rule "r", process/],
    ['a string for a boolean', { rules: [{ ...good, name: 'r', responseCaching: 'yes' }] }, /rule "r", responseCaching: must be true or false/],
    ['callbacks with no allowlisted host', { rules: [{ ...good, name: 'r', callbacks: true }] }, /rule "r", callbacks: CALLBACK_URL_ALLOWLIST names no host/],
    ['a bad keyMode', { rules: [{ ...good, name: 'r', keyMode: 'random' }] }, /rule "r", keyMode: must be "caller" or "generated"/],
    ['an unknown caller kind', { rules: [{ ...good, name: 'r', callers: ['admin'] }] }, /rule "r", callers: "admin" is not one of/],
    ['callers and anonymous', { rules: [{ ...good, name: 'r', callers: ['user'], anonymous: true }] }, /rule "r", anonymous: give either/],
    ['claims with a callers list', { rules: [{ ...good, name: 'r', claims: { roles: 'a' }, callers: ['user'] }] }, /^PRESIGN_RULES: rule "r", claims: claim conditions admit signed-in users only: leave out callers and anonymous$/],
    // An empty list must not read as "no caller named, so the default kinds".
    ['an empty callers list', { rules: [{ ...good, name: 'r', callers: [] }] }, /^PRESIGN_RULES: rule "r", callers: must not be empty/],
    ['claims with anonymous', { rules: [{ ...good, name: 'r', claims: { roles: 'a' }, anonymous: true }] }, /rule "r", claims: claim conditions admit signed-in users only/],
    ['claims that are not an object', { rules: [{ ...good, name: 'r', claims: ['admin'] }] }, /rule "r", claims: must be an object/],
    ['a claim condition on an object', { rules: [{ ...good, name: 'r', claims: { roles: { any: 'admin' } } }] }, /rule "r", claims: "roles" must be a string, number or boolean/],
    ['a reserved claim name', { rules: [{ ...good, name: 'r', claims: { 'a.__proto__': 'x' } }] }, /rule "r", claims: "a.__proto__" is not a claim name/],
    ['claims without verified tokens', { rules: [{ ...good, name: 'r', claims: { roles: 'a' } }] }, /rule "r", claims: needs verified tokens: set AUTH_ISSUER/, { callers: new Set<CallerKind>(['platform', 'anonymous', 'machine']) }],
    ['{sub} without verified tokens', { rules: [{ ...good, name: 'r', keys: ['users/{sub}/'] }] }, /rule "r", keys: "users\/\{sub\}\/" uses a token claim/, { callers: new Set<CallerKind>(['platform']) }],
    ['machine callers where no token is configured', { rules: [{ ...good, name: 'r', callers: ['machine'] }] }, /rule "r", callers: no caller of these kinds can reach this deployment \(machine\)/, { callers: new Set<CallerKind>(['platform']) }],
    ['anonymous where nobody is checked', { rules: [{ ...good, name: 'r', callers: ['anonymous'] }] }, /rule "r", callers: no caller/, { callers: new Set<CallerKind>(['platform']) }],
    ['a list that is a string', { rules: [{ ...good, name: 'r', actions: 'get' }] }, /^PRESIGN_RULES: rule "r", actions: must be a list of non-empty strings$/],
    ['a blank list entry', { rules: [{ ...good, name: 'r', keys: ['a/', ' '] }] }, /^PRESIGN_RULES: rule "r", keys: must be a list of non-empty strings$/],
    ['a list over 100 entries', { rules: [{ ...good, name: 'r', keys: Array.from({ length: 101 }, (_, i) => `k${i}/`) }] }, /^PRESIGN_RULES: rule "r", keys: must hold at most 100 entries$/],
    ['no claim conditions', { rules: [{ ...good, name: 'r', claims: {} }] }, /^PRESIGN_RULES: rule "r", claims: must name 1 to 16 claims$/],
    ['17 claim conditions', { rules: [{ ...good, name: 'r', claims: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`c${i}`, 'x'])) }] }, /^PRESIGN_RULES: rule "r", claims: must name 1 to 16 claims$/],
    ['a claim name over 256 characters', { rules: [{ ...good, name: 'r', claims: { ['c'.repeat(257)]: 'x' } }] }, /^PRESIGN_RULES: rule "r", claims: "c{257}" is not a claim name$/],
    ['a claim path with an empty step', { rules: [{ ...good, name: 'r', claims: { 'org..id': 'x' } }] }, /^PRESIGN_RULES: rule "r", claims: "org\.\.id" is not a claim name$/],
    ['a claim path ending in a dot', { rules: [{ ...good, name: 'r', claims: { 'org.': 'x' } }] }, /^PRESIGN_RULES: rule "r", claims: "org\." is not a claim name$/],
    ['an empty list of claim values', { rules: [{ ...good, name: 'r', claims: { roles: [] } }] }, /^PRESIGN_RULES: rule "r", claims: "roles" must be a string, number or boolean, or a list of 1 to 32 of them$/],
    ['33 claim values', { rules: [{ ...good, name: 'r', claims: { roles: Array.from({ length: 33 }, (_, i) => `r${i}`) } }] }, /^PRESIGN_RULES: rule "r", claims: "roles" must be a string, number or boolean, or a list of 1 to 32 of them$/],
    ['a claim value list with one object among strings', { rules: [{ ...good, name: 'r', claims: { roles: ['admin', { any: 'x' }] } }] }, /^PRESIGN_RULES: rule "r", claims: "roles" must be a string, number or boolean/],
    ['a claim value list with one null among strings', { rules: [{ ...good, name: 'r', claims: { roles: ['admin', null] } }] }, /^PRESIGN_RULES: rule "r", claims: "roles" must be a string, number or boolean/],
    // A context without platform callers (the policy always adds them today): the rule named no callers, so the
    // message points at what it could say instead.
    ['no listed callers and none of the default kinds reachable', { rules: [{ ...good, name: 'r' }] },
      /^PRESIGN_RULES: rule "r", anonymous: no caller of these kinds can reach this deployment \(user, machine, platform\)/, { callers: new Set<CallerKind>(['anonymous']) }],
    ['more than 200 rules', { rules: Array.from({ length: 201 }, (_, i) => ({ ...good, name: `r${i}` })) }, /^PRESIGN_RULES: holds more than 200 rules$/],
  ];
  // A default, so that the test's arity is three and jest does not take a fourth parameter for a done callback.
  it.each(bad)('%s', (_name, document, message, overrides = {}) => {
    expect(() => compileRulesDocument(JSON.stringify(document), context(overrides))).toThrow(message);
    expect(() => compileRulesDocument(JSON.stringify(document), context(overrides))).toThrow(ConfigError);
  });

  it('text that is not JSON, or too large, names the variable', () => {
    expect(() => compileRulesDocument('{rules: []}', context())).toThrow(/PRESIGN_RULES: is not valid JSON/);
    expect(() => compileRulesDocument(JSON.stringify({ rules: [good], pad: 'x'.repeat(300_000) }), context())).toThrow(/PRESIGN_RULES: is over/);
  });

  it('who a rule admits, in the words its refusals and the startup description use', () => {
    const admitted = (extra: Record<string, unknown>) => compileRulesDocument(JSON.stringify({ rules: [{ ...good, ...extra }] }), context())[0]?.admitted;
    expect(admitted({ callers: ['machine', 'user'] })).toBe('machine callers (AUTH_TOKEN_SHA256), signed-in users');
    expect(admitted({ callers: ['platform', 'anonymous'] })).toBe('callers Alibaba Cloud admitted (InvokeFunction, triggers), anonymous callers');
    expect(admitted({ anonymous: true })).toBe('anyone, signed in or not');
    expect(admitted({ claims: { roles: ['admin', 'staff'], org: 'acme' } })).toBe('signed-in users whose roles is or includes one of admin, staff and org is or includes acme');
  });

  it('what a rule names it gets: content types (lower-cased, and then required), equal size bounds, and each capability', () => {
    const [rule] = compile([{
      ...good, contentTypes: ['image/png', 'Application/*'], minSize: 5, maxSize: 5,
      forceForbidOverwrite: true, responseCaching: true, formKeyPrefix: true, acls: ['private'], storageClasses: ['IA'],
    }]) as [Rule];
    expect(rule.contentTypes).toEqual({ patterns: ['image/png', 'application/*'], required: true });
    expect(rule).toMatchObject({ minSize: 5, maxSize: 5, forceForbidOverwrite: true, responseCaching: true, formKeyPrefix: true });
    expect([...rule.acls, ...rule.storageClasses]).toEqual(['private', 'IA']);
  });

  it('list entries are read without the blanks around them (a YAML list written loosely): " image/png " is image/png', () => {
    const [rule] = compile([{ ...good, keys: [' uploads/ '], contentTypes: [' image/png ', 'text/plain'], acls: [' private'] }]) as [Rule];
    expect(rule.keys.map((key) => key.source)).toEqual(['uploads/']);
    expect(rule.contentTypes.patterns).toEqual(['image/png', 'text/plain']);
    expect([...rule.acls]).toEqual(['private']);
  });

  it('a document of exactly 200 rules is taken', () => {
    expect(compile(Array.from({ length: 200 }, (_, i) => ({ ...good, name: `r${i}` })))).toHaveLength(200);
  });

  it('lists and claim conditions are taken up to their limits: 100 entries, 16 claims, 32 values, a 256-character claim path', () => {
    const [rule] = compile([{ ...good, keys: Array.from({ length: 100 }, (_, i) => `k${i}/`) }]) as [Rule];
    expect(rule.keys).toHaveLength(100);
    // 16 claims: c0 (a list of 32 values), c1 … c14, and one named by a 256-character path.
    const conditions = { ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`c${i}`, 'x'])), c0: Array.from({ length: 32 }, (_, i) => `v${i}`), ['c'.repeat(256)]: 'y' };
    const [claimed] = compile([{ ...good, claims: conditions }]) as [Rule];
    const claims = { ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`c${i}`, 'x'])), c0: 'v31', ['c'.repeat(256)]: 'y' };
    expect([claimed.admits(user({ sub: 'a', ...claims })), claimed.admits(user({ sub: 'a', ...claims, c3: 'z' }))]).toEqual([true, false]);
  });

  it('whole numbers are taken at both ends of their range', () => {
    for (const maxExpires of [1, 604800]) {
      expect(compileRulesDocument(JSON.stringify({ rules: [{ ...good, maxExpires }] }), context())[0]?.maxExpires).toBe(maxExpires);
    }
  });

  it('what a rule leaves out is off: no ACL, storage class, processing, caching, form prefix or callback; no anonymous callers', () => {
    const [rule] = compile([good]) as [Rule];
    expect(rule).toMatchObject({ keyMode: 'caller', maxSize: undefined, minSize: undefined, maxExpires: undefined, forceForbidOverwrite: false, process: [], responseCaching: false, formKeyPrefix: false, callbacks: false });
    expect(rule.acls.size + rule.storageClasses.size).toBe(0);
    expect(rule.contentTypes).toEqual({ patterns: [], required: false });
    expect([ANONYMOUS, MACHINE, PLATFORM, alice].map((c) => rule.admits(c))).toEqual([false, true, true, true]);
  });
});

describe('PRESIGN_RULES, PRESIGN_RULES_FILE and the environment shorthand', () => {
  const base = { OSS_BUCKET: 'my-bucket', OSS_REGION: 'cn-hangzhou' };
  const document = JSON.stringify({ rules: [{ name: 'uploads', keys: ['uploads/'], actions: ['put', 'get'], maxSize: 100 }] });

  it('a document replaces the shorthand: its rules are the policy, named in messages by rule and field', () => {
    const policy = readServicePolicy({ ...base, PRESIGN_RULES: document });
    expect(policy.rules.map((r) => r.origin)).toEqual([{ kind: 'document', name: 'uploads' }]);
    expect(policy.rules[0]?.maxSize).toBe(100);
  });

  it('without one, the shorthand compiles into one rule, as before', () => {
    const policy = readServicePolicy({ ...base, ALLOWED_KEY_PREFIXES: 'uploads/', MAX_CONTENT_LENGTH: '100' });
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]).toMatchObject({ origin: { kind: 'environment' }, maxSize: 100 });
    expect(policy.rules[0]?.keys.map((k) => k.source)).toEqual(['uploads/']);
  });

  it.each(['ALLOWED_KEY_PREFIXES', 'PUT_KEY_MODE', 'ALLOWED_CONTENT_TYPES', 'MAX_CONTENT_LENGTH', 'FORCE_FORBID_OVERWRITE', 'ALLOWED_ACLS', 'ALLOWED_STORAGE_CLASSES', 'ALLOWED_PROCESS', 'ALLOW_RESPONSE_CACHE_OVERRIDES', 'ALLOW_FORM_KEY_PREFIX'])(
    'both a document and the shorthand variable %s: refused at cold start, naming the variable',
    (variable) => {
      const value = { ALLOWED_KEY_PREFIXES: 'uploads/', PUT_KEY_MODE: 'generated', ALLOWED_CONTENT_TYPES: 'image/*', MAX_CONTENT_LENGTH: '5', ALLOWED_ACLS: 'private', ALLOWED_STORAGE_CLASSES: 'IA', ALLOWED_PROCESS: 'image/resize' }[variable] ?? 'true';
      expect(() => readServicePolicy({ ...base, PRESIGN_RULES: document, [variable]: value })).toThrow(expect.objectContaining({ variable, message: expect.stringContaining('one policy decides') }));
      expect(() => readServicePolicy({ ...base, PRESIGN_RULES: document, [variable]: '' })).not.toThrow();
    },
  );

  it('MAX_CONTENT_LENGTH=0 beside a document is a second policy (a real bound of 0 bytes, not a false flag)', () => {
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES: document, MAX_CONTENT_LENGTH: '0' })).toThrow(expect.objectContaining({ variable: 'MAX_CONTENT_LENGTH', message: expect.stringContaining('one policy decides') }));
  });

  it('errors of a document name the variable it came from: PRESIGN_RULES or PRESIGN_RULES_FILE', () => {
    const broken = JSON.stringify({ rules: [] });
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES: broken })).toThrow(expect.objectContaining({ variable: 'PRESIGN_RULES', message: expect.stringMatching(/^PRESIGN_RULES: rules must not be empty/) }));
    const file = path.join(tempDir('oss-presign-rules-'), 'broken.json');
    writeFileSync(file, broken);
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES_FILE: file })).toThrow(expect.objectContaining({ variable: 'PRESIGN_RULES_FILE', message: expect.stringMatching(/^PRESIGN_RULES_FILE: rules must not be empty/) }));
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES_FILE: file, ALLOWED_ACLS: 'private' })).toThrow(expect.objectContaining({
      variable: 'ALLOWED_ACLS', message: expect.stringContaining('PRESIGN_RULES_FILE is set, so the rules document is the policy: move ALLOWED_ACLS into its rules (or leave PRESIGN_RULES_FILE unset)'),
    }));
  });

  it('shorthand variables left at their defaults (as s.yaml ships them) are no second policy', () => {
    const defaults = { PUT_KEY_MODE: 'caller', FORCE_FORBID_OVERWRITE: 'false', ALLOW_RESPONSE_CACHE_OVERRIDES: '0', ALLOW_FORM_KEY_PREFIX: 'FALSE', ALLOWED_KEY_PREFIXES: '' };
    expect(readServicePolicy({ ...base, PRESIGN_RULES: document, ...defaults }).rules).toHaveLength(1);
  });

  it('CALLBACK_URL_ALLOWLIST stays beside a document: it lists the hosts, rules say who may use them', () => {
    const withCallbacks = JSON.stringify({ rules: [{ name: 'c', keys: ['uploads/'], actions: ['put'], callbacks: true }] });
    expect(readServicePolicy({ ...base, PRESIGN_RULES: withCallbacks, CALLBACK_URL_ALLOWLIST: 'hooks.example.com' }).rules[0]?.callbacks).toBe(true);
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES: withCallbacks })).toThrow(/rule "c", callbacks/);
  });

  it('a rules file: absolute path read at cold start; a missing file or both variables are refused', () => {
    const file = path.join(tempDir('oss-presign-rules-'), 'presign-rules.json');
    writeFileSync(file, document);
    expect(readServicePolicy({ ...base, PRESIGN_RULES_FILE: file }).rules[0]?.origin).toEqual({ kind: 'document', name: 'uploads' });
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES_FILE: `${file}.missing` })).toThrow(expect.objectContaining({
      variable: 'PRESIGN_RULES_FILE', message: `PRESIGN_RULES_FILE: cannot read ${file}.missing (a path relative to the function's code folder, where index.js is)`,
    }));
    expect(() => readServicePolicy({ ...base, PRESIGN_RULES_FILE: file, PRESIGN_RULES: document })).toThrow(expect.objectContaining({
      variable: 'PRESIGN_RULES', message: expect.stringMatching(/either PRESIGN_RULES or PRESIGN_RULES_FILE/),
    }));
  });

  it('a signer session (SIGNER_SESSION_POLICY=auto) is narrowed to the literal start of every pattern, document or shorthand', () => {
    const signer = { SIGNER_ROLE_ARN: 'acs:ram::1234567890123456:role/signer', FC_REGION: 'cn-hangzhou' };
    const rulesDoc = JSON.stringify({ rules: [{ name: 'own', keys: ['users/{sub}/'], actions: ['put'] }, { name: 'pub', keys: ['public/', 'img*'], actions: ['get'] }] });
    const fromDocument = readCredentialConfig({ ...base, ...signer, PRESIGN_RULES: rulesDoc }).signerRole?.policy ?? '';
    expect(JSON.parse(fromDocument).Statement[0].Resource).toEqual(['acs:oss:*:*:my-bucket/users/*', 'acs:oss:*:*:my-bucket/public/*', 'acs:oss:*:*:my-bucket/img*']);
    const fromShorthand = readCredentialConfig({ ...base, ...signer, ALLOWED_KEY_PREFIXES: 'users/{sub}/,uploads/' }).signerRole?.policy ?? '';
    expect(JSON.parse(fromShorthand).Statement[0].Resource).toEqual(['acs:oss:*:*:my-bucket/users/*', 'acs:oss:*:*:my-bucket/uploads/*']);
    const everyKey = readCredentialConfig({ ...base, ...signer, PRESIGN_RULES: JSON.stringify({ rules: [{ name: 'all', keys: ['*'], actions: ['get'] }] }) }).signerRole?.policy ?? '';
    expect(JSON.parse(everyKey).Statement[0].Resource).toEqual(['acs:oss:*:*:my-bucket/*']);
  });

  it('the shorthand with a claim needs verified tokens; with a JWT issuer it scopes every signed-in caller to its folder', () => {
    expect(() => readServicePolicy({ ...base, ALLOWED_KEY_PREFIXES: 'users/{sub}/' })).toThrow(expect.objectContaining({ variable: 'ALLOWED_KEY_PREFIXES', message: expect.stringMatching(/AUTH_ISSUER/) }));
    const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k' }] });
    const policy = readServicePolicy({ ...base, ALLOWED_KEY_PREFIXES: 'users/{sub}/', AUTH_ISSUER: 'https://issuer.example', AUTH_AUDIENCE: 'presign', AUTH_JWKS: jwks });
    const [rule] = policy.rules as [Rule];
    expect(ruleFor(policy.rules, alice, 'put', 'users/alice/a')).toBe(rule);
    expect(() => ruleFor(policy.rules, alice, 'put', 'users/bob/a')).toThrow(expect.objectContaining({ code: 'KeyNotAllowed' }));
    expect(() => ruleFor(policy.rules, MACHINE, 'put', 'users/alice/a')).toThrow(expect.objectContaining({ code: 'KeyNotAllowed' }));
    expect(policy.anonymousAdmitted).toBe(false);
  });
});
