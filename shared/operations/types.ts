import type { InvocationContext, ServiceDeps } from '../service/types';

/**
 * One function's operation: how its request is parsed and run, and which HTTP methods reach it. Everything else
 * (event sources, batches, HTTP, logging) is shared by both functions.
 */
export interface Operation {
  name: 'presign-put' | 'presign-get';
  /** The `action` a direct invocation may name (`{"action":"put", ...}`), checked and then dropped. */
  action: 'put' | 'get';
  httpMethods: readonly ('GET' | 'POST')[];
  /** Fields that arrive as text in a query string but are numbers or booleans in JSON. */
  integerFields: ReadonlySet<string>;
  booleanFields: ReadonlySet<string>;
  /** Whether OSS ObjectCreated events are turned into GET URLs by this operation. */
  acceptsOssEvents: boolean;
  run(body: unknown, context: InvocationContext, deps: ServiceDeps): Promise<Record<string, unknown>>;
}
