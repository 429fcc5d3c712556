import { invalidArgument, ServiceError } from '../errors';
import type { CapInfo } from '../expiry';
import type { FormRequest } from '../request/form';
import { MAX_FORM_SIZE } from '../request/form';
import { checkKey, postSignatureFields, resolveTarget, signPostPolicy, type PostPolicyCondition, type PostPolicyDocument } from '../signing';
import { answerBytes } from '../core/budget';
import { callbackHeaders } from './callback';
import { checkContentType, chooseKey } from './presign-put';
import { chooseBucket } from './rules';
import { openSigningSession } from './signing-session';
import type { InvocationContext, ServiceDeps } from './types';

/**
 * PostObject: a browser uploads with a plain HTML form (multipart/form-data POST to the bucket URL). Unlike a
 * presigned PUT, the policy lets OSS itself enforce a size range and a key prefix. Every condition the service
 * cares about is in the signed policy, so a browser that edits a field is refused by OSS: the bucket, the key
 * (exact, or starts-with a prefix), content-length-range (bounded by MAX_CONTENT_LENGTH), the content type, the
 * success status, overwrite protection, the callback, and the V4 signature fields themselves. The policy's
 * expiration is capped exactly like a URL's.
 */
export interface FormAnswer {
  method: 'POST';
  /** The form's action: the bucket URL. */
  url: string;
  /** Post these fields first, in any order, then the file as the last field, named `file`. */
  fields: Record<string, string>;
  fileField: 'file';
  bucket: string;
  key?: string;
  keyPrefix?: string;
  expiration: string;
  expiresIn: number;
  /** The decoded policy, for reading: the `policy` field is what OSS checks. */
  policyDocument: PostPolicyDocument;
  cap: CapInfo;
}

type KeyRule = { key: string } | { keyPrefix: string };

function chooseFormKey(request: FormRequest, deps: ServiceDeps): KeyRule {
  const { policy } = deps;
  if (request.keyPrefix !== undefined) {
    if (policy.putKeyMode === 'generated') {
      throw invalidArgument('form.keyPrefix', 'keys are chosen by the service here (PUT_KEY_MODE=generated); send filename (and prefix) instead');
    }
    if (request.key !== undefined) throw invalidArgument('form.keyPrefix', 'give either form.key or form.keyPrefix, not both');
    const prefix = checkKey(request.keyPrefix, 'form.keyPrefix');
    if (policy.allowedKeyPrefixes.length > 0 && !policy.allowedKeyPrefixes.some((allowed) => prefix.startsWith(allowed))) {
      throw new ServiceError('KeyNotAllowed', 403, `form.keyPrefix must start with one of: ${policy.allowedKeyPrefixes.join(', ')} (ALLOWED_KEY_PREFIXES)`, { field: 'form.keyPrefix' });
    }
    return { keyPrefix: prefix };
  }
  const key = chooseKey(request, deps);
  // OSS replaces ${filename} in a form's key with the file's name: the object would not be the key signed for.
  if (key.includes('${filename}')) throw invalidArgument('form.key', 'form.key must not contain ${filename}; use form.keyPrefix to let the browser name the object');
  return { key };
}

function sizeRange(request: FormRequest, deps: ServiceDeps): [number, number] {
  const limit = deps.policy.maxContentLength;
  if (limit !== undefined && request.maxSize !== undefined && request.maxSize > limit) {
    throw new ServiceError('ContentLengthNotAllowed', 403, `form.maxSize ${request.maxSize} is over the ${limit}-byte limit (MAX_CONTENT_LENGTH)`, { field: 'form.maxSize' });
  }
  const max = request.maxSize ?? limit ?? MAX_FORM_SIZE;
  const min = request.minSize ?? 0;
  if (min > max) throw invalidArgument('form.minSize', `form.minSize ${min} is over the largest size allowed (${max})`);
  return [min, max];
}

export async function presignForm(request: FormRequest, context: InvocationContext, deps: ServiceDeps): Promise<FormAnswer> {
  const bucket = chooseBucket(request.bucket, deps.policy);
  const keyRule = chooseFormKey(request, deps);
  checkContentType(request.contentType, deps, 'form.contentType');
  const [minSize, maxSize] = sizeRange(request, deps);
  if (request.forbidOverwrite === false && deps.policy.forceForbidOverwrite) {
    throw new ServiceError('OverwriteNotAllowed', 403, 'this service never overwrites objects (FORCE_FORBID_OVERWRITE)', { field: 'form.forbidOverwrite' });
  }

  // Fields the browser posts besides the signature ones; each is bound by an `eq` condition.
  const bound: Record<string, string> = {};
  if (request.contentType !== undefined) bound['content-type'] = request.contentType;
  if (request.successActionStatus !== undefined) bound['success_action_status'] = String(request.successActionStatus);
  if (request.forbidOverwrite || deps.policy.forceForbidOverwrite) bound['x-oss-forbid-overwrite'] = 'true';
  if (request.callback) {
    const headers = callbackHeaders(request.callback, deps.policy, 'form.callback');
    bound['callback'] = headers['x-oss-callback'];
    // In a form, OSS takes the custom variables as x:name fields.
    for (const [name, value] of Object.entries(request.callback.vars ?? {})) bound[name] = value;
  }

  const session = await openSigningSession(request, context, deps);
  const credentialInput = { credentials: session.lifetime.credentials, region: session.region, nowMs: session.signedAt };
  const signatureFields = postSignatureFields(credentialInput);
  const conditions: PostPolicyCondition[] = [
    { bucket },
    'key' in keyRule ? ['eq', '$key', keyRule.key] : ['starts-with', '$key', keyRule.keyPrefix],
    ['content-length-range', minSize, maxSize],
    ...Object.entries(bound).map(([name, value]): PostPolicyCondition => ['eq', `$${name}`, value]),
    ...Object.entries(signatureFields).map(([name, value]): PostPolicyCondition => ({ [name]: value })),
  ];
  const policyDocument: PostPolicyDocument = {
    expiration: new Date((Math.floor(session.signedAt / 1000) + session.expiresIn) * 1000).toISOString(),
    conditions,
  };
  deps.budget.take();
  const signed = signPostPolicy(policyDocument, credentialInput);
  // The fields and the policy document both travel in the answer, and the policy again inside the fields.
  deps.budget.addAnswerBytes(answerBytes(bound, 3 * signed.policy.length));
  const target = resolveTarget(deps.policy.endpoint, session.region, bucket);
  return {
    method: 'POST',
    url: `${target.origin}${target.pathPrefix}`,
    fields: {
      key: 'key' in keyRule ? keyRule.key : `${keyRule.keyPrefix}\${filename}`,
      ...bound,
      policy: signed.policy,
      ...signatureFields,
      'x-oss-signature': signed.signature,
    },
    fileField: 'file',
    bucket,
    ...keyRule,
    expiration: session.expiration,
    expiresIn: session.expiresIn,
    policyDocument,
    cap: session.cap,
  };
}
