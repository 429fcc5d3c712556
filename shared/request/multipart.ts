import { invalidArgument } from '../errors';
import { readCallback, type CallbackRequest } from './callback';
import { readTargetFields, type TargetFields } from './common';
import { FieldReader } from './fields';
import { readPutFields, type PutRequest } from './put';

/** OSS's multipart limits. */
export const MIN_PART_SIZE = 100 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
export const MAX_MULTIPART_SIZE = MAX_PARTS * MAX_PART_SIZE;

/**
 * Step 1, `{ "multipart": { "key", "size"?, "partSize"?, ... } }` (no uploadId): the InitiateMultipartUpload URL
 * and the part plan. Every object attribute a single PUT can set (contentType, metadata, storageClass, acl,
 * tagging, serverSideEncryption, forbidOverwrite) is set here, on the initiate request, as OSS wants it.
 */
export interface MultipartInitiateRequest extends Omit<PutRequest, 'contentLength' | 'contentMd5'> {
  step: 'initiate';
  size?: number | undefined;
  partSize?: number | undefined;
}

/**
 * Step 2, `{ "multipart": { "key", "uploadId", "parts"?, "size"?, "partSize"?, ... } }`: part URLs, the complete
 * URL and the abort URL for the upload that step 1 began.
 */
export interface MultipartPartsRequest extends TargetFields {
  step: 'parts';
  key?: string | undefined;
  uploadId: string;
  /** How many part URLs to answer. With size, defaults to the rest of the plan from firstPart. */
  parts?: number | undefined;
  /** Number of the first part URL in this answer (default 1), to hand out a large plan in several answers. */
  firstPart?: number | undefined;
  /** With size, each part URL is signed for its planned length (content-length), so OSS refuses any other. */
  size?: number | undefined;
  partSize?: number | undefined;
  /** Sign the complete URL with x-oss-complete-all: yes (no XML body; OSS completes with every uploaded part). */
  completeAll?: boolean | undefined;
  forbidOverwrite?: boolean | undefined;
  callback?: CallbackRequest | undefined;
}

export type MultipartRequest = MultipartInitiateRequest | MultipartPartsRequest;

const UPLOAD_ID = /^[A-Za-z0-9._~-]{1,256}$/;
const INITIATE_ONLY = ['contentType', 'storageClass', 'acl', 'metadata', 'tagging', 'serverSideEncryption', 'filename', 'prefix'];
const PARTS_ONLY = ['parts', 'firstPart', 'completeAll', 'callback'];

function readSizes(reader: FieldReader): { size: number | undefined; partSize: number | undefined } {
  return {
    size: reader.integer('size', 1, MAX_MULTIPART_SIZE, ' of bytes'),
    partSize: reader.integer('partSize', MIN_PART_SIZE, MAX_PART_SIZE, ' of bytes (OSS: every part but the last at least 100 KB, none over 5 GB)'),
  };
}

function refuse(reader: FieldReader, raw: Record<string, unknown>, names: string[], why: string): void {
  for (const name of names) {
    if (Object.hasOwn(raw, name) && raw[name] !== null) throw invalidArgument(reader.name(name), `${reader.name(name)} ${why}`);
  }
}

/** `value` is the `multipart` member of the request. */
export function readMultipart(value: unknown): MultipartRequest {
  const reader = FieldReader.of(value, 'multipart');
  const raw = value as Record<string, unknown>;
  if (!Object.hasOwn(raw, 'uploadId') || raw.uploadId === null) {
    refuse(reader, raw, PARTS_ONLY, 'belongs to the second step (with uploadId)');
    const put = readPutFields(reader);
    if (put.contentLength !== undefined) throw invalidArgument(reader.name('contentLength'), `${reader.name('contentLength')} is for single PUTs; give multipart.size`);
    if (put.contentMd5 !== undefined) throw invalidArgument(reader.name('contentMd5'), `${reader.name('contentMd5')} is for single PUTs; a multipart upload has no whole-body MD5`);
    delete put.contentLength;
    delete put.contentMd5;
    const request: MultipartInitiateRequest = { step: 'initiate', ...put, ...readSizes(reader) };
    reader.finish();
    return request;
  }
  refuse(reader, raw, INITIATE_ONLY, 'belongs to the first step (without uploadId): OSS takes object attributes when the upload is initiated');
  const request: MultipartPartsRequest = {
    step: 'parts',
    ...readTargetFields(reader),
    key: reader.rawString('key'),
    uploadId: reader.string('uploadId', { pattern: UPLOAD_ID, patternRule: 'must be the UploadId OSS answered to the initiate request' }) as string,
    parts: reader.integer('parts', 1, MAX_PARTS, ' (OSS allows 1 to 10000 parts)'),
    firstPart: reader.integer('firstPart', 1, MAX_PARTS),
    ...readSizes(reader),
    completeAll: reader.boolean('completeAll'),
    forbidOverwrite: reader.boolean('forbidOverwrite'),
    callback: readCallback(reader),
  };
  reader.finish();
  return request;
}
