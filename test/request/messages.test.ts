import { refusal as refusalOf } from '../support/refusal';
import { FieldReader } from '../../shared/request/fields';
import { readForm } from '../../shared/request/form';
import { parseGetRequest } from '../../shared/request/get';
import { readMultipart } from '../../shared/request/multipart';
import { MAX_METADATA_BYTES, MAX_TAG_VALUE_CHARACTERS, parsePutRequest } from '../../shared/request/put';
import { parseUploadRequest } from '../../shared/request/upload';

/**
 * What a refusal of request data says: the field at fault and the rule it broke, word for word, at each limit and
 * one past it. The suites that send bad requests through the handlers check the code and the field; these check
 * that the message names the rule the caller must meet. Written against the mutation report (docs/mutation.md).
 */
function refusal(act: () => unknown): { code: string; field: string | undefined; message: string } {
  const { code, field, message } = refusalOf(act);
  return { code, field, message };
}

const says = (field: string, message: string) => ({ code: 'InvalidArgument', field, message });

describe('the field reader', () => {
  it('reads own members of an object; null is absent; anything else is refused naming the field and its rule', () => {
    expect(refusal(() => FieldReader.of([1]))).toEqual(says('body', 'the request must be a JSON object'));
    expect(refusal(() => FieldReader.of('x', 'form'))).toEqual(says('form', 'form must be a JSON object'));
    expect(refusal(() => FieldReader.of(null, 'a.b'))).toEqual(says('a.b', 'a.b must be a JSON object'));
    const reader = FieldReader.of({ s: '', n: 1.5, b: 'yes', o: 3, m: { k: 1 }, z: null, r: 5, one: 'd', long: 'abcd', pat: 'x y' }, 'p');
    expect(refusal(() => reader.string('s'))).toEqual(says('p.s', 'p.s must be a non-empty string'));
    expect(refusal(() => reader.string('long', { maxLength: 3 }))).toEqual(says('p.long', 'p.long must be at most 3 characters'));
    expect(reader.string('long', { maxLength: 4 })).toBe('abcd');
    expect(refusal(() => reader.string('pat', { pattern: /^\S+$/ }))).toEqual(says('p.pat', 'p.pat has an invalid format'));
    expect(refusal(() => reader.string('pat', { pattern: /^\S+$/, patternRule: 'must have no blank' }))).toEqual(says('p.pat', 'p.pat must have no blank'));
    expect(refusal(() => reader.rawString('r'))).toEqual(says('p.r', 'p.r must be a string'));
    expect(refusal(() => reader.oneOf('one', ['a', 'b', 'c']))).toEqual(says('p.one', 'p.one must be one of a, b, c'));
    expect(refusal(() => reader.integer('n', 1, 9, ' of seconds'))).toEqual(says('p.n', 'p.n must be a whole number of seconds from 1 to 9'));
    expect(refusal(() => reader.integer('b', 1, 9))).toEqual(says('p.b', 'p.b must be a whole number from 1 to 9'));
    expect(refusal(() => reader.boolean('b'))).toEqual(says('p.b', 'p.b must be true or false'));
    expect(refusal(() => reader.object('o'))).toEqual(says('p.o', 'p.o must be a JSON object'));
    expect(refusal(() => reader.stringMap('m', { maxEntries: 0, keyPattern: /./, keyRule: 'any' }))).toEqual(says('p.m', 'p.m must have at most 0 entries'));
    expect(refusal(() => reader.stringMap('m', { maxEntries: 1, keyPattern: /^x/, keyRule: 'must start with x' }))).toEqual(says('p.m.k', 'p.m names must start with x'));
    expect(refusal(() => reader.stringMap('m', { maxEntries: 1, keyPattern: /./, keyRule: 'any' }))).toEqual(says('p.m.k', 'p.m values must be strings'));
    expect(reader.string('z')).toBeUndefined();
    expect(reader.string('absent')).toBeUndefined();
    expect(refusal(() => FieldReader.of({ a: 1, b: 2 }).finish())).toEqual(says('a', 'unknown field a'));
  });

  it('integers at their bounds pass, one past is refused', () => {
    const reader = FieldReader.of({ lo: 1, hi: 9, under: 0, over: 10 });
    expect(reader.integer('lo', 1, 9)).toBe(1);
    expect(reader.integer('hi', 1, 9)).toBe(9);
    expect(refusal(() => reader.integer('under', 1, 9)).field).toBe('under');
    expect(refusal(() => reader.integer('over', 1, 9)).field).toBe('over');
  });
});

