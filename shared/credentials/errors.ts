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

/**
 * 503 TokenNearExpiry, retryable: a session exists but has too little left to sign with (MIN_SERVE_MS), and renewing
 * it failed for a passing reason (`cause`, already free of secrets). Without any session the renewal's own error
 * (CredentialsUnavailable) stands: there is nothing near expiry, there is nothing at all.
 */
export function sessionNearExpiry(leftMs: number, cause: ServiceError): ServiceError {
  const left = Math.max(0, Math.floor(leftMs / 1000));
  return new ServiceError('TokenNearExpiry', 503, `The signing session has ${left} s left, too little to sign with, and renewing it failed: ${cause.message}; retry shortly.`, { retryable: true, cause });
}

/** RFC 3986 percent-encoding (encodeURIComponent plus ! ' ( ) * escaped), as Alibaba Cloud RPC strings-to-sign use it. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The forms a secret can take in remote text: raw, URL-encoded once and twice (STS echoes strings-to-sign, whose
 * values are percent-encoded and then encoded again as a whole), in both encodeURIComponent's and RFC 3986's
 * flavour, with upper- or lower-case hex. Longest first, so a longer form is replaced before a shorter one inside it.
 */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  for (const encode of [encodeURIComponent, rfc3986]) {
    const once = encode(secret);
    forms.add(once);
    forms.add(encode(once));
  }
  for (const form of [...forms]) forms.add(form.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of each secret (length >= 4), raw or URL-encoded (see secretForms), with [REDACTED]. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = secrets
    .filter((s): s is string => s !== undefined && s.length >= 4)
    .flatMap(secretForms)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) out = out.split(form).join('[REDACTED]');
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
