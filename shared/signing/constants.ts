/** Wire names of OSS V4 query signing, in one place so that no module spells them twice. */
export const ALGORITHM = 'OSS4-HMAC-SHA256';
export const PRODUCT = 'oss';
export const CLOUDBOX_PRODUCT = 'oss-cloudbox';
export const SCOPE_TERMINATOR = 'aliyun_v4_request';
export const SECRET_PREFIX = 'aliyun_v4';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const Q_SIGNATURE_VERSION = 'x-oss-signature-version';
export const Q_DATE = 'x-oss-date';
export const Q_EXPIRES = 'x-oss-expires';
export const Q_CREDENTIAL = 'x-oss-credential';
export const Q_SECURITY_TOKEN = 'x-oss-security-token';
export const Q_ADDITIONAL_HEADERS = 'x-oss-additional-headers';
export const Q_SIGNATURE = 'x-oss-signature';

/** Query names the signer owns; a caller who passes one would produce a URL OSS reads differently than it was signed. */
export const SIGNER_QUERY_NAMES: ReadonlySet<string> = new Set([
  Q_SIGNATURE_VERSION,
  Q_DATE,
  Q_EXPIRES,
  Q_CREDENTIAL,
  Q_SECURITY_TOKEN,
  Q_ADDITIONAL_HEADERS,
  Q_SIGNATURE,
]);

export const H_CONTENT_SHA256 = 'x-oss-content-sha256';

/** OSS accepts x-oss-expires in 1..604800 (7 days). */
export const MIN_EXPIRES_SECONDS = 1;
export const MAX_EXPIRES_SECONDS = 604800;

export const MAX_KEY_BYTES = 1023;
