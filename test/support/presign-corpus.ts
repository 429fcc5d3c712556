import fc from 'fast-check';
import type { EndpointSpec, PresignInput, PresignMethod, QueryValue } from '../../shared/signing';

/**
 * A generator of realistic-but-nasty presign requests, shared by the ali-oss side-by-side test, the property
 * tests and the benchmarks. Keys mix unicode, emoji, spaces and every character that breaks naive encoders.
 */

const keyFragments = [
  'photos', 'a b', 'a+b', '100%', 'c#sharp', 'what?', 'tilde~', "it's", '(1)', 'star*', 'bang!', '中文', 'файл',
  '😀', '👩‍👩‍👧', 'é', 'ü', 'x=y', 'a&b', 'semi;colon', 'comma,', '[br]', '{cb}', '$dollar', '@at', 'pipe|', 'back`tick',
  'caret^', 'quote"', '<lt>', 'dots..', '.', '..', '-', '_', 'UPPER', 'MiXeD', '日本語のファイル', 'emoji🎉name',
];

const keySegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...keyFragments) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/) },
);

/** Keys OSS accepts: no leading `/` or `\`, no control characters, at most 1023 UTF-8 bytes. */
export const objectKey = fc
  .array(keySegment, { minLength: 1, maxLength: 8 })
  .map((segments) => segments.join('/'))
  .map((key) => key.replace(/[\u0000-\u001f\u007f]/g, '_').replace(/^[/\\]+/, 'k')) // eslint-disable-line no-control-regex
  .filter((key) => key.length > 0 && key.isWellFormed() && Buffer.byteLength(key) <= 1023)
  .filter((key) => !key.split('/').some((segment) => segment === '.' || segment === '..'));

export const bucketName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/).filter((b) => !b.startsWith('xn--'));

const printableAscii = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,30}[\x21-\x7e]$|^[\x21-\x7e]$/);

/** STS tokens are long base64 with `+`, `/`, `=`; about 600 characters in practice. */
export const securityToken = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9+/]{20,600}$/), fc.constantFrom('', '=', '=='))
  .map(([body, pad]) => `CAIS${body}${pad}`);

const contentType = fc.constantFrom(
  'image/png', 'image/jpeg', 'text/plain', 'text/plain; charset=utf-8', 'application/octet-stream',
  'application/json', 'video/mp4', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded',
);

const metadataHeaders = fc.dictionary(
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/).map((n) => `x-oss-meta-${n}`),
  // Surrounding spaces check that both implementations trim.
  fc.tuple(fc.constantFrom('', ' ', '  '), printableAscii, fc.constantFrom('', ' ')).map(([a, b, c]) => `${a}${b}${c}`),
  { maxKeys: 4 },
);

const ossHeaders = fc.record(
  {
    'x-oss-storage-class': fc.constantFrom('Standard', 'IA', 'Archive'),
    'x-oss-object-acl': fc.constantFrom('private', 'public-read', 'default'),
    'x-oss-forbid-overwrite': fc.constant('true'),
    'x-oss-tagging': fc.constantFrom('a=1', 'team=media&env=prod'),
    'x-oss-server-side-encryption': fc.constantFrom('AES256', 'KMS'),
  },
  { requiredKeys: [] },
);

const userQuery: fc.Arbitrary<Record<string, QueryValue>> = fc.record(
  {
    'x-oss-process': fc.constantFrom('image/resize,w_200', 'image/resize,m_fill,h_100,w_100/quality,q_90', 'style/thumb', 'image/watermark,text_5L2g5aW9'),
    versionId: fc.stringMatching(/^CAEQ[A-Za-z0-9+/=]{8,40}$/),
    'response-content-type': contentType,
    'response-content-disposition': fc.constantFrom(
      'attachment',
      'attachment; filename="report.pdf"',
      "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
      'inline; filename="a b+c.txt"',
    ),
    'response-cache-control': fc.constantFrom('no-cache', 'max-age=3600, public'),
    'x-oss-traffic-limit': fc.integer({ min: 819200, max: 838860800 }),
    uploads: fc.constant(null),
    partNumber: fc.integer({ min: 1, max: 10000 }),
    uploadId: fc.stringMatching(/^[0-9A-F]{32}$/),
  },
  { requiredKeys: [] },
);

