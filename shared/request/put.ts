import { FieldReader } from './fields';
import { readTargetFields, type TargetFields } from './common';

export const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;
export const OBJECT_ACLS = ['default', 'private', 'public-read', 'public-read-write'] as const;
export const ENCRYPTIONS = ['AES256', 'KMS', 'SM4'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];
export type ObjectAcl = (typeof OBJECT_ACLS)[number];

/** What a caller may ask of presign-put. */
export interface PutRequest extends TargetFields {
  key?: string | undefined;
  /** PUT_KEY_MODE=generated: the original file name, kept (sanitised) at the end of the generated key. */
  filename?: string | undefined;
  /** PUT_KEY_MODE=generated: which allowed prefix to write under. */
  prefix?: string | undefined;
  contentType?: string | undefined;
  contentLength?: number | undefined;
  contentMd5?: string | undefined;
  storageClass?: StorageClass | undefined;
  acl?: ObjectAcl | undefined;
  metadata?: Record<string, string> | undefined;
  tagging?: Record<string, string> | undefined;
  forbidOverwrite?: boolean | undefined;
  serverSideEncryption?: (typeof ENCRYPTIONS)[number] | undefined;
}

export const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/;
const CONTENT_MD5 = /^[A-Za-z0-9+/]{22}==$/;
const META_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
const TAG_KEY = /^.{1,128}$/su;

export function readPutFields(reader: FieldReader): PutRequest {
  // Object.assign, not `{ ...readTargetFields(reader), … }`: on Node 20's V8 a literal that starts with a spread
  // costs ~1 µs per later property, which was most of a request's parsing time.
  return Object.assign(readTargetFields(reader), {
    key: reader.rawString('key'),
    filename: reader.string('filename', { maxLength: 255 }),
    prefix: reader.string('prefix', { maxLength: 512 }),
    contentType: reader.string('contentType', { maxLength: 256, pattern: CONTENT_TYPE, patternRule: 'must be a MIME type such as image/png or text/plain; charset=utf-8' }),
    contentLength: reader.integer('contentLength', 0, 5 * 1024 ** 3, ' of bytes'),
    contentMd5: reader.string('contentMd5', { pattern: CONTENT_MD5, patternRule: 'must be the base64 MD5 digest of the body (24 characters ending in ==)' }),
    storageClass: reader.oneOf('storageClass', STORAGE_CLASSES),
    acl: reader.oneOf('acl', OBJECT_ACLS),
    metadata: reader.stringMap('metadata', { maxEntries: 32, keyPattern: META_NAME, keyRule: 'must be letters, digits and hyphens (sent as x-oss-meta-<name>)' }),
    tagging: reader.stringMap('tagging', { maxEntries: 10, keyPattern: TAG_KEY, keyRule: 'must be 1-128 characters' }),
    forbidOverwrite: reader.boolean('forbidOverwrite'),
    serverSideEncryption: reader.oneOf('serverSideEncryption', ENCRYPTIONS),
  });
}

export function parsePutRequest(body: unknown): PutRequest {
  const reader = FieldReader.of(body);
  const request = readPutFields(reader);
  reader.finish();
  return request;
}
