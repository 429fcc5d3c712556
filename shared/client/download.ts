/** download(): presign-get, then the object with progress as its bytes arrive; downloadUrl() when a link is enough. */
import { UploadError, abortError } from './errors';
import { callService, lifetime, requireEndpoint } from './service';
import type { DownloadOptions, DownloadResult, ServiceOptions } from './types';
import { xmlText } from './xml';

interface GetAnswer {
  url: string;
  expiration: string;
}

/** A presigned GET URL for `key` (a bearer link until `expiration`). */
export async function downloadUrl(key: string, options: ServiceOptions & { response?: Record<string, string> | undefined; signal?: AbortSignal | undefined }): Promise<{ url: string; expiration: string }> {
  const body: Record<string, unknown> = { key, ...lifetime(options) };
  if (options.response) body.response = options.response;
  const answer = await callService<GetAnswer>(requireEndpoint(options.getEndpoint, 'options.getEndpoint (presign-get\'s URL)'), body, options, 'download', options.signal);
  return { url: answer.url, expiration: answer.expiration };
}

export async function download(key: string, options: DownloadOptions): Promise<DownloadResult> {
  const { url } = await downloadUrl(key, options);
  let res: Response;
  try {
    res = await fetch(url, { signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw abortError(options.signal);
    throw new UploadError('download', 'download failed: network error (no answer)', { retryable: true, cause: err });
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const code = xmlText(text, 'Code');
    throw new UploadError('download', `download failed: OSS answered ${res.status}${code ? ` ${code}` : ''}`, { status: res.status, code, retryable: res.status >= 500 });
  }
  const total = res.headers.get('content-length');
  const bytesTotal = total === null ? undefined : Number(total);
  const chunks: Uint8Array[] = [];
  let received = 0;
  options.onProgress?.({ bytesReceived: 0, bytesTotal });
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      options.onProgress?.({ bytesReceived: received, bytesTotal });
    }
  }
  const contentType = res.headers.get('content-type');
  return { blob: new Blob(chunks as BlobPart[], contentType ? { type: contentType } : {}), contentType, size: received, url };
}
