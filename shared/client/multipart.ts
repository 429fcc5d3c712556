/**
 * A multipart upload through presign-put's two-step contract (README "Large and constrained uploads"):
 *   step 1  { multipart: { key, size, contentType } }            → the InitiateMultipartUpload URL and the part plan
 *   step 2  { multipart: { key, uploadId, size, firstPart, parts, listPartsMarker? } }
 *           → part URLs (a page of them: follow nextPart, or ask again from the part after the last one given),
 *             the complete, abort and ListParts URLs, all with one expiry.
 * Part URLs are asked for a page at a time and kept until they come near their expiry; a URL OSS calls expired
 * ("Request has expired.") is thrown away and presigned again. Parts go `concurrency` at a time, each retried with
 * backoff; the first part that fails for good stops the others, and the upload stays resumable from its checkpoint.
 */
import { UploadError, abortError, isAbort } from './errors';
import { choosePartSize, partCount, partRange } from './part-size';
import { DEFAULT_RETRY_DELAYS, defaultShouldRetry, withRetries, type RetryPolicy } from './retry';
import { callService, lifetime, ossError, type SignedRequest } from './service';
import { partsOf } from './source';
import { send } from './transport';
import type { AbortOutcome, Checkpoint, CheckpointStore, ServiceOptions, UploadOptions, UploadState, UploadStep } from './types';
import { completeBody, quotedEtag, readListParts, xmlText } from './xml';

interface PartUrl extends SignedRequest {
  partNumber: number;
  size?: number;
}

export interface PartsAnswer {
  bucket: string;
  key: string;
  uploadId: string;
  expiration: string;
  parts: PartUrl[];
  nextPart?: number | null;
  complete: SignedRequest;
  abort: SignedRequest;
  listParts: SignedRequest & { maxParts: number; partNumberMarker: number };
}

interface InitiateAnswer extends SignedRequest {
  bucket: string;
  key: string;
  expiration: string;
  plan: { partSize: number; parts: number | null };
}

/** What every step of one upload shares: the options, the events, the cancel signal. */
export interface UploadContext {
  options: UploadOptions;
  signal: AbortSignal;
  emit(state: UploadState): void;
  progress(bytesSent: number, bytesTotal: number | undefined, partsDone: number, partsTotal: number | undefined): void;
}

export function retryPolicy(ctx: Pick<UploadContext, 'options' | 'signal' | 'emit'>, step: UploadStep): RetryPolicy {
  return {
    delays: ctx.options.retryDelays ?? DEFAULT_RETRY_DELAYS,
    shouldRetry: ctx.options.shouldRetry ?? defaultShouldRetry,
    signal: ctx.signal,
    onRetry: (error, attempt, delayMs) => ctx.emit({ phase: 'retrying', step, attempt, delayMs, reason: error.message }),
    onOffline: () => ctx.emit({ phase: 'waiting-for-network' }),
  };
}

const MS = 1000;

/** The step-2 conversation for one UploadId: pages of part URLs, and the freshest complete / abort / ListParts URLs. */
export class PartUrls {
  private readonly urls = new Map<number, PartUrl & { expiresAt: number }>();
  private controls: (PartsAnswer & { expiresAt: number }) | undefined;
  private pending: Promise<void> = Promise.resolve();
  private perRequest: number;

  constructor(
    private readonly service: ServiceOptions,
    private readonly target: { key: string; uploadId: string; size?: number | undefined; partSize?: number | undefined; total?: number | undefined },
    perRequest: number,
    private readonly refreshMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.perRequest = Math.max(1, perRequest);
  }

  private fresh(expiresAt: number): boolean {
    return expiresAt - Date.now() > this.refreshMs;
  }

  /** One step-2 answer. Over the service's URL budget (UrlBudgetExceeded), it asks for half as many and goes on. */
  async ask(firstPart: number, parts: number, listPartsMarker?: number): Promise<PartsAnswer> {
    const { key, uploadId, size, partSize } = this.target;
    const multipart: Record<string, unknown> = { key, uploadId, firstPart, parts, ...lifetime(this.service) };
    if (size !== undefined) multipart.size = size;
    if (partSize !== undefined) multipart.partSize = partSize;
    if (listPartsMarker !== undefined) multipart.listPartsMarker = listPartsMarker;
    try {
      const answer = await callService<PartsAnswer>(this.service.endpoint, { multipart }, this.service, 'part', this.signal);
      const expiresAt = Date.parse(answer.expiration);
      for (const part of answer.parts) this.urls.set(part.partNumber, { ...part, expiresAt });
      this.controls = { ...answer, expiresAt };
      return answer;
    } catch (err) {
      if (err instanceof UploadError && err.code === 'UrlBudgetExceeded' && parts > 1) {
        this.perRequest = Math.max(1, Math.floor(parts / 2));
        return this.ask(firstPart, this.perRequest, listPartsMarker);
      }
      throw err;
    }
  }

