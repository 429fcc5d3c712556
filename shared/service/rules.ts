import { invalidArgument, ServiceError } from '../errors';
import type { ServicePolicy } from '../config/policy';
import { checkBucket, checkKey } from '../signing';

/** The deployment's policy applied to one request: which bucket, which key, which content type. */

export function chooseBucket(requested: string | undefined, policy: ServicePolicy): string {
  const bucket = requested ?? policy.defaultBucket;
  if (bucket === undefined) throw invalidArgument('bucket', 'bucket is required (this deployment has no OSS_BUCKET default)');
  checkBucket(bucket);
  if (!policy.allowedBuckets.has(bucket)) {
    throw new ServiceError('BucketNotAllowed', 403, `bucket ${bucket} is not one this service presigns for (OSS_BUCKET, ALLOWED_BUCKETS)`, { field: 'bucket' });
  }
  return bucket;
}

export function checkAllowedKey(key: unknown, policy: ServicePolicy): string {
  const checked = checkKey(key);
  if (policy.allowedKeyPrefixes.length > 0 && !policy.allowedKeyPrefixes.some((prefix) => checked.startsWith(prefix))) {
    throw new ServiceError('KeyNotAllowed', 403, `key must start with one of: ${policy.allowedKeyPrefixes.join(', ')} (ALLOWED_KEY_PREFIXES)`, { field: 'key' });
  }
  return checked;
}

/** `image/*` matches `image/png; charset=x`; the parameters never widen or narrow a match. */
export function contentTypeAllowed(contentType: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const [type] = essence.split('/');
  return patterns.some((pattern) => pattern === '*/*' || pattern === essence || (pattern.endsWith('/*') && pattern.slice(0, -2) === type));
}

export function regionFor(policy: ServicePolicy, contextRegion: string | undefined): string {
  const region = policy.region ?? contextRegion;
  if (!region) throw new ServiceError('InvalidConfiguration', 500, 'OSS_REGION: not set, and the invocation context carries no region');
  return region;
}
