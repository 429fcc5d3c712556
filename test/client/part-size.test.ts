/**
 * The client (and the Uppy adapter, which must cut parts before it asks the service anything) plans parts as
 * presign-put does: checked against the service's own planParts over sizes around every boundary.
 */
import fc from 'fast-check';
import { choosePartSize, partCount } from '../../shared/client/part-size';
import { planParts } from '../../shared/service/multipart';

const MIB = 1024 * 1024;

describe('client part plan = service part plan', () => {
  it.each([1, 100 * 1024, 8 * MIB, 8 * MIB + 1, 8 * MIB * 10000, 8 * MIB * 10000 + 1, 9 * MIB * 10000 + 1, 10000 * 5 * 1024 ** 3])('size %i', (size) => {
    const plan = planParts(size, undefined);
    expect(choosePartSize(size)).toBe(plan.partSize);
    expect(partCount(size, choosePartSize(size))).toBe(plan.parts);
  });

  it('for any size OSS allows', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10000 * 5 * 1024 ** 3 }), (size) => {
      const plan = planParts(size, undefined);
      return choosePartSize(size) === plan.partSize && partCount(size, plan.partSize) === plan.parts;
    }), { numRuns: 2000 });
  });
});
