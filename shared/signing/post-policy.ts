import { invalidArgument } from '../errors';
import { credentialScope } from './canonical';
import { formatDateTime } from './clock';
import { ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_SECURITY_TOKEN, Q_SIGNATURE, Q_SIGNATURE_VERSION } from './constants';
import { signatureHex, signingKey } from './signing-key';
import type { SigningCredentials } from './types';
import { checkAccessKeyId, checkAccessKeySecret, standardRegion } from './validate';

/**
 * PostObject (browser form upload) with a V4 policy. The policy is a JSON document of an expiration and conditions;
 * the form carries it base64-encoded, and the signature is the hex HMAC-SHA256 of that base64 text under the same
 * V4 signing key a presigned URL uses (the string to sign is the base64 policy itself, nothing else). Pure: no I/O,
 * the clock is an argument.
 */

/** `{ "field": "value" }` (exact match) or `[op, ...args]` (eq, starts-with, in, not-in, content-length-range). */
export type PostPolicyCondition = Readonly<Record<string, string>> | readonly (string | number | readonly string[])[];

export interface PostPolicyDocument {
  /** ISO 8601 UTC, e.g. 2024-01-01T12:00:00.000Z. */
  expiration: string;
  conditions: PostPolicyCondition[];
}

/** The form fields V4 adds besides the policy. A V4 policy must bind each of them with a condition. */
export interface PostSignatureFields {
  'x-oss-signature-version': string;
  'x-oss-credential': string;
  'x-oss-date': string;
  'x-oss-security-token'?: string;
}

export interface PostPolicyCredentialsInput {
  credentials: SigningCredentials;
  /** `cn-hangzhou` or `oss-cn-hangzhou`. */
  region: string;
  /** The signing instant, milliseconds since the epoch. The same value must be given to signPostPolicy. */
  nowMs: number;
}

function checked(input: PostPolicyCredentialsInput): { accessKeyId: string; accessKeySecret: string; securityToken: string | undefined; region: string; dateTime: string } {
  const { credentials } = input;
  if (!credentials || typeof credentials !== 'object') throw invalidArgument('credentials', 'credentials with accessKeyId and accessKeySecret are required');
  if (!Number.isFinite(input.nowMs)) throw invalidArgument('now', 'the clock must return milliseconds since the epoch');
  const token = credentials.securityToken;
  if (token !== undefined && (typeof token !== 'string' || !token.isWellFormed())) throw invalidArgument('credentials.securityToken', 'securityToken must be a string');
  return {
    accessKeyId: checkAccessKeyId(credentials.accessKeyId),
    accessKeySecret: checkAccessKeySecret(credentials.accessKeySecret),
    securityToken: token === '' ? undefined : token,
    region: standardRegion(input.region),
    dateTime: formatDateTime(input.nowMs),
  };
}

/** x-oss-signature-version, x-oss-credential, x-oss-date (and x-oss-security-token for an STS key) for this instant. */
export function postSignatureFields(input: PostPolicyCredentialsInput): PostSignatureFields {
  const { accessKeyId, securityToken, region, dateTime } = checked(input);
  return {
    [Q_SIGNATURE_VERSION]: ALGORITHM,
    [Q_CREDENTIAL]: `${accessKeyId}/${credentialScope(dateTime.slice(0, 8), region)}`,
    [Q_DATE]: dateTime,
    ...(securityToken ? { [Q_SECURITY_TOKEN]: securityToken } : {}),
  };
}

export interface SignedPostPolicy {
  /** The `policy` form field: base64 of the policy's UTF-8 JSON. */
  policy: string;
  /** The `x-oss-signature` form field. */
  signature: string;
}

/**
 * Signs a policy. An object is serialised with JSON.stringify as is (so the signature matches ali-oss's
 * signPostObjectPolicyV4 for the same object); a string is signed byte for byte as given.
 */
export function signPostPolicy(policy: PostPolicyDocument | string, input: PostPolicyCredentialsInput): SignedPostPolicy {
  const { accessKeyId, accessKeySecret, region, dateTime } = checked(input);
  const json = typeof policy === 'string' ? policy : JSON.stringify(policy);
  if (!json.isWellFormed()) throw invalidArgument('policy', 'the policy must be valid Unicode');
  const encoded = Buffer.from(json, 'utf8').toString('base64');
  const key = signingKey(input.credentials, accessKeyId, accessKeySecret, dateTime.slice(0, 8), region);
  return { policy: encoded, signature: signatureHex(key, encoded) };
}

export const POST_SIGNATURE_FIELD = Q_SIGNATURE;
