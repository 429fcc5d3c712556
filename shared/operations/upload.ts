import { parsePutRequest } from '../request/put';
import { presignPut } from '../service/presign-put';
import type { InvocationContext, ServiceDeps } from '../service/types';

/**
 * presign-put's request. Most are a plain PUT, answered here; a request with a `multipart`, `form` or `callback`
 * member is run by ./upload-extras, loaded with `require` on the first such request. Unbundled that is an ordinary
 * module load; `npm run build` (scripts/build.ts, LAZY_CHUNKS) makes it a chunk file beside index.js, so the code for
 * multipart uploads, PostObject forms and callbacks is not in the main bundle and is read only when used.
 */
const EXTRA_MEMBERS = ['multipart', 'form', 'callback'] as const;

type UploadExtras = typeof import('./upload-extras');

function uploadExtras(): UploadExtras {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./upload-extras') as UploadExtras;
}

/** Whether the body names a member only upload-extras understands (present at all: even null is its business). */
function needsExtras(body: unknown): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && EXTRA_MEMBERS.some((name) => Object.hasOwn(body, name));
}

export async function runUpload(body: unknown, context: InvocationContext, deps: ServiceDeps): Promise<Record<string, unknown>> {
  if (needsExtras(body)) return uploadExtras().runUploadRequest(body, context, deps);
  // Exactly what parseUploadRequest does for a body without those members: the PUT fields, nothing else allowed.
  return { ...(await presignPut(parsePutRequest(body), context, deps, () => ({}))) };
}
