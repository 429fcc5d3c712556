import { invalidArgument } from '../errors';
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

/** OSS: all user metadata of an object together at most 8 KB (help.aliyun.com/en/oss/user-guide/0011-00000002). */
export const MAX_METADATA_BYTES = 8 * 1024;
/** OSS: a tag value is at most 256 characters (help.aliyun.com/en/oss/developer-reference/putobjecttagging). */
export const MAX_TAG_VALUE_CHARACTERS = 256;

/**
 * OSS lowercases metadata names, so `Owner` and `owner` would silently become one header; and it refuses more than
 * 8 KB of metadata in all, counted here as the headers it becomes.
 */
function checkMetadata(metadata: Record<string, string> | undefined, field: string): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  const seen = new Set<string>();
  let bytes = 0;
  for (const name of Object.keys(metadata)) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw invalidArgument(`${field}.${name}`, `${field} names ${lower} twice (OSS lowercases metadata names)`);
    seen.add(lower);
    bytes += Buffer.byteLength(`x-oss-meta-${lower}`, 'utf8') + Buffer.byteLength(metadata[name] as string, 'utf8');
  }
  if (bytes > MAX_METADATA_BYTES) throw invalidArgument(field, `${field} must be at most ${MAX_METADATA_BYTES} bytes in all (names and values, as OSS counts them)`);
  return metadata;
}

function checkTags(tags: Record<string, string> | undefined, field: string): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  for (const name of Object.keys(tags)) {
    if ([...(tags[name] as string)].length > MAX_TAG_VALUE_CHARACTERS) throw invalidArgument(`${field}.${name}`, `${field} values must be at most ${MAX_TAG_VALUE_CHARACTERS} characters`);
  }
  return tags;
}

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
    metadata: checkMetadata(reader.stringMap('metadata', { maxEntries: 32, keyPattern: META_NAME, keyRule: 'must be letters, digits and hyphens (sent as x-oss-meta-<name>)' }), reader.name('metadata')),
    tagging: checkTags(reader.stringMap('tagging', { maxEntries: 10, keyPattern: TAG_KEY, keyRule: 'must be 1-128 characters' }), reader.name('tagging')),
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
