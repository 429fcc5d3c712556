import { ConfigError } from '../../shared/errors';
import { refusal } from '../support/refusal';
import {
  checkAcl, checkCallbacksAllowed, checkFormKeyPrefix, checkProcess, checkResponseOverrides, checkStorageClass, checkUploadSize, checkUploadType, forbidsOverwrite,
} from '../../shared/rules/checks';
import { settingName } from '../../shared/rules/describe';
import { MAX_OBJECT_BYTES, ruleFromEnv } from '../../shared/rules/env-rule';
import { ENV_VARIABLES } from '../../shared/rules/setting-names';
import { PLATFORM } from '../../shared/identity/caller';
import { ruleFor, ruleForPrefix } from '../../shared/rules/match';
import { ACTIONS, type Rule } from '../../shared/rules/types';

/**
 * The rules module's decisions, each from both sides: the environment's settings as one rule (every widening
 * capability off until named, every value that would fail open refused at cold start), what each check lets
 * through and what it refuses — with the code, the field and the setting that refused it — and which rule decides
 * a key. Written against the mutation report (docs/mutation.md).
 */


function expectRefusal(act: () => unknown, code: string, field: string, message: RegExp): void {
  const error = refusal(act);
  expect({ code: error.code, status: error.status, field: error.field }).toEqual({ code, status: code === 'InvalidArgument' ? 400 : 403, field });
  expect(error.message).toMatch(message);
}

function configRefusal(env: Record<string, string>, variable: string, message: RegExp): void {
  const error = refusal(() => ruleFromEnv(env));
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(variable);
  expect(error.message).toMatch(message);
}

/** A rule of a rules document (the identity issue's kind): every capability as given. */
function documentRule(name: string, overrides: Partial<Rule> = {}): Rule {
  return { ...ruleFromEnv({}), origin: { kind: 'document', name }, ...overrides };
}

