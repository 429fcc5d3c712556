import type { UploadStep } from './types';

/**
 * Every failure the client reports: which step failed, what OSS or the presign service said (status, code), and
 * whether trying again can help. Messages never hold a URL: a presigned URL is a credential.
 */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly step: UploadStep;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly partNumber: number | undefined;
  /** Another try may succeed (a network error, 429, 5xx, an expired URL). */
  readonly retryable: boolean;
  /** A multipart upload that can go on later from its checkpoint (key and uploadId say which). */
  upload: { key: string; uploadId: string } | undefined;

  constructor(step: UploadStep, message: string, details: { status?: number | undefined; code?: string | undefined; partNumber?: number | undefined; retryable?: boolean; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.step = step;
    this.status = details.status;
    this.code = details.code;
    this.partNumber = details.partNumber;
    this.retryable = details.retryable ?? false;
    this.upload = undefined;
  }

  /** OSS's answer to a presigned URL used after its lifetime: 403 AccessDenied "Request has expired." (EC 0002-00000236). */
  get expired(): boolean {
    return (this.status === 403 && /Request has expired/i.test(this.message)) || this.code === 'SecurityTokenExpired';
  }
}

export function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

export function abortError(signal: AbortSignal | undefined): Error {
  const reason = signal?.reason as unknown;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('the upload was cancelled');
  err.name = 'AbortError';
  return err;
}
