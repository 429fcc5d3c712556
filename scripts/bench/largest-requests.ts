import { EVENT_LIMITS } from '../../shared/request/tree';

/**
 * The largest requests the per-invocation budgets let through, for the memory check: each is the biggest of its kind
 * that is still answered (not refused), under a deployment that allows every capability (so nothing shrinks the
 * answer) with the default budgets: PRESIGN_MAX_BATCH 100, PRESIGN_MAX_URLS 1,000, PRESIGN_MAX_ANSWER_BYTES 4 MiB and
 * the 1 MiB event bound. `npm run bench` reports the peak RSS of each in a fresh process;
 * test/security/largest-request.test.ts runs each under --max-old-space-size=96.
 */
export const LARGEST_ENV: Record<string, string> = {
  OSS_BUCKET: 'examplebucket',
  OSS_REGION: 'cn-hangzhou',
  FC_REGION: 'cn-hangzhou',
  CALLBACK_URL_ALLOWLIST: 'hooks.example.com',
  ALLOWED_ACLS: 'private',
  ALLOWED_STORAGE_CLASSES: 'IA',
  ALLOW_FORM_KEY_PREFIX: 'true',
};

export interface LargestRequest {
  label: string;
  /** Which function answers it. */
  fn: 'presign-put' | 'presign-get';
  event: string;
  /** How many URLs (or form policies) a full answer holds. */
  urls: number;
}

const PART = 5 * 1024 * 1024;

/** A PUT item as large as the request rules allow: 8 KB of metadata, ten 256-character tags, a 4 KB callback body. */
function heavyPut(i: number): Record<string, unknown> {
  const metadata: Record<string, string> = {};
  // 7 entries of 1,100 bytes plus their names stay under OSS's 8 KB of metadata in all.
  for (let m = 0; m < 7; m++) metadata[`meta${m}`] = 'm'.repeat(1100);
  const tagging: Record<string, string> = {};
  for (let t = 0; t < 10; t++) tagging[`tag${t}`] = 't'.repeat(256);
  return {
    key: `uploads/largest/${i}-${'k'.repeat(200)}.bin`,
    contentType: 'application/octet-stream',
    acl: 'private',
    storageClass: 'IA',
    metadata,
    tagging,
    callback: { url: 'https://hooks.example.com/uploaded', body: `object=\${object}&size=\${size}&${'b'.repeat(2800)}` },
  };
}

/** As many heavy items as a batch can hold within the event bound (and PRESIGN_MAX_BATCH). */
function heavyBatch(): { event: string; count: number } {
  let count = 100;
  for (;;) {
    const event = JSON.stringify({ requests: Array.from({ length: count }, (_, i) => heavyPut(i)) });
    if (Buffer.byteLength(event) <= EVENT_LIMITS.maxBytes) return { event, count };
    count -= 1;
  }
}

export function largestRequests(): LargestRequest[] {
  const batch = heavyBatch();
  const forms = Array.from({ length: 100 }, (_, i) => ({ form: { keyPrefix: `uploads/forms/${i}/`, contentType: 'image/png', acl: 'private', storageClass: 'IA', minSize: 1, maxSize: 5 * 1024 ** 3 } }));
  return [
    {
      label: 'one multipart page: 997 part URLs + complete, abort, ListParts',
      fn: 'presign-put',
      event: JSON.stringify({ multipart: { key: 'uploads/largest/movie.mp4', uploadId: 'upload-largest', size: 10_000 * PART, partSize: PART } }),
      urls: 1000,
    },
    {
      label: `a batch of ${batch.count} PUTs with the largest headers a request may carry`,
      fn: 'presign-put',
      event: batch.event,
      urls: batch.count,
    },
    {
      label: 'a batch of 100 PostObject forms',
      fn: 'presign-put',
      event: JSON.stringify({ requests: forms }),
      urls: 100,
    },
    {
      label: 'a batch of 100 GETs with every response override',
      fn: 'presign-get',
      event: JSON.stringify({ requests: Array.from({ length: 100 }, (_, i) => ({ key: `uploads/largest/${i}-${'k'.repeat(900)}`, response: { filename: '报'.repeat(80), contentType: 'application/octet-stream', contentLanguage: 'zh-CN' } })) }),
      urls: 100,
    },
  ];
}
