import { invalidArgument } from '../errors';
import { isObject } from '../adapters/types';
import type { Operation } from '../operations/types';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { asServiceError, type Outcome } from './outcome';

async function runOne(operation: Operation, body: unknown, context: InvocationContext, deps: ServiceDeps): Promise<Outcome> {
  try {
    let request = body;
    if (isObject(body) && 'action' in body) {
      const { action, ...rest } = body;
      if (action !== operation.action) {
        throw invalidArgument('action', `this is ${operation.name}; action must be "${operation.action}" or left out`);
      }
      request = rest;
    }
    return { ok: true, result: await operation.run(request, context, deps) };
  } catch (error) {
    return { ok: false, error: asServiceError(error) };
  }
}

export function isBatch(body: unknown): body is { requests: unknown } {
  return isObject(body) && 'requests' in body;
}

/** `{ "requests": [...] }` answers one outcome per item, in order; a bad item never fails its neighbours. */
export async function runBatch(operation: Operation, body: { requests: unknown }, context: InvocationContext, deps: ServiceDeps): Promise<Outcome[]> {
  const { requests, ...rest } = body;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalidArgument(extra, `unknown field ${extra} beside requests`);
  if (!Array.isArray(requests) || requests.length === 0) throw invalidArgument('requests', 'requests must be a non-empty array');
  if (requests.length > deps.policy.maxBatch) {
    throw invalidArgument('requests', `requests must hold at most ${deps.policy.maxBatch} items (PRESIGN_MAX_BATCH)`);
  }
  const outcomes: Outcome[] = [];
  for (const item of requests) outcomes.push(await runOne(operation, item, context, deps));
  return outcomes;
}

export { runOne };
