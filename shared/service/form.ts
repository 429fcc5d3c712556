import { answerBytes } from '../core/budget';
import { invalidArgument } from '../errors';
import type { CapInfo } from '../expiry';
import type { FormRequest } from '../request/form';
import { MAX_FORM_SIZE } from '../request/form';
import { checkAcl, checkFormKeyPrefix, checkStorageClass, checkUploadSize, checkUploadType, forbidsOverwrite } from '../rules/checks';
import { ruleForPrefix } from '../rules/match';
import type { Rule } from '../rules/types';
import { checkKey, postSignatureFields, resolveTarget, signPostPolicy, type PostPolicyCondition, type PostPolicyDocument } from '../signing';
import { callbackHeaders } from './callback';
import { openSigningSession } from './signing-session';
import { chooseBucket } from './target';
import type { InvocationContext, ServiceDeps } from './types';
import { chooseUploadKey } from './upload-key';

/**
 * PostObject: a browser uploads with a plain HTML form (multipart/form-data POST to the bucket URL). Unlike a
 * presigned PUT, the policy lets OSS itself enforce a size range and a key prefix.
 *
 * OSS accepts form fields a policy does not mention, and a condition on a field the form lacks fails
 * (docs/operations.md, "PostObject forms"): a policy can require a value, never forbid a field. So every field
 * that would let the holder widen what they were given is required at a safe value: the key (exact, or
 * starts-with a prefix the rule allows), content-length-range (bounded by the rule), the object's type
 * (`x-oss-content-type`, which outranks the type the browser puts on the file part), its ACL (`default` unless the
 * rule allowed the one asked for), its storage class (`Standard` unless allowed), overwrite protection, the
 * success status, the callback, and the V4 signature fields themselves. The policy's expiration is capped exactly
 * like a URL's.
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

/** The type a form stores when the caller names none: opaque bytes, never what the browser says the file is. */
const UNNAMED_FORM_TYPE = 'application/octet-stream';

function chooseFormKey(request: FormRequest, deps: ServiceDeps): { keyRule: KeyRule; rule: Rule } {
  if (request.keyPrefix !== undefined) {
    if (request.key !== undefined) throw invalidArgument('form.keyPrefix', 'give either form.key or form.keyPrefix, not both');
    const prefix = checkKey(request.keyPrefix, 'form.keyPrefix');
    const rule = ruleForPrefix(deps.policy.rules, deps.caller, 'form', prefix, 'form.keyPrefix');
    if (rule.keyMode === 'generated') {
      throw invalidArgument('form.keyPrefix', 'keys are chosen by the service here (PUT_KEY_MODE=generated); send form.filename (and form.prefix) instead');
    }
    checkFormKeyPrefix(rule, 'form.keyPrefix');
    return { keyRule: { keyPrefix: prefix }, rule };
  }
  const { key, rule } = chooseUploadKey(request, deps, 'form', 'form.');
  // OSS replaces ${filename} in a form's key with the file's name: the object would not be the key signed for.
  if (key.includes('${filename}')) throw invalidArgument('form.key', 'form.key must not contain ${filename}; use form.keyPrefix to let the browser name the object');
  return { keyRule: { key }, rule };
}

function sizeRange(request: FormRequest, rule: Rule): [number, number] {
  if (request.maxSize !== undefined) checkUploadSize(rule, request.maxSize, 'form.maxSize');
  const max = request.maxSize ?? rule.maxSize ?? MAX_FORM_SIZE;
  const min = Math.max(request.minSize ?? 0, rule.minSize ?? 0);
  if (min > max) throw invalidArgument('form.minSize', `form.minSize ${min} is over the largest size allowed (${max})`);
  return [min, max];
}

/** Fields the browser posts besides the signature ones; each is required at exactly this value by the policy. */
function boundFields(request: FormRequest, keyRule: KeyRule, rule: Rule, deps: ServiceDeps): Record<string, string> {
  checkUploadType(rule, request.contentType, 'key' in keyRule ? keyRule.key : undefined, 'form.contentType');
  checkAcl(rule, request.acl, 'form.acl');
  checkStorageClass(rule, request.storageClass, 'form.storageClass');
  const bound: Record<string, string> = {};
  const contentType = request.contentType ?? UNNAMED_FORM_TYPE;
  bound['content-type'] = contentType;
  bound['x-oss-content-type'] = contentType;
  bound['x-oss-object-acl'] = request.acl ?? 'default';
  bound['x-oss-storage-class'] = request.storageClass ?? 'Standard';
  if (request.successActionStatus !== undefined) bound['success_action_status'] = String(request.successActionStatus);
  if (forbidsOverwrite(rule, request.forbidOverwrite, 'form.forbidOverwrite')) bound['x-oss-forbid-overwrite'] = 'true';
  if (request.callback) {
    const headers = callbackHeaders(request.callback, deps.policy, rule, 'form.callback');
    bound['callback'] = headers['x-oss-callback'];
    // In a form, OSS takes the custom variables as x:name fields.
    for (const [name, value] of Object.entries(request.callback.vars ?? {})) bound[name] = value;
  }
  return bound;
}

export async function presignForm(request: FormRequest, context: InvocationContext, deps: ServiceDeps): Promise<FormAnswer> {
  const bucket = chooseBucket(request.bucket, deps.policy, 'form.bucket');
  const { keyRule, rule } = chooseFormKey(request, deps);
  const [minSize, maxSize] = sizeRange(request, rule);
  const bound = boundFields(request, keyRule, rule, deps);

  const session = await openSigningSession(request, rule, context, deps);
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
