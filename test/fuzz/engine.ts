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
 *   404 NoSuchKey/NoSuchVersion for an object never uploaded).
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
export type Shape = 'direct' | 'http-post' | 'http-get' | 'api-gateway' | 'cloudevent' | 'mns-batch' | 'batch' | 'garbage';

export interface FuzzCase {
  op: Op;
  config: number;
  shape: Shape;
  /** What the handler receives. */
  event: Buffer;
  /** Bytes a holder of a PUT URL uploads (its length is the signed content-length when there is one). */
  payload: Buffer;
}

/** Handler configurations: permissive, and one with every policy rule on. */
export function configs(ossOrigin: string): Record<string, string>[] {
  return [
    { OSS_BUCKET: BUCKET, ALLOWED_BUCKETS: OTHER_BUCKET, OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: ossOrigin },
    {
      OSS_BUCKET: BUCKET, OSS_REGION: 'cn-hangzhou', OSS_ENDPOINT: ossOrigin,
      ALLOWED_KEY_PREFIXES: 'uploads/,媒体/', ALLOWED_CONTENT_TYPES: 'image/*,text/plain', MAX_CONTENT_LENGTH: '4096', FORCE_FORBID_OVERWRITE: 'true',
      AUTH_TOKEN_SHA256: createHash('sha256').update(AUTH_TOKEN).digest('hex'), CORS_ALLOW_ORIGINS: 'https://app.example', PRESIGN_MAX_EXPIRES: '3600',
    },
  ];
}

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
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom('', 'uploads/', '媒体/', 'docs/', '/', '\\'), fc.array(keyPiece, { maxLength: 12 })).map(([p, parts]) => p + parts.join('')) },
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
  fc.string({ maxLength: 20 }),
);
const printable = fc.stringMatching(/^[ -~]{0,24}$/);
const metaName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,12}$/), fc.string({ maxLength: 8 }), fc.constantFrom('Owner', 'x_y', '-a', 'a b', '中'));
const metadata: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(metaName, fc.oneof({ weight: 4, arbitrary: printable }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.constant(null)), { maxKeys: 2 })) },
);
const tagging: fc.Arbitrary<Json> = fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('a+b', 'a&b', 'a=b', '中', ' ')), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('x+y', '&', '=', '中文')), { maxKeys: 3 });

function optional<T>(arb: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq });
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
  process: optional(fc.constantFrom('image/resize,w_200', 'image/resize,w_200/quality,q_80', 'video/snapshot,t_0', 'a+b c', '')),
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
  { weight: 3, arbitrary: fc.constantFrom(' ', '+', '%', '%2B', '#', '?', '&', '=', '~', '*', "'", '(', ')', '!', '@', '$', ',', ';', ':', '"', '<', '>', '|', '^', '`', '{', '}', '[', ']', '中文', 'é', 'e\u0301', '😀', '👩‍👩‍👧', '🏳️‍🌈', 'ﬀ', '𝔘', 'sub/', '.x', 'a.b') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }) },
);
const cleanKey = fc.tuple(fc.constantFrom('uploads/', '媒体/', 'uploads/deep/'), fc.array(cleanPiece, { minLength: 1, maxLength: 10 })).map(([p, parts]) => p + parts.join(''));
const cleanMime = fc.constantFrom('image/png', 'image/jpeg', 'text/plain', 'text/plain; charset=utf-8', 'image/svg+xml', 'text/plain;charset=UTF-8');
const cleanMeta = fc.dictionary(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), printable, { maxKeys: 3 });
const cleanPut: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  key: cleanKey,
  expires: optional(fc.integer({ min: 1, max: 4000 }), 4),
  minExpires: optional(fc.integer({ min: 1, max: 60 }), 1),
  contentType: cleanMime,
  contentLength: fc.integer({ min: 0, max: 3000 }),
  md5: fc.boolean(),
  storageClass: optional(fc.constantFrom('Standard', 'IA'), 1),
  acl: optional(fc.constantFrom('default', 'private', 'public-read'), 1),
  serverSideEncryption: optional(fc.constantFrom('AES256'), 1),
  metadata: optional(cleanMeta),
  tagging: optional(fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9 +=&中]{1,6}$/), fc.stringMatching(/^[a-zA-Z0-9 +=&中]{0,6}$/), { maxKeys: 2 }), 1),
  forbidOverwrite: optional(fc.boolean(), 1),
  fill: fc.integer({ min: 0, max: 255 }),
}).map(({ md5, fill, ...fields }) => {
  const payload = Buffer.alloc(fields.contentLength, fill);
  return { request: compact({ ...fields, contentMd5: md5 ? createHash('md5').update(payload).digest('base64') : undefined }), payload };
});
const cleanGet: fc.Arbitrary<{ request: { [k: string]: Json }; payload: Buffer }> = fc.record({
  key: cleanKey,
  expires: optional(fc.integer({ min: 1, max: 4000 }), 4),
  method: optional(fc.constantFrom('GET', 'HEAD'), 2),
  versionId: optional(fc.constant('null'), 1),
  process: optional(fc.constantFrom('image/resize,w_200', 'image/resize,w_200/quality,q_80'), 1),
  trafficLimit: optional(fc.integer({ min: 819200, max: 838860800 }), 1),
  response: optional(fc.record({
    filename: optional(fc.oneof(cleanPiece, fc.constantFrom('报告 2024.pdf', 'a"b.txt', '😀.png'))),
    disposition: optional(fc.constantFrom('attachment', 'inline')),
    contentType: optional(cleanMime),
    cacheControl: optional(fc.constantFrom('no-cache', 'max-age=60, private')),
    contentLanguage: optional(fc.constantFrom('en', 'zh-CN')),
  }).map(compact), 2),
}).map((fields) => ({ request: compact(fields), payload: Buffer.alloc(0) }));

