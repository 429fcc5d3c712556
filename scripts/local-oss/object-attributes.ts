/**
 * The attributes an upload carries (content type, user metadata, storage class, ACL, tagging, standard HTTP
 * headers). PutObject, InitiateMultipartUpload and PostObject read them from headers or form fields alike.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { OssError } from './errors';

export interface ObjectAttributes {
  contentType: string;
  storageClass: string;
  acl: string | undefined;
  tagging: string | undefined;
  userMeta: Record<string, string>;
  httpHeaders: Record<string, string>;
}

const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'];
const OBJECT_ACLS = ['default', 'private', 'public-read', 'public-read-write'];
const STORED_HTTP_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

// OSS guesses the type from the extension when none is sent; a short table covers what tests and demos upload.
const MIME_BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
};

export function defaultContentType(key: string): string {
  return MIME_BY_EXTENSION[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
}

/** `fields` uses lower-cased names: request headers, or PostObject form fields. */
export function readObjectAttributes(fields: Readonly<Record<string, string>>, key: string): ObjectAttributes {
  const storageClass = fields['x-oss-storage-class'] ?? 'Standard';
  if (!STORAGE_CLASSES.includes(storageClass)) {
    throw new OssError(400, 'InvalidArgument', 'Invalid storage class.', [['ArgumentName', 'x-oss-storage-class'], ['ArgumentValue', storageClass]]);
  }
  const acl = fields['x-oss-object-acl'];
  if (acl !== undefined && !OBJECT_ACLS.includes(acl)) {
    throw new OssError(400, 'InvalidArgument', 'no such object access control exists', [['ArgumentName', 'x-oss-object-acl'], ['ArgumentValue', acl]]);
  }
  const userMeta: Record<string, string> = {};
  const httpHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('x-oss-meta-')) userMeta[name] = value;
    if (STORED_HTTP_HEADERS.includes(name)) httpHeaders[name] = value;
  }
  const contentType = fields['content-type'];
  return {
    contentType: contentType !== undefined && contentType !== '' ? contentType : defaultContentType(key),
    storageClass,
    acl,
    tagging: fields['x-oss-tagging'],
    userMeta,
    httpHeaders,
  };
}

export function validateKey(key: string): void {
  if (key === '' || Buffer.byteLength(key, 'utf8') > 1023 || key.startsWith('/') || key.startsWith('\\')) {
    throw new OssError(400, 'InvalidObjectName', 'The specified object is not valid.', [['ObjectName', key]]);
  }
}

/** Content-MD5 must be base64 of 16 bytes (InvalidDigest) and equal the body's MD5 (BadDigest). */
export function checkContentMd5(header: string | undefined, body: Buffer): void {
  if (header === undefined) return;
  const digest = Buffer.from(header, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== header.trim()) {
    throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.', [['Content-MD5', header]]);
  }
  const actual = createHash('md5').update(body).digest();
  if (!actual.equals(digest)) {
    throw new OssError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', [
      ['ExpectedDigest', header],
      ['CalculatedDigest', actual.toString('base64')],
    ]);
  }
}

export function forbidsOverwrite(value: string | undefined): boolean {
  return (value ?? '').toLowerCase() === 'true';
}

export function fileAlreadyExists(): OssError {
  return new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');
}
