/** InitiateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload. */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { OssRequest, OssResponse, ServerServices } from './context';
import { queryValue } from './encoding';
import { OssError } from './errors';
import { callbackFromRequest, finishWithCallback } from './objects';
import { storeCreatedObject } from './notifications';
import { checkContentMd5, fileAlreadyExists, forbidsOverwrite, readObjectAttributes, validateKey } from './object-attributes';
import type { StoredObjectMeta, UploadMeta } from './storage';
import { xmlDocument } from './xml';

/** OSS's floor for every part but the last. */
export const MIN_PART_SIZE = 100 * 1024;
const MAX_PART_NUMBER = 10000;

// processEntities (the default) turns &quot; and &#34; into '"' before the ETag is compared.
const xmlParser = new XMLParser({ parseTagValue: false, trimValues: true, htmlEntities: true });

function noSuchUpload(uploadId: string): OssError {
  return new OssError(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    [['UploadId', uploadId]],
  );
}

export async function requireUpload(req: OssRequest, svc: ServerServices, key: string): Promise<UploadMeta> {
  const uploadId = queryValue(req.query, 'uploadId') ?? '';
  const upload = await svc.storage.getUpload(req.bucket, uploadId);
  if (!upload || upload.key !== key) throw noSuchUpload(uploadId);
  return upload;
}

const xmlAnswer = (body: string, headers: Record<string, string> = {}): OssResponse => ({
  status: 200,
  headers: { 'content-type': 'application/xml', ...headers },
  body,
});

export async function initiateUpload(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  validateKey(key);
  const attributes = readObjectAttributes(req.headers, key);
  if (forbidsOverwrite(req.headers['x-oss-forbid-overwrite']) && (await svc.storage.headObject(req.bucket, key))) {
    throw fileAlreadyExists();
  }
  const upload = await svc.storage.initiateUpload(req.bucket, { key, ...attributes });
  return xmlAnswer(
    xmlDocument('InitiateMultipartUploadResult', [
      ['Bucket', req.bucket],
      ['Key', key],
      ['UploadId', upload.uploadId],
    ]),
  );
}

export async function uploadPart(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  const raw = queryValue(req.query, 'partNumber') ?? '';
  const partNumber = Number(raw);
  if (!/^\d+$/.test(raw) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new OssError(400, 'InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, [
      ['ArgumentName', 'partNumber'],
      ['ArgumentValue', raw],
    ]);
  }
  const upload = await requireUpload(req, svc, key);
  checkContentMd5(req.headers['content-md5'], req.body);
  const part = await svc.storage.putPart(req.bucket, upload.uploadId, partNumber, req.body);
  return { status: 200, headers: { etag: part.etag, 'content-md5': Buffer.from(part.md5Hex, 'hex').toString('base64') } };
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

interface RequestedPart {
  partNumber: number;
  etag: string;
}

function parseCompleteBody(body: Buffer): RequestedPart[] {
  const malformed = new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  let doc: unknown;
  try {
    doc = xmlParser.parse(body.toString('utf8'));
  } catch {
    throw malformed;
  }
  const root = (doc as { CompleteMultipartUpload?: { Part?: unknown } } | undefined)?.CompleteMultipartUpload;
  if (root === undefined || typeof root !== 'object' || root === null) throw malformed;
  return asArray(root.Part as unknown).map((p) => {
    const part = p as { PartNumber?: unknown; ETag?: unknown };
    if (typeof part.PartNumber !== 'string' || !/^\d+$/.test(part.PartNumber) || typeof part.ETag !== 'string') throw malformed;
    return { partNumber: Number(part.PartNumber), etag: part.ETag };
  });
}

