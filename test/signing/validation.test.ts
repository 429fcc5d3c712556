import { ServiceError } from '../../shared/errors';
import { presign, type PresignInput } from '../../shared/signing';

const SECRET = 'SECRET-must-never-appear-0123456789';
const valid: PresignInput = {
  method: 'PUT',
  bucket: 'my-bucket',
  key: 'uploads/a.png',
  region: 'cn-hangzhou',
  credentials: { accessKeyId: 'LTAI5tExample', accessKeySecret: SECRET },
  expires: 900,
  headers: { 'content-type': 'image/png' },
  now: () => Date.UTC(2026, 10, 22, 3, 0, 0),
};

function failure(change: Partial<PresignInput> | ((i: PresignInput) => PresignInput)): ServiceError {
  const input = typeof change === 'function' ? change({ ...valid }) : { ...valid, ...change };
  try {
    presign(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return error as ServiceError;
  }
  throw new Error('expected presign to refuse the input');
}

describe('presign refuses bad input with a 400 naming the field and the rule', () => {
  const cases: [string, Partial<PresignInput> | ((i: PresignInput) => PresignInput), string, RegExp][] = [
    ['bucket too short', { bucket: 'ab' }, 'bucket', /3-63/],
    ['bucket too long', { bucket: 'a'.repeat(64) }, 'bucket', /3-63/],
    ['bucket uppercase', { bucket: 'MyBucket' }, 'bucket', /lowercase/],
    ['bucket leading hyphen', { bucket: '-bucket' }, 'bucket', /starting and ending/],
    ['bucket trailing hyphen', { bucket: 'bucket-' }, 'bucket', /starting and ending/],
    ['bucket with dot', { bucket: 'my.bucket' }, 'bucket', /hyphens/],
    ['bucket read as punycode', { bucket: 'xn--0' }, 'bucket', /punycode/],
    ['bucket not a string', { bucket: 42 as unknown as string }, 'bucket', /3-63/],
    ['empty key', { key: '' }, 'key', /non-empty/],
    ['key over 1023 bytes', { key: '中'.repeat(342) }, 'key', /1023 bytes/],
    ['key with leading slash', { key: '/a.txt' }, 'key', /start with/],
    ['key with leading backslash', { key: '\\a.txt' }, 'key', /start with/],
    ['key with newline', { key: 'a\nb' }, 'key', /control/],
    ['key with NUL', { key: 'a\u0000b' }, 'key', /control/],
    ['key with DEL', { key: 'a\u007fb' }, 'key', /control/],
    ['key with lone surrogate', { key: 'a\ud800b' }, 'key', /Unicode/],
    ['key with .. segment', { key: 'a/../b' }, 'key', /"\.\."/],
    ['key that is .', { key: '.' }, 'key', /"\."/],
    ['expires 0', { expires: 0 }, 'expires', /1 to 604800/],
    ['expires negative', { expires: -5 }, 'expires', /1 to 604800/],
    ['expires over 7 days', { expires: 604801 }, 'expires', /7 days/],
    ['expires fractional', { expires: 1.5 }, 'expires', /whole number/],
    ['expires NaN', { expires: Number.NaN }, 'expires', /whole number/],
    ['expires as string', { expires: '60' as unknown as number }, 'expires', /whole number/],
    ['unknown method', { method: 'PATCH' as PresignInput['method'] }, 'method', /GET, PUT/],
    ['lowercase method', { method: 'get' as PresignInput['method'] }, 'method', /GET, PUT/],
    ['bad region', { region: 'Hangzhou!' }, 'region', /cn-hangzhou/],
    ['missing credentials', { credentials: undefined as unknown as PresignInput['credentials'] }, 'credentials', /required/],
    ['empty access key id', { credentials: { accessKeyId: '', accessKeySecret: SECRET } }, 'credentials.accessKeyId', /non-empty/],
    ['access key id with slash', { credentials: { accessKeyId: 'a/b', accessKeySecret: SECRET } }, 'credentials.accessKeyId', /"\/"/],
    ['empty secret', { credentials: { accessKeyId: 'ak', accessKeySecret: '' } }, 'credentials.accessKeySecret', /non-empty/],
    ['token not a string', { credentials: { accessKeyId: 'ak', accessKeySecret: SECRET, securityToken: 5 as unknown as string } }, 'credentials.securityToken', /string/],
    ['header value with CRLF', { headers: { 'x-oss-meta-a': 'x\r\nInjected: 1' } }, 'headers.x-oss-meta-a', /printable ASCII/],
    ['header value non-ASCII', { headers: { 'x-oss-meta-a': '中文' } }, 'headers.x-oss-meta-a', /percent-encode/],
    ['header value empty', { headers: { 'content-type': '  ' } }, 'headers.content-type', /not be empty/],
    ['header name not a token', { headers: { 'bad header': 'x' } }, 'headers.bad header', /tokens/],
    ['header given twice', { headers: { 'Content-Type': 'a/b', 'content-type': 'a/b' } }, 'headers.content-type', /twice/],
    ['additional header absent', { additionalHeaders: ['content-length'] }, 'additionalHeaders', /content-length/],
    ['signer query name', { query: { 'x-oss-signature': 'x' } }, 'query.x-oss-signature', /set by the signer/],
    ['signer query name in capitals', { query: { 'X-OSS-Expires': '1' } }, 'query.X-OSS-Expires', /set by the signer/],
    ['token query name', { query: { 'x-oss-security-token': 'x' } }, 'query.x-oss-security-token', /set by the signer/],
    ['empty query name', { query: { '': 'x' } }, 'query', /non-empty/],
    ['query value with lone surrogate', { query: { 'response-content-disposition': '\udc00' } }, 'query.response-content-disposition', /Unicode/],
    ['cname origin with a path', { endpoint: { kind: 'cname', origin: 'https://cdn.example.com/base' } }, 'endpoint.origin', /no path/],
    ['custom origin not a URL', { endpoint: { kind: 'custom', origin: 'not a url' } }, 'endpoint.origin', /absolute/],
    ['custom origin ftp', { endpoint: { kind: 'custom', origin: 'ftp://example.com' } }, 'endpoint.origin', /http\(s\)/],
    ['unknown endpoint kind', { endpoint: { kind: 'weird' } as unknown as PresignInput['endpoint'] }, 'endpoint', /public, internal/],
    ['bad cloudbox id', { cloudBoxId: 'box' }, 'cloudBoxId', /cb-/],
    ['clock returning NaN', { now: () => Number.NaN }, 'now', /milliseconds/],
  ];

  it.each(cases)('%s', (_name, change, field, rule) => {
    const error = failure(change);
    expect(error.status).toBe(400);
    expect(error.code).toBe('InvalidArgument');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(rule);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it('accepts the boundaries', () => {
    expect(presign({ ...valid, expires: 1 }).expiresIn).toBe(1);
    expect(presign({ ...valid, expires: 604800 }).expiresIn).toBe(604800);
    expect(presign({ ...valid, bucket: 'abc' }).url).toContain('abc.oss-cn-hangzhou');
    expect(presign({ ...valid, bucket: `a${'b'.repeat(61)}c` }).url).toContain('https://abbb');
    expect(presign({ ...valid, key: '中'.repeat(341) }).url).toContain('%E4%B8%AD');
    expect(presign({ ...valid, key: 'a..b/.hidden/...' }).url).toContain('/a..b/.hidden/...?');
  });
});

describe('endpoint styles', () => {
  const urlFor = (endpoint: PresignInput['endpoint'], extra: Partial<PresignInput> = {}) => new URL(presign({ ...valid, endpoint, ...extra }).url);

  it('public, virtual-hosted, https by default', () => {
    const url = urlFor(undefined, { region: 'oss-cn-shanghai' });
    expect(url.origin).toBe('https://my-bucket.oss-cn-shanghai.aliyuncs.com');
    expect(url.pathname).toBe('/uploads/a.png');
    expect(url.searchParams.get('x-oss-credential')).toBe('LTAI5tExample/20261122/cn-shanghai/oss/aliyun_v4_request');
  });

  it('internal and accelerate', () => {
    expect(urlFor({ kind: 'internal' }).origin).toBe('https://my-bucket.oss-cn-hangzhou-internal.aliyuncs.com');
    expect(urlFor({ kind: 'accelerate' }).origin).toBe('https://my-bucket.oss-accelerate.aliyuncs.com');
  });

  it('a CNAME keeps the bucket out of host and path but not out of the signature', () => {
    const cname = presign({ ...valid, endpoint: { kind: 'cname', origin: 'https://img.example.com' } });
    const path = presign({ ...valid, endpoint: { kind: 'custom', origin: 'https://oss-cn-hangzhou.aliyuncs.com', pathStyle: true } });
    expect(new URL(cname.url).origin).toBe('https://img.example.com');
    expect(new URL(cname.url).pathname).toBe('/uploads/a.png');
    expect(new URL(path.url).pathname).toBe('/my-bucket/uploads/a.png');
    expect(new URL(cname.url).searchParams.get('x-oss-signature')).toBe(new URL(path.url).searchParams.get('x-oss-signature'));
  });

  it('IP addresses are always path style, localhost by default; other custom origins are virtual-hosted unless told otherwise', () => {
    expect(urlFor({ kind: 'custom', origin: 'http://127.0.0.1:9000' }).href.startsWith('http://127.0.0.1:9000/my-bucket/uploads/a.png?')).toBe(true);
    expect(urlFor({ kind: 'custom', origin: 'http://localhost:9000' }).pathname).toBe('/my-bucket/uploads/a.png');
    expect(urlFor({ kind: 'custom', origin: 'http://[::1]:9000' }).pathname).toBe('/my-bucket/uploads/a.png');
    expect(urlFor({ kind: 'custom', origin: 'https://oss-cn-hangzhou-internal.aliyuncs.com' }).origin).toBe('https://my-bucket.oss-cn-hangzhou-internal.aliyuncs.com');
    expect(urlFor({ kind: 'custom', origin: 'http://127.0.0.1:9000', pathStyle: false }).pathname).toBe('/my-bucket/uploads/a.png');
    expect(urlFor({ kind: 'custom', origin: 'http://localhost:9000', pathStyle: false }).host).toBe('my-bucket.localhost:9000');
  });

  it('signs host from the URL when asked to, and reports it among the headers to send', () => {
    const result = presign({ ...valid, additionalHeaders: ['Host'], endpoint: { kind: 'custom', origin: 'http://127.0.0.1:9000' } });
    expect(result.signedHeaders).toEqual({ 'content-type': 'image/png', host: '127.0.0.1:9000' });
    expect(new URL(result.url).searchParams.get('x-oss-additional-headers')).toBe('host');
  });
});

describe('what the holder must send', () => {
  it('lists signed headers with trimmed values and leaves unsigned ones out', () => {
    const result = presign({
      ...valid,
      headers: { 'Content-Type': ' image/png ', 'X-OSS-Meta-Owner': 'ana', 'Cache-Control': 'no-cache', 'content-length': 12 },
      additionalHeaders: ['content-length', 'CONTENT-LENGTH', 'x-oss-meta-owner'],
    });
    expect(result.signedHeaders).toEqual({ 'content-type': 'image/png', 'x-oss-meta-owner': 'ana', 'content-length': '12' });
    expect(new URL(result.url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
  });

  it('signs the STS token into the query, percent-encoded', () => {
    const token = 'CAIS+abc/def==';
    const result = presign({ ...valid, credentials: { ...valid.credentials, securityToken: token } });
    expect(result.url).toContain('x-oss-security-token=CAIS%2Babc%2Fdef%3D%3D');
    expect(new URL(result.url).searchParams.get('x-oss-security-token')).toBe(token);
  });

  it('treats an empty token as no token (a long-term key)', () => {
    const result = presign({ ...valid, credentials: { ...valid.credentials, securityToken: '' } });
    expect(new URL(result.url).searchParams.has('x-oss-security-token')).toBe(false);
  });

  it('emits an empty query value as a bare key (?uploads)', () => {
    const result = presign({ ...valid, method: 'POST', query: { uploads: '' } });
    expect(result.url).toMatch(/\?uploads&/);
  });

  it('never leaks the secret into the URL', () => {
    expect(presign(valid).url).not.toContain(SECRET);
  });
});
