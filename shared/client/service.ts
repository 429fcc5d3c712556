/**
 * Calls to presign-put and presign-get: one JSON POST each, with the caller's token as a bearer header, and their
 * `{ error: { code, message, field } }` answers turned into UploadErrors. OSS's XML errors are read here too.
 */
import { UploadError } from './errors';
import { send, type HttpAnswer } from './transport';
import type { HeaderProvider, ServiceOptions, TokenProvider, UploadStep } from './types';
import { xmlText } from './xml';

export interface SignedRequest {
  method: string;
  url: string;
  signedHeaders: Record<string, string>;
}

async function resolveHeaders(token: TokenProvider | undefined, headers: HeaderProvider | undefined): Promise<Record<string, string>> {
  const out: Record<string, string> = { 'content-type': 'application/json' };
  const extra = typeof headers === 'function' ? await headers() : headers;
  Object.assign(out, extra ?? {});
  const value = typeof token === 'function' ? await token() : token;
  if (value) out.authorization = `Bearer ${value}`;
  return out;
}

const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** POSTs one request to a presign endpoint and returns its JSON answer, or throws what it said. */
export async function callService<T>(url: string, body: unknown, options: ServiceOptions, step: UploadStep, signal?: AbortSignal): Promise<T> {
  const answer = await send({ method: 'POST', url, headers: await resolveHeaders(options.token, options.headers), body: JSON.stringify(body), signal }, 'presign');
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    throw new UploadError('presign', `the presign service answered ${answer.status} without JSON (before ${step})`, { status: answer.status, retryable: retryableStatus(answer.status) });
  }
  const error = (parsed as { error?: { code?: string; message?: string; field?: string; retryable?: boolean } }).error;
  if (answer.status >= 400 || error) {
    const code = error?.code;
    const text = `the presign service refused (before ${step}): ${answer.status} ${code ?? ''}${error?.message ? `: ${error.message}` : ''}`;
    throw new UploadError('presign', text, { status: answer.status, code, retryable: error?.retryable === true || retryableStatus(answer.status) });
  }
  return parsed as T;
}

/** An OSS error answer as an UploadError: its Code and Message, never the URL. */
export function ossError(step: UploadStep, answer: HttpAnswer, partNumber?: number): UploadError {
  const code = xmlText(answer.text, 'Code');
  const message = xmlText(answer.text, 'Message');
  const what = step === 'part' ? `part ${partNumber}` : step;
  return new UploadError(step, `${what} failed: OSS answered ${answer.status}${code ? ` ${code}` : ''}${message ? ` (${message})` : ''}`, {
    status: answer.status,
    code,
    partNumber,
    retryable: retryableStatus(answer.status),
  });
}

export function requireEndpoint(url: string | undefined, what: string): string {
  if (!url) throw new TypeError(`${what} is required`);
  return url;
}

/** The lifetime fields every presign request may carry, only when the caller set them. */
export function lifetime(options: ServiceOptions): Record<string, number> {
  const out: Record<string, number> = {};
  if (options.expires !== undefined) out.expires = options.expires;
  if (options.minExpires !== undefined) out.minExpires = options.minExpires;
  return out;
}
