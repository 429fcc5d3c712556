/** The expiry cap: how long a presigned URL may live given the request, the policy and the signing token. */
export { readExpiryPolicy, OSS_MAX_EXPIRES, type ExpiryPolicy } from './policy';
export { capLifetime, type CapInfo, type CapInput, type CapReason, type CapResult } from './cap';
export { resolveSigningLifetime, type SigningLifetime } from './lifetime';
