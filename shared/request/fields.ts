import { invalidArgument } from '../errors';

/**
 * Reads a caller's JSON object field by field. Every rule broken names the field (dotted for nested ones), and
 * `finish()` refuses fields nobody read, so a misspelt `contentType` is an error instead of a silently
 * unsigned header.
 */
export class FieldReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly source: Record<string, unknown>,
    // Always given: FieldReader.of is the only caller, and it passes the path it was given.
    private readonly path: string,
  ) {}

  static of(value: unknown, path = ''): FieldReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalidArgument(path || 'body', `${path || 'the request'} must be a JSON object`);
    }
    return new FieldReader(value as Record<string, unknown>, path);
  }

  name(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  /** Own properties only: a name the caller did not send is never found on a prototype. */
  private take(field: string): unknown {
    this.seen.add(field);
    const value = Object.hasOwn(this.source, field) ? this.source[field] : undefined;
    return value === null ? undefined : value;
  }

  string(field: string, rule: { maxLength?: number; pattern?: RegExp; patternRule?: string } = {}): string | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) throw invalidArgument(this.name(field), `${this.name(field)} must be a non-empty string`);
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      throw invalidArgument(this.name(field), `${this.name(field)} must be at most ${rule.maxLength} characters`);
    }
    if (rule.pattern && !rule.pattern.test(value)) throw invalidArgument(this.name(field), `${this.name(field)} ${rule.patternRule ?? 'has an invalid format'}`);
    return value;
  }

  /** The key is checked by the signer's own rules later; here only its type. */
  rawString(field: string): string | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidArgument(this.name(field), `${this.name(field)} must be a string`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw invalidArgument(this.name(field), `${this.name(field)} must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  integer(field: string, min: number, max: number, unit = ''): number | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidArgument(this.name(field), `${this.name(field)} must be a whole number${unit} from ${min} to ${max}`);
    }
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw invalidArgument(this.name(field), `${this.name(field)} must be true or false`);
    return value;
  }

  object(field: string): FieldReader | undefined {
    const value = this.take(field);
    if (value === undefined) return undefined;
    return FieldReader.of(value, this.name(field));
  }

  /** A flat map of string values, e.g. metadata or tags. */
  stringMap(field: string, rule: { maxEntries: number; keyPattern: RegExp; keyRule: string }): Record<string, string> | undefined {
    const reader = this.object(field);
    if (!reader) return undefined;
    const entries = Object.entries(reader.source);
    if (entries.length > rule.maxEntries) throw invalidArgument(this.name(field), `${this.name(field)} must have at most ${rule.maxEntries} entries`);
    const out = Object.create(null) as Record<string, string>;
    for (const [key, value] of entries) {
      if (!rule.keyPattern.test(key)) throw invalidArgument(`${this.name(field)}.${key}`, `${this.name(field)} names ${rule.keyRule}`);
      if (typeof value !== 'string') throw invalidArgument(`${this.name(field)}.${key}`, `${this.name(field)} values must be strings`);
      out[key] = value;
    }
    return out;
  }

  finish(): void {
    for (const field of Object.keys(this.source)) {
      if (!this.seen.has(field)) throw invalidArgument(this.name(field), `unknown field ${this.name(field)}`);
    }
  }
}
