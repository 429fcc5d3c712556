import { invalidArgument } from '../errors';
import { canonicalHeaders, canonicalQuery, canonicalRequest, credentialScope, stringToSign, type EncodedPair, type HeaderLine } from './canonical';
import { formatDateTime, isoSeconds } from './clock';
import {
  ALGORITHM,
  CLOUDBOX_PRODUCT,
  H_CONTENT_SHA256,
  PRODUCT,
  Q_ADDITIONAL_HEADERS,
  Q_CREDENTIAL,
  Q_DATE,
  Q_EXPIRES,
  Q_SECURITY_TOKEN,
  Q_SIGNATURE,
  Q_SIGNATURE_VERSION,
  UNSIGNED_PAYLOAD,
} from './constants';
import { lastValueEncoder, percentEncode, percentEncodePath } from './encode';
import { resolveTarget, type RequestTarget } from './endpoint';
import { signatureHex, signingKey } from './signing-key';
import type { PresignedRequest, PresignInput, QueryValue, SigningCredentials } from './types';
import {
  checkAccessKeyId,
  checkAccessKeySecret,
  checkBucket,
  checkExpires,
  checkHeaderName,
  checkHeaderValue,
  checkKey,
  checkMethod,
  checkQueryName,
  checkQueryValue,
  standardRegion,
} from './validate';

const encodeToken = lastValueEncoder();
const encodeCredential = lastValueEncoder();

/** content-type, content-md5 and x-oss-* are signed whether or not the caller lists them. */
export function isDefaultSignedHeader(lowercaseName: string): boolean {
  return lowercaseName === 'content-type' || lowercaseName === 'content-md5' || lowercaseName.startsWith('x-oss-');
}

function collectHeaders(headers: PresignInput['headers']): Map<string, string> {
  const provided = new Map<string, string>();
  if (!headers) return provided;
  for (const name of Object.keys(headers)) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const lower = checkHeaderName(name);
    if (provided.has(lower)) {
      throw invalidArgument(`headers.${name}`, `header ${lower} is given twice (header names are case-insensitive)`);
    }
    provided.set(lower, checkHeaderValue(name, String(raw)));
  }
  return provided;
}

/**
 * Lowercased, deduplicated, sorted, without the default-signed names. A listed header the holder will not send
 * is an error rather than being dropped (as some SDKs do): dropping it would hand out a URL that does not pin
 * what the caller asked to pin. `host` is the one header the signer can fill in itself, from the URL.
 */
function resolveAdditionalHeaders(names: readonly string[] | undefined, provided: Map<string, string>, target: RequestTarget): string[] {
  if (!names || names.length === 0) return [];
  const unique = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') throw invalidArgument('additionalHeaders', 'additionalHeaders must be header names');
    const lower = checkHeaderName(name);
    if (isDefaultSignedHeader(lower)) continue;
    if (!provided.has(lower)) {
      if (lower !== 'host') {
        throw invalidArgument('additionalHeaders', `additional header ${lower} is not among the headers the holder will send`);
      }
      provided.set('host', target.host);
    }
    unique.add(lower);
  }
  return [...unique].sort();
}

function encodeUserQuery(query: Record<string, QueryValue> | undefined, pairs: EncodedPair[]): void {
  if (!query) return;
  for (const name of Object.keys(query)) {
    const raw = query[name];
    if (raw === undefined) continue;
    checkQueryName(name);
    const value = raw === null ? '' : checkQueryValue(name, String(raw));
    pairs.push([percentEncode(name), value === '' ? null : percentEncode(value)]);
  }
}

function checkCredentials(credentials: SigningCredentials | undefined): SigningCredentials {
  if (!credentials || typeof credentials !== 'object') {
    throw invalidArgument('credentials', 'credentials with accessKeyId and accessKeySecret are required');
  }
  const { securityToken } = credentials;
  if (securityToken !== undefined && (typeof securityToken !== 'string' || !securityToken.isWellFormed())) {
    throw invalidArgument('credentials.securityToken', 'securityToken must be a string');
  }
  return {
    accessKeyId: checkAccessKeyId(credentials.accessKeyId),
    accessKeySecret: checkAccessKeySecret(credentials.accessKeySecret),
    ...(securityToken ? { securityToken } : {}),
  };
}

