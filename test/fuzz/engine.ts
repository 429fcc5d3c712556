/**
 * The fuzzer shared by test/fuzz/handlers.fuzz.test.ts (a few thousand runs, fixed seed) and `npm run fuzz`
 * (100,000 runs): fast-check generates requests — keys with unicode, emoji, control and reserved characters,
 * metadata, tagging, headers, query strings, expiries in and out of range — wrapped in every event shape the handlers
 * take (direct, HTTP trigger POST and GET, API Gateway, CloudEvent, MNS queue batch, `{ requests }` batches) or in
 * garbage, and runs them through the real presign-put and presign-get handlers. For every answer:
 * - the handler never throws and its answer is plain JSON;
 * - every rejection is a documented 4xx code (an HTTP answer's status is that code's status), never a 5xx — the
 *   credentials are valid throughout, so even the documented 500/503 would be a bug here;
 * - every success is well formed (method, expiresIn in 1..604800 matching x-oss-expires, signedHeaders strings) and
 *   its URL has no raw `+`, no space, no control character;
 * - a sample of successes is used for real against the local OSS, sending exactly `signedHeaders`: PUT must store
 *   the object (or meet FileAlreadyExists under forbid-overwrite), GET/HEAD must pass the signature check (200, or
 *   404 NoSuchKey/NoSuchVersion for an object never uploaded);
 * - every success is checked against the policy of the configuration in force (`Policy`, written here from the
 *   configuration's variables, independently of shared/rules): the bucket, the key's prefix (a key that merely
 *   contains an allowed prefix is a violation), the content type (near misses such as `imagex/png`; active types such
 *   as SVG only where named exactly, never through a wildcard; a typeless key whose extension OSS stores as active
 *   content), the size bound, forced no-overwrite, object ACL, storage class, processing and response overrides (each
 *   off unless the configuration names it), the lifetime cap and the URL budget;
 * - every refusal names its rule: a code from REJECTIONS, the field where one is at fault, and the setting that
 *   refused it in its message (SETTING_OF);
 * - hostile generators (the hostile-callers issue): reserved names (`__proto__`, `constructor`, `prototype`) at any
 *   depth of a body and in query strings, forged InvokeFunction wraps (the API's invocation paths, X-Acs-Action
 *   headers, API-looking domains of other accounts and regions, `-vpc` hosts), multipart plans and batches past the
 *   URL budget. After every case `Object.prototype` and `Array.prototype` are as before, nothing answered 5xx, no
 *   signature (`x-oss-signature`) is anywhere in an answer or item that failed a check, a request holding a reserved
 *   name got no URL, and an HTTP request without the bearer token got 401 wherever a token is required.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { createHandler, type FcHandler } from '../../shared/core/handler';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalOss, type LocalOss } from '../../scripts/local-oss';

export const BUCKET = 'fuzz-bucket';
export const OTHER_BUCKET = 'fuzz-other';
export const CREDENTIALS = { accessKeyId: 'STS.FuzzKey0001', accessKeySecret: 'SECRET-fuzz-2b7e-never-in-output', securityToken: 'CAIS+fuzz/TOKEN=with+odd/chars==' };
export const AUTH_TOKEN = 'fuzz-bearer-token';

/** Every code a rejection may carry, with its status. Anything else (InternalError above all) is a failure. */
export const REJECTIONS: Record<string, number> = {
  InvalidArgument: 400, InvalidJson: 400, UnsupportedEvent: 400, Unauthorized: 401,
  BucketNotAllowed: 403, KeyNotAllowed: 403, ContentTypeNotAllowed: 403, ContentLengthNotAllowed: 403, OverwriteNotAllowed: 403,
  CallbackHostNotAllowed: 403, CorsOriginNotAllowed: 403, NotFound: 404, MethodNotAllowed: 405, PayloadTooLarge: 413, UnsupportedMediaType: 415,
  AclNotAllowed: 403, StorageClassNotAllowed: 403, ProcessNotAllowed: 403, ResponseOverrideNotAllowed: 403, KeyPrefixNotAllowed: 403,
  ActionNotAllowed: 403, UrlBudgetExceeded: 400, AnswerBudgetExceeded: 400,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Op = 'put' | 'get';
export type Shape = 'direct' | 'http-post' | 'http-get' | 'api-gateway' | 'cloudevent' | 'mns-batch' | 'batch' | 'garbage' | 'reserved' | 'forged-wrap' | 'oversize';

export interface FuzzCase {
  op: Op;
  config: number;
  shape: Shape;
  /** What the handler receives. */
  event: Buffer;
  /** Bytes a holder of a PUT URL uploads (its length is the signed content-length when there is one). */
  payload: Buffer;
  /** What the service's checks must refuse in this case (a reserved name, a missing bearer token). */
  mustRefuse: MustRefuse;
}

/**
 * The policy a configuration sets, as the oracle reads it: written from the variables below, not computed by the
 * service's own rules module, so that a rule the service gets wrong shows as a violation instead of agreeing with
 * itself.
 */
export interface Policy {
  buckets: readonly string[];
  /** Literal key starts; empty: any key. */
  prefixes: readonly string[];
  /** Content type patterns (`type/subtype`, `type/*`); null: none set (any passive type, none required). */
  types: readonly string[] | null;
  maxSize: number | undefined;
  forceNoOverwrite: boolean;
  acls: readonly string[];
  storageClasses: readonly string[];
  /** Each allowed processing operation, as a whole-operation pattern. */
  process: readonly RegExp[];
  cacheOverrides: boolean;
  maxExpires: number;
  token: boolean;
  maxUrls: number;
}

const TOKEN_SHA256 = createHash('sha256').update(AUTH_TOKEN).digest('hex');

/**
 * Three configurations: permissive (defaults: every widening capability off), strict (prefixes, types, a size bound,
 * forced no-overwrite, a bearer token, a short lifetime cap and a small URL budget), and widened by name (an
 * explicit `img*` prefix, SVG named exactly, ACLs, a storage class, processing and cache overrides allowed).
 */
export function configs(ossOrigin: string): { env: Record<string, string>; policy: Policy }[] {
  const base = { OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: ossOrigin };
  const closed = { prefixes: [], types: null, maxSize: undefined, forceNoOverwrite: false, acls: [], storageClasses: [], process: [], cacheOverrides: false, maxExpires: 604800, token: false, maxUrls: 1000 };
  return [
    {
      env: { ...base, OSS_BUCKET: BUCKET, ALLOWED_BUCKETS: OTHER_BUCKET },
      policy: { ...closed, buckets: [BUCKET, OTHER_BUCKET] },
    },
    {
      env: {
        ...base, OSS_BUCKET: BUCKET, ALLOWED_KEY_PREFIXES: 'uploads/,媒体/', ALLOWED_CONTENT_TYPES: 'image/*,text/plain', MAX_CONTENT_LENGTH: '4096', FORCE_FORBID_OVERWRITE: 'true',
        AUTH_TOKEN_SHA256: TOKEN_SHA256, CORS_ALLOW_ORIGINS: 'https://app.example', PRESIGN_MAX_EXPIRES: '3600', PRESIGN_MAX_URLS: '40',
      },
      policy: { ...closed, buckets: [BUCKET], prefixes: ['uploads/', '媒体/'], types: ['image/*', 'text/plain'], maxSize: 4096, forceNoOverwrite: true, maxExpires: 3600, token: true, maxUrls: 40 },
    },
    {
      env: {
        ...base, OSS_BUCKET: BUCKET, ALLOWED_KEY_PREFIXES: 'uploads/,img*', ALLOWED_CONTENT_TYPES: 'image/png,image/svg+xml,text/*', ALLOWED_ACLS: 'private,public-read',
        ALLOWED_STORAGE_CLASSES: 'IA', ALLOWED_PROCESS: 'image/resize,w_*', ALLOW_RESPONSE_CACHE_OVERRIDES: 'true',
      },
      policy: {
        ...closed, buckets: [BUCKET], prefixes: ['uploads/', 'img'], types: ['image/png', 'image/svg+xml', 'text/*'], acls: ['private', 'public-read'], storageClasses: ['IA'],
        process: [/^image\/resize,w_[^/|]*$/], cacheOverrides: true,
      },
    },
  ];
}

/**
 * The setting a refusal of each code must name in its message (the operator's lever), and whether it must name the
 * field at fault. Codes not listed name no setting (InvalidArgument names a field and the rule it broke).
 */
export const SETTING_OF: Record<string, { setting?: RegExp; field: boolean }> = {
  KeyNotAllowed: { setting: /ALLOWED_KEY_PREFIXES/, field: true },
  ContentTypeNotAllowed: { setting: /ALLOWED_CONTENT_TYPES/, field: true },
  ContentLengthNotAllowed: { setting: /MAX_CONTENT_LENGTH/, field: true },
  OverwriteNotAllowed: { setting: /FORCE_FORBID_OVERWRITE/, field: true },
  AclNotAllowed: { setting: /ALLOWED_ACLS/, field: true },
  StorageClassNotAllowed: { setting: /ALLOWED_STORAGE_CLASSES/, field: true },
  ProcessNotAllowed: { setting: /ALLOWED_PROCESS/, field: true },
  ResponseOverrideNotAllowed: { setting: /ALLOWED_CONTENT_TYPES|ALLOW_RESPONSE_CACHE_OVERRIDES/, field: true },
  BucketNotAllowed: { setting: /OSS_BUCKET.*ALLOWED_BUCKETS/, field: true },
  KeyPrefixNotAllowed: { setting: /ALLOW_FORM_KEY_PREFIX/, field: true },
  CallbackHostNotAllowed: { setting: /CALLBACK_URL_ALLOWLIST/, field: true },
  CorsOriginNotAllowed: { setting: /CORS_ALLOW_ORIGINS/, field: false },
  UrlBudgetExceeded: { setting: /PRESIGN_MAX_URLS/, field: false },
  AnswerBudgetExceeded: { setting: /PRESIGN_MAX_ANSWER_BYTES/, field: false },
  InvalidArgument: { field: true },
};

// ---------- generators ----------

const oddPieces = ['/', '//', '.', '..', './', '../', ' ', '+', '%', '%2B', '%zz', '#', '?', '&', '=', '~', '*', "'", '(', ')', '!', '@', '$', ',', ';', ':', '\\', '"', '<', '>', '|', '^', '`', '{', '}', '[', ']',
  '中文', 'é', 'e\u0301', '😀', '👩‍👩‍👧', '🏳️‍🌈', '\u0000', '\u0009', '\u000a', '\u001f', '\u007f', '\u0085', '\u200b', '\u202e', '\ufeff', '\ud800', '\udfff', 'ﬀ', 'Å', '𝔘'];
const keyPiece = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/) },
  { weight: 3, arbitrary: fc.constantFrom(...oddPieces) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }) },
);
const key: fc.Arbitrary<Json> = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom('', 'uploads/', '媒体/', 'docs/', '/', '\\', 'x/uploads/', 'a/媒体/', 'uploadsX/', 'uploads', 'img', 'img/', 'x/img'), fc.array(keyPiece, { maxLength: 12 })).map(([p, parts]) => p + parts.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(1023), 'a'.repeat(1024), `uploads/${'é'.repeat(507)}`, `uploads/${'é'.repeat(508)}`, '', '.', '..', 'a/../b', 'a/./b', 'uploads/😀'.repeat(60)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })) },
);
const seconds: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4000 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 59, 60, 3600, 3601, 604799, 604800, 604801, 2 ** 31, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.oneof(fc.double({ noNaN: true }), fc.constantFrom('600', '1e3', ' 60', '0x10', '', 'NaN'), fc.constant(null), fc.boolean()) },
);
const mime = fc.oneof(
  fc.constantFrom('image/png', 'image/jpeg', 'text/plain', 'text/plain; charset=utf-8', 'application/octet-stream', 'application/json', 'video/mp4', 'IMAGE/PNG', 'image/', '/png', 'text/plain;charset=UTF-8', 'a/b+c', 'text/plain; charset="utf-8"'),
  // Near misses of the configured patterns, and active content (which no wildcard admits).
  fc.constantFrom('imagex/png', 'image/svg+xml', 'IMAGE/SVG+XML; charset=utf-8', 'text/html', 'text/plainx', 'text/html; charset=utf-8', 'application/xhtml+xml', 'application/rss+xml', 'text/javascript', 'text/csv'),
  fc.string({ maxLength: 20 }),
);
const printable = fc.stringMatching(/^[ -~]{0,24}$/);
const metaName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,12}$/), fc.string({ maxLength: 8 }), fc.constantFrom('Owner', 'x_y', '-a', 'a b', '中'));
const metadata: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(metaName, fc.oneof({ weight: 4, arbitrary: printable }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.constant(null)), { maxKeys: 2 })) },
);
const tagging: fc.Arbitrary<Json> = fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('a+b', 'a&b', 'a=b', '中', ' ')), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('x+y', '&', '=', '中文')), { maxKeys: 3 });