describe('presign-put requests', () => {
  it('each field\'s rule, in its words', () => {
    expect(refusal(() => parsePutRequest({ bucket: 'A' }))).toEqual(says('bucket', 'bucket must be 3-63 lowercase letters, digits or hyphens'));
    expect(refusal(() => parsePutRequest({ expires: 0 }))).toEqual(says('expires', 'expires must be a whole number of seconds from 1 to 604800'));
    expect(refusal(() => parsePutRequest({ minExpires: 604801 }))).toEqual(says('minExpires', 'minExpires must be a whole number of seconds from 1 to 604800'));
    expect(refusal(() => parsePutRequest({ filename: 'a'.repeat(256) }))).toEqual(says('filename', 'filename must be at most 255 characters'));
    expect(parsePutRequest({ filename: 'a'.repeat(255), prefix: 'p'.repeat(512) }).prefix).toHaveLength(512);
    expect(refusal(() => parsePutRequest({ prefix: 'p'.repeat(513) }))).toEqual(says('prefix', 'prefix must be at most 512 characters'));
    expect(refusal(() => parsePutRequest({ contentType: 'image' }))).toEqual(says('contentType', 'contentType must be a MIME type such as image/png or text/plain; charset=utf-8'));
    // Whole values only: a well-formed type at the end of something else is no content type.
    for (const contentType of ['text html/x', 'a/b c/d', 'image/png x', '@image/png']) {
      expect(refusal(() => parsePutRequest({ contentType }))).toEqual(says('contentType', 'contentType must be a MIME type such as image/png or text/plain; charset=utf-8'));
    }
    expect(refusal(() => parsePutRequest({ contentType: `a/${'b'.repeat(255)}` }))).toEqual(says('contentType', 'contentType must be at most 256 characters'));
    expect(parsePutRequest({ contentType: 'text/plain; charset="utf-8"; a=b' }).contentType).toBe('text/plain; charset="utf-8"; a=b');
    // RFC 9110 parameters: optional whitespace on both sides of the ";" and nothing else between the type and it.
    expect(parsePutRequest({ contentType: 'text/plain ; charset=utf-8' }).contentType).toBe('text/plain ; charset=utf-8');
    expect(refusal(() => parsePutRequest({ contentType: 'text/plain@; charset=utf-8' }))).toEqual(says('contentType', 'contentType must be a MIME type such as image/png or text/plain; charset=utf-8'));
    expect(refusal(() => parsePutRequest({ contentLength: 5 * 1024 ** 3 + 1 }))).toEqual(says('contentLength', 'contentLength must be a whole number of bytes from 0 to 5368709120'));
    expect(parsePutRequest({ contentLength: 5 * 1024 ** 3 }).contentLength).toBe(5 * 1024 ** 3);
    expect(refusal(() => parsePutRequest({ contentMd5: 'a'.repeat(24) }))).toEqual(says('contentMd5', 'contentMd5 must be the base64 MD5 digest of the body (24 characters ending in ==)'));
    expect(parsePutRequest({ contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' }).contentMd5).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    // Exactly the 24 characters: a digest with anything before or after it is not one.
    for (const contentMd5 of ['x1B2M2Y8AsgTpgAmY7PhCfg==', '1B2M2Y8AsgTpgAmY7PhCfg==x']) {
      expect(refusal(() => parsePutRequest({ contentMd5 }))).toEqual(says('contentMd5', 'contentMd5 must be the base64 MD5 digest of the body (24 characters ending in ==)'));
    }
    expect(refusal(() => parsePutRequest({ storageClass: 'standard' }))).toEqual(says('storageClass', 'storageClass must be one of Standard, IA, Archive, ColdArchive, DeepColdArchive'));
    expect(refusal(() => parsePutRequest({ acl: 'PUBLIC' }))).toEqual(says('acl', 'acl must be one of default, private, public-read, public-read-write'));
    expect(refusal(() => parsePutRequest({ serverSideEncryption: 'aes256' }))).toEqual(says('serverSideEncryption', 'serverSideEncryption must be one of AES256, KMS, SM4'));
    expect(refusal(() => parsePutRequest({ forbidOverwrite: 'true' }))).toEqual(says('forbidOverwrite', 'forbidOverwrite must be true or false'));
  });

  it('metadata: names, a 32-entry and an 8 KB bound as OSS counts it, and no two names that OSS would merge', () => {
    expect(refusal(() => parsePutRequest({ metadata: { 'a b': 'x' } }))).toEqual(says('metadata.a b', 'metadata names must be letters, digits and hyphens (sent as x-oss-meta-<name>)'));
    expect(refusal(() => parsePutRequest({ metadata: { '-a': 'x' } })).field).toBe('metadata.-a');
    expect(parsePutRequest({ metadata: { [`a${'-'.repeat(127)}`]: 'x' } }).metadata).toBeDefined();
    expect(refusal(() => parsePutRequest({ metadata: { [`a${'-'.repeat(128)}`]: 'x' } })).field).toMatch(/^metadata\.a-+$/);
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, 'v']));
    expect(Object.keys(parsePutRequest({ metadata: entries(32) }).metadata ?? {})).toHaveLength(32);
    expect(refusal(() => parsePutRequest({ metadata: entries(33) }))).toEqual(says('metadata', 'metadata must have at most 32 entries'));
    expect(refusal(() => parsePutRequest({ metadata: { Owner: 'a', owner: 'b' } }))).toEqual(says('metadata.owner', 'metadata names owner twice (OSS lowercases metadata names)'));
    // x-oss-meta-a (12 bytes) + the value: exactly 8 KB passes, one byte more is refused; bytes, not characters.
    const head = 'x-oss-meta-a'.length;
    expect(MAX_METADATA_BYTES).toBe(8192);
    expect(parsePutRequest({ metadata: { A: 'v'.repeat(MAX_METADATA_BYTES - head) } }).metadata).toBeDefined();
    expect(refusal(() => parsePutRequest({ metadata: { A: 'v'.repeat(MAX_METADATA_BYTES - head + 1) } }))).toEqual(says('metadata', 'metadata must be at most 8192 bytes in all (names and values, as OSS counts them)'));
    expect(refusal(() => parsePutRequest({ metadata: { a: 'é'.repeat((MAX_METADATA_BYTES - head) / 2 + 1) } })).message).toMatch(/at most 8192 bytes/);
    expect(refusal(() => parsePutRequest({ metadata: { a: 'v'.repeat(4090), b: 'v'.repeat(4090) } })).field).toBe('metadata');
  });

  it('tags: at most 10, keys of 1-128 characters, values of at most 256 characters (code points)', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));
    expect(Object.keys(parsePutRequest({ tagging: tags(10) }).tagging ?? {})).toHaveLength(10);
    expect(refusal(() => parsePutRequest({ tagging: tags(11) }))).toEqual(says('tagging', 'tagging must have at most 10 entries'));
    expect(parsePutRequest({ tagging: { ['k'.repeat(128)]: 'v' } }).tagging).toBeDefined();
    expect(refusal(() => parsePutRequest({ tagging: { ['k'.repeat(129)]: 'v' } })).message).toBe('tagging names must be 1-128 characters');
    expect(MAX_TAG_VALUE_CHARACTERS).toBe(256);
    expect(parsePutRequest({ tagging: { k: '😀'.repeat(256) } }).tagging).toBeDefined();
    expect(refusal(() => parsePutRequest({ tagging: { k: 'v'.repeat(257) } }))).toEqual(says('tagging.k', 'tagging values must be at most 256 characters'));
    expect(parsePutRequest({ tagging: { 'a\nb': 'v' } }).tagging).toBeDefined();
  });
});

