import { invalidArgument } from '../errors';
import type { CapInfo } from '../expiry';
import type { MultipartInitiateRequest, MultipartPartsRequest, MultipartRequest } from '../request/multipart';
import { MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE } from '../request/multipart';
import type { PresignedRequest, PresignMethod } from '../signing';
import { callbackHeaders } from './callback';
import { checkUploadSize, forbidsOverwrite } from '../rules/checks';
import type { Rule } from '../rules/types';
import { checkObjectAttributes, uploadHeaders } from './presign-put';
import { chooseBucket } from './target';
import { checkLaterStepKey, chooseUploadKey } from './upload-key';
import { openSigningSession } from './signing-session';
import type { InvocationContext, PresignSuccess, ServiceDeps } from './types';

/**
 * Multipart upload through presigned URLs, with no call to OSS from the function: step 1 hands out the signed
 * InitiateMultipartUpload URL and a part plan; the holder initiates and gets an UploadId from OSS; step 2 hands
 * out, for that UploadId, one signed UploadPart URL per part plus the CompleteMultipartUpload and
 * AbortMultipartUpload URLs. The bucket, key prefix and content-type policy are those of a single PUT; every URL
 * of an answer shares one capped lifetime.
 */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface PartPlan {
  /** Total bytes, when the caller said. */
  size: number | null;
  /** Bytes in every part but the last. */
  partSize: number;
  parts: number | null;
  lastPartSize: number | null;
  minPartSize: number;
  maxPartSize: number;
  maxParts: number;
}

/**
 * 8 MB parts by default, grown (in whole MB) when the file would need more than 10,000 of them. A part size the
 * caller chose is kept, and refused if it makes too many parts.
 */
export function planParts(size: number | undefined, partSize: number | undefined, field = 'multipart.partSize'): PartPlan {
  const limits = { minPartSize: MIN_PART_SIZE, maxPartSize: MAX_PART_SIZE, maxParts: MAX_PARTS };
  if (partSize !== undefined && (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE)) {
    throw invalidArgument(field, `${field} must be from ${MIN_PART_SIZE} (100 KB) to ${MAX_PART_SIZE} (5 GB) bytes`);
  }
  let chosen = partSize ?? DEFAULT_PART_SIZE;
  if (size === undefined) return { size: null, partSize: chosen, parts: null, lastPartSize: null, ...limits };
  const smallest = Math.ceil(size / MAX_PARTS);
  if (partSize === undefined && smallest > chosen) chosen = Math.min(MAX_PART_SIZE, Math.ceil(smallest / MIB) * MIB);
  const parts = Math.max(1, Math.ceil(size / chosen));
  if (parts > MAX_PARTS) {
    throw invalidArgument(field, `${size} bytes in parts of ${chosen} bytes is ${parts} parts; OSS allows at most ${MAX_PARTS}: use a part size of at least ${smallest} bytes`);
  }
  return { size, partSize: chosen, parts, lastPartSize: size - (parts - 1) * chosen, ...limits };
}

export function partLength(plan: PartPlan, partNumber: number): number | undefined {
  if (plan.parts === null || plan.lastPartSize === null) return undefined;
  return partNumber < plan.parts ? plan.partSize : plan.lastPartSize;
}

/**
 * MAX_CONTENT_LENGTH bounds a multipart upload as it bounds a PUT: size is required, and part URLs are signed for
 * their planned lengths. The part size is then the service's, so that URLs from several answers for one upload
 * cannot be mixed into an object much larger than the limit (at most the limit rounded up to a whole part).
 */
function checkSize(rule: Rule, size: number | undefined, partSize: number | undefined): void {
  checkUploadSize(rule, size, 'multipart.size');
  if (rule.maxSize !== undefined && partSize !== undefined) {
    throw invalidArgument('multipart.partSize', 'multipart.partSize is chosen by the service when uploads are size-limited (MAX_CONTENT_LENGTH); leave it out');
  }
}

interface SignedUrl {
  method: PresignMethod;
  url: string;
  signedHeaders: Record<string, string>;
}

