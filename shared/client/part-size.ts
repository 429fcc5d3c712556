/**
 * OSS's multipart limits and presign-put's default plan (README "Large and constrained uploads"): 8 MiB parts, grown in
 * whole MiB when a file would need more than 10,000 of them. The Uppy adapter must cut parts before it asks the service
 * anything, so it computes the same plan; test/client/part-size.test.ts holds it to the service's planParts.
 */
export const MIN_PART_SIZE = 100 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

export function choosePartSize(size: number, requested?: number): number {
  if (requested !== undefined) return requested;
  const smallest = Math.ceil(size / MAX_PARTS);
  return smallest > DEFAULT_PART_SIZE ? Math.min(MAX_PART_SIZE, Math.ceil(smallest / MIB) * MIB) : DEFAULT_PART_SIZE;
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export function partRange(size: number, partSize: number, partNumber: number): { start: number; end: number } {
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(size, start + partSize) };
}