/** Present most of the time: absent one time in `freq` (fast-check's freq; 1 would mean never present). */
function optional<T>(arb: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq });
}

/** Present one time in four. */
function rarely<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** Drops undefined members so the request is what JSON carries. */
function compact(record: Record<string, unknown>): { [k: string]: Json } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [k: string]: Json };
}

const common = {
  key: optional(key, 12),
  bucket: optional(fc.oneof(fc.constantFrom(BUCKET, OTHER_BUCKET, 'not-allowed', 'UPPER', 'ab', 'a'.repeat(64)), fc.string({ maxLength: 6 }))),
  expires: optional(seconds, 2),
  minExpires: optional(seconds),
  extra: optional(fc.constantFrom('unknownField', 'Key', 'action', '__proto__', 'constructor')),
};

const putRequest: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  ...common,
  contentType: optional(mime, 2),
  contentLength: optional(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 3000 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 4096, 4097, 5 * 1024 ** 3, 5 * 1024 ** 3 + 1, 1.5, '10') }), 2),
  md5: optional(fc.constantFrom('right', 'wrong', 'garbage')),
  storageClass: optional(fc.constantFrom('Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive', 'standard', 'Cold')),
  acl: optional(fc.constantFrom('default', 'private', 'public-read', 'public-read-write', 'PUBLIC')),
  serverSideEncryption: optional(fc.constantFrom('AES256', 'KMS', 'SM4', 'aes256')),
  metadata: optional(metadata),
  tagging: optional(tagging, 5),
  forbidOverwrite: optional(fc.oneof(fc.boolean(), fc.constantFrom('true', 1)), 5),
  fill: fc.integer({ min: 0, max: 255 }),
}).map(({ extra, md5, fill, contentLength, ...fields }) => {
  const size = typeof contentLength === 'number' && Number.isInteger(contentLength) && contentLength >= 0 && contentLength <= 65536 ? contentLength : 16;
  const payload = Buffer.alloc(size, fill);
  const contentMd5 = md5 === undefined ? undefined
    : md5 === 'right' ? createHash('md5').update(payload).digest('base64')
    : md5 === 'wrong' ? createHash('md5').update('other').digest('base64') : 'not-an-md5==';
  return { request: compact({ ...fields, contentLength, contentMd5, ...(extra ? { [extra]: 'x' } : {}) }), payload };
});

