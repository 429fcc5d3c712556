import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CredentialStore } from '../local-cloud/credential-store';

/**
 * Checks the signature on an InvokeFunction API call, as FC does, against the keys in a CredentialStore.
 *
 * FC 2.0 (`@alicloud/fc2` 2.6.6, lib/client.js + lib/helper.js, read in the published package):
 *   Authorization: `FC <AccessKeyId>:<base64 HMAC-SHA256(secret, stringToSign)>`,
 *   stringToSign = METHOD \n content-md5 \n content-type \n date \n <x-fc-* headers, lower-cased, sorted, `k:v\n`>
 *                  /2016-08-15/services/<service>/functions/<fn>/invocations   (the path as the client built it)
 *   STS keys send `x-fc-security-token` (so it is signed too).
 * FC 3.0 (`@alicloud/openapi-core`, utils getAuthorization, used by `@alicloud/fc20230330`): ACS3-HMAC-SHA256,
 *   canonical request = METHOD \n path \n sorted query (RFC 3986) \n signed headers `k:v\n` \n signed names \n
 *   x-acs-content-sha256, string to sign = `ACS3-HMAC-SHA256\n` + hex SHA-256 of it, signature hex HMAC-SHA256.
 *   STS keys send `x-acs-security-token`.
 * Both: unknown key, a temporary key whose token is missing, wrong or expired, a date more than 15 minutes off, or a
 * wrong signature are refused with FC's error shape. Content-MD5 / x-acs-content-sha256 are checked against the body.
 */
export class InvokeAuthError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface AuthInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer;
  store: CredentialStore;
  now: number;
}

const SKEW_MS = 15 * 60_000;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function lookup(store: CredentialStore, accessKeyId: string, token: string | undefined, now: number): string {
  const cred = store.lookup(accessKeyId);
  if (!cred) throw new InvokeAuthError(403, 'InvalidAccessKeyID', `invalid access key ID '${accessKeyId}'`);
  if (cred.securityToken !== undefined) {
    if (token === undefined || !safeEqual(token, cred.securityToken)) throw new InvokeAuthError(403, 'InvalidSecurityToken', 'the security token you provided is invalid');
    if (cred.expiration && cred.expiration.getTime() <= now) throw new InvokeAuthError(403, 'SecurityTokenExpired', 'the security token you provided has expired');
  }
  return cred.accessKeySecret;
}

function checkDate(raw: string | undefined, now: number, header: string): void {
  const at = raw === undefined ? NaN : Date.parse(raw);
  if (!Number.isFinite(at)) throw new InvokeAuthError(400, 'MissingRequiredHeader', `required HTTP header ${header} was not specified`);
  if (Math.abs(at - now) > SKEW_MS) throw new InvokeAuthError(403, 'RequestTimeTooSkewed', `the difference between the request time '${raw}' and the current time is too large`);
}

export function fc2StringToSign(method: string, path: string, headers: Record<string, string>): string {
  const fc = Object.keys(headers).filter((k) => k.startsWith('x-fc-')).sort();
  const canonical = fc.map((k) => `${k}:${headers[k]}\n`).join('');
  return `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n${canonical}${path}`;
}

function verifyFc2(input: AuthInput, authorization: string): string {
  const m = /^FC ([^:]+):(.+)$/.exec(authorization);
  if (!m) throw new InvokeAuthError(403, 'InvalidAuthorization', 'the Authorization header is not of the form "FC <AccessKeyId>:<signature>"');
  const accessKeyId = m[1]!;
  checkDate(input.headers['date'], input.now, 'Date');
  const secret = lookup(input.store, accessKeyId, input.headers['x-fc-security-token'], input.now);
  const md5 = input.headers['content-md5'];
  if (md5 !== undefined) {
    // fc2 sends base64 of the *hex* digest string (kitx.md5(buff, 'hex') then base64).
    const hex = createHash('md5').update(input.body).digest('hex');
    if (md5 !== Buffer.from(hex, 'utf8').toString('base64') && md5 !== createHash('md5').update(input.body).digest('base64')) {
      throw new InvokeAuthError(400, 'InvalidArgument', 'Content-MD5 does not match the body');
    }
  }
  // The client signs the path as it built it, with its service and function names unescaped.
  let path = input.rawPath;
  try {
    path = decodeURIComponent(input.rawPath);
  } catch {
    /* keep raw */
  }
  const expected = createHmac('sha256', secret).update(fc2StringToSign(input.method, path, input.headers), 'utf8').digest('base64');
  if (!safeEqual(expected, m[2]!)) throw new InvokeAuthError(403, 'SignatureNotMatch', 'the request signature we calculated does not match the signature you provided');
  return accessKeyId;
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function acs3CanonicalRequest(input: Pick<AuthInput, 'method' | 'rawPath' | 'rawQuery' | 'headers'>, signedHeaders: string[], payloadHash: string): string {
  const pairs: [string, string][] = [];
  for (const part of input.rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const v = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1));
    pairs.push([k, v]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([k, v]) => `${k}=${rfc3986(v)}`).join('&');
  const headerLines = signedHeaders.map((h) => `${h}:${(input.headers[h] ?? '').trim()}\n`).join('');
  return `${input.method}\n${input.rawPath}\n${query}\n${headerLines}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

function verifyAcs3(input: AuthInput, authorization: string): string {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(authorization);
  if (!m) throw new InvokeAuthError(400, 'InvalidAuthorization', 'the Authorization header is not a valid ACS3-HMAC-SHA256 authorization');
  const accessKeyId = m[1]!;
  const signed = m[2]!.split(';').filter((s) => s !== '');
  for (const required of ['host', 'x-acs-content-sha256', 'x-acs-date']) {
    if (!signed.includes(required)) throw new InvokeAuthError(400, 'InvalidAuthorization', `the signed headers must include ${required}`);
  }
  checkDate(input.headers['x-acs-date'], input.now, 'x-acs-date');
  const secret = lookup(input.store, accessKeyId, input.headers['x-acs-security-token'], input.now);
  const payloadHash = createHash('sha256').update(input.body).digest('hex');
  if (input.headers['x-acs-content-sha256'] !== payloadHash) throw new InvokeAuthError(400, 'InvalidArgument', 'x-acs-content-sha256 does not match the body');
  const canonical = acs3CanonicalRequest(input, signed, payloadHash);
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
  if (!safeEqual(expected, m[3]!)) throw new InvokeAuthError(403, 'SignatureDoesNotMatch', 'the request signature we calculated does not match the signature you provided');
  return accessKeyId;
}

/** Returns the caller's AccessKeyId, or throws InvokeAuthError. `api` is which InvokeFunction path was called. */
export function verifyInvokeSignature(api: 'fc2' | 'fc3', input: AuthInput): string {
  const authorization = input.headers['authorization'];
  if (!authorization) throw new InvokeAuthError(400, 'MissingRequiredHeader', 'required HTTP header Authorization was not specified');
  if (api === 'fc2') return verifyFc2(input, authorization);
  return verifyAcs3(input, authorization);
}
