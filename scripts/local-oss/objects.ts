/** PutObject, GetObject, HeadObject and DeleteObject over the on-disk store. */
import { createHash } from 'node:crypto';
import type { OssRequest, OssResponse, ServerServices } from './context';
import { queryValue } from './encoding';
import { Errors, OssError } from './errors';
import { checkContentMd5, fileAlreadyExists, forbidsOverwrite, readObjectAttributes, validateKey } from './object-attributes';
import { md5Etag, type StoredObjectMeta } from './storage';
import { parseCallback, runCallback, type CallbackSpec } from './callback';
import { storeCreatedObject } from './notifications';

/** Node refuses non-latin1 header values; OSS sends the UTF-8 bytes, which is what latin1 of those bytes writes. */
export function headerSafe(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

export function objectHeaders(meta: StoredObjectMeta): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': meta.contentType,
    etag: meta.etag,
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-oss-object-type': meta.objectType,
    'x-oss-storage-class': meta.storageClass,
    ...meta.httpHeaders,
    ...meta.userMeta,
  };
  if (meta.tagging) headers['x-oss-tagging-count'] = String(new URLSearchParams(meta.tagging).size);
  return headers;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** Returns the stored meta or NoSuchKey; versionId only means "the current object" here (no versioning locally). */
async function requireObject(req: OssRequest, svc: ServerServices, key: string): Promise<StoredObjectMeta> {
  const meta = await svc.storage.headObject(req.bucket, key);
  const versionId = queryValue(req.query, 'versionId');
  if (versionId !== undefined && versionId !== 'null') {
    // An unversioned bucket only has the "null" version; any other id names nothing.
    throw new OssError(404, 'NoSuchVersion', 'The specified version does not exist.', [['VersionId', versionId]]);
  }
  if (!meta) throw Errors.noSuchKey(key);
  return meta;
}

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Single `bytes=` ranges only; anything OSS would not understand is ignored and the whole object is sent. */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export async function getObject(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  const meta = await requireObject(req, svc, key);
  const headers = objectHeaders(meta);
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = queryValue(req.query, param);
    if (value !== undefined) headers[header] = headerSafe(value);
  }
  const range = parseRange(req.headers['range'], meta.size);
  if (range === 'unsatisfiable') {
    throw new OssError(416, 'InvalidRange', 'The requested range cannot be satisfied', [
      ['RangeRequested', req.headers['range'] ?? ''],
      ['ActualObjectSize', String(meta.size)],
    ]);
  }
  const data = req.method === 'HEAD' ? Buffer.alloc(0) : await svc.storage.readObject(req.bucket, key);
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers, body: req.method === 'HEAD' ? undefined : data.subarray(range.start, range.end + 1) };
  }
  headers['content-length'] = String(meta.size);
  return { status: 200, headers, body: req.method === 'HEAD' ? undefined : data };
}

export async function deleteObject(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  await svc.storage.deleteObject(req.bucket, key);
  return { status: 204, headers: {} };
}

/** Shared tail of every upload: optional callback, relaying its answer (200) or OSS's 203 CallbackFailed. */
export async function finishWithCallback(
  spec: CallbackSpec | undefined,
  bucket: string,
  meta: StoredObjectMeta,
  success: OssResponse,
): Promise<OssResponse> {
  if (!spec) return success;
  const answer = await runCallback(
    spec,
    { bucket, object: meta.key, etag: meta.etag.replace(/"/g, ''), size: meta.size, mimeType: meta.contentType },
    success.headers,
  );
  return { status: 200, headers: { ...success.headers, 'content-type': answer.contentType }, body: answer.body };
}

export function callbackFromRequest(req: OssRequest): CallbackSpec | undefined {
  return parseCallback(
    req.headers['x-oss-callback'] ?? queryValue(req.query, 'callback'),
    req.headers['x-oss-callback-var'] ?? queryValue(req.query, 'callback-var'),
  );
}

export async function putObject(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  validateKey(key);
  if (req.headers['x-oss-copy-source'] !== undefined) throw Errors.notImplemented('CopyObject');
  const attributes = readObjectAttributes(req.headers, key);
  checkContentMd5(req.headers['content-md5'], req.body);
  const callback = callbackFromRequest(req);
  if (forbidsOverwrite(req.headers['x-oss-forbid-overwrite']) && (await svc.storage.headObject(req.bucket, key))) {
    throw fileAlreadyExists();
  }
  const meta: StoredObjectMeta = {
    key,
    size: req.body.length,
    etag: md5Etag(req.body),
    lastModified: new Date(svc.auth.now()).toISOString(),
    objectType: 'Normal',
    ...attributes,
  };
  await storeCreatedObject(req, svc, meta, req.body, 'PutObject');
  const success: OssResponse = {
    status: 200,
    headers: { etag: meta.etag, 'content-md5': createHash('md5').update(req.body).digest('base64') },
  };
  return finishWithCallback(callback, req.bucket, meta, success);
}
