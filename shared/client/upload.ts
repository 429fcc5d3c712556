/**
 * upload(): one call for any body. Up to `multipartThreshold` bytes it is a single presigned PUT; larger bodies, and
 * streams, go through the multipart contract. Every step is retried with backoff; every state is reported.
 */
import { fileFingerprint, defaultCheckpointStore } from './checkpoint';
import { UploadError, abortError, isAbort } from './errors';
import { sendAbort, uploadBlobInParts, uploadStreamInParts, retryPolicy, PartUrls, type UploadContext } from './multipart';
import { DEFAULT_PART_SIZE, choosePartSize } from './part-size';
import { withRetries } from './retry';
import { callService, lifetime, ossError, type SignedRequest } from './service';
import { toSource } from './source';
import { send } from './transport';
import type { AbortOutcome, CheckpointStore, Progress, ServiceOptions, UploadBody, UploadOptions, UploadResult, UploadState } from './types';

interface PutAnswer extends SignedRequest {
  bucket: string;
  key: string;
}

function targetOf(options: UploadOptions): Record<string, string> {
  if (options.key !== undefined) return { key: options.key };
  if (options.filename !== undefined) return { filename: options.filename, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) };
  throw new TypeError('upload() needs a key (or a filename when the service generates keys)');
}

async function singlePut(ctx: UploadContext, blob: Blob, target: Record<string, string>, contentType: string): Promise<UploadResult> {
  const { options } = ctx;
  return withRetries(retryPolicy(ctx, 'put'), async () => {
    ctx.emit({ phase: 'signing' });
    const answer = await callService<PutAnswer>(options.endpoint, { ...target, contentType, contentLength: blob.size, ...lifetime(options) }, options, 'put', ctx.signal);
    ctx.emit({ phase: 'uploading', partsDone: 0, partsTotal: 1, multipart: false });
    ctx.progress(0, blob.size, 0, 1);
    const res = await send({ method: answer.method, url: answer.url, headers: answer.signedHeaders, body: blob, signal: ctx.signal, onUploadProgress: (b) => ctx.progress(b, blob.size, 0, 1) }, 'put');
    if (res.status >= 300) throw ossError('put', res);
    ctx.progress(blob.size, blob.size, 1, 1);
    return { key: answer.key, bucket: answer.bucket, size: blob.size, etag: res.header('etag') ?? undefined, multipart: false, parts: 1, partsSent: 1, resumed: false };
  });
}

function contextOf(options: UploadOptions): UploadContext {
  return {
    options,
    signal: options.signal ?? new AbortController().signal,
    emit: (state: UploadState) => options.onStateChange?.(state),
    progress: (bytesSent, bytesTotal, partsDone, partsTotal) => options.onProgress?.({ bytesSent, bytesTotal, partsDone, partsTotal } satisfies Progress),
  };
}

export async function upload(body: UploadBody, options: UploadOptions): Promise<UploadResult> {
  if (!options.endpoint) throw new TypeError('upload() needs options.endpoint (presign-put\'s URL)');
  const ctx = contextOf(options);
  const source = toSource(body);
  const target = targetOf(options);
  const contentType = options.contentType || source.type || 'application/octet-stream';
  const threshold = options.multipartThreshold ?? DEFAULT_PART_SIZE;
  try {
    let result: UploadResult;
    if (source.kind === 'blob' && source.size <= threshold) {
      result = await singlePut(ctx, source.blob, target, contentType);
    } else if (source.kind === 'blob') {
      const store = options.checkpoints === false ? undefined : (options.checkpoints ?? defaultCheckpointStore());
      const fingerprint = options.fingerprint ?? fileFingerprint(body, JSON.stringify(target), options.endpoint);
      const done = await uploadBlobInParts(ctx, source.blob, target, contentType, store, fingerprint);
      result = { ...done, size: source.size, multipart: true };
    } else {
      const done = await uploadStreamInParts(ctx, source.chunks, target, contentType, options.partSize ?? DEFAULT_PART_SIZE);
      result = { ...done, size: -1, multipart: true };
    }
    ctx.emit({ phase: 'done', result });
    return result;
  } catch (err) {
    if (isAbort(err) || ctx.signal.aborted) throw abortError(ctx.signal);
    const error = err instanceof UploadError ? err : new UploadError('put', err instanceof Error ? err.message : String(err), { cause: err });
    ctx.emit({ phase: 'failed', error });
    throw error;
  }
}

/**
 * Abandons a multipart upload: AbortMultipartUpload (OSS drops its parts), retried; the checkpoint goes with it when
 * OSS confirmed or the upload was already gone. `not-sent` means it could not be delivered: the parts stay billed
 * until it is sent again or a lifecycle rule removes them (docs/operations.md).
 */
export async function abortUpload(
  upload: { key: string; uploadId: string; size?: number | undefined },
  options: ServiceOptions & { signal?: AbortSignal | undefined; retryDelays?: number[] | undefined; checkpoints?: CheckpointStore | false | undefined; fingerprint?: string | undefined; onStateChange?: ((state: UploadState) => void) | undefined },
): Promise<AbortOutcome> {
  const ctx = { options: options as UploadOptions, signal: options.signal ?? new AbortController().signal, emit: (s: UploadState) => options.onStateChange?.(s) };
  const urls = new PartUrls(options, { key: upload.key, uploadId: upload.uploadId, size: upload.size }, 1, 60_000, ctx.signal);
  const outcome = await sendAbort(urls, ctx);
  if (outcome.status !== 'not-sent' && options.fingerprint && options.checkpoints) await options.checkpoints.delete(options.fingerprint);
  return outcome;
}

export { choosePartSize };