export const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'us-west-1', 'eu-central-1'];

export type EndpointStyle = 'public' | 'internal' | 'accelerate' | 'cname' | 'path';

export interface CorpusCase {
  input: PresignInput & { headers: Record<string, string>; query: Record<string, QueryValue> };
  style: EndpointStyle;
  /** Region in the form OSS SDKs for Node configure it (`oss-cn-hangzhou`). */
  ossRegion: string;
  /** Whether `host` is listed without a value, leaving the signer to take it from the URL. */
  hostFromUrl: boolean;
}

export const CNAME_ORIGIN = 'https://static.example.com';
export const PATH_STYLE_ORIGIN = 'https://oss-cn-hangzhou.aliyuncs.com';

function endpointFor(style: EndpointStyle): EndpointSpec {
  if (style === 'cname') return { kind: 'cname', origin: CNAME_ORIGIN };
  if (style === 'path') return { kind: 'custom', origin: PATH_STYLE_ORIGIN, pathStyle: true };
  return { kind: style };
}

export const presignCase: fc.Arbitrary<CorpusCase> = fc
  .record({
    method: fc.constantFrom<PresignMethod>('GET', 'PUT', 'HEAD', 'POST', 'DELETE'),
    bucket: bucketName,
    key: objectKey,
    region: fc.constantFrom(...regions),
    prefixedRegion: fc.boolean(),
    accessKeyId: fc.stringMatching(/^(STS\.)?[A-Za-z0-9]{16,30}$/),
    accessKeySecret: fc.stringMatching(/^[A-Za-z0-9]{30}$/),
    token: fc.option(securityToken, { nil: undefined }),
    expires: fc.oneof(fc.integer({ min: 1, max: 604800 }), fc.constantFrom(1, 60, 900, 3600, 604800)),
    nowMs: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
    contentType: fc.option(contentType, { nil: undefined }),
    contentMd5: fc.option(fc.constantFrom('1B2M2Y8AsgTpgAmY7PhCfg==', 'XrY7u+Ae7tCTyyK7j1rNww=='), { nil: undefined }),
    meta: metadataHeaders,
    oss: ossHeaders,
    contentLength: fc.option(fc.integer({ min: 0, max: 5 * 1024 ** 3 }), { nil: undefined }),
    cacheControl: fc.option(fc.constantFrom('no-cache', 'max-age=60'), { nil: undefined }),
    signHost: fc.boolean(),
    hostFromUrl: fc.boolean(),
    query: userQuery,
    style: fc.constantFrom<EndpointStyle>('public', 'public', 'internal', 'accelerate', 'cname', 'path'),
  })
  .map((c): CorpusCase => {
    const headers: Record<string, string> = { ...c.meta, ...c.oss };
    const additionalHeaders: string[] = [];
    if (c.contentType) headers['Content-Type'] = c.contentType;
    if (c.contentMd5) headers['Content-MD5'] = c.contentMd5;
    if (c.contentLength !== undefined) {
      headers['content-length'] = String(c.contentLength);
      additionalHeaders.push('content-length');
    }
    if (c.cacheControl) {
      headers['cache-control'] = c.cacheControl;
      if (c.contentLength === undefined) additionalHeaders.push('Cache-Control');
    }
    if (c.signHost) additionalHeaders.push('host');
    return {
      input: {
        method: c.method,
        bucket: c.bucket,
        key: c.key,
        region: c.prefixedRegion ? `oss-${c.region}` : c.region,
        credentials: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.token ? { securityToken: c.token } : {}) },
        expires: c.expires,
        headers,
        additionalHeaders,
        query: c.query,
        endpoint: endpointFor(c.style),
        now: () => c.nowMs,
      },
      style: c.style,
      ossRegion: `oss-${c.region}`,
      hostFromUrl: c.hostFromUrl,
    };
  });

export function sampleCorpus(count: number, seed = 20261122): CorpusCase[] {
  return fc.sample(presignCase, { numRuns: count, seed });
}