/**
 * An ETag as CompleteMultipartUpload compares it. OSS documents the part's ETag exactly as it answered it, quoted
 * (`<ETag>"3349DC70…"</ETag>`), and the official SDKs send that form: aliyun-oss-java-sdk's
 * CompleteMultipartUploadRequestMarshaller and aliyun-oss-csharp-sdk's CompleteMultipartUploadRequestSerializer strip
 * any quotes and add one pair back, oss2's to_complete_upload_request wraps the bare value in quotes. Quotes written
 * as XML entities (`&quot;`, `&#34;`, what the Java and Go SDKs emit) are the same text once parsed. OSS also serves
 * the S3 CompleteMultipartUpload (https://www.alibabacloud.com/help/doc-detail/389025.html), whose clients send the
 * bare hex: minio-go (trimEtag) and Uppy's S3 client (sanitizeETag) strip the quotes. So both forms are accepted:
 * the hex with one surrounding pair of quotes or with none, compared without regard to case. Anything else (stray
 * quotes inside, a different digest) is InvalidPart.
 */
export function normaliseEtag(etag: string): string {
  const trimmed = etag.trim();
  const bare = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  return bare.toUpperCase();
}

export async function completeUpload(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  const upload = await requireUpload(req, svc, key);
  const stored = await svc.storage.listParts(req.bucket, upload.uploadId);
  const completeAll = (req.headers['x-oss-complete-all'] ?? '').toLowerCase() === 'yes';
  const requested = completeAll
    ? [...stored.values()].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ partNumber: p.partNumber, etag: p.etag }))
    : parseCompleteBody(req.body);
  if (requested.length === 0) {
    throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  requested.forEach((part, i) => {
    const previous = requested[i - 1];
    if (previous && part.partNumber <= previous.partNumber) {
      throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts list must specified in order by part number.', [
        ['UploadId', upload.uploadId],
      ]);
    }
  });
  requested.forEach((part, i) => {
    const have = stored.get(part.partNumber);
    if (!have || normaliseEtag(have.etag) !== normaliseEtag(part.etag)) {
      throw new OssError(400, 'InvalidPart', "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.", [
        ['UploadId', upload.uploadId],
        ['PartNumber', String(part.partNumber)],
        ['ETag', part.etag],
      ]);
    }
    if (i < requested.length - 1 && have.size < MIN_PART_SIZE) {
      throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', [
        ['PartNumber', String(part.partNumber)],
        ['ProposedSize', String(have.size)],
        ['MinSizeAllowed', String(MIN_PART_SIZE)],
      ]);
    }
  });
  const callback = callbackFromRequest(req);
  if (forbidsOverwrite(req.headers['x-oss-forbid-overwrite']) && (await svc.storage.headObject(req.bucket, key))) {
    throw fileAlreadyExists();
  }
  const buffers: Buffer[] = [];
  const digests: Buffer[] = [];
  for (const part of requested) {
    buffers.push(await svc.storage.readPart(req.bucket, upload.uploadId, part.partNumber));
    digests.push(Buffer.from(normaliseEtag(part.etag), 'hex'));
  }
  const data = Buffer.concat(buffers);
  const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex').toUpperCase()}-${requested.length}"`;
  const meta: StoredObjectMeta = {
    key,
    size: data.length,
    etag,
    lastModified: new Date(svc.auth.now()).toISOString(),
    objectType: 'Multipart',
    contentType: upload.contentType,
    storageClass: upload.storageClass,
    acl: upload.acl,
    tagging: upload.tagging,
    userMeta: upload.userMeta,
    httpHeaders: upload.httpHeaders,
  };
  await storeCreatedObject(req, svc, meta, data, 'CompleteMultipartUpload');
  await svc.storage.dropUpload(req.bucket, upload.uploadId);
  const location = `${req.publicOrigin}/${req.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const success = xmlAnswer(
    xmlDocument('CompleteMultipartUploadResult', [
      ['Location', location],
      ['Bucket', req.bucket],
      ['Key', key],
      ['ETag', etag],
    ]),
    { etag },
  );
  return finishWithCallback(callback, req.bucket, meta, success);
}

export async function abortUpload(req: OssRequest, svc: ServerServices, key: string): Promise<OssResponse> {
  const upload = await requireUpload(req, svc, key);
  await svc.storage.dropUpload(req.bucket, upload.uploadId);
  return { status: 204, headers: {} };
}