const getRequest: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  ...common,
  method: optional(fc.constantFrom('GET', 'HEAD', 'get', 'PUT')),
  versionId: optional(fc.oneof(fc.constantFrom('null', 'CAEQ+abc/def=', 'v1'), fc.string({ maxLength: 6 }))),
  process: optional(fc.constantFrom('image/resize,w_200', 'image/resize,w_200/quality,q_80', 'video/snapshot,t_0', 'a+b c', '', 'image/resize,h_200', 'image/resize,w_1|sys/saveas,o_eA', 'doc/edit', 'image/resizex,w_1', 'IMAGE/resize,w_1', 'style/x')),
  trafficLimit: optional(fc.oneof(fc.constantFrom(819200, 838860800, 819199, 838860801), fc.integer())),
  response: optional(fc.oneof(
    fc.record({
      filename: optional(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('报告 2024.pdf', 'a"b.txt', 'a;b,c.txt', '😀.png', '..', 'a/b', '%E4.txt'))),
      disposition: optional(fc.constantFrom('attachment', 'inline', 'other')),
      contentType: optional(mime),
      contentDisposition: optional(fc.oneof(printable, fc.constant('inline; filename="中.txt"'))),
      cacheControl: optional(fc.oneof(printable, fc.constantFrom('no-cache', 'max-age=60, private'))),
      contentLanguage: optional(fc.constantFrom('en', 'zh-CN', 'en+us', '中文')),
      expires: optional(fc.constantFrom('Thu, 01 Dec 1994 16:00:00 GMT', '0', '中')),
    }).map(compact),
    fc.string(),
  )),
}).map(({ extra, ...fields }) => ({ request: compact({ ...fields, ...(extra ? { [extra]: 'x' } : {}) }), payload: Buffer.alloc(0) }));

// Mostly-valid requests: every field drawn from values the contract accepts (still with unicode, emoji and odd
// characters in keys, names and metadata), so that successes — and the OSS round trips — are common.
const cleanPiece = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/) },
  { weight: 3, arbitrary: fc.constantFrom(' ', '+', '%', '%2B', '#', '?', '&', '=', '~', '*', "'", '(', ')', '!', '@', '$', ',', ';', ':', '"', '<', '>', '|', '^', '`', '{', '}', '[', ']', '中文', 'é', 'e\u0301', '😀', '👩‍👩‍👧', '🏳️‍🌈', 'ﬀ', '𝔘', 'sub/', '.x', 'a.b', '.svg', '.html', '.constructor') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }) },
);
const cleanKey = fc.tuple(fc.constantFrom('uploads/', '媒体/', 'uploads/deep/', 'img/', 'imgX-'), fc.array(cleanPiece, { minLength: 1, maxLength: 10 })).map(([p, parts]) => p + parts.join(''));
// Near misses of the patterns (imagex/png beside image/*) sit among the clean types, so that a loosened match shows.
const cleanMime = fc.constantFrom('image/png', 'image/jpeg', 'text/plain', 'text/plain; charset=utf-8', 'image/svg+xml', 'text/plain;charset=UTF-8', 'text/csv', 'text/html', 'imagex/png', 'text/plainx', 'ima/png');
const cleanMeta = fc.dictionary(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), printable, { maxKeys: 3 });
const cleanPut: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  key: cleanKey,
  expires: optional(fc.integer({ min: 1, max: 4000 }), 4),
  minExpires: rarely(fc.integer({ min: 1, max: 60 })),
  contentType: cleanMime,
  contentLength: fc.integer({ min: 0, max: 3000 }),
  md5: fc.boolean(),
  storageClass: rarely(fc.constantFrom('Standard', 'IA')),
  acl: rarely(fc.constantFrom('default', 'private', 'public-read', 'public-read-write')),
  serverSideEncryption: rarely(fc.constantFrom('AES256')),
  metadata: optional(cleanMeta),
  tagging: rarely(fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9 +=&中]{1,6}$/), fc.stringMatching(/^[a-zA-Z0-9 +=&中]{0,6}$/), { maxKeys: 2 })),
  forbidOverwrite: rarely(fc.boolean()),
  fill: fc.integer({ min: 0, max: 255 }),
}).map(({ md5, fill, ...fields }) => {
  const payload = Buffer.alloc(fields.contentLength, fill);
  return { request: compact({ ...fields, contentMd5: md5 ? createHash('md5').update(payload).digest('base64') : undefined }), payload };
});
const cleanGet: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  key: cleanKey,
  expires: optional(fc.integer({ min: 1, max: 4000 }), 4),
  method: optional(fc.constantFrom('GET', 'HEAD'), 2),
  versionId: rarely(fc.constant('null')),
  process: rarely(fc.constantFrom('image/resize,w_200', 'image/resize,w_200/quality,q_80', 'image/resize,w_64')),
  trafficLimit: rarely(fc.integer({ min: 819200, max: 838860800 })),
  response: optional(fc.record({
    filename: optional(fc.oneof(cleanPiece, fc.constantFrom('报告 2024.pdf', 'a"b.txt', '😀.png'))),
    disposition: optional(fc.constantFrom('attachment', 'inline')),
    contentType: optional(cleanMime),
    cacheControl: optional(fc.constantFrom('no-cache', 'max-age=60, private')),
    expires: rarely(fc.constantFrom('Thu, 01 Dec 1994 16:00:00 GMT')),
    contentLanguage: optional(fc.constantFrom('en', 'zh-CN')),
  }).map(compact), 2),
}).map((fields) => ({ request: compact(fields), payload: Buffer.alloc(0) }));

const headerExtras = fc.record({
  auth: fc.constantFrom('right', 'right', 'right', 'right', 'wrong', 'none', 'malformed'),
  origin: rarely(fc.constantFrom('https://app.example', 'https://evil.example', 'null')),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'none', 'APPLICATION/JSON'),
  method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'OPTIONS', 'DELETE'),
  path: fc.constantFrom('/', '/', '/', '/', '/presign-put', '/presign-get', '/other', '//'),
  base64: fc.boolean(),
});