describe('presign-get requests', () => {
  it('each field\'s rule, in its words', () => {
    expect(refusal(() => parseGetRequest({ method: 'get' }))).toEqual(says('method', 'method must be one of GET, HEAD'));
    expect(refusal(() => parseGetRequest({ versionId: 'é' }))).toEqual(says('versionId', 'versionId must be printable ASCII'));
    expect(refusal(() => parseGetRequest({ versionId: 'v'.repeat(257) })).message).toBe('versionId must be at most 256 characters');
    expect(refusal(() => parseGetRequest({ process: 'p'.repeat(4097) })).message).toBe('process must be at most 4096 characters');
    expect(refusal(() => parseGetRequest({ trafficLimit: 819199 }))).toEqual(says('trafficLimit', 'trafficLimit must be a whole number of bits per second from 819200 to 838860800'));
    expect(parseGetRequest({ trafficLimit: 838860800 }).trafficLimit).toBe(838860800);
    expect(refusal(() => parseGetRequest({ response: { contentType: 'text/plain\u00e9' } }))).toEqual(says('response.contentType', 'response.contentType must be printable ASCII (use response.filename for a non-ASCII download name)'));
    for (const [name, max] of [['contentType', 256], ['contentDisposition', 1024], ['cacheControl', 256], ['contentLanguage', 64], ['expires', 64]] as const) {
      expect(parseGetRequest({ response: { [name]: 'a'.repeat(max) } }).response?.[name]).toHaveLength(max);
      expect(refusal(() => parseGetRequest({ response: { [name]: 'a'.repeat(max + 1) } }))).toEqual(says(`response.${name}`, `response.${name} must be at most ${max} characters`));
      expect(refusal(() => parseGetRequest({ response: { [name]: 'a\u0000' } })).field).toBe(`response.${name}`);
    }
    expect(refusal(() => parseGetRequest({ response: { filename: 'f'.repeat(256) } })).message).toBe('response.filename must be at most 255 characters');
    expect(refusal(() => parseGetRequest({ response: { disposition: 'Inline' } }))).toEqual(says('response.disposition', 'response.disposition must be one of attachment, inline'));
    expect(refusal(() => parseGetRequest({ response: { other: 'x' } }))).toEqual(says('response.other', 'unknown field response.other'));
  });
});