/**
 * Builds an OSS V4 presigned URL. Pure: no network, no I/O; the clock is injectable. Throws a ServiceError
 * (400 InvalidArgument, naming the field) before anything is signed, so no caller ever sees a half-made URL.
 */
export function presign(input: PresignInput): PresignedRequest {
  return presignExplained(input).presigned;
}

export interface ExplainedPresign {
  presigned: PresignedRequest;
  /** What OSS will recompute and compare; the first thing to diff when it answers SignatureDoesNotMatch. */
  canonicalRequest: string;
  stringToSign: string;
}

/** presign, with the intermediate strings it signed. */
export function presignExplained(input: PresignInput): ExplainedPresign {
  const method = checkMethod(input.method);
  const bucket = checkBucket(input.bucket);
  const key = checkKey(input.key);
  const expires = checkExpires(input.expires);
  const { accessKeyId, accessKeySecret, securityToken } = checkCredentials(input.credentials);
  const region = input.cloudBoxId === undefined ? standardRegion(input.region) : checkCloudBoxId(input.cloudBoxId);
  const product = input.cloudBoxId === undefined ? PRODUCT : CLOUDBOX_PRODUCT;
  const target = resolveTarget(input.endpoint, standardRegion(input.region), bucket);

  const provided = collectHeaders(input.headers);
  const additional = resolveAdditionalHeaders(input.additionalHeaders, provided, target);
  const additionalList = additional.join(';');
  const signedHeaders: Record<string, string> = {};
  const headerLines: HeaderLine[] = [];
  for (const [name, value] of provided) {
    if (isDefaultSignedHeader(name) || additional.includes(name)) {
      headerLines.push([name, value]);
      signedHeaders[name] = value;
    }
  }

  const nowMs = (input.now ?? Date.now)();
  if (!Number.isFinite(nowMs)) throw invalidArgument('now', 'the clock must return milliseconds since the epoch');
  const dateTime = formatDateTime(nowMs);
  const date = dateTime.slice(0, 8);
  const scope = credentialScope(date, region, product);

  const pairs: EncodedPair[] = [];
  encodeUserQuery(input.query, pairs);
  // In canonical order, so that a request without user parameters needs no sort.
  if (additionalList) pairs.push([Q_ADDITIONAL_HEADERS, percentEncode(additionalList)]);
  pairs.push([Q_CREDENTIAL, encodeCredential(`${accessKeyId}/${scope}`)], [Q_DATE, dateTime], [Q_EXPIRES, String(expires)]);
  if (securityToken) pairs.push([Q_SECURITY_TOKEN, encodeToken(securityToken)]);
  pairs.push([Q_SIGNATURE_VERSION, ALGORITHM]);
  const query = canonicalQuery(pairs);

  const encodedKey = percentEncodePath(key);
  const request = canonicalRequest({
    method,
    uri: `/${bucket}/${encodedKey}`,
    query,
    headers: canonicalHeaders(headerLines),
    additionalHeaders: additionalList,
    payloadHash: provided.get(H_CONTENT_SHA256) ?? UNSIGNED_PAYLOAD,
  });
  const toSign = stringToSign(dateTime, scope, request);
  const signature = signatureHex(signingKey(input.credentials, accessKeyId, accessKeySecret, date, region, product), toSign);

  const presigned: PresignedRequest = {
    method,
    // The canonical query is already fully percent-encoded (no raw `+`), so it doubles as the URL's query.
    url: `${target.origin}${target.pathPrefix}${encodedKey}?${query}&${Q_SIGNATURE}=${signature}`,
    expiration: isoSeconds(Math.floor(nowMs / 1000) + expires),
    expiresIn: expires,
    signedHeaders,
  };
  return { presigned, canonicalRequest: request, stringToSign: toSign };
}

const CLOUDBOX_ID = /^cb-[a-z0-9]+$/;

function checkCloudBoxId(id: unknown): string {
  if (typeof id !== 'string' || !CLOUDBOX_ID.test(id)) {
    throw invalidArgument('cloudBoxId', 'cloudBoxId must look like cb-xxxxxxxx');
  }
  return id;
}