type HeaderExtras = typeof headerExtras extends fc.Arbitrary<infer T> ? T : never;

function authHeader(kind: string): Record<string, string> {
  if (kind === 'right') return { authorization: `Bearer ${AUTH_TOKEN}` };
  if (kind === 'wrong') return { authorization: 'Bearer not-the-token' };
  if (kind === 'malformed') return { authorization: AUTH_TOKEN };
  return {};
}

/** Flat string fields for a query string: the nested ones as `response.x`, objects as JSON text (a rejection). */
function toQuery(request: { [k: string]: Json }, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && name === 'response') {
      for (const [n, v] of Object.entries(value)) out[`response.${n}`] = String(v);
    } else out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { ...out, ...extra };
}

function httpEventOf(op: Op, body: string | null, query: Record<string, string>, h: HeaderExtras, forceMethod?: string) {
  const method = forceMethod ?? h.method;
  const headers: Record<string, string> = { ...authHeader(h.auth), ...(h.origin ? { origin: h.origin } : {}) };
  if (body !== null && h.contentType !== 'none') headers['content-type'] = h.contentType;
  const path = h.path === '/presign-put' || h.path === '/presign-get' ? `/presign-${op}` : h.path;
  return {
    version: 'v1', rawPath: path, body: body === null ? '' : h.base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: body !== null && h.base64,
    headers, queryParameters: query,
    requestContext: { accountId: '1234567890', domainName: 'x.cn-hangzhou.fcapp.run', domainPrefix: 'x', http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' }, requestId: 'req-fuzz', time: '2030-01-01T00:00:00Z', timeEpoch: '1893456000000' },
  };
}

const garbage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.string().map((s) => Buffer.from(s)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constantFrom('', '{', '[]', '[{}]', 'null', '"key"', '{"requests":[]}', '{"requests":{}}', '{"version":"v1"}', '{"events":[]}', '{"specversion":"1.0"}', '[{"specversion":"1.0","type":"mns:Queue:SendMessage","data":{"messageBody":"{"}}]', '{"httpMethod":"POST","path":"/","body":"%%%","isBase64Encoded":true}', '{"triggerTime":"x","triggerName":"t"}', '{"__proto__":{"key":"x"}}').map((s) => Buffer.from(s)),
);

// ---------- hostile generators (the hostile-callers issue) ----------

export const ACCOUNT = '1234567890';
const UPLOAD_ID = '0123456789ABCDEF0123456789ABCDEF';
const RESERVED = ['__proto__', 'constructor', 'prototype'] as const;

/** `target` with an own member `name` (assignment would set `__proto__` instead of adding a member JSON can carry). */
function withMember(target: { [k: string]: Json }, name: string, value: Json): { [k: string]: Json } {
  Object.defineProperty(target, name, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

const poison: fc.Arbitrary<Json> = fc.constantFrom<Json>({ acl: 'public-read-write' }, { polluted: true }, { bucket: 'evil-bucket' }, 'x', null, [1], { prototype: { acl: 'public-read' } });

/** A request holding a reserved name somewhere: at its top, in a map it carries, or at the end of a chain of members. */
const reservedRequest: fc.Arbitrary<{ request: { [k: string]: Json }; where: string }> = fc.record({
  base: fc.oneof(cleanPut, cleanGet),
  name: fc.constantFrom(...RESERVED),
  where: fc.constantFrom('top', 'metadata', 'tagging', 'response', 'callback.vars', 'deep', 'multipart', 'array'),
  depth: fc.integer({ min: 1, max: 7 }),
  poison,
}).map(({ base, name, where, depth, poison: value }) => {
  const request = JSON.parse(JSON.stringify(base.request)) as { [k: string]: Json };
  switch (where) {
    case 'top': withMember(request, name, value); break;
    case 'metadata': request.metadata = withMember({ owner: 'a' }, name, 'x'); break;
    case 'tagging': request.tagging = withMember({ team: 'a' }, name, 'x'); break;
    case 'response': request.response = withMember({ filename: 'a.txt' }, name, value); break;
    case 'callback.vars': request.callback = { url: 'https://hooks.example/cb', body: 'b=${x:a}', vars: withMember({ 'x:a': '1' }, name, 'v') }; break;
    case 'deep': {
      let inner: Json = withMember({}, name, value);
      for (let i = 1; i < depth; i += 1) inner = { n: inner };
      request.options = inner;
      break;
    }
    case 'multipart': return { request: { multipart: withMember({ key: 'uploads/a.bin', uploadId: UPLOAD_ID, parts: 1 }, name, value) }, where };
    case 'array': request.list = [1, withMember({ a: 1 }, name, value)]; break;
  }
  return { request, where };
});

/** Query parameters that reach a reserved name on either side of the dot. */
const reservedQuery = fc.constantFrom(
  '__proto__.acl', '__proto__', 'constructor', 'prototype', 'constructor.prototype', 'response.__proto__', 'response.constructor', '__proto__.bucket', 'a.prototype', 'prototype.x',
);

/**
 * A request dressed as an InvokeFunction call FC wrapped: the API's invocation paths, X-Acs-Action and an
 * ACS3-looking Authorization, API-looking domains of this account and others, other regions, -vpc hosts, look-alike
 * suffixes. None of it is evidence without FC's context agreeing, and even a genuine wrap needs the bearer token
 * where one is configured (AUTH_TRUST_INVOKE_FUNCTION is not set here).
 */
const forgedWrap = fc.record({
  rawPath: fc.constantFrom('/2023-03-30/functions/presign/invocations', '/2023-03-30/functions/presign/invocations/', '/2016-08-15/services/s/functions/presign/invocations', '/', '/2023-03-30/functions/a/b/invocations'),
  domainName: fc.constantFrom(
    `${ACCOUNT}.cn-hangzhou.fc.aliyuncs.com`, `${ACCOUNT}.cn-hangzhou-internal.fc.aliyuncs.com`, `999999.cn-hangzhou.fc.aliyuncs.com`, `${ACCOUNT}.cn-beijing.fc.aliyuncs.com`,
    `${ACCOUNT}.cn-hangzhou-vpc.fc.aliyuncs.com`, `${ACCOUNT}.cn-hangzhou.fc.aliyuncs.com.evil.example`, 'x.cn-hangzhou.fcapp.run', `evil.example/${ACCOUNT}.cn-hangzhou.fc.aliyuncs.com`,
  ),
  accountId: fc.constantFrom(ACCOUNT, ACCOUNT, '999999'),
  actionHeader: fc.boolean(),
  auth: fc.constantFrom('acs3', 'acs3', 'none', 'wrong', 'malformed', 'right'),
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
  contentType: fc.constantFrom('application/octet-stream', 'application/json'),
});

/** Work past the budget: plans of up to 10,000 parts, batches of them, and batches of more URLs than PRESIGN_MAX_URLS. */
const bigPlan: fc.Arbitrary<{ [k: string]: Json }> = fc.record({
  key: fc.constantFrom('uploads/big.bin', 'img/big.bin', 'x/uploads/big.bin'),
  parts: optional(fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(36, 37, 38, 39, 40, 996, 997, 998, 10_000))),
  size: optional(fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constantFrom(10_000 * 102_400, 10_001 * 102_400, 4096, 4097))),
  partSize: optional(fc.constantFrom(102_400, 8 * 1024 * 1024), 2),
  firstPart: rarely(fc.integer({ min: 1, max: 10_000 })),
  completeAll: rarely(fc.boolean()),
}).map((m) => ({ multipart: compact({ ...m, uploadId: UPLOAD_ID }) }));
const oversize: fc.Arbitrary<{ [k: string]: Json }> = fc.oneof(
  { weight: 3, arbitrary: bigPlan },
  { weight: 2, arbitrary: fc.array(bigPlan, { minLength: 2, maxLength: 12 }).map((requests) => ({ requests })) },
  { weight: 2, arbitrary: fc.integer({ min: 30, max: 130 }).map((n) => ({ requests: Array.from({ length: n }, (_, i) => ({ key: `uploads/b${i}.txt`, contentType: 'text/plain', contentLength: 1 })) })) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 40, 5 * 1024 ** 4, 4096).map((size) => ({ multipart: { key: 'uploads/huge.bin', size, contentType: 'text/plain' } })) },
);

