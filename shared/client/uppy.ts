/**
 * Uppy's @uppy/aws-s3 (v6) backed by presign-put: `uppy.use(AwsS3, ossPresignForUppy({ endpoint, token }))`.
 *
 * @uppy/aws-s3 v6 calls `signRequest(request)` once per S3 request it is about to send (PutObject, create, UploadPart,
 * ListParts, complete, abort: node_modules/@uppy/aws-s3/src/s3-client/S3mini.ts) and owns retries and ETags itself.
 * This adapter answers each with a URL from presign-put's contract, and handles the caveats of doing that with OSS:
 * - The content type on create: Uppy asks to sign the create request as `{ method: 'POST', key }`, without the type,
 *   yet sends `Content-Type: <file type>` on it, and OSS V4 signs Content-Type. The adapter names the object keys
 *   (generateObjectKey), so it knows each key's file; it signs the initiate request for that file's type and returns
 *   it in `headers`, which Uppy sends in place of its own.
 * - Part sizes: a part URL is signed for its exact length (content-length), so Uppy must cut the parts the service
 *   plans. getChunkSize returns that plan (part-size.ts, held to the service's planParts by a test).
 * - ETag exposure through CORS: Uppy reads each part's ETag response header; the bucket's CORS rule must expose ETag
 *   (docs/operations.md), or Uppy fails with "Missing ETag in uploadPart response headers".
 * - Quoted versus unquoted ETags: Uppy strips the quotes of the ETag header (sanitizeETag) but keeps those of
 *   ListParts' XML, so a resumed upload completes with both forms in one body. OSS takes both (the local OSS's
 *   CompleteMultipartUpload says why: scripts/local-oss/multipart.ts, normaliseEtag); this client's own uploads send
 *   the quoted form every official OSS SDK sends.
 * - Paging: Uppy asks for one URL per part; the adapter asks presign-put for a page of them (firstPart + parts,
 *   following the service's URL budget) and serves the rest from it until they near their expiry. Uppy's ListParts
 *   reads one page (1,000 parts, 8 GB at the default part size); parts past it are sent again on resume.
 */
import { PartUrls } from './multipart';
import { choosePartSize } from './part-size';
import { callService, lifetime, type SignedRequest } from './service';
import type { ServiceOptions } from './types';

/** The requests @uppy/aws-s3 v6 asks to sign (its PresignableRequest). */
export interface UppySignRequest {
  method: 'PUT' | 'POST' | 'GET' | 'DELETE';
  key: string;
  uploadId?: string;
  partNumber?: number;
  contentType?: string;
  expiresIn?: number;
}

export interface UppyPresigned {
  url: string;
  key?: string;
  headers?: Record<string, string>;
}

interface UppyFileLike {
  name?: string;
  type?: string;
  size: number | null;
}

export interface OssUppyOptions extends ServiceOptions {
  /** The key for a file (default `uploads/<file name>`); the service may answer another (PUT_KEY_MODE=generated). */
  keyFor?: ((file: UppyFileLike) => string) | undefined;
  /** Files above this go in parts (default 8 MiB). */
  multipartThreshold?: number | undefined;
  /** Part URLs asked for per presign-put answer (default 50). */
  partsPerRequest?: number | undefined;
}

const BROWSER_OWNED = new Set(['content-length', 'host']);

function sendable(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !BROWSER_OWNED.has(name.toLowerCase())));
}

const presigned = (signed: SignedRequest, key?: string): UppyPresigned => ({ url: signed.url, headers: sendable(signed.signedHeaders), ...(key === undefined ? {} : { key }) });

export function ossPresignForUppy(options: OssUppyOptions): {
  signRequest: (request: UppySignRequest) => Promise<UppyPresigned>;
  generateObjectKey: (file: UppyFileLike) => string;
  getChunkSize: (file: { size: number }) => number;
  shouldUseMultipart: (file: UppyFileLike) => boolean;
} {
  const files = new Map<string, { size: number; type: string }>();
  const uploads = new Map<string, PartUrls>();
  const never = new AbortController().signal;
  const threshold = options.multipartThreshold ?? 8 * 1024 * 1024;
  const info = (key: string): { size: number; type: string } => {
    const found = files.get(key);
    if (!found) throw new Error(`no file is known for key ${key}: let the adapter name keys (generateObjectKey)`);
    return found;
  };
  const partsOf = (key: string, uploadId: string): PartUrls => {
    let urls = uploads.get(uploadId);
    if (!urls) {
      const { size } = info(key);
      urls = new PartUrls(options, { key, uploadId, size, total: Math.max(1, Math.ceil(size / choosePartSize(size))) }, options.partsPerRequest ?? 50, 60_000, never);
      uploads.set(uploadId, urls);
    }
    return urls;
  };

  async function signRequest(request: UppySignRequest): Promise<UppyPresigned> {
    const { method, key, uploadId } = request;
    if (uploadId === undefined) {
      const file = info(key);
      const contentType = request.contentType || file.type || 'application/octet-stream';
      if (method === 'PUT') {
        const answer = await callService<SignedRequest & { key: string }>(options.endpoint, { key, contentType, contentLength: file.size, ...lifetime(options) }, options, 'put');
        files.set(answer.key, file);
        return presigned(answer, answer.key);
      }
      if (method === 'POST') {
        const answer = await callService<SignedRequest & { key: string }>(options.endpoint, { multipart: { key, contentType, size: file.size, ...lifetime(options) } }, options, 'initiate');
        files.set(answer.key, file);
        return presigned(answer, answer.key);
      }
      throw new Error(`the presign service signs no ${method} of a whole object for Uppy`);
    }
    const urls = partsOf(key, uploadId);
    if (method === 'PUT' && request.partNumber !== undefined) return presigned(await urls.part(request.partNumber));
    const control = await urls.control();
    if (method === 'GET') return presigned(control.listParts);
    if (method === 'POST') return presigned(control.complete);
    if (method === 'DELETE') {
      uploads.delete(uploadId);
      return presigned(control.abort);
    }
    throw new Error(`unexpected ${method} request for upload ${uploadId}`);
  }

  return {
    signRequest,
    generateObjectKey: (file) => {
      const key = options.keyFor?.(file) ?? `uploads/${file.name ?? 'file'}`;
      files.set(key, { size: file.size ?? 0, type: file.type || 'application/octet-stream' });
      return key;
    },
    getChunkSize: (file) => choosePartSize(file.size),
    shouldUseMultipart: (file) => (file.size ?? 0) > threshold,
  };
}