describe('multipart, form and upload requests', () => {
  const uploadId = 'ABC123';

  it('multipart: each step takes its own fields only, and says which step a misplaced one belongs to', () => {
    expect(refusal(() => readMultipart({ key: 'k', parts: 2 }))).toEqual(says('multipart.parts', 'multipart.parts belongs to the second step (with uploadId)'));
    // A null member of the other step is not refused as misplaced, but no reader of this step takes it.
    expect(refusal(() => readMultipart({ key: 'k', parts: null }))).toEqual(says('multipart.parts', 'unknown field multipart.parts'));
    expect(refusal(() => readMultipart({ key: 'k', uploadId, contentType: 'a/b' }))).toEqual(says('multipart.contentType', 'multipart.contentType belongs to the first step (without uploadId): OSS takes object attributes when the upload is initiated'));
    expect(readMultipart({ key: 'k', uploadId, parts: 1 })).toMatchObject({ step: 'parts', uploadId });
    expect(refusal(() => readMultipart({ key: 'k', uploadId: null, parts: 1 }))).toEqual(says('multipart.parts', 'multipart.parts belongs to the second step (with uploadId)'));
    expect(refusal(() => readMultipart({ key: 'k', contentLength: 1 }))).toEqual(says('multipart.contentLength', 'multipart.contentLength is for single PUTs; give multipart.size'));
    expect(refusal(() => readMultipart({ key: 'k', contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' }))).toEqual(says('multipart.contentMd5', 'multipart.contentMd5 is for single PUTs; a multipart upload has no whole-body MD5'));
    expect(Object.keys(readMultipart({ key: 'k' }))).not.toContain('contentLength');
    expect(refusal(() => readMultipart({ key: 'k', uploadId: 'a b', parts: 1 }))).toEqual(says('multipart.uploadId', 'multipart.uploadId must be the UploadId OSS answered to the initiate request'));
    expect(readMultipart({ key: 'k', uploadId: `${'A'.repeat(255)}.`, parts: 1 })).toMatchObject({ step: 'parts' });
    expect(refusal(() => readMultipart({ key: 'k', uploadId: 'A'.repeat(257), parts: 1 })).field).toBe('multipart.uploadId');
  });

  it('multipart: sizes and counts at OSS\'s limits pass, one past them is refused in its words', () => {
    expect(refusal(() => readMultipart({ key: 'k', size: 0 }))).toEqual(says('multipart.size', 'multipart.size must be a whole number of bytes from 1 to 53687091200000'));
    expect(refusal(() => readMultipart({ key: 'k', partSize: 102399 }))).toEqual(says('multipart.partSize', 'multipart.partSize must be a whole number of bytes (OSS: every part but the last at least 100 KB, none over 5 GB) from 102400 to 5368709120'));
    expect(readMultipart({ key: 'k', partSize: 102400, size: 53687091200000 })).toMatchObject({ partSize: 102400, size: 53687091200000 });
    expect(refusal(() => readMultipart({ key: 'k', uploadId, parts: 10001 }))).toEqual(says('multipart.parts', 'multipart.parts must be a whole number (OSS allows up to 10000 parts; 0 answers no part URL) from 0 to 10000'));
    expect(readMultipart({ key: 'k', uploadId, parts: 0, firstPart: 10000 })).toMatchObject({ parts: 0, firstPart: 10000 });
    expect(refusal(() => readMultipart({ key: 'k', uploadId, firstPart: 0 }))).toEqual(says('multipart.firstPart', 'multipart.firstPart must be a whole number from 1 to 10000'));
    expect(refusal(() => readMultipart({ key: 'k', uploadId, listPartsMarker: 10000 }))).toEqual(says('multipart.listPartsMarker', 'multipart.listPartsMarker must be a whole number (a part number; ListParts lists the parts above it) from 0 to 9999'));
    expect(readMultipart({ key: 'k', uploadId, listPartsMarker: 9999, completeAll: true, forbidOverwrite: false })).toMatchObject({ listPartsMarker: 9999, completeAll: true, forbidOverwrite: false });
  });

  it('form: statuses OSS answers a browser, sizes up to 5 GB', () => {
    expect(readForm({ key: 'k', successActionStatus: 201 }).successActionStatus).toBe(201);
    expect(refusal(() => readForm({ key: 'k', successActionStatus: 302 }))).toEqual(says('form.successActionStatus', 'form.successActionStatus must be 200, 201 or 204 (what OSS answers the browser)'));
    expect(refusal(() => readForm({ key: 'k', successActionStatus: 99 }))).toEqual(says('form.successActionStatus', 'form.successActionStatus must be a whole number from 100 to 599'));
    expect(refusal(() => readForm({ key: 'k', maxSize: 5 * 1024 ** 3 + 1 }))).toEqual(says('form.maxSize', 'form.maxSize must be a whole number of bytes (PostObject uploads are at most 5 GB) from 0 to 5368709120'));
    expect(refusal(() => readForm({ key: 'k', minSize: -1 }))).toEqual(says('form.minSize', 'form.minSize must be a whole number of bytes from 0 to 5368709120'));
    expect(refusal(() => readForm({ key: 'k', contentType: 'x' })).message).toBe('form.contentType must be a MIME type such as image/png or text/plain; charset=utf-8');
    expect(refusal(() => readForm({ key: 'k', acl: 'x' })).field).toBe('form.acl');
    expect(refusal(() => readForm({ key: 'k', storageClass: 'x' })).field).toBe('form.storageClass');
    expect(refusal(() => readForm({ key: 'k', extra: 1 }))).toEqual(says('form.extra', 'unknown field form.extra'));
  });

  it('upload requests: a multipart or form request has only its member; a callback names what it lacks', () => {
    expect(refusal(() => parseUploadRequest({ multipart: {}, form: {} }))).toEqual(says('form', 'send either multipart or form, not both'));
    expect(refusal(() => parseUploadRequest({ multipart: { key: 'k' }, key: 'k' }))).toEqual(says('key', 'key goes inside multipart (a multipart request has only the multipart member)'));
    expect(refusal(() => parseUploadRequest({ expires: 1, form: { key: 'k' } }))).toEqual(says('expires', 'expires goes inside form (a form request has only the form member)'));
    expect(parseUploadRequest({ form: { key: 'k' } }).kind).toBe('form');
    expect(parseUploadRequest({ multipart: { key: 'k' } }).kind).toBe('multipart');
    expect(parseUploadRequest({ key: 'k' })).toEqual({ kind: 'put', request: expect.objectContaining({ key: 'k' }), callback: undefined });
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { body: 'b' } }))).toEqual(says('callback.url', 'callback.url is required'));
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'https://h.example/' } }))).toEqual(says('callback.body', 'callback.body is required'));
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', host: 'a b' } }))).toEqual(says('callback.host', 'callback.host must be a host name (the Host header OSS sends to the callback URL)'));
    expect(parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', host: 'hooks.example.com:8443', bodyType: 'application/json', vars: { 'x:a-b_1': 'v' } } })).toMatchObject({ callback: { host: 'hooks.example.com:8443', vars: { 'x:a-b_1': 'v' } } });
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', vars: { 'x:A': 'v' } } }))).toEqual(says('callback.vars.x:A', 'callback.vars names must start with x: and be lowercase letters, digits, _ or - (as OSS requires)'));
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', bodyType: 'text/plain' } })).message).toBe('callback.bodyType must be one of application/x-www-form-urlencoded, application/json');
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u'.repeat(1025), body: 'b' } })).message).toBe('callback.url must be at most 1024 characters');
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b'.repeat(4097) } })).message).toBe('callback.body must be at most 4096 characters');
    const vars = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x:v${i}`, 'v']));
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', vars } })).message).toBe('callback.vars must have at most 16 entries');
    expect(refusal(() => parseUploadRequest({ key: 'k', callback: { url: 'u', body: 'b', x: 1 } }))).toEqual(says('callback.x', 'unknown field callback.x'));
  });
});

describe('shapes at their edges (written against the mutation report)', () => {
  const uploadId = 'ABC123';
  /** The callback a single-PUT upload request carries. */
  const callbackOf = (request: Record<string, unknown>) => { const parsed = parseUploadRequest(request); return parsed.kind === 'put' ? parsed.callback : undefined; };
  const hostOf = (host: string) => () => callbackOf({ key: 'k', callback: { url: 'u', body: 'b', host } });
  const HOST_RULE = 'callback.host must be a host name (the Host header OSS sends to the callback URL)';

  it('a bucket name is the whole value: an allowed run inside a longer one is refused', () => {
    const rule = says('bucket', 'bucket must be 3-63 lowercase letters, digits or hyphens');
    for (const bucket of ['x_bucket', 'bucket_x', 'a'.repeat(64), 'My-bucket', 'bucket.']) {
      expect([bucket, refusal(() => parsePutRequest({ bucket }))]).toEqual([bucket, rule]);
    }
    for (const bucket of ['abc', 'a'.repeat(63), 'my-bucket-2']) expect(parsePutRequest({ bucket }).bucket).toBe(bucket);
  });

  it('callback hosts: DNS names of one or more labels (single characters too), an optional port of up to 5 digits, 253 characters at most', () => {
    const label = (n: number) => 'a'.repeat(n);
    const at253 = [label(63), label(63), label(63), label(61)].join('.');
    expect(at253).toHaveLength(253);
    for (const host of ['a', 'x.y', 'cb.example.com', 'oss.cn', 'cb.example.com:8443', 'cb.example.com:65535', 'h:1', at253]) {
      expect([host, hostOf(host)()?.host]).toEqual([host, host]);
    }
    for (const host of [`${at253}a`, `${at253}.b`, 'cb.example.com/x', 'cb.example.com:123456', 'cb.example.com:', 'cb.example.com:port', 'cb.example.com:80x', '-a.example.com', 'a-.example.com', 'a..b', `${label(64)}.com`]) {
      expect([host, refusal(hostOf(host))]).toEqual([host, says('callback.host', HOST_RULE)]);
    }
  });

  it('callback variable names are x: and 1 to 64 lowercase characters, the whole name', () => {
    const varsOf = (name: string) => () => callbackOf({ key: 'k', callback: { url: 'u', body: 'b', vars: { [name]: 'v' } } });
    for (const name of ['x:a', `x:${'a'.repeat(64)}`, 'x:my_var-1']) expect(varsOf(name)()?.vars).toEqual({ [name]: 'v' });
    for (const name of ['ax:a', 'y:x:a', 'x:a!', 'x:aB', `x:${'a'.repeat(65)}`, 'x:']) {
      expect([name, refusal(varsOf(name)).field]).toEqual([name, `callback.vars.${name}`]);
    }
  });

  it('form: a file name of up to 255 characters, a folder of up to 512, and forbidOverwrite are read', () => {
    expect(readForm({ filename: 'f'.repeat(255), prefix: `${'p'.repeat(511)}/`, forbidOverwrite: true })).toMatchObject({ filename: 'f'.repeat(255), prefix: `${'p'.repeat(511)}/`, forbidOverwrite: true });
    expect(readForm({ key: 'k', forbidOverwrite: false }).forbidOverwrite).toBe(false);
    expect(refusal(() => readForm({ filename: 'f'.repeat(256) }))).toEqual(says('form.filename', 'form.filename must be at most 255 characters'));
    expect(refusal(() => readForm({ prefix: 'p'.repeat(513) }))).toEqual(says('form.prefix', 'form.prefix must be at most 512 characters'));
  });

  it('multipart: every object attribute sent with uploadId, and every second-step field sent without, is named as misplaced', () => {
    const initiateOnly = { contentType: 'a/b', storageClass: 'IA', acl: 'private', metadata: { a: 'b' }, tagging: { a: 'b' }, serverSideEncryption: 'AES256', filename: 'a.txt', prefix: 'uploads/' };
    for (const [name, value] of Object.entries(initiateOnly)) {
      expect([name, refusal(() => readMultipart({ key: 'k', uploadId, [name]: value }))]).toEqual([name, says(`multipart.${name}`, `multipart.${name} belongs to the first step (without uploadId): OSS takes object attributes when the upload is initiated`)]);
    }
    const partsOnly = { parts: 1, firstPart: 1, completeAll: true, callback: { url: 'u', body: 'b' }, listPartsMarker: 0 };
    for (const [name, value] of Object.entries(partsOnly)) {
      expect([name, refusal(() => readMultipart({ key: 'k', [name]: value }))]).toEqual([name, says(`multipart.${name}`, `multipart.${name} belongs to the second step (with uploadId)`)]);
    }
  });
});
