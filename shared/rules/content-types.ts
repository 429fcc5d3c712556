/**
 * Content types a rule admits. Patterns are `type/subtype`, `type/*` or the any-type pattern, matched on the essence
 * (`image/png; charset=x` is `image/png`). Active content — HTML, XHTML, SVG, XML, XSL, JavaScript, MHTML, Flash —
 * is what a browser runs when OSS serves it inline (stored XSS once a custom domain is used: OSS forces a download
 * only on its default domains, alibabacloud.com/help/en/oss/user-guide/map-custom-domain-names-5), so no wildcard
 * ever matches it: the operator must name the exact type. That holds even when no list is set ("any type").
 */
export interface ContentTypeRule {
  /** Lowercase patterns as written; empty: any type that is not active content. */
  readonly patterns: readonly string[];
  /** Whether uploads must state a type (a list was given). */
  readonly required: boolean;
}

export const CONTENT_TYPE_PATTERN = /^(?:\*\/\*|[a-z0-9!#$&^_.+-]+\/(?:\*|[a-z0-9!#$&^_.+-]+))$/;

const ACTIVE = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'application/xslt+xml',
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
]);

export function essenceOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether browsers may run it: the list above, and every `+xml` type (XML documents can carry script). */
export function isActiveContentType(contentType: string): boolean {
  const essence = essenceOf(contentType);
  return ACTIVE.has(essence) || essence.endsWith('+xml');
}

export function contentTypeAllowed(rule: ContentTypeRule, contentType: string): boolean {
  const essence = essenceOf(contentType);
  if (isActiveContentType(essence)) return rule.patterns.includes(essence);
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
