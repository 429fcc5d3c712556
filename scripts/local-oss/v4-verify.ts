/**
 * Decides who sent a request: anonymous, or a V4 signer (presigned query or Authorization header) whose signature,
 * key, token and clock all check out. Every rejection is the OssError OSS itself would answer.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CredentialStore, IssuedCredential } from '../local-cloud/credential-store';
import { OssError } from './errors';
import type { QueryPair } from './encoding';
import {
  ALGORITHM,
  buildCanonicalRequest,
  buildScope,
  buildStringToSign,
  deriveSigningKey,
  normaliseAdditionalHeaders,
  signHex,
} from './v4-canonical';

export const MAX_EXPIRES_SECONDS = 604800;
/** OSS tolerates a signing instant up to 15 minutes ahead of its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface ReceivedRequest {
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: readonly QueryPair[];
  /** Lower-cased names; repeated headers joined with ','. */
  headers: Readonly<Record<string, string>>;
}

export interface AuthContext {
  credentials: CredentialStore;
  region: string;
  now: () => number;
  /** A fault knob: presigned URLs stop working this many seconds after signing, whatever x-oss-expires says. */
  urlLifetimeCap?: () => number | undefined;
}

export type AuthResult =
  | { kind: 'anonymous' }
  | { kind: 'signed'; mode: 'query' | 'header'; accessKeyId: string; signedHeaders: ReadonlySet<string> };

export function isPresigned(query: readonly QueryPair[]): boolean {
  return query.some((p) => p.key === 'x-oss-signature-version' || p.key === 'x-oss-signature' || p.key === 'x-oss-credential');
}

export function authenticate(req: ReceivedRequest, ctx: AuthContext): AuthResult {
  const authorization = req.headers['authorization'];
  if (authorization !== undefined && authorization.startsWith(`${ALGORITHM} `)) return verifyHeaderMode(req, authorization, ctx);
  if (authorization !== undefined && authorization !== '') {
    throw new OssError(400, 'InvalidArgument', 'Authorization header is invalid.', []);
  }
  if (isPresigned(req.query)) return verifyQueryMode(req, ctx);
  return { kind: 'anonymous' };
}

function verifyQueryMode(req: ReceivedRequest, ctx: AuthContext): AuthResult {
  const get = (name: string): string | undefined => req.query.find((p) => p.key === name)?.value;
  const version = get('x-oss-signature-version');
  if (version !== ALGORITHM) {
    throw new OssError(400, 'InvalidArgument', 'Invalid signature version.', [['ArgumentName', 'x-oss-signature-version'], ['ArgumentValue', version ?? '']]);
  }
  const credential = required(get('x-oss-credential'), 'x-oss-credential');
  const dateTime = required(get('x-oss-date'), 'x-oss-date');
  const expiresRaw = required(get('x-oss-expires'), 'x-oss-expires', get('x-oss-expires') === undefined ? '0002-00000215' : '0002-00000216');
  const signature = required(get('x-oss-signature'), 'x-oss-signature');

  if (!/^[0-9]+$/.test(expiresRaw) || Number(expiresRaw) < 1 || Number(expiresRaw) > MAX_EXPIRES_SECONDS) {
    throw new OssError(
      400,
      'InvalidArgument',
      `x-oss-expires must be an integer between 1 and ${MAX_EXPIRES_SECONDS} seconds.`,
      [['ArgumentName', 'x-oss-expires'], ['ArgumentValue', expiresRaw]],
      '0002-00000232',
    );
  }
  const signedAt = parseV4DateTime(dateTime, 'x-oss-date');
  const scope = parseCredential(credential, dateTime, ctx.region);
  const issued = resolveKey(scope.accessKeyId, get('x-oss-security-token'), ctx);

  const now = ctx.now();
  if (signedAt - now > MAX_CLOCK_SKEW_MS) {
    throw new OssError(403, 'AccessDenied', 'Request is not valid yet: x-oss-date is later than the server time.', [
      ['ServerTime', new Date(now).toISOString()],
    ], '0002-00000235');
  }
  const cap = ctx.urlLifetimeCap?.();
  const expiresAt = signedAt + Math.min(Number(expiresRaw), cap ?? Infinity) * 1000;
  if (now > expiresAt) {
    throw new OssError(403, 'AccessDenied', 'Request has expired.', [
      ['Expires', new Date(expiresAt).toISOString()],
      ['ServerTime', new Date(now).toISOString()],
    ], '0002-00000236');
  }

  const additionalHeaders = normaliseAdditionalHeaders(get('x-oss-additional-headers'));
  const query = req.query.filter((p) => p.key !== 'x-oss-signature');
  checkSignature(req, query, additionalHeaders, scope, dateTime, signature, issued);
  return { kind: 'signed', mode: 'query', accessKeyId: issued.accessKeyId, signedHeaders: signedHeaderSet(req.headers, additionalHeaders) };
}

