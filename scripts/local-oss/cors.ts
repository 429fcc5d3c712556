/**
 * Bucket CORS as OSS evaluates it: the first rule whose origin, method and (for preflight) every requested header
 * match wins; no match means no CORS headers on actual requests and 403 AccessForbidden on preflight.
 */
import { OssError } from './errors';

export interface CorsRule {
  /** Exact origins or patterns with one '*', e.g. `http://*.example.com`, or `*`. */
  allowedOrigins: string[];
  /** GET, PUT, DELETE, POST, HEAD. */
  allowedMethods: string[];
  /** Header names or patterns with '*'; case-insensitive. */
  allowedHeaders?: string[];
  /** Response headers a browser script may read, e.g. ETag, x-oss-request-id. */
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value);
}

function findRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[]): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcard(o, origin)) &&
      rule.allowedMethods.some((m) => m.toUpperCase() === method.toUpperCase()) &&
      requestHeaders.every((h) => (rule.allowedHeaders ?? []).some((p) => wildcard(p, h))),
  );
}

function ruleHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.map((m) => m.toUpperCase()).join(', '),
    'access-control-allow-credentials': 'true',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  if (rule.exposeHeaders && rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  return headers;
}

/** Answers an OPTIONS preflight; anonymous by design, since browsers never sign preflights. */
export function preflight(
  rules: readonly CorsRule[],
  origin: string | undefined,
  requestMethod: string | undefined,
  requestHeadersRaw: string | undefined,
): Record<string, string> {
  if (!origin) throw new OssError(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  if (!requestMethod) {
    throw new OssError(400, 'BadRequest', 'Insufficient information. Request Access-Control-Request-Method header needed.');
  }
  if (rules.length === 0) throw new OssError(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
  const requested = (requestHeadersRaw ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const rule = findRule(rules, origin, requestMethod, requested);
  if (!rule) {
    throw new OssError(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  const headers = ruleHeaders(rule, origin);
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
  return headers;
}

/** Headers for an actual (non-preflight) request, success or error alike, so scripts can read OSS errors too. */
export function actualRequestHeaders(rules: readonly CorsRule[], origin: string | undefined, method: string): Record<string, string> {
  if (!origin || rules.length === 0) return {};
  const rule = findRule(rules, origin, method, []);
  return rule ? ruleHeaders(rule, origin) : {};
}
