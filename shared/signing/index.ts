/**
 * OSS V4 presigning with no dependency besides node:crypto. `presign` is the entry point; the canonicalisation
 * steps are exported for tests and for tools that need to explain a SignatureDoesNotMatch.
 */
export { presign, presignExplained, isDefaultSignedHeader } from './presign';
export type { ExplainedPresign } from './presign';
export { canonicalUri, canonicalQuery, canonicalHeaders, canonicalRequest, credentialScope, stringToSign } from './canonical';
export type { EncodedPair, HeaderLine, CanonicalRequestParts } from './canonical';
export { percentEncode, percentEncodePath } from './encode';
export { deriveSigningKey, signingKey, signatureHex, clearSigningKeyCache, signingKeyCacheSize } from './signing-key';
export { formatDateTime, isoSeconds } from './clock';
export { resolveTarget } from './endpoint';
export type { RequestTarget } from './endpoint';
export { checkBucket, checkKey, checkExpires, standardRegion } from './validate';
export * from './constants';
export type * from './types';
export { postSignatureFields, signPostPolicy } from './post-policy';
export type { PostPolicyCondition, PostPolicyDocument, PostSignatureFields, SignedPostPolicy } from './post-policy';