describe('the environment compiles into one rule', () => {
  it('with nothing set: every key and action, no widening capability, no size bound, no forced no-overwrite', () => {
    const rule = ruleFromEnv({});
    expect(rule.keys).toEqual([]);
    expect([...rule.actions]).toEqual(['put', 'get', 'head', 'multipart', 'form']);
    expect(ACTIONS).toEqual(['put', 'get', 'head', 'multipart', 'form']);
    expect(rule.keyMode).toBe('caller');
    expect(rule.contentTypes).toEqual({ patterns: [], required: false });
    expect(rule.maxSize).toBeUndefined();
    expect(rule.forceForbidOverwrite).toBe(false);
    expect([...rule.acls]).toEqual([]);
    expect([...rule.storageClasses]).toEqual([]);
    expect(rule.process).toEqual([]);
    expect(rule.responseCaching).toBe(false);
    expect(rule.formKeyPrefix).toBe(false);
    expect(rule.callbacks).toBe(false);
    expect(rule.origin).toEqual({ kind: 'environment' });
  });

  it('each variable sets its capability', () => {
    const rule = ruleFromEnv({
      ALLOWED_KEY_PREFIXES: 'uploads/, img*', PUT_KEY_MODE: 'generated', ALLOWED_CONTENT_TYPES: 'Image/*,text/plain', MAX_CONTENT_LENGTH: '4096',
      FORCE_FORBID_OVERWRITE: 'true', ALLOWED_ACLS: 'private,public-read', ALLOWED_STORAGE_CLASSES: 'IA', ALLOWED_PROCESS: 'image/resize,w_*,h_*,style/*',
      ALLOW_RESPONSE_CACHE_OVERRIDES: 'true', ALLOW_FORM_KEY_PREFIX: '1', CALLBACK_URL_ALLOWLIST: 'https://hooks.example',
    });
    expect(rule.keys.map((k) => [k.source, k.prefix, k.folder])).toEqual([['uploads/', 'uploads/', true], ['img*', 'img', false]]);
    expect(rule.keyMode).toBe('generated');
    expect(rule.contentTypes).toEqual({ patterns: ['image/*', 'text/plain'], required: true });
    expect(rule.maxSize).toBe(4096);
    expect(rule.forceForbidOverwrite).toBe(true);
    expect([...rule.acls]).toEqual(['private', 'public-read']);
    expect([...rule.storageClasses]).toEqual(['IA']);
    // Items without a `/` continue the pattern before them: two patterns, not four.
    expect(rule.process.map((p) => p.source)).toEqual(['image/resize,w_*,h_*', 'style/*']);
    expect(rule.responseCaching).toBe(true);
    expect(rule.formKeyPrefix).toBe(true);
    expect(rule.callbacks).toBe(true);
    expect(ruleFromEnv({ MAX_CONTENT_LENGTH: '0' }).maxSize).toBe(0);
    expect(ruleFromEnv({ MAX_CONTENT_LENGTH: String(MAX_OBJECT_BYTES) }).maxSize).toBe(5 * 1024 ** 3);
  });

  it('values that would fail open, or mean nothing, are refused at cold start naming the variable', () => {
    configRefusal({ ALLOWED_KEY_PREFIXES: 'uploads' }, 'ALLOWED_KEY_PREFIXES', /^ALLOWED_KEY_PREFIXES: "uploads" would also admit/);
    configRefusal({ ALLOWED_KEY_PREFIXES: 'uploads/,/abs/' }, 'ALLOWED_KEY_PREFIXES', /^ALLOWED_KEY_PREFIXES: "\/abs\/" must not start/);
    configRefusal({ ALLOWED_KEY_PREFIXES: ' , ' }, 'ALLOWED_KEY_PREFIXES', /holds no entry/);
    configRefusal({ ALLOWED_CONTENT_TYPES: 'image' }, 'ALLOWED_CONTENT_TYPES', /^ALLOWED_CONTENT_TYPES: "image" is not a type\/subtype pattern such as image\/\* or application\/pdf$/);
    configRefusal({ ALLOWED_CONTENT_TYPES: 'image/*,text/plain; charset=x' }, 'ALLOWED_CONTENT_TYPES', /"text\/plain; charset=x" is not a type\/subtype pattern/);
    configRefusal({ ALLOWED_ACLS: 'private,PUBLIC' }, 'ALLOWED_ACLS', /^ALLOWED_ACLS: "PUBLIC" is not one of default, private, public-read, public-read-write$/);
    configRefusal({ ALLOWED_STORAGE_CLASSES: 'Cold' }, 'ALLOWED_STORAGE_CLASSES', /^ALLOWED_STORAGE_CLASSES: "Cold" is not one of Standard, IA, Archive, ColdArchive, DeepColdArchive$/);
    configRefusal({ ALLOWED_PROCESS: 'image' }, 'ALLOWED_PROCESS', /^ALLOWED_PROCESS: "image" is not a processing pattern/);
    configRefusal({ ALLOWED_PROCESS: 'w_*,image/resize' }, 'ALLOWED_PROCESS', /^ALLOWED_PROCESS: "w_\*" is not a processing pattern/);
    configRefusal({ PUT_KEY_MODE: 'random' }, 'PUT_KEY_MODE', /must be one of caller, generated/);
    configRefusal({ MAX_CONTENT_LENGTH: String(MAX_OBJECT_BYTES + 1) }, 'MAX_CONTENT_LENGTH', /between 0 and 5368709120/);
    configRefusal({ FORCE_FORBID_OVERWRITE: 'yes' }, 'FORCE_FORBID_OVERWRITE', /true or false/);
    configRefusal({ ALLOW_RESPONSE_CACHE_OVERRIDES: 'yes' }, 'ALLOW_RESPONSE_CACHE_OVERRIDES', /true or false/);
    configRefusal({ ALLOW_FORM_KEY_PREFIX: 'on' }, 'ALLOW_FORM_KEY_PREFIX', /true or false/);
    // Unless told that tokens are verified, a claim in a key is refused: without one it would match no caller's folder.
    configRefusal({ ALLOWED_KEY_PREFIXES: 'users/{sub}/' }, 'ALLOWED_KEY_PREFIXES', /^ALLOWED_KEY_PREFIXES: .*AUTH_ISSUER/);
  });

  it('messages name each setting by its variable', () => {
    const rule = ruleFromEnv({});
    expect({
      keys: settingName(rule, 'keys'), keyMode: settingName(rule, 'keyMode'), contentTypes: settingName(rule, 'contentTypes'), maxSize: settingName(rule, 'maxSize'),
      forceForbidOverwrite: settingName(rule, 'forceForbidOverwrite'), acls: settingName(rule, 'acls'), storageClasses: settingName(rule, 'storageClasses'), process: settingName(rule, 'process'),
      responseCaching: settingName(rule, 'responseCaching'), formKeyPrefix: settingName(rule, 'formKeyPrefix'), callbacks: settingName(rule, 'callbacks'),
    }).toEqual({
      keys: 'ALLOWED_KEY_PREFIXES', keyMode: 'PUT_KEY_MODE', contentTypes: 'ALLOWED_CONTENT_TYPES', maxSize: 'MAX_CONTENT_LENGTH',
      forceForbidOverwrite: 'FORCE_FORBID_OVERWRITE', acls: 'ALLOWED_ACLS', storageClasses: 'ALLOWED_STORAGE_CLASSES', process: 'ALLOWED_PROCESS',
      responseCaching: 'ALLOW_RESPONSE_CACHE_OVERRIDES', formKeyPrefix: 'ALLOW_FORM_KEY_PREFIX', callbacks: 'CALLBACK_URL_ALLOWLIST',
    });
    expect(ENV_VARIABLES.acls).toBe('ALLOWED_ACLS');
    expect(settingName(documentRule('team-a'), 'acls')).toMatch(/team-a/);
  });
});