/** What the case's checks must refuse: nothing in particular, the whole answer, or some items of a batch. */
export type MustRefuse = { kind: 'none' } | { kind: 'all'; why: string; code?: string } | { kind: 'items'; indexes: number[]; why: string };

const shapes: Shape[] = ['direct', 'http-post', 'http-get', 'api-gateway', 'cloudevent', 'mns-batch', 'batch', 'garbage', 'reserved', 'forged-wrap', 'oversize'];
const TOKEN_REQUIRED = configs('http://127.0.0.1:1').map((c) => c.policy.token);

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  op: fc.constantFrom<Op>('put', 'get'),
  config: fc.nat(2),
  shape: fc.constantFrom(...shapes),
  put: fc.oneof({ weight: 2, arbitrary: cleanPut }, { weight: 1, arbitrary: putRequest }),
  get: fc.oneof({ weight: 2, arbitrary: cleanGet }, { weight: 1, arbitrary: getRequest }),
  more: fc.array(fc.oneof(cleanPut, cleanGet, putRequest, getRequest), { maxLength: 3 }),
  headers: headerExtras,
  queryExtra: fc.dictionary(fc.constantFrom('x', 'expires', 'key', 'response.filename', 'a[b]', ''), fc.string({ maxLength: 6 }), { maxKeys: 1 }),
  garbage,
  reserved: reservedRequest,
  reservedVia: fc.constantFrom('direct', 'http-post', 'http-get', 'batch', 'cloudevent', 'mns-batch'),
  reservedQueryName: reservedQuery,
  reservedAt: fc.nat(3),
  wrap: forgedWrap,
  oversize,
  oversizeVia: fc.constantFrom('direct', 'direct', 'http-post'),
}).map((g): FuzzCase => {
  const { op, config, shape, headers, queryExtra } = g;
  const { request, payload } = op === 'put' ? g.put : g.get;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const body = JSON.stringify(request);
  const more = g.more.map((m) => m.request);
  const needsToken = TOKEN_REQUIRED[config] === true;
  /** An HTTP request under a token configuration, without the right token: 401 whatever else it carries. */
  const unauthorized = (auth: string, method: string): MustRefuse =>
    needsToken && auth !== 'right' && method !== 'OPTIONS' ? { kind: 'all', why: 'no bearer token', code: 'Unauthorized' } : { kind: 'none' };
  let event: Buffer;
  let mustRefuse: MustRefuse = { kind: 'none' };
  switch (shape) {
    case 'direct': event = json(request); break;
    case 'http-post': event = json(httpEventOf(op, body, Object.keys(queryExtra).includes('x') ? queryExtra : {}, headers)); mustRefuse = unauthorized(headers.auth, headers.method); break;
    case 'http-get': event = json(httpEventOf(op, null, toQuery(request, queryExtra), headers, 'GET')); mustRefuse = unauthorized(headers.auth, 'GET'); break;
    case 'api-gateway':
      event = json({ path: `/presign/${op}`, httpMethod: headers.method, headers: { 'Content-Type': 'application/json', ...authHeader(headers.auth) }, queryParameters: queryExtra, pathParameters: {}, body: headers.base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: headers.base64 });
      mustRefuse = unauthorized(headers.auth, headers.method);
      break;
    case 'cloudevent': event = json({ specversion: '1.0', id: 'ev-1', source: 'acs:custom', type: 'presign', data: request }); break;
    case 'mns-batch': event = json(mnsBatch([request, ...more])); break;
    case 'batch': event = json({ requests: [request, ...more] }); break;
    case 'garbage': event = g.garbage; break;
    case 'reserved': {
      const hostile = g.reserved.request;
      const why = `a reserved name (${g.reserved.where})`;
      const at = Math.min(g.reservedAt, more.length);
      const batch = [...more.slice(0, at), hostile, ...more.slice(at)];
      const right: HeaderExtras = { ...headers, auth: 'right', method: 'POST', contentType: 'application/json', path: '/' };
      switch (g.reservedVia) {
        case 'direct': event = json(hostile); mustRefuse = { kind: 'all', why }; break;
        case 'http-post': event = json(httpEventOf(op, JSON.stringify(hostile), {}, right)); mustRefuse = { kind: 'all', why }; break;
        case 'http-get': {
          const query = { ...toQuery(request, {}), [g.reservedQueryName]: 'public-read-write' };
          event = json(httpEventOf(op, null, query, right, 'GET'));
          mustRefuse = { kind: 'all', why: `a reserved name in the query (${g.reservedQueryName})` };
          break;
        }
        case 'batch': event = json({ requests: batch }); mustRefuse = { kind: 'items', indexes: [at], why }; break;
        case 'cloudevent': event = json({ specversion: '1.0', id: 'ev-1', source: 'acs:custom', type: 'presign', data: hostile }); mustRefuse = { kind: 'all', why }; break;
        case 'mns-batch': event = json(mnsBatch(batch)); mustRefuse = { kind: 'items', indexes: [at], why }; break;
      }
      break;
    }
    case 'forged-wrap': {
      const w = g.wrap;
      const wrapHeaders: Record<string, string> = { 'Content-Type': w.contentType, ...(w.actionHeader ? { 'X-Acs-Action': 'InvokeFunction', 'X-Acs-Version': '2023-03-30' } : {}) };
      Object.assign(wrapHeaders, w.auth === 'acs3' ? { Authorization: 'ACS3-HMAC-SHA256 Credential=LTAI-fuzz,SignedHeaders=host,Signature=00' } : authHeader(w.auth));
      event = json({
        version: 'v1', rawPath: w.rawPath, headers: wrapHeaders, queryParameters: {}, body, isBase64Encoded: false,
        requestContext: { accountId: w.accountId, domainName: w.domainName, domainPrefix: w.accountId, requestId: 'req-fuzz', time: '2030-01-01T00:00:00Z', timeEpoch: '1893456000000', http: { method: w.method, path: w.rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'AlibabaCloud' } },
      });
      mustRefuse = unauthorized(w.auth, w.method);
      break;
    }
    case 'oversize': {
      const right: HeaderExtras = { ...headers, auth: 'right', method: 'POST', contentType: 'application/json', path: '/' };
      event = g.oversizeVia === 'direct' ? json(g.oversize) : json(httpEventOf('put', JSON.stringify(g.oversize), {}, right));
      return { op: 'put', config, shape, event, payload, mustRefuse };
    }
  }
  return { op, config, shape, event, payload, mustRefuse };
});

