import { readServicePolicy } from '../../shared/config/policy';
import { callbackHeaders, checkCallbackUrl, MAX_CALLBACK_HEADER_BYTES } from '../../shared/service/callback';
import type { CallbackRequest } from '../../shared/request/callback';
import { refusal } from '../support/refusal';

/**
 * Where an upload callback may send OSS, and the two headers it travels in: every refusal names the field and the
 * rule, the Host header OSS sends may carry a port, and the 5 KB OSS accepts per header is a hard edge. Unit level
 * (shared/service/callback.ts), written against the mutation report (docs/mutation.md).
 */
const policy = readServicePolicy({ OSS_BUCKET: 'main-bucket', OSS_REGION: 'cn-hangzhou', CALLBACK_URL_ALLOWLIST: 'https://cb.example.com' });
const rule = policy.rules[0]!;
const decode = (header: string | undefined) => (header === undefined ? undefined : (JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as unknown));
const headersFor = (callback: Partial<CallbackRequest>, field?: string) => callbackHeaders({ url: 'https://cb.example.com/x', body: 'a=b', ...callback }, policy, rule, field);

describe('the callback URL', () => {
  it.each([
    ['not a URL at all', 'cb.example.com/x', 'callback.url must be an absolute http(s) URL'],
    ['another scheme', 'ftp://cb.example.com/x', 'callback.url must be an http or https URL'],
    ['credentials in it', 'https://user:pw@cb.example.com/x', 'callback.url must not carry credentials'],
    ['a second URL after ";"', 'https://cb.example.com/x;https://evil.example.net/', 'callback.url must be a single URL, without ";" or spaces'],
    // The WHATWG parser turns the space into %20, so only the raw text still shows it.
    ['a space in the path', 'https://cb.example.com/a b', 'callback.url must be a single URL, without ";" or spaces'],
  ])('%s is refused, naming the rule', (_, url, message) => {
    expect(refusal(() => checkCallbackUrl(url, policy, 'callback.url'))).toMatchObject({ code: 'InvalidArgument', status: 400, field: 'callback.url', message });
  });

  it('an allowed URL comes back as the WHATWG parser writes it', () => {
    expect(checkCallbackUrl('HTTPS://CB.example.com:443/x?y=1', policy, 'callback.url')).toBe('https://cb.example.com/x?y=1');
  });
});

describe('the Host header OSS sends (callback.host)', () => {
  it('may carry a port of several digits: the host name decides, and the header keeps the port', () => {
    const headers = headersFor({ host: 'cb.example.com:8443' });
    expect(decode(headers['x-oss-callback'])).toEqual({ callbackUrl: 'https://cb.example.com/x', callbackBody: 'a=b', callbackHost: 'cb.example.com:8443' });
  });

  it('a host not on CALLBACK_URL_ALLOWLIST is refused, naming the host and the setting', () => {
    expect(refusal(() => headersFor({ host: 'evil.example.net:8443' }, 'form.callback'))).toMatchObject({
      code: 'CallbackHostNotAllowed', status: 403, field: 'form.callback.host', message: 'form.callback.host evil.example.net:8443 is not a host in CALLBACK_URL_ALLOWLIST',
    });
  });
});

describe('the custom variables (x-oss-callback-var)', () => {
  it('travel in their own header only when there are some', () => {
    expect(Object.keys(headersFor({ vars: {} }))).toEqual(['x-oss-callback']);
    const headers = headersFor({ vars: { 'x:user': 'alice' } });
    expect(decode(headers['x-oss-callback-var'])).toEqual({ 'x:user': 'alice' });
  });

  it('too many bytes of them once encoded are refused, naming callback.vars', () => {
    const vars = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`x:v${i}`, 'v'.repeat(250)]));
    expect(refusal(() => headersFor({ vars }))).toMatchObject({
      code: 'InvalidArgument', field: 'callback.vars', message: `callback.vars is over the ${MAX_CALLBACK_HEADER_BYTES} bytes OSS accepts once encoded`,
    });
  });
});

describe('the 5 KB OSS accepts per callback header', () => {
  // {"callbackUrl":"https://cb.example.com/x","callbackBody":"<body>"} is 60 bytes of JSON around the body, and
  // base64 writes 4 characters per 3 bytes: a 3780-byte body encodes to exactly 5120 characters, 3781 to 5124.
  it('exactly 5120 characters pass; the next size up is refused', () => {
    expect(MAX_CALLBACK_HEADER_BYTES).toBe(5120);
    expect(headersFor({ body: 'a'.repeat(3780) })['x-oss-callback']).toHaveLength(5120);
    expect(refusal(() => headersFor({ body: 'a'.repeat(3781) }))).toMatchObject({ field: 'callback', message: 'callback is over the 5120 bytes OSS accepts once encoded' });
  });
});
