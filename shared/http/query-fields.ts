import { invalidArgument } from '../errors';
import type { Operation } from '../operations/types';
import { isReservedName, nullObject } from '../request/tree';

/** FC bounds path and query to 4 KB together; API Gateway has its own limits. This bound holds whoever delivers. */
export const MAX_QUERY_FIELDS = 64;

/**
 * Query parameters (and API Gateway path parameters) as request fields: `expires=600` is the number 600,
 * `forbidOverwrite=true` the boolean, and `response.filename=x` the nested field, so a GET and a JSON POST
 * describe the same request the same way. Nesting is one level deep (`parent.child`), every object is built with a
 * null prototype, and a reserved name (`__proto__`, `constructor`, `prototype`) is refused on either side of the dot.
 */
export function fieldsFromQuery(query: Record<string, string>, operation: Operation): Record<string, unknown> {
  const fields = nullObject();
  const names = Object.keys(query);
  if (names.length > MAX_QUERY_FIELDS) throw invalidArgument('query', `at most ${MAX_QUERY_FIELDS} query parameters`);
  for (const name of names) {
    const raw = query[name] as string;
    const dot = name.indexOf('.');
    const parent = dot > 0 ? name.slice(0, dot) : name;
    const child = dot > 0 ? name.slice(dot + 1) : undefined;
    if (isReservedName(parent) || (child !== undefined && isReservedName(child))) {
      throw invalidArgument(name, `${name}: __proto__, constructor and prototype are reserved names, refused anywhere in a request`);
    }
    let value: unknown = raw;
    if (operation.integerFields.has(name)) {
      if (!/^\d{1,15}$/.test(raw)) throw invalidArgument(name, `${name} must be a whole number`);
      value = Number(raw);
    } else if (operation.booleanFields.has(name)) {
      if (raw !== 'true' && raw !== 'false') throw invalidArgument(name, `${name} must be true or false`);
      value = raw === 'true';
    }
    if (child === undefined) {
      if (Object.hasOwn(fields, name)) throw invalidArgument(name, `${name} is given twice`);
      fields[name] = value;
      continue;
    }
    const existing = Object.hasOwn(fields, parent) ? fields[parent] : (fields[parent] = nullObject());
    if (existing === null || typeof existing !== 'object') throw invalidArgument(name, `${parent} is given twice`);
    (existing as Record<string, unknown>)[child] = value;
  }
  return fields;
}

/** Body, query and path parameters together; a field given in two places is ambiguous, so it is refused. */
export function mergeFields(sources: Record<string, unknown>[]): Record<string, unknown> {
  const merged = nullObject();
  for (const source of sources) {
    for (const name of Object.keys(source)) {
      if (Object.hasOwn(merged, name)) throw invalidArgument(name, `${name} is given more than once (body, query string or path)`);
      merged[name] = source[name];
    }
  }
  return merged;
}