  /** A fresh URL for part n, asking for the page that starts at n when it has none (one page request at a time). */
  async part(n: number): Promise<PartUrl> {
    const have = this.urls.get(n);
    if (have && this.fresh(have.expiresAt)) return have;
    const run = this.pending.then(async () => {
      const again = this.urls.get(n);
      if (again && this.fresh(again.expiresAt)) return;
      const last = this.target.total ?? n + this.perRequest - 1;
      await this.ask(n, Math.min(this.perRequest, last - n + 1));
    });
    this.pending = run.catch(() => undefined);
    await run;
    const got = this.urls.get(n);
    if (!got) throw new UploadError('part', `the presign service answered no URL for part ${n}`, { partNumber: n });
    return got;
  }

  /** The complete / abort / ListParts URLs of the latest answer, or of a new one asking for no part URL. */
  async control(): Promise<PartsAnswer> {
    if (this.controls && this.fresh(this.controls.expiresAt)) return this.controls;
    return this.ask(1, 0);
  }

  /** An expired URL: forget every URL (they all share one expiry) so the next use presigns again. */
  forget(): void {
    this.urls.clear();
    this.controls = undefined;
  }
}

/** Every part OSS holds for the upload, through as many ListParts pages as it takes; undefined when it is gone. */
export async function listAllParts(urls: PartUrls, ctx: UploadContext): Promise<Map<number, { etag: string; size: number }> | undefined> {
  const found = new Map<number, { etag: string; size: number }>();
  let marker = 0;
  for (;;) {
    const page = await withRetries(retryPolicy(ctx, 'list-parts'), async () => {
      const answer = marker === 0 ? await urls.control() : await urls.ask(1, 0, marker);
      const res = await send({ method: answer.listParts.method, url: answer.listParts.url, headers: answer.listParts.signedHeaders, signal: ctx.signal }, 'list-parts');
      if (res.status === 404 && xmlText(res.text, 'Code') === 'NoSuchUpload') return undefined;
      if (res.status >= 300) {
        const err = ossError('list-parts', res);
        if (err.expired) urls.forget();
        throw err;
      }
      return readListParts(res.text);
    });
    if (!page) return undefined;
    for (const p of page.parts) found.set(p.partNumber, { etag: p.etag, size: p.size });
    if (!page.truncated || page.nextMarker <= marker) return found;
    marker = page.nextMarker;
  }
}

