import { invalidArgument, ServiceError } from '../errors';
import type { PutRequest } from '../request/put';
import { percentEncode } from '../signing';
import { choosePrefix, generateKey } from './generated-key';
import { checkAllowedKey, chooseBucket, contentTypeAllowed } from './rules';
import { signCapped } from './sign';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';

export function chooseKey(request: PutRequest, deps: ServiceDeps): string {
  const { policy } = deps;
  if (policy.putKeyMode === 'generated') {
    if (request.key !== undefined) {
      throw invalidArgument('key', 'key is chosen by the service here (PUT_KEY_MODE=generated); send filename (and prefix) instead');
    }
    return checkAllowedKey(generateKey(choosePrefix(request.prefix, policy.allowedKeyPrefixes), request.filename, deps.now()), policy);
  }
  if (request.filename !== undefined || request.prefix !== undefined) {
    const field = request.filename !== undefined ? 'filename' : 'prefix';
    throw invalidArgument(field, `${field} is only used when the service generates keys (PUT_KEY_MODE=generated); send key instead`);
  }
  if (request.key === undefined) throw invalidArgument('key', 'key is required');
  return checkAllowedKey(request.key, policy);
}

/** ALLOWED_CONTENT_TYPES: a type is required and must match. `field` names it in a nested request (multipart, form). */
export function checkContentType(contentType: string | undefined, deps: ServiceDeps, field = 'contentType'): void {
  const { allowedContentTypes } = deps.policy;
  if (allowedContentTypes.length === 0) return;
  if (contentType === undefined) {
    throw invalidArgument(field, `${field} is required: uploads are limited to ${allowedContentTypes.join(', ')} (ALLOWED_CONTENT_TYPES)`);
  }
  if (!contentTypeAllowed(contentType, allowedContentTypes)) {
    throw new ServiceError('ContentTypeNotAllowed', 403, `${field} ${contentType} is not allowed; allowed: ${allowedContentTypes.join(', ')}`, { field });
  }
}

function checkContent(request: PutRequest, deps: ServiceDeps): void {
  const { maxContentLength } = deps.policy;
  checkContentType(request.contentType, deps);
  if (maxContentLength !== undefined) {
    if (request.contentLength === undefined) {
      throw invalidArgument('contentLength', `contentLength is required: uploads are limited to ${maxContentLength} bytes (MAX_CONTENT_LENGTH)`);
    }
    if (request.contentLength > maxContentLength) {
      throw new ServiceError('ContentLengthNotAllowed', 403, `contentLength ${request.contentLength} is over the ${maxContentLength}-byte limit (MAX_CONTENT_LENGTH)`, { field: 'contentLength' });
    }
  }
}

function tagging(tags: Record<string, string>): string {
  return Object.entries(tags).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** The headers the uploader will send; the signer signs them and hands them back as signedHeaders. */
export function uploadHeaders(request: PutRequest, forceForbidOverwrite: boolean): { headers: Record<string, string>; additionalHeaders: string[] } {
  const headers: Record<string, string> = {};
  const additionalHeaders: string[] = [];
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (request.contentMd5 !== undefined) headers['content-md5'] = request.contentMd5;
  if (request.contentLength !== undefined) {
    // Signed, so OSS refuses a body of any other size: the only way a single PUT URL can bound an upload.
    headers['content-length'] = String(request.contentLength);
    additionalHeaders.push('content-length');
  }
  if (request.storageClass !== undefined) headers['x-oss-storage-class'] = request.storageClass;
  if (request.acl !== undefined) headers['x-oss-object-acl'] = request.acl;
  if (request.serverSideEncryption !== undefined) headers['x-oss-server-side-encryption'] = request.serverSideEncryption;
  if (request.tagging !== undefined && Object.keys(request.tagging).length > 0) headers['x-oss-tagging'] = tagging(request.tagging);
  if (request.forbidOverwrite || forceForbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  for (const [name, value] of Object.entries(request.metadata ?? {})) headers[`x-oss-meta-${name.toLowerCase()}`] = value;
  return { headers, additionalHeaders };
}

/** `extraHeaders`: more headers the uploader sends, already checked (the upload callback's x-oss-callback*). */
export async function presignPut(request: PutRequest, context: InvocationContext, deps: ServiceDeps, extraHeaders: () => Record<string, string> = () => ({})): Promise<PresignSuccess> {
  const bucket = chooseBucket(request.bucket, deps.policy);
  const key = chooseKey(request, deps);
  checkContent(request, deps);
  if (request.forbidOverwrite === false && deps.policy.forceForbidOverwrite) {
    throw new ServiceError('OverwriteNotAllowed', 403, 'this service never overwrites objects (FORCE_FORBID_OVERWRITE)', { field: 'forbidOverwrite' });
  }
  const { headers, additionalHeaders } = uploadHeaders(request, deps.policy.forceForbidOverwrite);
  Object.assign(headers, extraHeaders());
  return signCapped({ method: 'PUT', bucket, key, headers, additionalHeaders }, request, context, deps);
}
