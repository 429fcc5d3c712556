/**
 * Content types a rule admits. Patterns are `type/subtype`, `type/*` or the any-type pattern, matched on the essence
 * (`image/png; charset=x` is `image/png`). Active content — HTML, XHTML, SVG, XML, XSL, JavaScript, MHTML, Flash —
 * is what a browser runs when OSS serves it inline (stored XSS once a custom domain is used: OSS forces a download
 * only on its default domains, alibabacloud.com/help/en/oss/user-guide/map-custom-domain-names-5), so no wildcard
 * ever matches it: the operator must name the exact type. That holds even when no list is set ("any type").
 * A type that tells the browser nothing counts as active too: it sniffs the body instead, and finds HTML.
 */
export interface ContentTypeRule {
  /** Lowercase patterns as written; empty: any type that is not active content. */
  readonly patterns: readonly string[];
  /** Whether uploads must state a type (a list was given). */
  readonly required: boolean;
}

export const CONTENT_TYPE_PATTERN = /^(?:\*\/\*|[a-z0-9!#$&^_.+-]+\/(?:\*|[a-z0-9!#$&^_.+-]+))$/;

// XHTML (application/xhtml+xml), SVG (image/svg+xml) and XSLT (application/xslt+xml) are `+xml` types: see below.
const ACTIVE = new Set([
  'text/html',
  'text/xml',
  'application/xml',
  'text/xsl',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-ecmascript',
  'text/ecmascript',
  'text/jscript',
  'text/livescript',
  'message/rfc822',
  'multipart/related',
  'application/x-mimearchive',
  'application/x-shockwave-flash',
  // Types that tell the browser nothing: it sniffs the body, and runs what looks like HTML (see WELL_FORMED_ESSENCE).
  'unknown/unknown',
  'application/unknown',
  '*/*',
]);

export function essenceOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * After a type that is not `type/subtype` (each an HTTP token, RFC 9110 section 5.6.2), or one of the unknown types in
 * the list above, a browser sniffs the body as if no type were given and runs what looks like HTML (Chromium's
 * IsUnknownMimeType, net/base/mime_sniffer.cc: "", unknown/unknown, application/unknown, *\/*, no slash;
 * mimesniff.spec.whatwg.org, "identifying a resource with an unknown MIME type"). Uploads are well-formed by the time
 * they get here (shared/request/put.ts CONTENT_TYPE); a download's response.contentType need not be.
 */
const WELL_FORMED_ESSENCE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Whether browsers may run it: the list above, every `+xml` type (XML documents can carry script), and what they sniff. */
export function isActiveContentType(contentType: string): boolean {
  const essence = essenceOf(contentType);
  return ACTIVE.has(essence) || essence.endsWith('+xml') || !WELL_FORMED_ESSENCE.test(essence);
}

export function contentTypeAllowed(rule: ContentTypeRule, contentType: string): boolean {
  const essence = essenceOf(contentType);
  // Named exactly: a wildcard names nothing exactly, even where the type is written as one (*/*).
  if (isActiveContentType(essence)) return !essence.includes('*') && rule.patterns.includes(essence);
  if (rule.patterns.length === 0) return true;
  const [type] = essence.split('/');
  return rule.patterns.some((pattern) => pattern === '*/*' || pattern === essence || (pattern.endsWith('/*') && pattern.slice(0, -2) === type));
}

/**
 * The type OSS gives an object stored without one, where that type is active content: OSS infers it from the key's
 * extension ("如何设置Content-Type（MIME）", OSS's extension table; help.aliyun.com/en/oss/user-guide/manage-object-metadata-10).
 * Other extensions are left out: they can only be harmless types or application/octet-stream.
 */
const ACTIVE_BY_EXTENSION: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  shtml: 'text/html',
  stm: 'text/html',
  jsp: 'text/html',
  plg: 'text/html',
  htx: 'text/html',
  xhtml: 'application/xhtml+xml',
  xht: 'application/xhtml+xml',
  svg: 'image/svg+xml',
  svgz: 'image/svg+xml',
  xml: 'text/xml',
  xsl: 'text/xml',
  xslt: 'text/xml',
  xq: 'text/xml',
  rdf: 'text/xml',
  vml: 'text/xml',
  js: 'application/x-javascript',
  mjs: 'application/x-javascript',
  mht: 'message/rfc822',
  mhtml: 'message/rfc822',
  swf: 'application/x-shockwave-flash',
};

export function activeTypeFromExtension(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  // Own names only: the extension is the caller's, and `a.constructor` must not find Object's.
  const extension = name.slice(dot + 1).toLowerCase();
  return Object.hasOwn(ACTIVE_BY_EXTENSION, extension) ? ACTIVE_BY_EXTENSION[extension] : undefined;
}
