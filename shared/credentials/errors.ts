import { ServiceError } from '../errors';

/**
 * Credentials failures are ServiceErrors with code CredentialsUnavailable. A configuration problem (no role, STS says
 * NoPermission) is a 500 that retrying will not fix; a passing one (STS slow, throttled, 5xx) is a retryable 503.
 * Messages are built from fixed text plus values we chose to show; anything a remote party sent is passed through
 * `redact` first, so even a server that echoes a key cannot put a secret into a response or a log line.
 */
export function credentialsUnavailable(message: string, options: { retryable?: boolean; cause?: unknown } = {}): ServiceError {
  const retryable = options.retryable ?? false;
  return new ServiceError('CredentialsUnavailable', retryable ? 503 : 500, message, {
    retryable,
    // The cause is kept for debugging but is never a raw Error that could carry a secret in its message.
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/** Replaces every occurrence of each secret (length >= 4) with [REDACTED]. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

/** Shortens remote text we show in messages: no newlines, bounded length. */
export function clip(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** The first characters of an AccessKeyId, enough to tell keys apart in a log, not enough to use. */
export function keyHint(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `${accessKeyId.slice(0, 8)}…` : '…';
}