describe('what an upload may carry', () => {
  const typed = ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'image/*,text/plain,image/svg+xml' });
  const anyType = ruleFromEnv({});

  it('a content type the list admits passes; a near miss is refused naming the field, the type and the setting', () => {
    expect(() => checkUploadType(typed, 'image/png', 'uploads/a.png', 'contentType')).not.toThrow();
    expect(() => checkUploadType(typed, 'image/svg+xml', 'uploads/a.svg', 'contentType')).not.toThrow();
    expectRefusal(() => checkUploadType(typed, 'imagex/png', 'uploads/a', 'contentType'), 'ContentTypeNotAllowed', 'contentType',
      /^contentType imagex\/png is not allowed; allowed: image\/\*, text\/plain, image\/svg\+xml \(ALLOWED_CONTENT_TYPES\)$/);
    expectRefusal(() => checkUploadType(typed, 'text/html', 'uploads/a', 'multipart.contentType'), 'ContentTypeNotAllowed', 'multipart.contentType',
      /^multipart\.contentType text\/html is active content a browser runs; it is allowed only where named exactly in ALLOWED_CONTENT_TYPES$/);
  });

  it('with a list set, a type is required; without one, any passive type passes and active content never does', () => {
    expectRefusal(() => checkUploadType(typed, undefined, 'uploads/a.png', 'form.contentType'), 'InvalidArgument', 'form.contentType',
      /^form\.contentType is required: uploads are limited to image\/\*, text\/plain, image\/svg\+xml \(ALLOWED_CONTENT_TYPES\)$/);
    expect(() => checkUploadType(anyType, undefined, 'uploads/a.png', 'contentType')).not.toThrow();
    expect(() => checkUploadType(anyType, 'video/mp4', 'uploads/a', 'contentType')).not.toThrow();
    expectRefusal(() => checkUploadType(anyType, 'image/svg+xml', 'uploads/a', 'contentType'), 'ContentTypeNotAllowed', 'contentType', /active content/);
  });

  it('a type after which browsers sniff the body is refused like active content, unless named exactly', () => {
    expectRefusal(() => checkUploadType(anyType, 'application/unknown', 'uploads/a.png', 'contentType'), 'ContentTypeNotAllowed', 'contentType',
      /^contentType application\/unknown is active content a browser runs; it is allowed only where named exactly in ALLOWED_CONTENT_TYPES$/);
    expectRefusal(() => checkUploadType(ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'application/*' }), 'Unknown/Unknown', 'uploads/a', 'contentType'), 'ContentTypeNotAllowed', 'contentType', /active content/);
    expect(() => checkUploadType(ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'application/unknown' }), 'application/unknown', 'uploads/a', 'contentType')).not.toThrow();
    expect(() => checkUploadType(anyType, 'application/octet-stream', 'uploads/a', 'contentType')).not.toThrow();
  });

  it('without a type, a key OSS would store as active content is refused unless that type is named exactly', () => {
    expectRefusal(() => checkUploadType(anyType, undefined, 'uploads/page.HTML', 'contentType'), 'ContentTypeNotAllowed', 'contentType',
      /^without contentType, OSS stores this key as text\/html, active content a browser runs; send another contentType, or name text\/html exactly in ALLOWED_CONTENT_TYPES$/);
    expect(() => checkUploadType(anyType, undefined, 'uploads/page.txt', 'contentType')).not.toThrow();
    expect(() => checkUploadType(anyType, undefined, undefined, 'contentType')).not.toThrow();
    const svgNamed = ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'image/svg+xml' });
    expect(() => checkUploadType({ ...svgNamed, contentTypes: { ...svgNamed.contentTypes, required: false } }, undefined, 'uploads/a.svg', 'contentType')).not.toThrow();
  });

  it('a size bound: at the limit passes, one byte over is refused, and the size must be given', () => {
    const bounded = ruleFromEnv({ MAX_CONTENT_LENGTH: '4096' });
    expect(() => checkUploadSize(bounded, 4096, 'contentLength')).not.toThrow();
    expect(() => checkUploadSize(bounded, 0, 'contentLength')).not.toThrow();
    expectRefusal(() => checkUploadSize(bounded, 4097, 'contentLength'), 'ContentLengthNotAllowed', 'contentLength', /^contentLength 4097 is out of bounds: uploads must be at most 4096 bytes \(MAX_CONTENT_LENGTH\)$/);
    expectRefusal(() => checkUploadSize(bounded, undefined, 'form.maxSize'), 'InvalidArgument', 'form.maxSize', /^form\.maxSize is required: uploads must be at most 4096 bytes \(MAX_CONTENT_LENGTH\)$/);
    expect(() => checkUploadSize(anyType, undefined, 'contentLength')).not.toThrow();
    expect(() => checkUploadSize(anyType, MAX_OBJECT_BYTES * 2, 'contentLength')).not.toThrow();
    const zero = ruleFromEnv({ MAX_CONTENT_LENGTH: '0' });
    expectRefusal(() => checkUploadSize(zero, 1, 'contentLength'), 'ContentLengthNotAllowed', 'contentLength', /uploads must be at most 0 bytes/);
  });

  it('a rules document may bound the size from below, from above or both: the message says which bound and names the field that sets it', () => {
    const atLeast = documentRule('scans', { minSize: 100 });
    expect(() => checkUploadSize(atLeast, 100, 'contentLength')).not.toThrow();
    expect(() => checkUploadSize(atLeast, 5 * 1024 ** 3, 'contentLength')).not.toThrow();
    expectRefusal(() => checkUploadSize(atLeast, 99, 'contentLength'), 'ContentLengthNotAllowed', 'contentLength',
      /^contentLength 99 is out of bounds: uploads must be at least 100 bytes \(rule "scans", minSize\)$/);
    expectRefusal(() => checkUploadSize(atLeast, undefined, 'multipart.size'), 'InvalidArgument', 'multipart.size',
      /^multipart\.size is required: uploads must be at least 100 bytes \(rule "scans", minSize\)$/);
    const atMost = documentRule('avatars', { maxSize: 4096 });
    expectRefusal(() => checkUploadSize(atMost, 4097, 'contentLength'), 'ContentLengthNotAllowed', 'contentLength',
      /^contentLength 4097 is out of bounds: uploads must be at most 4096 bytes \(rule "avatars", maxSize\)$/);
    const between = documentRule('photos', { minSize: 10, maxSize: 20 });
    expect(() => checkUploadSize(between, 10, 'contentLength')).not.toThrow();
    expect(() => checkUploadSize(between, 20, 'contentLength')).not.toThrow();
    for (const size of [9, 21]) {
      expectRefusal(() => checkUploadSize(between, size, 'contentLength'), 'ContentLengthNotAllowed', 'contentLength',
        new RegExp(`^contentLength ${size} is out of bounds: uploads must be at least 10 at most 20 bytes \\(rule "photos", maxSize\\)$`));
    }
  });

  it('forced no-overwrite: a caller may ask for it, never turn it off', () => {
    const forced = ruleFromEnv({ FORCE_FORBID_OVERWRITE: 'true' });
    expect(forbidsOverwrite(forced, undefined, 'forbidOverwrite')).toBe(true);
    expect(forbidsOverwrite(forced, true, 'forbidOverwrite')).toBe(true);
    expectRefusal(() => forbidsOverwrite(forced, false, 'form.forbidOverwrite'), 'OverwriteNotAllowed', 'form.forbidOverwrite', /^this service never overwrites objects \(FORCE_FORBID_OVERWRITE\)$/);
    expect(forbidsOverwrite(anyType, undefined, 'forbidOverwrite')).toBe(false);
    expect(forbidsOverwrite(anyType, false, 'forbidOverwrite')).toBe(false);
    expect(forbidsOverwrite(anyType, true, 'forbidOverwrite')).toBe(true);
  });

  it('ACLs and storage classes: none unless named; a named one passes, any other is refused listing what is allowed', () => {
    expect(() => checkAcl(anyType, undefined, 'acl')).not.toThrow();
    expectRefusal(() => checkAcl(anyType, 'private', 'acl'), 'AclNotAllowed', 'acl', /^acl private is not allowed here; allowed: none \(ALLOWED_ACLS\)$/);
    const acls = ruleFromEnv({ ALLOWED_ACLS: 'private,default' });
    expect(() => checkAcl(acls, 'private', 'acl')).not.toThrow();
    expectRefusal(() => checkAcl(acls, 'public-read-write', 'multipart.acl'), 'AclNotAllowed', 'multipart.acl', /^multipart\.acl public-read-write is not allowed here; allowed: private, default \(ALLOWED_ACLS\)$/);
    expect(() => checkStorageClass(anyType, undefined, 'storageClass')).not.toThrow();
    expectRefusal(() => checkStorageClass(anyType, 'IA', 'storageClass'), 'StorageClassNotAllowed', 'storageClass', /^storageClass IA is not allowed here; allowed: none \(ALLOWED_STORAGE_CLASSES\)$/);
    const classes = ruleFromEnv({ ALLOWED_STORAGE_CLASSES: 'Standard,IA' });
    expect(() => checkStorageClass(classes, 'IA', 'storageClass')).not.toThrow();
    expectRefusal(() => checkStorageClass(classes, 'Archive', 'form.storageClass'), 'StorageClassNotAllowed', 'form.storageClass', /^form\.storageClass Archive is not allowed here; allowed: Standard, IA \(ALLOWED_STORAGE_CLASSES\)$/);
  });

  it('callbacks and browser-chosen form keys only where the operator allows them', () => {
    expectRefusal(() => checkCallbacksAllowed(anyType, 'form.callback'), 'CallbackHostNotAllowed', 'form.callback', /^upload callbacks are not allowed here \(CALLBACK_URL_ALLOWLIST\)$/);
    expect(() => checkCallbacksAllowed(ruleFromEnv({ CALLBACK_URL_ALLOWLIST: 'https://h.example' }), 'callback')).not.toThrow();
    expectRefusal(() => checkFormKeyPrefix(anyType, 'form.keyPrefix'), 'KeyPrefixNotAllowed', 'form.keyPrefix',
      /^form\.keyPrefix lets the browser choose the rest of the key, which no form policy can check \(dot segments, control characters\); sign an exact form\.key, or allow it with ALLOW_FORM_KEY_PREFIX$/);
    expect(() => checkFormKeyPrefix(ruleFromEnv({ ALLOW_FORM_KEY_PREFIX: 'true' }), 'form.keyPrefix')).not.toThrow();
  });
});