const urlOf = (signed: PresignedRequest): SignedUrl => ({ method: signed.method, url: signed.url, signedHeaders: signed.signedHeaders });

export interface MultipartInitiateAnswer extends PresignSuccess {
  plan: PartPlan;
}

export async function presignMultipartInitiate(request: MultipartInitiateRequest, context: InvocationContext, deps: ServiceDeps): Promise<MultipartInitiateAnswer> {
  const bucket = chooseBucket(request.bucket, deps.policy, 'multipart.bucket');
  const { key, rule } = chooseUploadKey(request, deps, 'multipart', 'multipart.');
  const forbidOverwrite = checkObjectAttributes(request, key, rule, 'multipart.');
  checkSize(rule, request.size, request.partSize);
  const plan = planParts(request.size, request.partSize);
  const { headers } = uploadHeaders(request, forbidOverwrite);
  const session = await openSigningSession(request, rule, context, deps);
  const signed = session.sign({ method: 'POST', bucket, key, headers, query: { uploads: '' } });
  return { ...signed, bucket, key, cap: session.cap, plan };
}

export interface PartUrl extends SignedUrl {
  partNumber: number;
  /** The exact length the part must have, when the URL is signed for it. */
  size?: number;
}

export interface MultipartPartsAnswer {
  bucket: string;
  key: string;
  uploadId: string;
  expiration: string;
  expiresIn: number;
  cap: CapInfo;
  plan: PartPlan | null;
  parts: PartUrl[];
  /** The first part of the next page when the plan has more parts than one answer holds; null when done. */
  nextPart: number | null;
  complete: SignedUrl & { bodyFormat: string };
  abort: SignedUrl;
  /** ListParts (GET ?uploadId=): at most maxParts parts numbered above partNumberMarker, as OSS's XML. */
  listParts: SignedUrl & { maxParts: number; partNumberMarker: number };
}

/**
 * OSS lists at most 1,000 parts per ListParts call (max-parts, default and maximum 1000:
 * https://www.alibabacloud.com/help/en/oss/developer-reference/listparts). The marker is a query parameter, and a V4
 * signature covers every query parameter, so each page needs its own URL: the caller asks again with
 * listPartsMarker = the NextPartNumberMarker of the page it has, while IsTruncated is true.
 */
export const LIST_PARTS_MAX = 1000;

export const COMPLETE_BODY_FORMAT =
  'Content-Type: application/xml; body <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…ETag header of part 1\'s response…"</ETag></Part>'
  + '<Part><PartNumber>2</PartNumber><ETag>"…"</ETag></Part>…</CompleteMultipartUpload>, one Part per uploaded part in ascending PartNumber';
const COMPLETE_ALL_FORMAT = 'no body: OSS completes the upload with every part uploaded so far (x-oss-complete-all: yes)';

/** Besides its part URLs, every step-2 answer signs the complete, abort and ListParts URLs. */
const STEP_TWO_FIXED_URLS = 3;

/**
 * Which part URLs this answer holds. A count the caller asked for must fit the invocation's URL budget; the rest of
 * a plan (size given, parts left out) is answered a page at a time, as many as fit, with `nextPart` saying where
 * the next page starts.
 */
function partRange(request: MultipartPartsRequest, plan: PartPlan | null, deps: ServiceDeps): { first: number; count: number; nextPart: number | null } {
  const first = request.firstPart ?? 1;
  const fit = deps.budget.remainingUrls - STEP_TWO_FIXED_URLS;
  const page = `ask for at most ${Math.max(fit, 1)} parts at a time (multipart.firstPart + multipart.parts)`;
  if (plan?.parts != null) {
    if (first > plan.parts) throw invalidArgument('multipart.firstPart', `multipart.firstPart ${first} is beyond the plan's ${plan.parts} parts`);
    const rest = plan.parts - first + 1;
    if (request.parts !== undefined && request.parts > rest) {
      throw invalidArgument('multipart.parts', `multipart.parts ${request.parts} from part ${first} goes beyond the plan's ${plan.parts} parts (size ${plan.size}, part size ${plan.partSize})`);
    }
    const asked = request.parts ?? Math.max(1, Math.min(rest, fit));
    deps.budget.reserve(asked + STEP_TWO_FIXED_URLS, 'multipart.parts', page);
    return { first, count: asked, nextPart: first + asked <= plan.parts ? first + asked : null };
  }
  if (request.parts === undefined) throw invalidArgument('multipart.parts', 'multipart.parts (how many part URLs) is required unless multipart.size is given');
  if (first + request.parts - 1 > MAX_PARTS) {
    throw invalidArgument('multipart.parts', `parts ${first} to ${first + request.parts - 1} go beyond part ${MAX_PARTS}, the most OSS allows`);
  }
  deps.budget.reserve(request.parts + STEP_TWO_FIXED_URLS, 'multipart.parts', page);
  return { first, count: request.parts, nextPart: null };
}

