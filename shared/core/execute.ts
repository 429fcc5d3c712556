import { invalidArgument } from '../errors';
import { isObject } from '../adapters/types';
import type { Operation } from '../operations/types';
import { checkRequestTree, nullObject } from '../request/tree';
import type { InvocationContext, ServiceDeps } from '../service/types';
import { asServiceError, type Outcome } from './outcome';

function withoutField(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const rest = nullObject();
  for (const name of Object.keys(body)) if (name !== field) rest[name] = body[name];
  return rest;
}

async function runOne(operation: Operation, body: unknown, context: InvocationContext, deps: ServiceDeps): Promise<Outcome> {
  try {
    checkRequestTree(body);
    let request = body;
    if (isObject(body) && Object.hasOwn(body, 'action')) {
      if (body.action !== operation.action) {
        throw invalidArgument('action', `this is ${operation.name}; action must be "${operation.action}" or left out`);
      }
      request = withoutField(body, 'action');
    }
    return { ok: true, result: await operation.run(request, context, deps) };
  } catch (error) {
    return { ok: false, error: asServiceError(error) };
  }
}

/**
 * Every many-item input (a batch, a CloudEvent array, an MNS batch, an OSS event's records) meets the same two bounds
 * before any item runs: PRESIGN_MAX_BATCH items, and one URL at least per item within the invocation's URL budget.
 */
export function admitBatch(count: number, field: string, deps: ServiceDeps): void {
  if (count > deps.policy.maxBatch) throw invalidArgument(field, `${field} must hold at most ${deps.policy.maxBatch} items (PRESIGN_MAX_BATCH): send the rest in another invocation`);
  deps.budget.reserve(count, field, `send at most ${deps.budget.remainingUrls} items in one invocation`);
}

export function isBatch(body: unknown): body is { requests: unknown } {
  return isObject(body) && Object.hasOwn(body, 'requests');
}

/** `{ "requests": [...] }` answers one outcome per item, in order; a bad item never fails its neighbours. */
export async function runBatch(operation: Operation, body: { requests: unknown }, context: InvocationContext, deps: ServiceDeps): Promise<Outcome[]> {
  const extra = Object.keys(body).find((name) => name !== 'requests');
  if (extra !== undefined) throw invalidArgument(extra, `unknown field ${extra} beside requests`);
  const { requests } = body;
  if (!Array.isArray(requests) || requests.length === 0) throw invalidArgument('requests', 'requests must be a non-empty array');
  admitBatch(requests.length, 'requests', deps);
  const outcomes: Outcome[] = [];
  for (const item of requests) outcomes.push(await runOne(operation, item, context, deps));
  return outcomes;
}

export { runOne };
