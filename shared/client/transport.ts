/**
 * One HTTP exchange with OSS or the presign service. Browsers get XMLHttpRequest for requests with a body (fetch
 * reports no upload progress); everything else, and all of Node 20, uses fetch, where upload progress is counted as
 * the body stream is read. A failure to get any answer is a network error (retryable); an answer is returned as is.
 */
import { UploadError, abortError } from './errors';
import type { UploadStep } from './types';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string> | undefined;
  body?: Blob | Uint8Array | string | undefined;
  onUploadProgress?: ((bytes: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface HttpAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/** Headers the browser sets itself and refuses to let a page set; their signed values are what it sends anyway. */
const BROWSER_OWNED = new Set(['content-length', 'host']);

export const inBrowser = (): boolean => typeof XMLHttpRequest !== 'undefined' && typeof window !== 'undefined';

function networkError(step: UploadStep, cause: unknown, partNumber?: number): UploadError {
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new UploadError(step, `${step === 'part' ? `part ${partNumber}` : step} failed: network error (no answer)${detail}`, { retryable: true, cause, partNumber });
}

function viaXhr(request: HttpRequest, step: UploadStep, partNumber?: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = (): void => xhr.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => request.signal?.removeEventListener('abort', onAbort);
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (!BROWSER_OWNED.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    if (request.onUploadProgress) {
      const report = request.onUploadProgress;
      xhr.upload.onprogress = (e) => report(e.loaded);
    }
    xhr.onload = () => {
      settle();
      resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name), text: xhr.responseText });
    };
    xhr.onerror = () => {
      settle();
      reject(networkError(step, new Error('the browser reported a network or CORS error'), partNumber));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      settle();
      reject(abortError(request.signal));
    };
    xhr.send(request.body === undefined ? null : (request.body as XMLHttpRequestBodyInit));
  });
}

/** A body fetch can send with a known length; progress is counted as the stream is read. */
function countedBody(body: Blob | Uint8Array, onProgress: (bytes: number) => void): { stream: ReadableStream<Uint8Array>; length: number } {
  const blob = body instanceof Blob ? body : new Blob([body as BlobPart]);
  let sent = 0;
  const stream = blob.stream().pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sent += chunk.byteLength;
      onProgress(sent);
      controller.enqueue(chunk);
    },
  }));
  return { stream, length: blob.size };
}

async function viaFetch(request: HttpRequest, step: UploadStep, partNumber?: number): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() !== 'host') headers[name] = value;
  }
  let body: BodyInit | undefined;
  const extra: Record<string, unknown> = {};
  if (request.body !== undefined && typeof request.body !== 'string' && request.onUploadProgress && !inBrowser()) {
    const counted = countedBody(request.body, request.onUploadProgress);
    body = counted.stream;
    headers['content-length'] = String(counted.length);
    extra.duplex = 'half';
  } else if (request.body !== undefined) {
    body = request.body as BodyInit;
  }
  let res: Response;
  try {
    res = await fetch(request.url, { method: request.method, headers, body, signal: request.signal, ...extra } as RequestInit);
  } catch (err) {
    if (request.signal?.aborted) throw abortError(request.signal);
    throw networkError(step, err, partNumber);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    if (request.signal?.aborted) throw abortError(request.signal);
    throw networkError(step, err, partNumber);
  }
  return { status: res.status, header: (name) => res.headers.get(name), text };
}

export function send(request: HttpRequest, step: UploadStep, partNumber?: number): Promise<HttpAnswer> {
  if (request.signal?.aborted) return Promise.reject(abortError(request.signal));
  return request.body !== undefined && typeof request.body !== 'string' && inBrowser() ? viaXhr(request, step, partNumber) : viaFetch(request, step, partNumber);
}
