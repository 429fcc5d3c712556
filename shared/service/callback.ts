import type { ServicePolicy } from '../config/policy';
import { hostnameAllowed, urlAllowed } from '../config/callback-allowlist';
import { invalidArgument, ServiceError } from '../errors';
import type { CallbackRequest } from '../request/callback';
import { checkCallbacksAllowed } from '../rules/checks';
import type { Rule } from '../rules/types';

/**
 * Upload callbacks: OSS POSTs a templated body to the uploader's server when an upload lands and relays that
 * server's answer to the uploader. The callback travels in `x-oss-callback` (base64 JSON of callbackUrl,
 * callbackBody, callbackBodyType, callbackHost) and `x-oss-callback-var` (base64 JSON of the `x:` variables);
 * both are x-oss-* headers, so a presigned URL signs them and the holder cannot swap in another target.
 *
 * The URL (scheme, host and port) must be on CALLBACK_URL_ALLOWLIST (shared/config/callback-allowlist.ts), and so
 * must the Host header OSS sends with it (`host`), so nobody can use this service to make OSS call arbitrary hosts
 * or reach another virtual host behind an allowed address. The rule must allow callbacks at all.
 */
export interface CallbackHeaders {
  'x-oss-callback': string;
  'x-oss-callback-var'?: string;
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
  // An empty CALLBACK_URL_ALLOWLIST never gets here: the rule then allows no callbacks (checkCallbacksAllowed refuses
  // first, env-rule.ts and document.ts), and an empty list would allow no URL anyway.
  if (!urlAllowed(policy.callbackHostAllowlist, url)) {
    throw new ServiceError('CallbackHostNotAllowed', 403, `callback URL ${url.protocol}//${url.host} is not in CALLBACK_URL_ALLOWLIST (scheme, host and port must match an entry)`, { field });
  }
  return href;
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** OSS refuses a callback or callback-var value over 5 KB (help.aliyun.com/en/oss/developer-reference/callback). */
export const MAX_CALLBACK_HEADER_BYTES = 5 * 1024;

function encoded(value: object, field: string): string {
  const text = b64(value);
  if (text.length > MAX_CALLBACK_HEADER_BYTES) throw invalidArgument(field, `${field} is over the ${MAX_CALLBACK_HEADER_BYTES} bytes OSS accepts once encoded`);
  return text;
}

/** The two header values OSS defines, after every check. `field` is where the callback sits in the request. */
export function callbackHeaders(callback: CallbackRequest, policy: Pick<ServicePolicy, 'callbackHostAllowlist'>, rule: Rule, field = 'callback'): CallbackHeaders {
  checkCallbacksAllowed(rule, field);
  const callbackUrl = checkCallbackUrl(callback.url, policy, `${field}.url`);
  const config: Record<string, string> = { callbackUrl, callbackBody: callback.body };
  if (callback.host !== undefined) {
    const hostname = callback.host.replace(/:\d+$/, '');
    if (!policy.callbackHostAllowlist.some((target) => hostnameAllowed(target, hostname))) {
      throw new ServiceError('CallbackHostNotAllowed', 403, `${field}.host ${callback.host} is not a host in CALLBACK_URL_ALLOWLIST`, { field: `${field}.host` });
    }
    config.callbackHost = callback.host;
  }
  if (callback.bodyType !== undefined) config.callbackBodyType = callback.bodyType;
  const headers: CallbackHeaders = { 'x-oss-callback': encoded(config, field) };
  if (callback.vars && Object.keys(callback.vars).length > 0) headers['x-oss-callback-var'] = encoded(callback.vars, `${field}.vars`);
  return headers;
}