function verifyHeaderMode(req: ReceivedRequest, authorization: string, ctx: AuthContext): AuthResult {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (!credential || !signature) {
    throw new OssError(400, 'InvalidArgument', 'Authorization header is invalid: Credential and Signature are required.', []);
  }
  const dateTime = req.headers['x-oss-date'];
  if (!dateTime) throw new OssError(403, 'AccessDenied', 'x-oss-date header is required for V4 signature.');
  if (!req.headers['x-oss-content-sha256']) {
    throw new OssError(403, 'AccessDenied', 'x-oss-content-sha256 header is required for V4 signature.');
  }
  const signedAt = parseV4DateTime(dateTime, 'x-oss-date');
  const scope = parseCredential(credential, dateTime, ctx.region);
  const issued = resolveKey(scope.accessKeyId, req.headers['x-oss-security-token'], ctx);
  const now = ctx.now();
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', [
      ['RequestTime', new Date(signedAt).toISOString()],
      ['ServerTime', new Date(now).toISOString()],
    ]);
  }
  const additionalHeaders = normaliseAdditionalHeaders(fields.get('AdditionalHeaders'));
  checkSignature(req, req.query, additionalHeaders, scope, dateTime, signature, issued);
  return { kind: 'signed', mode: 'header', accessKeyId: issued.accessKeyId, signedHeaders: signedHeaderSet(req.headers, additionalHeaders) };
}

function checkSignature(
  req: ReceivedRequest,
  query: readonly QueryPair[],
  additionalHeaders: string[],
  scope: ParsedCredential,
  dateTime: string,
  provided: string,
  issued: IssuedCredential,
): void {
  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    bucket: req.bucket,
    key: req.key,
    query,
    headers: req.headers,
    additionalHeaders,
  });
  const stringToSign = buildStringToSign(dateTime, scope.scope, canonicalRequest);
  const expected = signHex(deriveSigningKey(issued.accessKeySecret, scope.date8, scope.region, scope.product), stringToSign);
  if (!constantTimeEqual(expected, provided)) {
    throw new OssError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      [
        ['OSSAccessKeyId', issued.accessKeyId],
        ['SignatureProvided', provided],
        ['StringToSign', stringToSign],
        ['CanonicalRequest', canonicalRequest],
      ],
      '0002-00000201',
    );
  }
}

export interface ParsedCredential {
  accessKeyId: string;
  date8: string;
  region: string;
  product: string;
  scope: string;
}

/** `<ak>/<yyyymmdd>/<region>/oss/aliyun_v4_request`; the date must be the signing day and the region ours. */
export function parseCredential(credential: string, dateTime: string, serverRegion: string): ParsedCredential {
  const parts = credential.split('/');
  const [accessKeyId, date8, region, product, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date8 || !region || !product || terminator !== 'aliyun_v4_request') {
    throw new OssError(400, 'InvalidArgument', 'Invalid credential in x-oss-credential.', [['ArgumentName', 'x-oss-credential'], ['ArgumentValue', credential]]);
  }
  if (product !== 'oss') {
    throw new OssError(400, 'InvalidArgument', `The signing product in credential is invalid: ${product}.`, []);
  }
  if (region !== serverRegion) {
    throw new OssError(400, 'InvalidArgument', 'The signing region in credential is invalid.', [
      ['ArgumentName', 'x-oss-credential'],
      ['ArgumentValue', credential],
    ]);
  }
  if (date8 !== dateTime.slice(0, 8)) {
    throw new OssError(400, 'InvalidArgument', 'The signing date in credential does not match x-oss-date.', [
      ['ArgumentName', 'x-oss-credential'],
      ['ArgumentValue', credential],
    ]);
  }
  return { accessKeyId, date8, region, product, scope: buildScope(date8, region, product) };
}

/** Unknown key → InvalidAccessKeyId; temporary key → the exact token must come along and must not have expired. */
export function resolveKey(accessKeyId: string, token: string | undefined, ctx: AuthContext): IssuedCredential {
  const issued = ctx.credentials.lookup(accessKeyId);
  if (!issued) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', [
      ['OSSAccessKeyId', accessKeyId],
    ]);
  }
  if (issued.securityToken !== undefined || token !== undefined) {
    if (token === undefined || token === '' || issued.securityToken === undefined || !constantTimeEqual(token, issued.securityToken)) {
      throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.', []);
    }
  }
  if (issued.expiration !== undefined && ctx.now() >= issued.expiration.getTime()) {
    throw new OssError(403, 'SecurityTokenExpired', 'The security token you provided has expired.', []);
  }
  return issued;
}

export function parseV4DateTime(value: string, name: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) {
    throw new OssError(400, 'InvalidArgument', `${name} must be in the ISO8601 basic format yyyyMMddTHHmmssZ.`, [
      ['ArgumentName', name],
      ['ArgumentValue', value],
    ]);
  }
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function required(value: string | undefined, name: string, ec?: string): string {
  if (value === undefined || value === '') {
    throw new OssError(400, 'InvalidArgument', `${name} is required for a V4 signed URL.`, [['ArgumentName', name], ['ArgumentValue', value ?? '']], ec);
  }
  return value;
}

function signedHeaderSet(headers: Readonly<Record<string, string>>, additional: readonly string[]): Set<string> {
  const names = new Set(additional);
  for (const name of Object.keys(headers)) if (name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')) names.add(name);
  return names;
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
