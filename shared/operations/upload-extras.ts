import { ServiceError } from '../errors';
import { parseUploadRequest } from '../request/upload';
import { callbackHeaders } from '../service/callback';
import { presignForm } from '../service/form';
import { presignMultipart } from '../service/multipart';
import { presignPut } from '../service/presign-put';
import type { InvocationContext, ServiceDeps } from '../service/types';

/** Errors raised by shared rules name top-level fields (`key`, `bucket`); in a nested request they are `multipart.key`. */
async function nested<T>(member: 'multipart' | 'form', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ServiceError && error.field !== undefined && !error.field.startsWith(`${member}.`)) {
      throw new ServiceError(error.code, error.status, error.message, { field: `${member}.${error.field}`, retryable: error.retryable, cause: error.cause });
    }
    throw error;
  }
}

/**
 * presign-put's request in full: a single PUT (with an optional upload callback), a multipart upload or a PostObject
 * form. ./upload.ts answers a plain PUT itself and sends only the other shapes here; this module and everything only
 * it needs (multipart plans, forms, post policies, callbacks) load on first use — in the bundle, a chunk of its own.
 */
export async function runUploadRequest(body: unknown, context: InvocationContext, deps: ServiceDeps): Promise<Record<string, unknown>> {
  const upload = parseUploadRequest(body);
  switch (upload.kind) {
    case 'put': {
      const { callback } = upload;
      return { ...(await presignPut(upload.request, context, deps, (rule) => (callback ? { ...callbackHeaders(callback, deps.policy, rule) } : {}))) };
    }
    case 'multipart':
      return { ...(await nested('multipart', () => presignMultipart(upload.request, context, deps))) };
    case 'form':
      return { ...(await nested('form', () => presignForm(upload.request, context, deps))) };
  }
}