describe('what a download may ask of OSS', () => {
  const none = ruleFromEnv({});

  it('processing: refused while none is named; named patterns admit their operations only', () => {
    expect(() => checkProcess(none, undefined, 'process')).not.toThrow();
    expectRefusal(() => checkProcess(none, 'image/resize,w_1', 'process'), 'ProcessNotAllowed', 'process', /^process is not allowed here: no processing is named \(ALLOWED_PROCESS\)$/);
    const resize = ruleFromEnv({ ALLOWED_PROCESS: 'image/resize,style/*' });
    expect(() => checkProcess(resize, 'image/resize,w_1', 'process')).not.toThrow();
    expect(() => checkProcess(resize, 'style/thumb', 'process')).not.toThrow();
    expectRefusal(() => checkProcess(resize, 'image/resize,w_1|sys/saveas,o_x', 'process'), 'ProcessNotAllowed', 'process',
      /^process: sys\/saveas,o_x is not allowed here; allowed: image\/resize, style\/\* \(ALLOWED_PROCESS\)$/);
    expectRefusal(() => checkProcess(resize, 'doc/edit', 'process'), 'ProcessNotAllowed', 'process', /^process: doc\/edit is not allowed here/);
  });

  it('response overrides: active types only where named exactly; cache directives only with the setting', () => {
    expect(() => checkResponseOverrides(none, undefined)).not.toThrow();
    expect(() => checkResponseOverrides(none, { contentType: 'text/plain', filename: 'a.txt', disposition: 'inline', contentLanguage: 'en' })).not.toThrow();
    expectRefusal(() => checkResponseOverrides(none, { contentType: 'text/html' }), 'ResponseOverrideNotAllowed', 'response.contentType',
      /^response\.contentType text\/html is active content a browser runs; it is allowed only where named exactly in ALLOWED_CONTENT_TYPES$/);
    expect(() => checkResponseOverrides(ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'text/html' }), { contentType: 'text/html; charset=utf-8' })).not.toThrow();
    // A passive type the upload list does not name is still a fine thing to serve a download as.
    expect(() => checkResponseOverrides(ruleFromEnv({ ALLOWED_CONTENT_TYPES: 'image/*' }), { contentType: 'text/plain' })).not.toThrow();
    // A type that tells the browser nothing makes it sniff the object, and run what looks like HTML.
    for (const contentType of ['html', ';', 'application/unknown', '*/*']) {
      expectRefusal(() => checkResponseOverrides(ruleFromEnv({ ALLOWED_CONTENT_TYPES: '*/*' }), { contentType }), 'ResponseOverrideNotAllowed', 'response.contentType',
        new RegExp(`^response\\.contentType ${contentType.replace(/[*/]/g, '\\$&')} is active content a browser runs; it is allowed only where named exactly in ALLOWED_CONTENT_TYPES$`));
    }
    for (const field of ['cacheControl', 'expires'] as const) {
      expectRefusal(() => checkResponseOverrides(none, { [field]: 'x' }), 'ResponseOverrideNotAllowed', `response.${field}`,
        new RegExp(`^response\\.${field} can make the object cacheable for everyone; it is allowed only with ALLOW_RESPONSE_CACHE_OVERRIDES$`));
      expect(() => checkResponseOverrides(ruleFromEnv({ ALLOW_RESPONSE_CACHE_OVERRIDES: 'true' }), { [field]: 'x' })).not.toThrow();
    }
  });
});