/** AbortMultipartUpload, retried; says honestly whether OSS got it. */
export async function sendAbort(urls: PartUrls, ctx: Pick<UploadContext, 'options' | 'signal' | 'emit'>): Promise<AbortOutcome> {
  try {
    return await withRetries(retryPolicy(ctx, 'abort'), async () => {
      const answer = await urls.control();
      const res = await send({ method: answer.abort.method, url: answer.abort.url, headers: answer.abort.signedHeaders, signal: ctx.signal }, 'abort');
      if (res.status === 204 || res.status === 200) return { status: 'aborted' } as const;
      if (res.status === 404 && xmlText(res.text, 'Code') === 'NoSuchUpload') return { status: 'gone' } as const;
      const err = ossError('abort', res);
      if (err.expired) urls.forget();
      throw err;
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    const error = err instanceof UploadError ? err : new UploadError('abort', `abort failed: ${String(err)}`, { cause: err });
    return { status: 'not-sent', error };
  }
}

async function complete(urls: PartUrls, ctx: UploadContext, etags: Map<number, string>): Promise<string | undefined> {
  ctx.emit({ phase: 'completing', partsTotal: etags.size });
  const body = completeBody([...etags].map(([partNumber, etag]) => ({ partNumber, etag })));
  return withRetries(retryPolicy(ctx, 'complete'), async () => {
    const answer = await urls.control();
    const res = await send({ method: answer.complete.method, url: answer.complete.url, headers: answer.complete.signedHeaders, body, signal: ctx.signal }, 'complete');
    if (res.status >= 300) {
      const err = ossError('complete', res);
      if (err.expired) urls.forget();
      throw err;
    }
    return xmlText(res.text, 'ETag') ?? res.header('etag') ?? undefined;
  });
}

async function initiate(ctx: UploadContext, target: Record<string, string>, size: number | undefined, contentType: string): Promise<{ answer: InitiateAnswer; uploadId: string }> {
  const { options } = ctx;
  return withRetries(retryPolicy(ctx, 'initiate'), async () => {
    ctx.emit({ phase: 'signing' });
    const multipart: Record<string, unknown> = { ...target, contentType, ...lifetime(options) };
    if (size !== undefined) multipart.size = size;
    if (options.partSize !== undefined) multipart.partSize = options.partSize;
    const answer = await callService<InitiateAnswer>(options.endpoint, { multipart }, options, 'initiate', ctx.signal);
    ctx.emit({ phase: 'initiating' });
    const res = await send({ method: answer.method, url: answer.url, headers: answer.signedHeaders, signal: ctx.signal }, 'initiate');
    if (res.status >= 300) throw ossError('initiate', res);
    const uploadId = xmlText(res.text, 'UploadId');
    if (!uploadId) throw new UploadError('initiate', 'OSS answered the initiate request without an UploadId', { status: res.status });
    return { answer, uploadId };
  });
}

export interface MultipartOutcome {
  key: string;
  bucket: string;
  uploadId: string;
  etag: string | undefined;
  parts: number;
  partsSent: number;
  resumed: boolean;
}

/** Uploads `blob` in parts, resuming from `checkpoint` (reconciled with ListParts) when one is given and still alive. */
export async function uploadBlobInParts(
  ctx: UploadContext,
  blob: Blob,
  target: Record<string, string>,
  contentType: string,
  store: CheckpointStore | undefined,
  fingerprint: string | undefined,
): Promise<MultipartOutcome> {
  const { options } = ctx;
  const size = blob.size;
  const refreshMs = (options.refreshBeforeExpirySeconds ?? 60) * MS;
  const perRequest = options.partsPerRequest ?? 100;
  const saved = fingerprint && store ? await store.get(fingerprint) : undefined;
  let checkpoint: Checkpoint | undefined = saved && saved.size === size && saved.contentType === contentType ? saved : undefined;
  const etags = new Map<number, string>();
  let resumed = false;
  let urls: PartUrls | undefined;
  const chosenPartSize = (partSize: number): number | undefined => (options.partSize !== undefined || partSize !== choosePartSize(size) ? partSize : undefined);

  if (checkpoint) {
    const cp = checkpoint;
    urls = new PartUrls(options, { key: cp.key, uploadId: cp.uploadId, size, partSize: chosenPartSize(cp.partSize), total: partCount(size, cp.partSize) }, perRequest, refreshMs, ctx.signal);
    ctx.emit({ phase: 'resuming', partsDone: Object.keys(cp.parts).length, partsTotal: partCount(size, cp.partSize) });
    const listed = await listAllParts(urls, ctx);
    if (listed === undefined) {
      // Aborted, completed, or removed by a lifecycle rule: start over.
      if (fingerprint && store) await store.delete(fingerprint);
      checkpoint = undefined;
      urls = undefined;
    } else {
      resumed = true;
      for (const [n, part] of listed) {
        const { start, end } = partRange(size, cp.partSize, n);
        const recorded = cp.parts[String(n)];
        // OSS recommends the client's own record over ListParts; a part only ListParts knows of is taken when its
        // size is the planned one (the page may have died after the part landed, before the checkpoint was written).
        if (part.size === end - start && n <= partCount(size, cp.partSize) && (recorded === undefined || quotedEtag(recorded) === quotedEtag(part.etag))) {
          etags.set(n, part.etag);
        }
      }
    }
  }

  let key: string;
  let bucket: string;
  let uploadId: string;
  let partSize: number;
  if (checkpoint && urls) {
    ({ key, bucket, uploadId, partSize } = checkpoint);
  } else {
    const started = await initiate(ctx, target, size, contentType);
    key = started.answer.key;
    bucket = started.answer.bucket;
    uploadId = started.uploadId;
    partSize = started.answer.plan.partSize;
    urls = new PartUrls(options, { key, uploadId, size, partSize: chosenPartSize(partSize), total: partCount(size, partSize) }, perRequest, refreshMs, ctx.signal);
    checkpoint = { version: 1, key, bucket, uploadId, size, partSize, contentType, parts: {}, createdAt: new Date().toISOString() };
  }
  const total = partCount(size, partSize);
  const cp = checkpoint;
  // Saves run one after another, each writing the parts known when it runs, so the last write is the fullest.
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    saving = saving.then(async () => {
      cp.parts = Object.fromEntries([...etags].map(([n, e]) => [String(n), e]));
      if (fingerprint && store) await store.set(fingerprint, cp);
    });
    return saving;
  };
  await save();

  const sent = new Map<number, number>();
  const report = (): void => {
    let bytes = 0;
    for (const n of etags.keys()) {
      const { start, end } = partRange(size, partSize, n);
      bytes += end - start;
    }
    for (const [n, b] of sent) if (!etags.has(n)) bytes += b;
    ctx.progress(bytes, size, etags.size, total);
  };
  report();
  ctx.emit({ phase: 'uploading', partsDone: etags.size, partsTotal: total, multipart: true });

  const missing: number[] = [];
  for (let n = 1; n <= total; n++) if (!etags.has(n)) missing.push(n);
  let partsSent = 0;
  const stopParts = new AbortController();
  const stop = (): void => stopParts.abort(abortError(ctx.signal));
  ctx.signal.addEventListener('abort', stop, { once: true });
  const partSignal = stopParts.signal;
  const activeUrls = urls;
  try {
    const worker = async (): Promise<void> => {
      for (let n = missing.shift(); n !== undefined; n = missing.shift()) {
        const partNumber = n;
        const { start, end } = partRange(size, partSize, partNumber);
        await withRetries({ ...retryPolicy(ctx, 'part'), signal: partSignal }, async () => {
          const url = await activeUrls.part(partNumber);
          sent.set(partNumber, 0);
          const res = await send({ method: url.method, url: url.url, headers: url.signedHeaders, body: blob.slice(start, end), signal: partSignal, onUploadProgress: (b) => {
            sent.set(partNumber, b);
            report();
          } }, 'part', partNumber);
          if (res.status >= 300) {
            const err = ossError('part', res, partNumber);
            if (err.expired) activeUrls.forget();
            throw err;
          }
          const etag = res.header('etag');
          if (!etag) {
            throw new UploadError('part', `part ${partNumber} uploaded, but its ETag header is not readable: the bucket's CORS rule must expose ETag (ExposeHeaders, see docs/operations.md)`, { partNumber });
          }
          etags.set(partNumber, etag);
        });
        partsSent += 1;
        await save();
        report();
        ctx.emit({ phase: 'uploading', partsDone: etags.size, partsTotal: total, multipart: true });
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 3, missing.length)) }, () => worker().catch((err: unknown) => {
      if (!partSignal.aborted) stopParts.abort(err);
      throw err;
    }));
    const results = await Promise.allSettled(workers);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    if (failure) throw failure.reason;

    const etag = await complete(activeUrls, ctx, etags);
    if (fingerprint && store) await store.delete(fingerprint);
    return { key, bucket, uploadId, etag, parts: total, partsSent, resumed };
  } catch (err) {
    if (err instanceof UploadError) err.upload = { key, uploadId };
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
}

