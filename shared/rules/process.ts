/**
 * Which `x-oss-process` values a rule admits. A value is `<kind>/<operation>[,params][/<operation>[,params]]...`,
 * stages joined by `|` (`...|sys/saveas,...` writes the result as a new object). Every operation of every stage
 * must match a pattern of the rule:
 * - `image/resize` — that operation with any parameters;
 * - `image/resize,w_*` — parameters matching the glob (`*`: anything but `/` and `|`);
 * - `image/*` — any operation of that kind; `style/*` any named image style.
 * The kind is always literal: there is no pattern for "any kind". Nothing is admitted unless named, so the costly
 * and the writing ones (video/snapshot, billed per call; doc/edit, online editing that saves back through a GET
 * URL; sys/saveas) only ever pass where the operator wrote them (OSS: help.aliyun.com/en/oss/user-guide/sys-or-saveas,
 * .../online-object-editing, .../video-snapshots).
 */
export interface ProcessPattern {
  readonly source: string;
  readonly kind: string;
  readonly match: RegExp;
}

const PATTERN = /^([a-z]+)\/(\*|[A-Za-z0-9_-]+(?:,[^/|]*)?)$/;
const OPERATION = /^[A-Za-z0-9_.-]+(?:,[^/|]*)?$/;

export function compileProcessPattern(source: string): ProcessPattern | string {
  const parts = PATTERN.exec(source);
  if (!parts) return `"${source}" is not a processing pattern such as image/resize, image/resize,w_* or style/*`;
  const [, kind, operation] = parts as unknown as [string, string, string];
  const body = operation === '*' ? '[^/|]+' : operation.split('*').map(escapeRegExp).join('[^/|]*') + (operation.includes(',') ? '' : '(?:,[^/|]*)?');
  return { source, kind, match: new RegExp(`^${escapeRegExp(kind)}/${body}$`) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first operation no pattern admits (as `kind/operation`), or the empty string when every one is admitted. */
export function processRefusal(patterns: readonly ProcessPattern[], value: string): string {
  for (const stage of value.split('|')) {
    const slash = stage.indexOf('/');
    const kind = slash > 0 ? stage.slice(0, slash) : '';
    const operations = slash > 0 ? stage.slice(slash + 1).split('/') : [];
    // A stage without a `/` has no kind (''), so this also refuses it before its (empty) operations are read.
    if (!/^[a-z]+$/.test(kind)) return stage || '(empty)';
    for (const operation of operations) {
      const candidate = `${kind}/${operation}`;
      if (!OPERATION.test(operation) || !patterns.some((p) => p.kind === kind && p.match.test(candidate))) return candidate;
    }
  }
  return '';
}

/**
 * ALLOWED_PROCESS is a comma-separated list like the others, and processing parameters are comma-separated too:
 * an item without a `/` continues the pattern before it, so `image/resize,w_*,style/*` reads as the two patterns
 * `image/resize,w_*` and `style/*`.
 */
export function joinProcessParameters(items: string[]): string[] {
  const patterns: string[] = [];
  for (const item of items) {
    const last = patterns.length - 1;
    if (!item.includes('/') && last >= 0) patterns[last] = `${patterns[last]},${item}`;
    else patterns.push(item);
  }
  return patterns;
}