describe('which rule decides a key', () => {
  const env = ruleFromEnv({ ALLOWED_KEY_PREFIXES: 'uploads/,媒体/' });

  it('the environment rule: keys starting with a listed prefix, never keys that only contain one', () => {
    expect(ruleFor([env], PLATFORM, 'put', 'uploads/a')).toBe(env);
    expect(ruleFor([env], PLATFORM, 'get', '媒体/b')).toBe(env);
    expectRefusal(() => ruleFor([env], PLATFORM, 'put', 'x/uploads/a'), 'KeyNotAllowed', 'key', /^key must start with one of: uploads\/, 媒体\/ \(ALLOWED_KEY_PREFIXES\)$/);
    expectRefusal(() => ruleFor([env], PLATFORM, 'put', 'docs/a', 'multipart.key'), 'KeyNotAllowed', 'multipart.key', /^multipart\.key must start with one of/);
    expect(ruleFor([ruleFromEnv({})], PLATFORM, 'put', 'anything')).toBeDefined();
  });

  it('a form prefix must lie under a listed prefix', () => {
    expect(ruleForPrefix([env], PLATFORM, 'form', 'uploads/sub/', 'form.keyPrefix')).toBe(env);
    expectRefusal(() => ruleForPrefix([env], PLATFORM, 'form', 'upl', 'form.keyPrefix'), 'KeyNotAllowed', 'form.keyPrefix', /^form\.keyPrefix must start with one of: uploads\/, 媒体\/ \(ALLOWED_KEY_PREFIXES\)$/);
    expectRefusal(() => ruleForPrefix([env], PLATFORM, 'form', 'x/uploads/', 'form.keyPrefix'), 'KeyNotAllowed', 'form.keyPrefix', /must start with one of/);
  });
});
