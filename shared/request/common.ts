import { MAX_EXPIRES_SECONDS } from '../signing';
import type { FieldReader } from './fields';

/** Fields every presign request shares. */
export interface TargetFields {
  bucket?: string | undefined;
  expires?: number | undefined;
  minExpires?: number | undefined;
}

const BUCKET_SHAPE = /^[a-z0-9-]{3,63}$/;

export function readTargetFields(reader: FieldReader): TargetFields {
  return {
    bucket: reader.string('bucket', { pattern: BUCKET_SHAPE, patternRule: 'must be 3-63 lowercase letters, digits or hyphens' }),
    expires: reader.integer('expires', 1, MAX_EXPIRES_SECONDS, ' of seconds'),
    minExpires: reader.integer('minExpires', 1, MAX_EXPIRES_SECONDS, ' of seconds'),
  };
}