function mnsBatch(requests: Json[]): unknown[] {
  return requests.map((r, i) => ({ specversion: '1.0', id: String(i), source: 'MNS-q', type: 'mns:Queue:SendMessage', data: { requestId: 'r', messageId: `m${i}`, messageBody: JSON.stringify(r) } }));
}

// ---------- running and checking ----------

export interface Rig {
  oss: LocalOss;
  handlers: Record<Op, FcHandler>[];
  policies: Policy[];
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  // One frozen clock for the signers and the local OSS: a generated `expires: 1` must not turn into an
  // "expired" answer because a loaded CI machine took a second between presigning and the round trip.
  const frozenNow = Date.now();
  const now = () => frozenNow;
  const store = new CredentialStore();
  store.add({ ...CREDENTIALS, expiration: new Date(frozenNow + 6 * 3600_000) });
  const oss = await startLocalOss({ credentials: store, buckets: [BUCKET, OTHER_BUCKET], now });
  const configured = configs(oss.origin);
  const handlers = configured.map(({ env }) => ({
    put: createHandler(putOperation, { env, log: () => undefined, now }),
    get: createHandler(getOperation, { env, log: () => undefined, now }),
  }));
  return { oss, handlers, policies: configured.map((c) => c.policy), close: () => oss.close() };
}

const context = () => ({ requestId: 'req-fuzz', region: 'cn-hangzhou', accountId: ACCOUNT, credentials: { ...CREDENTIALS }, function: { name: 'fuzz' } }) as never;

export interface Stats {
  runs: number;
  byShape: Record<string, number>;
  successes: number;
  /** Signed URLs checked against the policy in force (a multipart answer holds several). */
  urlsChecked: number;
  rejections: Record<string, number>;
  /** Cases whose checks had to refuse something (reserved names, missing tokens), by why. */
  mustRefuse: Record<string, number>;
  roundTrips: Record<string, number>;
  skippedRoundTrips: number;
}
export const newStats = (): Stats => ({ runs: 0, byShape: {}, successes: 0, urlsChecked: 0, rejections: {}, mustRefuse: {}, roundTrips: {}, skippedRoundTrips: 0 });

interface Signed { method: string; url: string; signedHeaders: Record<string, string> }
interface Success extends Signed { expiresIn: number; expiration: string; bucket: string; key: string }

class FuzzFailure extends Error {}
function fail(message: string, detail: unknown): never {
  throw new FuzzFailure(`${message}: ${JSON.stringify(detail)?.slice(0, 600)}`);
}

/** A refusal: a documented 4xx code (the HTTP status agreeing), naming the field at fault and the setting that refused. */
export function checkError(error: unknown, status: number | undefined, stats: Stats): void {
  const e = error as { code?: unknown; message?: unknown; field?: unknown };
  if (typeof e?.code !== 'string' || typeof e.message !== 'string' || e.message === '') fail('an error without code and message', error);
  const expected = REJECTIONS[e.code];
  if (expected === undefined) fail('an error code that is not a documented 4xx', error);
  if (status !== undefined && status !== expected) fail(`HTTP status ${status} for ${e.code} (documented ${expected})`, error);
  const naming = SETTING_OF[e.code];
  // (A field may be named '' when that is the name the caller sent, e.g. a query parameter `=x`.)
  if (naming?.field && typeof e.field !== 'string') fail(`a ${e.code} that names no field`, error);
  if (naming?.setting && !naming.setting.test(e.message)) fail(`a ${e.code} whose message does not name its setting (${naming.setting})`, error);
  stats.rejections[e.code] = (stats.rejections[e.code] ?? 0) + 1;
}

/** One signed URL: V4, its lifetime the answer's, the token where OSS needs it, no raw +, space or control character. */
function checkSigned(s: Signed, expiresIn: number, answer: unknown): URL {
  if (!['PUT', 'GET', 'HEAD', 'POST', 'DELETE'].includes(s.method)) fail('a signed URL without a method', answer);
  if (typeof s.url !== 'string') fail('a success without a url', answer);
  if ([...s.url].some((ch) => ch === '+' || ch <= ' ' || ch >= '\u007f')) fail('a URL with a raw +, space, control or non-ASCII character', s.url);
  const url = new URL(s.url);
  if (url.searchParams.get('x-oss-signature-version') !== 'OSS4-HMAC-SHA256') fail('not a V4 URL', s.url);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604800 || url.searchParams.get('x-oss-expires') !== String(expiresIn)) fail('expiresIn out of range or not the signed x-oss-expires', answer);
  if (url.searchParams.get('x-oss-security-token') !== CREDENTIALS.securityToken) fail('the token is not in the query', s.url);
  if (typeof s.signedHeaders !== 'object' || s.signedHeaders === null || Object.values(s.signedHeaders).some((v) => typeof v !== 'string')) fail('signedHeaders not a map of strings', answer);
  return url;
}

function checkSuccess(answer: Record<string, unknown>): Success {
  const s = answer as unknown as Success;
  if (!['PUT', 'GET', 'HEAD'].includes(s.method)) fail('a success without a method', answer);
  checkSigned(s, s.expiresIn, answer);
  return s;
}

// ---------- the policy oracle ----------

/** Active content: what a browser runs when served inline. Written here from the types' definitions, not imported. */
const ACTIVE_TYPES = ['text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/javascript', 'application/javascript', 'application/x-javascript', 'text/xsl'];
/** Extensions OSS stores as an active type when an upload names none (OSS's extension table). */
const ACTIVE_EXTENSIONS: Record<string, string> = { html: 'text/html', htm: 'text/html', svg: 'image/svg+xml', xhtml: 'application/xhtml+xml', xml: 'text/xml', js: 'application/x-javascript' };

const essence = (type: string): string => (type.split(';')[0] ?? '').trim().toLowerCase();
const isActive = (type: string): boolean => ACTIVE_TYPES.includes(essence(type)) || essence(type).endsWith('+xml');

export function typeAllowed(policy: Policy, type: string): boolean {
  const e = essence(type);
  if (isActive(e)) return policy.types !== null && policy.types.includes(e);
  if (policy.types === null) return true;
  const [major] = e.split('/');
  return policy.types.some((p) => p === e || (p.endsWith('/*') && p.slice(0, -2) === major));
}

export function keyAllowed(policy: Policy, key: string): boolean {
  return policy.prefixes.length === 0 || policy.prefixes.some((p) => key.startsWith(p));
}

function processAllowed(policy: Policy, value: string): boolean {
  for (const stage of value.split('|')) {
    const [kind, ...operations] = stage.split('/');
    if (operations.length === 0) return false;
    if (!operations.every((op) => policy.process.some((p) => p.test(`${kind}/${op}`)))) return false;
  }
  return true;
}

