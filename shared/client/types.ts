/**
 * The public types of the oss-presign client: what a caller passes and what it gets back. The client is a thin
 * consumer of presign-put's and presign-get's public contract (README "Calling it"); nothing here knows a secret.
 */
import type { UploadError } from './errors';

/** A bearer token, or a function that returns one when asked (an OIDC sign-in can plug in here). */
export type TokenProvider = string | (() => string | undefined | Promise<string | undefined>);
export type HeaderProvider = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface ServiceOptions {
  /** presign-put's URL (its HTTP trigger). */
  endpoint: string;
  /** presign-get's URL, for downloads and links. */
  getEndpoint?: string | undefined;
  /** Sent as `Authorization: Bearer <token>` to the presign service (never to OSS). */
  token?: TokenProvider | undefined;
  /** More headers for the presign service, e.g. an API Gateway key. */
  headers?: HeaderProvider | undefined;
  /** Lifetime to ask for, in seconds (the service caps it). */
  expires?: number | undefined;
  /** The shortest lifetime the client can use; the service answers 503 TokenNearExpiry (retried) below it. */
  minExpires?: number | undefined;
}

/** Where an upload stands; every state is one a person can act on, and the page shows them as they come. */
export type UploadState =
  | { phase: 'signing' }
  | { phase: 'initiating' }
  | { phase: 'resuming'; partsDone: number; partsTotal: number }
  | { phase: 'uploading'; partsDone: number; partsTotal: number | undefined; multipart: boolean }
  | { phase: 'retrying'; step: UploadStep; attempt: number; delayMs: number; reason: string }
  | { phase: 'waiting-for-network' }
  | { phase: 'completing'; partsTotal: number }
  | { phase: 'done'; result: UploadResult }
  | { phase: 'failed'; error: UploadError };

export type UploadStep = 'presign' | 'put' | 'initiate' | 'part' | 'list-parts' | 'complete' | 'abort' | 'download';

export interface Progress {
  bytesSent: number;
  bytesTotal: number | undefined;
  partsDone: number;
  partsTotal: number | undefined;
}

/** Keeps what a resumed upload needs: the key, the UploadId and the ETag of every part that landed. */
export interface Checkpoint {
  version: 1;
  key: string;
  bucket: string;
  uploadId: string;
  size: number;
  partSize: number;
  contentType: string;
  /** part number → ETag as OSS answered it */
  parts: Record<string, string>;
  createdAt: string;
}

export interface CheckpointStore {
  get(fingerprint: string): Checkpoint | undefined | Promise<Checkpoint | undefined>;
  set(fingerprint: string, checkpoint: Checkpoint): void | Promise<void>;
  delete(fingerprint: string): void | Promise<void>;
  /** Every stored checkpoint (the page lists uploads it can resume). */
  list?(): Array<[string, Checkpoint]> | Promise<Array<[string, Checkpoint]>>;
}

/** What upload() takes: a browser File or Blob, bytes, or a stream of bytes (then the size may be unknown). */
export type UploadBody = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadOptions extends ServiceOptions {
  /** The object key; or `filename` (and `prefix`) when the service picks keys (PUT_KEY_MODE=generated). */
  key?: string | undefined;
  filename?: string | undefined;
  prefix?: string | undefined;
  /** Signed, and sent: defaults to the File's type, else application/octet-stream. */
  contentType?: string | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
  onStateChange?: ((state: UploadState) => void) | undefined;
  /** Cancels the upload; a multipart upload stays resumable (its checkpoint is kept) until abortUpload() is called. */
  signal?: AbortSignal | undefined;
  /** Parts in flight at once (default 3). */
  concurrency?: number | undefined;
  /** Bytes per part (≥ 100 KB; default the service's plan: 8 MiB, more for files over 80 GB). */
  partSize?: number | undefined;
  /** Larger bodies go in parts (default 8 MiB); a stream of unknown size always does. */
  multipartThreshold?: number | undefined;
  /** Wait before each retry of a failed request, in ms; jittered ±20 % (default [0, 1000, 3000, 5000]). */
  retryDelays?: number[] | undefined;
  /** Decides whether a failure is worth another try (default: network errors, 429 and 5xx). */
  shouldRetry?: ((error: UploadError, attempt: number) => boolean) | undefined;
  /** Part URLs asked for per presign-put answer (default 100; fewer if the service's URL budget says so). */
  partsPerRequest?: number | undefined;
  /** Where checkpoints live: default localStorage in browsers, none elsewhere (Node: fileCheckpointStore). */
  checkpoints?: CheckpointStore | false | undefined;
  /** Identifies the file across reloads; default for a File: name, type, size, lastModified and the key. */
  fingerprint?: string | undefined;
  /** Fetch a fresh page of URLs when the held ones have fewer seconds left than this (default 60). */
  refreshBeforeExpirySeconds?: number | undefined;
}

export interface UploadResult {
  key: string;
  bucket: string;
  size: number;
  /** OSS's ETag of the object (a multipart upload's ends in -N). */
  etag: string | undefined;
  multipart: boolean;
  parts: number;
  /** Parts this call sent (a resumed upload sends only the missing ones). */
  partsSent: number;
  resumed: boolean;
  uploadId?: string | undefined;
}

export interface AbortOutcome {
  /** aborted: OSS dropped the parts; gone: nothing left to abort; not-sent: the abort could not be delivered. */
  status: 'aborted' | 'gone' | 'not-sent';
  error?: UploadError | undefined;
}

export interface DownloadOptions extends ServiceOptions {
  onProgress?: ((progress: { bytesReceived: number; bytesTotal: number | undefined }) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** presign-get's response overrides (e.g. { filename }); sent only when given. */
  response?: Record<string, string> | undefined;
}

export interface DownloadResult {
  blob: Blob;
  contentType: string | null;
  size: number;
  /** The presigned URL it came from (a bearer link: do not log it). */
  url: string;
}
