import { invalidArgument, ServiceError } from '../errors';
import type { ResponseOverrides } from '../request/get';
import type { ObjectAcl, StorageClass } from '../request/put';
import { activeTypeFromExtension, contentTypeAllowed, isActiveContentType } from './content-types';
import { settingName } from './describe';
import { processRules } from './process-lazy';
import type { Rule } from './types';

/**
 * What a request may carry under its rule. Each check names the request field and the setting that refused it, so
 * the caller learns what to change and the operator what to allow.
 */

function refused(code: string, field: string, message: string): ServiceError {
  return new ServiceError(code, 403, message, { field });
}

/**
 * An upload's content type. Without one, OSS gives the object the type of the key's extension, so a key ending in
 * .svg or .html is judged as that type: active content passes only where the rule names it exactly.
 */
export function checkUploadType(rule: Rule, contentType: string | undefined, key: string | undefined, field: string): void {
  const allowed = rule.contentTypes.patterns;
  // Only a refusal names the setting (its names are a chunk: ./describe.ts).
  const setting = (): string => settingName(rule, 'contentTypes');
  if (contentType === undefined) {
    if (rule.contentTypes.required) throw invalidArgument(field, `${field} is required: uploads are limited to ${allowed.join(', ')} (${setting()})`);
    const inferred = key === undefined ? undefined : activeTypeFromExtension(key);
    if (inferred !== undefined && !contentTypeAllowed(rule.contentTypes, inferred)) {
      throw refused('ContentTypeNotAllowed', field, `without ${field}, OSS stores this key as ${inferred}, active content a browser runs; send another ${field}, or name ${inferred} exactly in ${setting()}`);
    }
    return;
  }
  if (contentTypeAllowed(rule.contentTypes, contentType)) return;
  if (isActiveContentType(contentType)) {
    throw refused('ContentTypeNotAllowed', field, `${field} ${contentType} is active content a browser runs; it is allowed only where named exactly in ${setting()}`);
  }
  throw refused('ContentTypeNotAllowed', field, `${field} ${contentType} is not allowed; allowed: ${allowed.join(', ')} (${setting()})`);
}

/** The size an upload says it has, where the rule bounds it (maxSize, minSize): the size must then be given. */
export function checkUploadSize(rule: Rule, size: number | undefined, field: string): void {
  const { maxSize: max, minSize: min } = rule;
  if (max === undefined && min === undefined) return;
  const bounds = (): string => `${min === undefined ? '' : `at least ${min} `}${max === undefined ? '' : `at most ${max} `}bytes (${settingName(rule, max === undefined ? 'minSize' : 'maxSize')})`;
  if (size === undefined) throw invalidArgument(field, `${field} is required: uploads must be ${bounds()}`);
  if (size > (max ?? size) || size < (min ?? size)) throw refused('ContentLengthNotAllowed', field, `${field} ${size} is out of bounds: uploads must be ${bounds()}`);
}

/** Whether the upload carries x-oss-forbid-overwrite: a caller may ask for it, never turn a forced one off. */
export function forbidsOverwrite(rule: Rule, requested: boolean | undefined, field: string): boolean {
  if (requested === false && rule.forceForbidOverwrite) {
    throw refused('OverwriteNotAllowed', field, `this service never overwrites objects (${settingName(rule, 'forceForbidOverwrite')})`);
  }
  return requested === true || rule.forceForbidOverwrite;
}

/** An object ACL overrides the bucket's: public-read-write lets anyone overwrite the object, forever. */
export function checkAcl(rule: Rule, acl: ObjectAcl | undefined, field: string): void {
  if (acl === undefined || rule.acls.has(acl)) return;
  throw refused('AclNotAllowed', field, `${field} ${acl} is not allowed here; allowed: ${[...rule.acls].join(', ') || 'none'} (${settingName(rule, 'acls')})`);
}

export function checkStorageClass(rule: Rule, storageClass: StorageClass | undefined, field: string): void {
  if (storageClass === undefined || rule.storageClasses.has(storageClass)) return;
  throw refused('StorageClassNotAllowed', field, `${field} ${storageClass} is not allowed here; allowed: ${[...rule.storageClasses].join(', ') || 'none'} (${settingName(rule, 'storageClasses')})`);
}

export function checkProcess(rule: Rule, process: string | undefined, field: string): void {
  if (process === undefined) return;
  if (rule.process.length === 0) {
    throw refused('ProcessNotAllowed', field, `${field} is not allowed here: no processing is named (${settingName(rule, 'process')})`);
  }
  const refusedOperation = processRules().processRefusal(rule.process, process);
  if (refusedOperation === '') return;
  // Never empty: a rule without processing was refused above.
  const allowed = rule.process.map((p) => p.source).join(', ');
  throw refused('ProcessNotAllowed', field, `${field}: ${refusedOperation} is not allowed here; allowed: ${allowed} (${settingName(rule, 'process')})`);
}

/**
 * Response overrides change how OSS serves the object to whoever holds the URL: an active content type served
 * inline runs in the browser, and a cache directive can let a CDN keep a private object for everyone.
 */
export function checkResponseOverrides(rule: Rule, response: ResponseOverrides | undefined): void {
  if (response === undefined) return;
  if (response.contentType !== undefined && isActiveContentType(response.contentType) && !contentTypeAllowed(rule.contentTypes, response.contentType)) {
    throw refused('ResponseOverrideNotAllowed', 'response.contentType', `response.contentType ${response.contentType} is active content a browser runs; it is allowed only where named exactly in ${settingName(rule, 'contentTypes')}`);
  }
  for (const field of ['cacheControl', 'expires'] as const) {
    if (response[field] !== undefined && !rule.responseCaching) {
      throw refused('ResponseOverrideNotAllowed', `response.${field}`, `response.${field} can make the object cacheable for everyone; it is allowed only with ${settingName(rule, 'responseCaching')}`);
    }
  }
}

export function checkCallbacksAllowed(rule: Rule, field: string): void {
  if (!rule.callbacks) throw refused('CallbackHostNotAllowed', field, `upload callbacks are not allowed here (${settingName(rule, 'callbacks')})`);
}

export function checkFormKeyPrefix(rule: Rule, field: string): void {
  if (!rule.formKeyPrefix) {
    throw refused('KeyPrefixNotAllowed', field, `${field} lets the browser choose the rest of the key, which no form policy can check (dot segments, control characters); sign an exact form.key, or allow it with ${settingName(rule, 'formKeyPrefix')}`);
  }
}