/**
 * A success against the policy in force: every violation found, as a message (empty: none). `body` is one answer
 * item: a single URL, a multipart initiate (method POST with a plan) or a step-two answer (parts, complete, abort,
 * ListParts), or a PostObject form.
 */
export function policyViolations(policy: Policy, body: Record<string, unknown>): string[] {
  const found: string[] = [];
  const problem = (what: string) => found.push(what);
  const bucket = body.bucket as string;
  const key = (body.key ?? body.keyPrefix) as string;
  if (!policy.buckets.includes(bucket)) problem(`bucket ${bucket} is not one the policy allows`);
  if (typeof key !== 'string' || !keyAllowed(policy, key)) problem(`key ${JSON.stringify(key)} does not start with an allowed prefix (${policy.prefixes.join(', ')})`);
  if (typeof body.expiresIn === 'number' && body.expiresIn > policy.maxExpires) problem(`expiresIn ${body.expiresIn} over the cap ${policy.maxExpires}`);

  const upload = (h: Record<string, string>, sizeSaid: number | null | undefined, what: string) => {
    const type = h['content-type'];
    if (type === undefined) {
      if (policy.types !== null) problem(`${what} without a content type where the policy requires one`);
      const extension = key.slice(key.lastIndexOf('/') + 1).split('.').slice(1).pop()?.toLowerCase();
      const inferred = extension === undefined || !Object.hasOwn(ACTIVE_EXTENSIONS, extension) ? undefined : ACTIVE_EXTENSIONS[extension];
      if (inferred !== undefined && key.slice(key.lastIndexOf('/') + 1).includes('.') && !typeAllowed(policy, inferred)) problem(`${what} of ${key} without a type: OSS stores it as active ${inferred}`);
    } else if (!typeAllowed(policy, type)) problem(`${what} content type ${type} is not allowed`);
    if (policy.maxSize !== undefined && (sizeSaid === undefined || sizeSaid === null || sizeSaid > policy.maxSize)) problem(`${what} size ${sizeSaid} not bounded by ${policy.maxSize}`);
    if (policy.forceNoOverwrite && h['x-oss-forbid-overwrite'] !== 'true') problem(`${what} without the forced x-oss-forbid-overwrite`);
    const acl = h['x-oss-object-acl'];
    if (acl !== undefined && !policy.acls.includes(acl)) problem(`${what} ACL ${acl} is not allowed`);
    const storageClass = h['x-oss-storage-class'];
    if (storageClass !== undefined && !policy.storageClasses.includes(storageClass)) problem(`${what} storage class ${storageClass} is not allowed`);
  };

  const urls: Signed[] = [];
  if (Array.isArray(body.parts)) {
    const parts = body.parts as (Signed & { size?: number })[];
    const complete = body.complete as Signed;
    urls.push(...parts, complete, body.abort as Signed, body.listParts as Signed);
    for (const part of parts) {
      if (policy.maxSize !== undefined && part.signedHeaders['content-length'] === undefined) problem('a part URL without its planned length under a size bound');
    }
    const plan = body.plan as { size: number | null } | null;
    if (policy.maxSize !== undefined && (plan === null || plan.size === null || plan.size > policy.maxSize)) problem(`a multipart plan not bounded by ${policy.maxSize}`);
    if (policy.forceNoOverwrite && complete.signedHeaders['x-oss-forbid-overwrite'] !== 'true') problem('a complete URL without the forced x-oss-forbid-overwrite');
  } else if (body.fields !== undefined) {
    const fields = body.fields as Record<string, string>;
    const type = fields['x-oss-content-type'];
    if (type === undefined || !typeAllowed(policy, type)) problem(`a form of content type ${type}`);
    if (policy.forceNoOverwrite && fields['x-oss-forbid-overwrite'] !== 'true') problem('a form without the forced x-oss-forbid-overwrite');
    if (fields['x-oss-object-acl'] !== 'default' && !policy.acls.includes(fields['x-oss-object-acl'] ?? '')) problem(`a form with ACL ${fields['x-oss-object-acl']}`);
    if (fields['x-oss-storage-class'] !== 'Standard' && !policy.storageClasses.includes(fields['x-oss-storage-class'] ?? '')) problem(`a form with storage class ${fields['x-oss-storage-class']}`);
  } else {
    const single = body as unknown as Signed;
    urls.push(single);
    const url = new URL(single.url);
    if (single.method === 'PUT') {
      const length = single.signedHeaders['content-length'];
      upload(single.signedHeaders, length === undefined ? undefined : Number(length), 'a PUT');
    } else if (single.method === 'POST' && url.searchParams.has('uploads')) {
      upload(single.signedHeaders, (body.plan as { size: number | null } | undefined)?.size, 'a multipart initiate');
    } else {
      const process = url.searchParams.get('x-oss-process');
      if (process !== null && !processAllowed(policy, process)) problem(`a GET URL with x-oss-process ${process}`);
      const served = url.searchParams.get('response-content-type');
      if (served !== null && isActive(served) && !typeAllowed(policy, served)) problem(`a GET URL served as active ${served}`);
      for (const name of ['response-cache-control', 'response-expires']) {
        if (url.searchParams.has(name) && !policy.cacheOverrides) problem(`a GET URL with ${name}`);
      }
    }
  }
  for (const signed of urls) {
    const expires = Number(new URL(signed.url).searchParams.get('x-oss-expires'));
    if (expires > policy.maxExpires) problem(`a URL living ${expires} s, over the cap ${policy.maxExpires}`);
  }
  return found;
}

// ---------- one case ----------

/** Items of an answer: [status or undefined, body] for each single result or error. */
function items(shape: Shape, answer: unknown): { status: number | undefined; body: Record<string, unknown> }[] {
  if (answer === null || typeof answer !== 'object') fail('an answer that is not an object', answer);
  const a = answer as Record<string, unknown>;
  let body = a;
  let status: number | undefined;
  if (typeof a.statusCode === 'number' && 'body' in a && 'headers' in a) {
    status = a.statusCode;
    if (status >= 500) fail('a 5xx HTTP answer', a);
    if (status === 204) return [];
    if (typeof a.body !== 'string') fail('HTTP answer body not a string', a);
    try {
      body = JSON.parse(a.body) as Record<string, unknown>;
    } catch {
      fail('HTTP answer body not JSON', a);
    }
  } else if (shape === 'http-post' || shape === 'http-get' || shape === 'api-gateway' || shape === 'forged-wrap') {
    // Shape may be misclassified only for garbage; these shapes are always HTTP (a genuine wrap answers HTTP too).
    fail('an HTTP event not answered in the HTTP response shape', a);
  }
  if (Array.isArray(body.results)) return (body.results as Record<string, unknown>[]).map((r) => ({ status: undefined, body: r }));
  return [{ status, body }];
}

/** Everything a prototype has, to tell after a case whether request data reached it. */
function prototypeState(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype].flatMap((proto, i) =>
    Reflect.ownKeys(proto).map((name) => {
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      const value = 'value' in d ? (typeof d.value === 'function' ? `fn ${(d.value as { name: string }).name}` : JSON.stringify(d.value) ?? String(d.value)) : 'accessor';
      return `${i}.${String(name)}=${value}`;
    }));
}
const PROTOTYPES = prototypeState().join('\n');

