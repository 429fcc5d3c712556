import type { ServicePolicy } from '../config/policy';
import { invalidArgument, ServiceError } from '../errors';
import { checkBucket } from '../signing';

/** Where a URL points: the bucket (the deployment's, or one it allows) and the region it is signed for. */

export function chooseBucket(requested: string | undefined, policy: ServicePolicy, field = 'bucket'): string {
  const bucket = requested ?? policy.defaultBucket;
  if (bucket === undefined) throw invalidArgument(field, `${field} is required (this deployment has no OSS_BUCKET default)`);
  checkBucket(bucket, field);
  if (!policy.allowedBuckets.has(bucket)) {
    throw new ServiceError('BucketNotAllowed', 403, `bucket ${bucket} is not one this service presigns for (OSS_BUCKET, ALLOWED_BUCKETS)`, { field });
  }
  return bucket;
}

export function regionFor(policy: ServicePolicy, contextRegion: string | undefined): string {
  const region = policy.region ?? contextRegion;
  if (!region) throw new ServiceError('InvalidConfiguration', 500, 'OSS_REGION: not set, and the invocation context carries no region');
  return region;
}