/** A stream of unknown length: parts are cut as bytes arrive and sent one at a time; it cannot resume, so a failure aborts it. */
export async function uploadStreamInParts(ctx: UploadContext, chunks: AsyncIterable<Uint8Array>, target: Record<string, string>, contentType: string, partSize: number): Promise<MultipartOutcome> {
  const { options } = ctx;
  const { answer, uploadId } = await initiate(ctx, target, undefined, contentType);
  const urls = new PartUrls(options, { key: answer.key, uploadId }, options.partsPerRequest ?? 100, (options.refreshBeforeExpirySeconds ?? 60) * MS, ctx.signal);
  const etags = new Map<number, string>();
  let bytes = 0;
  try {
    let partNumber = 0;
    for await (const part of partsOf(chunks, partSize)) {
      partNumber += 1;
      const n = partNumber;
      ctx.emit({ phase: 'uploading', partsDone: etags.size, partsTotal: undefined, multipart: true });
      await withRetries(retryPolicy(ctx, 'part'), async () => {
        const url = await urls.part(n);
        const res = await send({ method: url.method, url: url.url, headers: url.signedHeaders, body: part, signal: ctx.signal, onUploadProgress: (b) => ctx.progress(bytes + b, undefined, etags.size, undefined) }, 'part', n);
        if (res.status >= 300) {
          const err = ossError('part', res, n);
          if (err.expired) urls.forget();
          throw err;
        }
        const etag = res.header('etag');
        if (!etag) throw new UploadError('part', `part ${n} uploaded, but its ETag header is not readable`, { partNumber: n });
        etags.set(n, etag);
      });
      bytes += part.byteLength;
      ctx.progress(bytes, undefined, etags.size, undefined);
    }
    const etag = await complete(urls, ctx, etags);
    return { key: answer.key, bucket: answer.bucket, uploadId, etag, parts: etags.size, partsSent: etags.size, resumed: false };
  } catch (err) {
    const outcome = isAbort(err) ? await sendAbort(urls, { ...ctx, signal: new AbortController().signal }) : await sendAbort(urls, ctx);
    if (err instanceof UploadError) Object.assign(err, { abort: outcome });
    throw err;
  }
}