export async function presignMultipartParts(request: MultipartPartsRequest, context: InvocationContext, deps: ServiceDeps): Promise<MultipartPartsAnswer> {
  const bucket = chooseBucket(request.bucket, deps.policy, 'multipart.bucket');
  if (request.key === undefined) throw invalidArgument('multipart.key', 'multipart.key is required (the key the upload was initiated for)');
  const { key, rule } = checkLaterStepKey(request.key, deps, 'multipart', 'multipart.key');
  checkSize(rule, request.size, request.partSize);
  if (request.partSize !== undefined && request.size === undefined) {
    throw invalidArgument('multipart.partSize', 'multipart.partSize goes with multipart.size in this step (it pins each part URL to its planned length)');
  }
  const plan = request.size === undefined ? null : planParts(request.size, request.partSize);
  const { first, count, nextPart } = partRange(request, plan, deps);
  const completeHeaders: Record<string, string> = request.completeAll ? { 'x-oss-complete-all': 'yes' } : { 'content-type': 'application/xml' };
  if (forbidsOverwrite(rule, request.forbidOverwrite, 'multipart.forbidOverwrite')) completeHeaders['x-oss-forbid-overwrite'] = 'true';
  if (request.callback) Object.assign(completeHeaders, callbackHeaders(request.callback, deps.policy, rule, 'multipart.callback'));

  const session = await openSigningSession(request, rule, context, deps);
  const uploadId = request.uploadId;
  const parts: PartUrl[] = [];
  for (let partNumber = first; partNumber < first + count; partNumber++) {
    const length = plan ? partLength(plan, partNumber) : undefined;
    const signed = session.sign({
      method: 'PUT',
      bucket,
      key,
      query: { partNumber, uploadId },
      ...(length === undefined ? {} : { headers: { 'content-length': length }, additionalHeaders: ['content-length'] }),
    });
    parts.push({ partNumber, ...urlOf(signed), ...(length === undefined ? {} : { size: length }) });
  }
  const complete = session.sign({ method: 'POST', bucket, key, query: { uploadId }, headers: completeHeaders });
  const abort = session.sign({ method: 'DELETE', bucket, key, query: { uploadId } });
  const partNumberMarker = request.listPartsMarker ?? 0;
  const listQuery = { uploadId, 'max-parts': LIST_PARTS_MAX, ...(partNumberMarker > 0 ? { 'part-number-marker': partNumberMarker } : {}) };
  const list = session.sign({ method: 'GET', bucket, key, query: listQuery });
  return {
    bucket,
    key,
    uploadId,
    expiration: session.expiration,
    expiresIn: session.expiresIn,
    cap: session.cap,
    plan,
    parts,
    nextPart,
    complete: { ...urlOf(complete), bodyFormat: request.completeAll ? COMPLETE_ALL_FORMAT : COMPLETE_BODY_FORMAT },
    abort: urlOf(abort),
    listParts: { ...urlOf(list), maxParts: LIST_PARTS_MAX, partNumberMarker },
  };
}

export function presignMultipart(request: MultipartRequest, context: InvocationContext, deps: ServiceDeps): Promise<MultipartInitiateAnswer | MultipartPartsAnswer> {
  return request.step === 'initiate' ? presignMultipartInitiate(request, context, deps) : presignMultipartParts(request, context, deps);
}
