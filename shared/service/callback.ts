import type { ServicePolicy } from '../config/policy';
import { invalidArgument, ServiceError } from '../errors';
import type { CallbackRequest } from '../request/callback';

/**
 * Upload callbacks: OSS POSTs a templated body to the uploader's server when an upload lands and relays that
 * server's answer to the uploader. The callback travels in `x-oss-callback` (base64 JSON of callbackUrl,
 * callbackBody, callbackBodyType, callbackHost) and `x-oss-callback-var` (base64 JSON of the `x:` variables);
 * both are x-oss-* headers, so a presigned URL signs them and the holder cannot swap in another target.
 *
 * The URL's host must be on CALLBACK_URL_ALLOWLIST, so nobody can use this service to make OSS call arbitrary
 * hosts. Entries are a host name (`hooks.example.com`, `127.0.0.1`), a host and port (`hooks.example.com:8443`)
 * or a wildcard for subdomains (`*.example.com`, which does not match example.com itself).
 */
export interface CallbackHeaders {
  'x-oss-callback': string;
  'x-oss-callback-var'?: string;
}

function hostAllowed(url: URL, allowlist: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowlist.some((entry) => {
    if (entry.startsWith('*.')) return hostname.endsWith(entry.slice(1)) && hostname.length > entry.length - 1;
    return entry === hostname || entry === host;
  });
}

/** The URL OSS will call, normalised the way a WHATWG parser reads it, after the allowlist check. */
export function checkCallbackUrl(raw: string, policy: Pick<ServicePolicy, 'callbackHostAllowlist'>, field: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidArgument(field, `${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(field, `${field} must be an http or https URL`);
  if (url.username || url.password) throw invalidArgument(field, `${field} must not carry credentials`);
  if (url.hash) throw invalidArgument(field, `${field} must not have a #fragment`);
  const href = url.href;
  // OSS reads `;` as a separator between up to five callback URLs: a second URL would escape the allowlist.
  if (/[;\s]/.test(raw) || /[;\s]/.test(href)) throw invalidArgument(field, `${field} must be a single URL, without ";" or spaces`);
  if (policy.callbackHostAllowlist.length === 0) {
    throw new ServiceError('CallbackHostNotAllowed', 403, 'this deployment allows no upload callbacks (CALLBACK_URL_ALLOWLIST is empty)', { field });
  }
  if (!hostAllowed(url, policy.callbackHostAllowlist)) {
    throw new ServiceError('CallbackHostNotAllowed', 403, `callback host ${url.host} is not in CALLBACK_URL_ALLOWLIST`, { field });
  }
  return href;
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** The two header values OSS defines, after every check. `field` is where the callback sits in the request. */
export function callbackHeaders(callback: CallbackRequest, policy: Pick<ServicePolicy, 'callbackHostAllowlist'>, field = 'callback'): CallbackHeaders {
  const callbackUrl = checkCallbackUrl(callback.url, policy, `${field}.url`);
  const config: Record<string, string> = { callbackUrl, callbackBody: callback.body };
  if (callback.host !== undefined) config.callbackHost = callback.host;
  if (callback.bodyType !== undefined) config.callbackBodyType = callback.bodyType;
  const headers: CallbackHeaders = { 'x-oss-callback': b64(config) };
  if (callback.vars && Object.keys(callback.vars).length > 0) headers['x-oss-callback-var'] = b64(callback.vars);
  return headers;
}