const headerExtras = fc.record({
  auth: fc.constantFrom('right', 'right', 'right', 'right', 'wrong', 'none', 'malformed'),
  origin: optional(fc.constantFrom('https://app.example', 'https://evil.example', 'null'), 1),
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

const shapes: Shape[] = ['direct', 'http-post', 'http-get', 'api-gateway', 'cloudevent', 'mns-batch', 'batch', 'garbage'];

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  op: fc.constantFrom<Op>('put', 'get'),
  config: fc.nat(1),
  shape: fc.constantFrom(...shapes),
  put: fc.oneof({ weight: 2, arbitrary: cleanPut }, { weight: 1, arbitrary: putRequest }),
  get: fc.oneof({ weight: 2, arbitrary: cleanGet }, { weight: 1, arbitrary: getRequest }),
  more: fc.array(fc.oneof(cleanPut, cleanGet, putRequest, getRequest), { maxLength: 3 }),
  headers: headerExtras,
  queryExtra: fc.dictionary(fc.constantFrom('x', 'expires', 'key', 'response.filename', 'a[b]', ''), fc.string({ maxLength: 6 }), { maxKeys: 1 }),
  garbage,
}).map(({ op, config, shape, put, get, more, headers, queryExtra, garbage: junk }): FuzzCase => {
  const { request, payload } = op === 'put' ? put : get;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const body = JSON.stringify(request);
  let event: Buffer;
  switch (shape) {
    case 'direct': event = json(request); break;
    case 'http-post': event = json(httpEventOf(op, body, Object.keys(queryExtra).includes('x') ? queryExtra : {}, headers)); break;
    case 'http-get': event = json(httpEventOf(op, null, toQuery(request, queryExtra), headers, 'GET')); break;
    case 'api-gateway': event = json({ path: `/presign/${op}`, httpMethod: headers.method, headers: { 'Content-Type': 'application/json', ...authHeader(headers.auth) }, queryParameters: queryExtra, pathParameters: {}, body: headers.base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: headers.base64 }); break;
    case 'cloudevent': event = json({ specversion: '1.0', id: 'ev-1', source: 'acs:custom', type: 'presign', data: request }); break;
    case 'mns-batch': event = json([request, ...more.map((m) => m.request)].map((r, i) => ({ specversion: '1.0', id: String(i), source: 'MNS-q', type: 'mns:Queue:SendMessage', data: { requestId: 'r', messageId: `m${i}`, messageBody: JSON.stringify(r) } }))); break;
    case 'batch': event = json({ requests: [request, ...more.map((m) => m.request)] }); break;
    case 'garbage': event = junk; break;
  }
  return { op, config, shape, event, payload };
});

// ---------- running and checking ----------

export interface Rig {
  oss: LocalOss;
  handlers: Record<Op, FcHandler>[];
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
  const handlers = configs(oss.origin).map((env) => ({
    put: createHandler(putOperation, { env, log: () => undefined, now }),
    get: createHandler(getOperation, { env, log: () => undefined, now }),
  }));
  return { oss, handlers, close: () => oss.close() };
}

const context = () => ({ requestId: 'req-fuzz', region: 'cn-hangzhou', credentials: { ...CREDENTIALS }, function: { name: 'fuzz' } }) as never;

