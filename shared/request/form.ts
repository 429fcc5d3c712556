import { invalidArgument } from '../errors';
import { readCallback, type CallbackRequest } from './callback';
import { readTargetFields, type TargetFields } from './common';
import { FieldReader } from './fields';
import { CONTENT_TYPE, OBJECT_ACLS, STORAGE_CLASSES, type ObjectAcl, type StorageClass } from './put';

/** PostObject allows objects up to 5 GB. */
export const MAX_FORM_SIZE = 5 * 1024 ** 3;
export const SUCCESS_STATUSES = [200, 201, 204] as const;

/**
 * `{ "form": { "key" | "keyPrefix", "contentType"?, "minSize"?, "maxSize"?, "successActionStatus"?, ... } }`: a
 * signed PostObject policy and the fields a browser posts with the file.
 */
export interface FormRequest extends TargetFields {
  /** The exact key the form may write. */
  key?: string | undefined;
  /** Or: any key starting with this (the browser picks the rest, e.g. `${filename}`). */
  keyPrefix?: string | undefined;
  /** PUT_KEY_MODE=generated: the file name and allowed prefix the service builds the key from. */
  filename?: string | undefined;
  prefix?: string | undefined;
  contentType?: string | undefined;
  /** The object's ACL and storage class (each only where the rule allows it). */
  acl?: ObjectAcl | undefined;
  storageClass?: StorageClass | undefined;
  minSize?: number | undefined;
  maxSize?: number | undefined;
  successActionStatus?: (typeof SUCCESS_STATUSES)[number] | undefined;
  forbidOverwrite?: boolean | undefined;
  callback?: CallbackRequest | undefined;
}

function readStatus(reader: FieldReader): FormRequest['successActionStatus'] {
  const field = reader.name('successActionStatus');
  const value = reader.integer('successActionStatus', 100, 599);
  if (value === undefined) return undefined;
  if (!(SUCCESS_STATUSES as readonly number[]).includes(value)) throw invalidArgument(field, `${field} must be 200, 201 or 204 (what OSS answers the browser)`);
  return value as FormRequest['successActionStatus'];
}

/** `value` is the `form` member of the request. */
export function readForm(value: unknown): FormRequest {
  const reader = FieldReader.of(value, 'form');
  const request: FormRequest = {
    ...readTargetFields(reader),
    key: reader.rawString('key'),
    keyPrefix: reader.rawString('keyPrefix'),
    filename: reader.string('filename', { maxLength: 255 }),
    prefix: reader.string('prefix', { maxLength: 512 }),
    contentType: reader.string('contentType', { maxLength: 256, pattern: CONTENT_TYPE, patternRule: 'must be a MIME type such as image/png or text/plain; charset=utf-8' }),
    acl: reader.oneOf('acl', OBJECT_ACLS),
    storageClass: reader.oneOf('storageClass', STORAGE_CLASSES),
    minSize: reader.integer('minSize', 0, MAX_FORM_SIZE, ' of bytes'),
    maxSize: reader.integer('maxSize', 0, MAX_FORM_SIZE, ' of bytes (PostObject uploads are at most 5 GB)'),
    successActionStatus: readStatus(reader),
    forbidOverwrite: reader.boolean('forbidOverwrite'),
    callback: readCallback(reader),
  };
  reader.finish();
  return request;
}
