/**
 * ListParts (GET /key?uploadId=…) and ListMultipartUploads (GET /?uploads), with OSS's XML and paging.
 *
 * Shapes from the OSS API reference (https://www.alibabacloud.com/help/en/oss/developer-reference/listparts and
 * …/listmultipartuploads) and the responses the official SDKs parse (aliyun-oss-java-sdk ResponseParsers.parseListParts
 * reads Bucket, Key, UploadId, StorageClass, MaxParts, IsTruncated, PartNumberMarker, NextPartNumberMarker and
 * Part{PartNumber, LastModified, ETag, Size}):
 * - ListParts: `max-parts` 1–1000 (default 1000), `part-number-marker` (parts numbered above it), parts in ascending
 *   order; `NextPartNumberMarker` is the last part listed, `IsTruncated` says whether more follow.
 * - ListMultipartUploads: `prefix`, `delimiter`, `key-marker` + `upload-id-marker`, `max-uploads` 1–1000 (default
 *   1000); uploads ordered by key, then by initiation; `NextKeyMarker` / `NextUploadIdMarker` continue a truncated list.
 * - `encoding-type=url` percent-encodes keys and prefixes in the answer.
 */
import type { OssRequest, OssResponse, ServerServices } from './context';
import { queryValue } from './encoding';
import { Errors } from './errors';
import type { UploadMeta } from './storage';
import { xmlDocument, type XmlElement } from './xml';

const MAX_LISTED = 1000;

/** A bounded whole number from the query, or OSS's InvalidArgument naming the parameter. */
function bounded(req: OssRequest, name: string, min: number, max: number, fallback: number): number {
  const raw = queryValue(req.query, name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw Errors.invalidArgument(`Argument ${name} must be an integer between ${min} and ${max}.`, name, raw);
  }
  return n;
}

function encodingOf(req: OssRequest): ((s: string) => string) & { tag: string | undefined } {
  const type = queryValue(req.query, 'encoding-type');
  if (type !== undefined && type !== '' && type !== 'url') {
    throw Errors.invalidArgument('The Encoding-Type must be url.', 'encoding-type', type);
  }
  const encode = type === 'url' ? (s: string) => encodeURIComponent(s) : (s: string) => s;
  return Object.assign(encode, { tag: type === 'url' ? 'url' : undefined });
}

export async function listParts(req: OssRequest, svc: ServerServices, upload: UploadMeta): Promise<OssResponse> {
  const maxParts = bounded(req, 'max-parts', 1, MAX_LISTED, MAX_LISTED);
  const marker = bounded(req, 'part-number-marker', 0, 10000, 0);
  const encode = encodingOf(req);
  const all = [...(await svc.storage.listParts(req.bucket, upload.uploadId)).values()].sort((a, b) => a.partNumber - b.partNumber);
  const after = all.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const last = page[page.length - 1];
  const children: XmlElement[] = [
    ['Bucket', req.bucket],
    ['EncodingType', encode.tag],
    ['Key', encode(upload.key)],
    ['UploadId', upload.uploadId],
    ['StorageClass', upload.storageClass ?? 'Standard'],
    ['PartNumberMarker', marker],
    ['NextPartNumberMarker', last ? last.partNumber : marker],
    ['MaxParts', maxParts],
    ['IsTruncated', after.length > page.length ? 'true' : 'false'],
    ...page.map((p): XmlElement => ['Part', [
      ['PartNumber', p.partNumber],
      ['LastModified', p.lastModified],
      ['ETag', p.etag],
      ['Size', p.size],
    ]]),
  ];
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('ListPartsResult', children) };
}

/** Ordered as OSS lists them: by key, then by when the upload began. */
function compareUploads(a: UploadMeta, b: UploadMeta): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  if (a.initiated !== b.initiated) return a.initiated < b.initiated ? -1 : 1;
  return a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0;
}

export async function listMultipartUploads(req: OssRequest, svc: ServerServices): Promise<OssResponse> {
  const maxUploads = bounded(req, 'max-uploads', 1, MAX_LISTED, MAX_LISTED);
  const prefix = queryValue(req.query, 'prefix') ?? '';
  const delimiter = queryValue(req.query, 'delimiter') ?? '';
  const keyMarker = queryValue(req.query, 'key-marker') ?? '';
  const uploadIdMarker = queryValue(req.query, 'upload-id-marker') ?? '';
  const encode = encodingOf(req);
  const uploads = (await svc.storage.listUploads(req.bucket)).filter((u) => u.key.startsWith(prefix)).sort(compareUploads);

  // After the markers: keys past key-marker, or (with upload-id-marker) the same key's later uploads too.
  let start = 0;
  if (keyMarker !== '') {
    const markerIndex = uploadIdMarker === '' ? -1 : uploads.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
    start = markerIndex >= 0 ? markerIndex + 1 : uploads.findIndex((u) => u.key > keyMarker || (uploadIdMarker !== '' && u.key === keyMarker && u.uploadId > uploadIdMarker));
    if (start < 0) start = uploads.length;
  }

  const listed: UploadMeta[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let lastKey = '';
  let lastUploadId = '';
  for (const upload of uploads.slice(start)) {
    const rest = upload.key.slice(prefix.length);
    const cut = delimiter === '' ? -1 : rest.indexOf(delimiter);
    const common = cut === -1 ? undefined : prefix + rest.slice(0, cut + delimiter.length);
    if (common !== undefined && prefixes[prefixes.length - 1] === common) continue;
    if (listed.length + prefixes.length >= maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      lastKey = common;
      lastUploadId = '';
    } else {
      listed.push(upload);
      lastKey = upload.key;
      lastUploadId = upload.uploadId;
    }
  }
  const children: XmlElement[] = [
    ['Bucket', req.bucket],
    ['EncodingType', encode.tag],
    ['KeyMarker', encode(keyMarker)],
    ['UploadIdMarker', uploadIdMarker],
    ['NextKeyMarker', truncated ? encode(lastKey) : ''],
    ['NextUploadIdMarker', truncated ? lastUploadId : ''],
    ['Delimiter', encode(delimiter)],
    ['Prefix', encode(prefix)],
    ['MaxUploads', maxUploads],
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...listed.map((u): XmlElement => ['Upload', [
      ['Key', encode(u.key)],
      ['UploadId', u.uploadId],
      ['StorageClass', u.storageClass ?? 'Standard'],
      ['Initiated', u.initiated],
    ]]),
    ...prefixes.map((p): XmlElement => ['CommonPrefixes', [['Prefix', encode(p)]]]),
  ];
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('ListMultipartUploadsResult', children) };
}
