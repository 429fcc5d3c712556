import { invalidArgument, ServiceError } from '../errors';

/**
 * Request data is hostile. Everything a caller sends is held as a tree of null-prototype objects and plain arrays
 * (so no name can reach Object.prototype, and a read of `constructor` or `toString` finds nothing inherited),
 * bounded in size, depth and count; and the part that is a presign request is refused outright when any name in
 * it, at any depth, is `__proto__`, `constructor` or `prototype`, or any string in it is not valid Unicode.
 * (The lessons of `qs` and Fastify's secure-json-parse: refuse, don't clean.)
 */
export type Tree = null | boolean | number | string | Tree[] | { [name: string]: Tree };

export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface TreeLimits {
  /** Bytes of JSON text, before parsing. */
  maxBytes: number;
  /** Objects and arrays nested inside each other. */
  maxDepth: number;
  /** Values of every kind, counted once each. */
  maxNodes: number;
}

/**
 * A whole event as FC hands it over: FC's own envelopes plus the caller's data. FC's synchronous payload limit is
 * 32 MB (alibabacloud.com/help/doc-detail/2527064.html); a presign event never needs more than a batch of small
 * requests, so anything beyond 1 MiB is refused before it is parsed.
 */
export const EVENT_LIMITS: TreeLimits = { maxBytes: 1024 * 1024, maxDepth: 16, maxNodes: 20_000 };

/** One presign request (or batch): the deepest legitimate one is requests[i].multipart.callback.vars.name. */
export const REQUEST_MAX_DEPTH = 8;

export function nullObject<T = unknown>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

const joinPath = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

class Adopter {
  private nodes = 0;

  constructor(
    private readonly limits: TreeLimits,
    private readonly what: string,
  ) {}

  adopt(value: unknown, depth: number): Tree {
    if (++this.nodes > this.limits.maxNodes) {
      throw new ServiceError('PayloadTooLarge', 413, `${this.what} holds more than ${this.limits.maxNodes} values`);
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument(this.what, `${this.what} holds a number JSON cannot carry`);
      return value;
    }
    if (typeof value !== 'object' || Buffer.isBuffer(value)) throw invalidArgument(this.what, `${this.what} must be JSON data`);
    if (depth >= this.limits.maxDepth) throw invalidArgument(this.what, `${this.what} is nested deeper than ${this.limits.maxDepth} levels`);
    if (Array.isArray(value)) return value.map((item) => this.adopt(item, depth + 1));
    const out = nullObject<Tree>();
    // Own enumerable names only: nothing inherited is ever read.
    for (const name of Object.keys(value)) out[name] = this.adopt((value as Record<string, unknown>)[name], depth + 1);
    return out;
  }
}

/** A copy of FC-handed data (already an object) as a bounded null-prototype tree. */
export function adoptTree(value: unknown, what: string, limits: TreeLimits = EVENT_LIMITS): Tree {
  return new Adopter(limits, what).adopt(value, 0);
}

/**
 * JSON text from a request, as a bounded null-prototype tree. `field` names where the text came from, for the
 * error a caller sees; undefined when the text is not JSON at all (the caller decides what that means).
 */
export function parseJsonTree(text: string, field: string, limits: TreeLimits = EVENT_LIMITS): { ok: true; tree: Tree } | { ok: false } {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new ServiceError('PayloadTooLarge', 413, `${field} must be at most ${limits.maxBytes} bytes`, { field });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return { ok: true, tree: adoptTree(parsed, field, limits) };
}

/**
 * The checks every presign request (or batch) meets before any of it is read: no reserved name at any depth, every
 * string well-formed Unicode (a lone surrogate cannot be percent-encoded, so it could only fail later, or worse),
 * no deeper than REQUEST_MAX_DEPTH. `path` prefixes the field named in the error.
 */
export function checkRequestTree(value: unknown, path = '', depth = 0): void {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw invalidArgument(path || 'body', `${path || 'the request'} must be valid Unicode (it holds an unpaired surrogate)`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= REQUEST_MAX_DEPTH) throw invalidArgument(path || 'body', `${path || 'the request'} is nested deeper than ${REQUEST_MAX_DEPTH} levels`);
  // Arrays too: a tree's arrays (JSON's, adoptTree's) own just their indices, so an item is named path.0, path.1, ...
  for (const name of Object.keys(value)) {
    const field = joinPath(path, name);
    if (isReservedName(name)) throw invalidArgument(field, `${field}: __proto__, constructor and prototype are reserved names, refused anywhere in a request`);
    if (!name.isWellFormed()) throw invalidArgument(path || 'body', `${path || 'the request'} has a field name that is not valid Unicode`);
    checkRequestTree((value as Record<string, unknown>)[name], field, depth + 1);
  }
}