function send(target: Signed, payload: Buffer): Promise<{ status: number; text: string }> {
  const url = new URL(target.url);
  const headers: Record<string, string> = { ...target.signedHeaders };
  const body = target.method === 'PUT' ? payload : undefined;
  if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: target.method, path: `${url.pathname}${url.search}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function roundTrip(target: Success, payload: Buffer, stats: Stats, get: FcHandler): Promise<void> {
  if (target.method === 'PUT') {
    const length = target.signedHeaders['content-length'];
    const md5 = target.signedHeaders['content-md5'];
    if ((length !== undefined && Number(length) !== payload.length) || (md5 !== undefined && md5 !== createHash('md5').update(payload).digest('base64'))) {
      // The generator signed a length or digest for other bytes than the holder has: not a fair upload.
      stats.skippedRoundTrips += 1;
      return;
    }
  }
  const res = await send(target, payload);
  const code = /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1];
  const okay = target.method === 'PUT'
    ? res.status === 200 || (res.status === 409 && code === 'FileAlreadyExists' && target.signedHeaders['x-oss-forbid-overwrite'] === 'true')
    : res.status === 200 || (res.status === 404 && (target.method === 'HEAD' || code === 'NoSuchKey' || code === 'NoSuchVersion'));
  if (!okay) fail(`the local OSS refused a ${target.method} URL: ${res.status} ${code ?? ''}`, { url: target.url, signedHeaders: target.signedHeaders, answer: res.text.slice(0, 300) });
  const tag = `${target.method} ${res.status}${code ? ` ${code}` : ''}`;
  stats.roundTrips[tag] = (stats.roundTrips[tag] ?? 0) + 1;
  if (target.method === 'PUT' && res.status === 200) {
    // The stored object under exactly that key: presign-get for the key the answer named, and the same bytes back.
    const answer = (await get(Buffer.from(JSON.stringify({ key: target.key, bucket: target.bucket })), context())) as Record<string, unknown>;
    const download = checkSuccess(answer);
    const back = await send(download, Buffer.alloc(0));
    if (back.status !== 200 || back.text !== payload.toString('utf8')) fail(`GET after PUT: ${back.status}, ${back.text.length} bytes for ${payload.length}`, { key: target.key, url: download.url });
    stats.roundTrips['GET after PUT 200'] = (stats.roundTrips['GET after PUT 200'] ?? 0) + 1;
  }
}

const SIGNATURE = /x-oss-signature/;

/** One case: invoke, check every item against the policy in force, and use a sample of the successes for real. */
export async function runCase(rig: Rig, c: FuzzCase, stats: Stats, sampleEvery: number): Promise<void> {
  stats.runs += 1;
  stats.byShape[c.shape] = (stats.byShape[c.shape] ?? 0) + 1;
  const handlers = rig.handlers[c.config]!;
  const policy = rig.policies[c.config]!;
  const handler = handlers[c.op];
  let answer: unknown;
  try {
    answer = await handler(c.event, context());
  } catch (error) {
    fail('the handler threw', String(error));
  }
  const state = prototypeState().join('\n');
  if (state !== PROTOTYPES) fail('a prototype changed', state.split('\n').filter((line) => !PROTOTYPES.includes(line)));
  const text = JSON.stringify(answer);
  if (text === undefined) fail('an answer that is not JSON', String(answer));
  const urlCount = text.match(/x-oss-signature=/g)?.length ?? 0;
  if (urlCount > policy.maxUrls) fail(`${urlCount} URLs in one answer, over PRESIGN_MAX_URLS ${policy.maxUrls}`, text.slice(0, 300));
  const list = items(c.shape, answer);

  if (c.mustRefuse.kind !== 'none') {
    stats.mustRefuse[c.mustRefuse.why] = (stats.mustRefuse[c.mustRefuse.why] ?? 0) + 1;
    const whole = list.length === 1 && 'error' in list[0]!.body;
    if (c.mustRefuse.kind === 'all') {
      if (!whole) fail(`a URL (or no error) where the checks had to refuse: ${c.mustRefuse.why}`, text.slice(0, 400));
      const code = (list[0]!.body.error as { code?: string }).code;
      if (c.mustRefuse.code !== undefined && code !== c.mustRefuse.code) fail(`refused as ${code}, not ${c.mustRefuse.code} (${c.mustRefuse.why})`, text.slice(0, 400));
      if (SIGNATURE.test(text)) fail(`a signature in an answer that had to be refused (${c.mustRefuse.why})`, text.slice(0, 400));
    } else if (!whole) {
      for (const index of c.mustRefuse.indexes) {
        const item = list[index];
        if (item === undefined || !('error' in item.body)) fail(`batch item ${index} answered where the checks had to refuse it: ${c.mustRefuse.why}`, text.slice(0, 400));
      }
    }
  }

  for (const item of list) {
    if ('error' in item.body) {
      if ('url' in item.body) fail('an error answer with a url', item.body);
      if (SIGNATURE.test(JSON.stringify(item.body))) fail('a signature in an error answer', item.body);
      checkError(item.body.error, item.status, stats);
      continue;
    }
    if (item.status !== undefined && item.status !== 200) fail(`HTTP ${item.status} without an error`, item.body);
    const body = item.body;
    let single: Success | undefined;
    if (Array.isArray(body.parts)) {
      const expiresIn = body.expiresIn as number;
      for (const signed of [...(body.parts as Signed[]), body.complete as Signed, body.abort as Signed, body.listParts as Signed]) checkSigned(signed, expiresIn, body);
      stats.urlsChecked += (body.parts as unknown[]).length + 3;
    } else if (body.method === 'POST' && body.plan !== undefined) {
      checkSigned(body as unknown as Signed, body.expiresIn as number, body);
      stats.urlsChecked += 1;
    } else {
      single = checkSuccess(body);
      stats.urlsChecked += 1;
    }
    const violations = policyViolations(policy, body);
    if (violations.length > 0) fail(`a success the policy in force does not allow (config ${c.config}): ${violations.join('; ')}`, body);
    stats.successes += 1;
    if (single !== undefined && stats.successes % sampleEvery === 0) await roundTrip(single, c.payload, stats, handlers.get);
  }
}

export function isFuzzFailure(e: unknown): e is FuzzFailure {
  return e instanceof FuzzFailure;
}

export function formatStats(stats: Stats, ms: number): string {
  const sorted = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `fuzz: ${stats.runs} generated requests in ${(ms / 1000).toFixed(1)} s (${(stats.runs / (ms / 1000)).toFixed(0)}/s)`,
    `shapes: ${sorted(stats.byShape)}`,
    `successes: ${stats.successes} (${stats.urlsChecked} signed URLs checked against the policy in force); rejections: ${sorted(stats.rejections)}`,
    `had to be refused, and were: ${sorted(stats.mustRefuse)}`,
    `OSS round trips: ${Object.values(stats.roundTrips).reduce((a, b) => a + b, 0)} (${sorted(stats.roundTrips)}); skipped (length/MD5 for other bytes): ${stats.skippedRoundTrips}`,
  ].join('\n');
}