export interface Stats {
  runs: number;
  byShape: Record<string, number>;
  successes: number;
  rejections: Record<string, number>;
  roundTrips: Record<string, number>;
  skippedRoundTrips: number;
}
export const newStats = (): Stats => ({ runs: 0, byShape: {}, successes: 0, rejections: {}, roundTrips: {}, skippedRoundTrips: 0 });

interface Success { method: string; url: string; expiresIn: number; expiration: string; signedHeaders: Record<string, string>; bucket: string; key: string }

class FuzzFailure extends Error {}
function fail(message: string, detail: unknown): never {
  throw new FuzzFailure(`${message}: ${JSON.stringify(detail)?.slice(0, 600)}`);
}

function checkError(error: unknown, status: number | undefined, stats: Stats): void {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || typeof e.message !== 'string' || e.message === '') fail('an error without code and message', error);
  const expected = REJECTIONS[e.code];
  if (expected === undefined) fail('an error code that is not a documented 4xx', error);
  if (status !== undefined && status !== expected) fail(`HTTP status ${status} for ${e.code} (documented ${expected})`, error);
  stats.rejections[e.code] = (stats.rejections[e.code] ?? 0) + 1;
}

function checkSuccess(answer: Record<string, unknown>): Success {
  const s = answer as unknown as Success;
  if (!['PUT', 'GET', 'HEAD'].includes(s.method)) fail('a success without a method', answer);
  if (typeof s.url !== 'string') fail('a success without a url', answer);
  if ([...s.url].some((ch) => ch === '+' || ch <= ' ' || ch >= '\u007f')) fail('a URL with a raw +, space, control or non-ASCII character', s.url);
  const url = new URL(s.url);
  if (url.searchParams.get('x-oss-signature-version') !== 'OSS4-HMAC-SHA256') fail('not a V4 URL', s.url);
  if (!Number.isInteger(s.expiresIn) || s.expiresIn < 1 || s.expiresIn > 604800 || url.searchParams.get('x-oss-expires') !== String(s.expiresIn)) fail('expiresIn out of range or not the signed x-oss-expires', answer);
  if (url.searchParams.get('x-oss-security-token') !== CREDENTIALS.securityToken) fail('the token is not in the query', s.url);
  if (typeof s.signedHeaders !== 'object' || s.signedHeaders === null || Object.values(s.signedHeaders).some((v) => typeof v !== 'string')) fail('signedHeaders not a map of strings', answer);
  return s;
}

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
  } else if (shape === 'http-post' || shape === 'http-get' || shape === 'api-gateway') {
    // Shape may be misclassified only for garbage; these shapes are always HTTP.
    fail('an HTTP event not answered in the HTTP response shape', a);
  }
  if (Array.isArray(body.results)) return (body.results as Record<string, unknown>[]).map((r) => ({ status: undefined, body: r }));
  return [{ status, body }];
}

function send(target: Success, payload: Buffer): Promise<{ status: number; text: string }> {
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

/** One case: invoke, check every item, and use a sample of the successes for real. */
export async function runCase(rig: Rig, c: FuzzCase, stats: Stats, sampleEvery: number): Promise<void> {
  stats.runs += 1;
  stats.byShape[c.shape] = (stats.byShape[c.shape] ?? 0) + 1;
  const handlers = rig.handlers[c.config]!;
  const handler = handlers[c.op];
  let answer: unknown;
  try {
    answer = await handler(c.event, context());
  } catch (error) {
    fail('the handler threw', String(error));
  }
  if (JSON.stringify(answer) === undefined) fail('an answer that is not JSON', String(answer));
  for (const item of items(c.shape, answer)) {
    if ('error' in item.body) {
      if ('url' in item.body) fail('an error answer with a url', item.body);
      checkError(item.body.error, item.status, stats);
      continue;
    }
    if (item.status !== undefined && item.status !== 200) fail(`HTTP ${item.status} without an error`, item.body);
    const success = checkSuccess(item.body);
    stats.successes += 1;
    if (stats.successes % sampleEvery === 0) await roundTrip(success, c.payload, stats, handlers.get);
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
    `successes: ${stats.successes}; rejections: ${sorted(stats.rejections)}`,
    `OSS round trips: ${Object.values(stats.roundTrips).reduce((a, b) => a + b, 0)} (${sorted(stats.roundTrips)}); skipped (length/MD5 for other bytes): ${stats.skippedRoundTrips}`,
  ].join('\n');
}
