import { invalidArgument } from '../errors';
import type { Operation } from '../operations/types';

/**
 * Query parameters (and API Gateway path parameters) as request fields: `expires=600` is the number 600,
 * `forbidOverwrite=true` the boolean, and `response.filename=x` the nested field, so a GET and a JSON POST
 * describe the same request the same way.
 */
export function fieldsFromQuery(query: Record<string, string>, operation: Operation): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    let value: unknown = raw;
    if (operation.integerFields.has(name)) {
      if (!/^\d{1,15}$/.test(raw)) throw invalidArgument(name, `${name} must be a whole number`);
      value = Number(raw);
    } else if (operation.booleanFields.has(name)) {
      if (raw !== 'true' && raw !== 'false') throw invalidArgument(name, `${name} must be true or false`);
      value = raw === 'true';
    }
    const dot = name.indexOf('.');
    if (dot > 0) {
      const parent = name.slice(0, dot);
      const nested = (fields[parent] ??= {}) as Record<string, unknown>;
      if (typeof nested !== 'object') throw invalidArgument(name, `${parent} is given twice`);
      nested[name.slice(dot + 1)] = value;
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

/** Body, query and path parameters together; a field given in two places is ambiguous, so it is refused. */
export function mergeFields(sources: Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (name in merged) throw invalidArgument(name, `${name} is given more than once (body, query string or path)`);
      merged[name] = value;
    }
  }
  return merged;
}
