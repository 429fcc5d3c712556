import { redact } from '../../shared/credentials';
import { percentEncode, rpcStringToSign } from '../../shared/credentials/rpc-signature';

// Characters that every encoding treats differently: / + = space, RFC 3986's extra ! ' ( ) *, and non-ASCII.
const SECRET = "sec/ret+K=y !it's(a)*~é-DO-NOT-LEAK";
const TOKEN = 'CAIS/token+with=padding==';

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const forms = (s: string) => ({
  raw: s,
  uri: encodeURIComponent(s),
  uriTwice: encodeURIComponent(encodeURIComponent(s)),
  rfc: rfc3986(s),
  rfcTwice: rfc3986(rfc3986(s)),
  lowerHex: encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
});

describe('redact', () => {
  test.each(Object.entries(forms(SECRET)))('removes the %s form of a secret', (_name, form) => {
    const text = `before ${form} after`;
    expect(redact(text, [SECRET])).toBe('before [REDACTED] after');
  });

  test('the encoded forms really differ from the raw one (so the cases above test something)', () => {
    expect(new Set(Object.values(forms(SECRET))).size).toBe(6);
  });

  test('an STS-style echo of the string to sign (values encoded, then the whole encoded again) keeps no trace of the token', () => {
    const stringToSign = rpcStringToSign('POST', { AccessKeyId: 'STS.caller', SecurityToken: TOKEN, Action: 'AssumeRole' });
    expect(stringToSign).toContain(percentEncode(percentEncode(TOKEN)));
    const echoed = `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`;
    const out = redact(echoed, [SECRET, TOKEN]);
    for (const form of Object.values(forms(TOKEN))) expect(out).not.toContain(form);
    expect(out).toContain('SecurityToken%3D[REDACTED]');
    expect(out).toContain('AccessKeyId%3DSTS.caller');
  });

  test('every form in one text, several times; other text and short or missing secrets are left alone', () => {
    const all = Object.values(forms(SECRET)).join(' | ');
    const out = redact(`${all} ${all}`, [SECRET, undefined, 'abc']);
    const six = Array(6).fill('[REDACTED]').join(' | ');
    expect(out).toBe(`${six} ${six}`);
    expect(redact('abc is short', ['abc'])).toBe('abc is short');
    expect(redact('nothing secret here', [SECRET, TOKEN])).toBe('nothing secret here');
  });
});
