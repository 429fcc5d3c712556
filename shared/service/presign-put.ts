import type { PutRequest } from '../request/put';
import { checkAcl, checkStorageClass, checkUploadSize, checkUploadType, forbidsOverwrite } from '../rules/checks';
import type { Rule } from '../rules/types';
import { percentEncode } from '../signing';
import { signCapped } from './sign';
import { chooseBucket } from './target';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';
import { chooseUploadKey } from './upload-key';

/**
 * What an upload may set on the object, under its rule: type, size, ACL, storage class, overwrite protection.
 * `field` prefixes the names in errors (`multipart.` for step 1 of a multipart upload). Returns whether the upload
 * forbids overwriting.
 */
export function checkObjectAttributes(request: PutRequest, key: string, rule: Rule, field = ''): boolean {
  checkUploadType(rule, request.contentType, key, `${field}contentType`);
  checkAcl(rule, request.acl, `${field}acl`);
  checkStorageClass(rule, request.storageClass, `${field}storageClass`);
  return forbidsOverwrite(rule, request.forbidOverwrite, `${field}forbidOverwrite`);
}

function tagging(tags: Record<string, string>): string {
  return Object.entries(tags).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** The headers the uploader will send; the signer signs them and hands them back as signedHeaders. */
export function uploadHeaders(request: PutRequest, forbidOverwrite: boolean): { headers: Record<string, string>; additionalHeaders: string[] } {
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
  if (forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  for (const [name, value] of Object.entries(request.metadata ?? {})) headers[`x-oss-meta-${name.toLowerCase()}`] = value;
  return { headers, additionalHeaders };
}

/** `extraHeaders`: more headers the uploader sends, checked under the rule (the upload callback's x-oss-callback*). */
export async function presignPut(
  request: PutRequest,
  context: InvocationContext,
  deps: ServiceDeps,
  extraHeaders: (rule: Rule) => Record<string, string> = () => ({}),
): Promise<PresignSuccess> {
  const bucket = chooseBucket(request.bucket, deps.policy);
  const { key, rule } = chooseUploadKey(request, deps, 'put');
  const forbidOverwrite = checkObjectAttributes(request, key, rule);
  checkUploadSize(rule, request.contentLength, 'contentLength');
  const { headers, additionalHeaders } = uploadHeaders(request, forbidOverwrite);
  Object.assign(headers, extraHeaders(rule));
  return signCapped({ method: 'PUT', bucket, key, headers, additionalHeaders }, request, rule, context, deps);
}
