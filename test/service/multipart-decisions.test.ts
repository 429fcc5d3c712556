import { callHttp, harness, httpEvent } from '../support/fc';
import { MAX_PART_SIZE } from '../../shared/request/multipart';
import { DEFAULT_PART_SIZE } from '../../shared/service/multipart';
import '../support/frozen-prototypes';

/**
 * The multipart service's own decisions, through the real put handler: which part URLs an answer holds (paging
 * by firstPart, parts and the URL budget), the refusals that name their field and rule, the part plan, and what
 * the complete and ListParts URLs tell the uploader. Written against the mutation report (docs/mutation.md).
 */
const MIB = 1024 * 1024;

async function ask(multipart: Record<string, unknown>, env: Record<string, string> = {}) {
  const answer = await callHttp(harness(env).put, httpEvent({ body: { multipart } }));
  return { status: answer.statusCode, json: answer.json as Record<string, unknown> & { error?: Record<string, unknown> } };
}

const STEP_TWO = { key: 'big.bin', uploadId: 'U1' };
/** Five parts of DEFAULT_PART_SIZE, the last one a single byte. */
const FIVE_PARTS = 4 * DEFAULT_PART_SIZE + 1;

const partNumbers = (json: Record<string, unknown>) => (json.parts as Array<{ partNumber: number }>).map((part) => part.partNumber);

describe('step 1 (initiate)', () => {
  it('refusals name the multipart. field: a missing key, a content type, an ACL, an overwrite the rule does not allow', async () => {
    expect(await ask({})).toMatchObject({ status: 400, json: { error: { field: 'multipart.key', message: 'multipart.key is required' } } });
    const typed = await ask({ key: 'a.bin', contentType: 'text/html' }, { ALLOWED_CONTENT_TYPES: 'image/png' });
    expect(typed.status).toBe(403);
    expect(typed.json.error).toMatchObject({ field: 'multipart.contentType', message: expect.stringMatching(/^multipart\.contentType text\/html is active content/) });
    const acl = await ask({ key: 'a.bin', acl: 'public-read' });
    expect(acl).toMatchObject({ status: 403, json: { error: { field: 'multipart.acl', message: 'multipart.acl public-read is not allowed here; allowed: none (ALLOWED_ACLS)' } } });
    const overwrite = await ask({ key: 'a.bin', forbidOverwrite: false }, { FORCE_FORBID_OVERWRITE: 'true' });
    expect(overwrite).toMatchObject({ status: 403, json: { error: { code: 'OverwriteNotAllowed', field: 'multipart.forbidOverwrite' } } });
  });

  it('a part size of exactly 5 GB, the most OSS allows, is kept', async () => {
    const answer = await ask({ key: 'a.bin', partSize: MAX_PART_SIZE });
    expect(answer.status).toBe(200);
    expect(answer.json.plan).toMatchObject({ partSize: MAX_PART_SIZE, parts: null });
  });

  it('a caller-chosen part size is refused where MAX_CONTENT_LENGTH bounds uploads, saying why', async () => {
    const answer = await ask({ key: 'a.bin', size: 1000, partSize: MAX_PART_SIZE }, { MAX_CONTENT_LENGTH: '5000' });
    expect(answer).toMatchObject({ status: 400, json: { error: { field: 'multipart.partSize' } } });
    expect(answer.json.error?.message).toMatch(/^multipart\.partSize is chosen by the service when uploads are size-limited \(MAX_CONTENT_LENGTH\)/);
  });
});

describe('step 2 (parts): which part URLs an answer holds', () => {
  it('parts equal to the rest of the plan are all answered, and nextPart is null', async () => {
    const answer = await ask({ ...STEP_TWO, size: FIVE_PARTS, parts: 5 });
    expect(answer.status).toBe(200);
    expect(partNumbers(answer.json)).toEqual([1, 2, 3, 4, 5]);
    expect(answer.json.nextPart).toBeNull();
    const fromThree = await ask({ ...STEP_TWO, size: FIVE_PARTS, firstPart: 3, parts: 2 });
    expect([fromThree.status, partNumbers(fromThree.json)]).toEqual([200, [3, 4]]);
    expect(fromThree.json.nextPart).toBe(5);
  });

  it('the last part of the plan can be asked for alone; nextPart points at it when one page stops just before it', async () => {
    const last = await ask({ ...STEP_TWO, size: FIVE_PARTS, firstPart: 5 });
    expect([last.status, partNumbers(last.json), last.json.nextPart]).toEqual([200, [5], null]);
    expect((last.json.parts as Array<{ size: number }>)[0]?.size).toBe(1);
    const four = await ask({ ...STEP_TWO, size: FIVE_PARTS, parts: 4 });
    expect([four.status, partNumbers(four.json), four.json.nextPart]).toEqual([200, [1, 2, 3, 4], 5]);
  });

  it('firstPart beyond the plan, and parts beyond the rest of it, are refused with the plan in the message', async () => {
    const beyond = await ask({ ...STEP_TWO, size: FIVE_PARTS, firstPart: 6 });
    expect(beyond).toMatchObject({ status: 400, json: { error: { field: 'multipart.firstPart', message: 'multipart.firstPart 6 is beyond the plan\'s 5 parts' } } });
    const tooMany = await ask({ ...STEP_TWO, size: FIVE_PARTS, firstPart: 2, parts: 5 });
    expect(tooMany).toMatchObject({
      status: 400,
      json: { error: { field: 'multipart.parts', message: `multipart.parts 5 from part 2 goes beyond the plan's 5 parts (size ${FIVE_PARTS}, part size ${DEFAULT_PART_SIZE})` } },
    });
  });

  it('a count that with the complete, abort and ListParts URLs is over PRESIGN_MAX_URLS is refused before signing, saying how to page', async () => {
    const budget = { PRESIGN_MAX_URLS: '10' };
    const fits = await ask({ ...STEP_TWO, size: 8 * DEFAULT_PART_SIZE, parts: 7 }, budget);
    expect([fits.status, partNumbers(fits.json).length]).toEqual([200, 7]);
    const over = await ask({ ...STEP_TWO, size: 8 * DEFAULT_PART_SIZE, parts: 8 }, budget);
    expect(over).toMatchObject({
      status: 400,
      json: { error: { code: 'UrlBudgetExceeded', field: 'multipart.parts', message: 'one invocation signs at most 10 URLs (PRESIGN_MAX_URLS): ask for at most 7 parts at a time (multipart.firstPart + multipart.parts)' } },
    });
    const unplanned = await ask({ ...STEP_TWO, parts: 8 }, budget);
    expect(unplanned.json.error).toMatchObject({ code: 'UrlBudgetExceeded', field: 'multipart.parts', message: expect.stringMatching(/ask for at most 7 parts at a time/) });
  });

  it('without a size, parts is required, and may not run past part 10000', async () => {
    const missing = await ask({ ...STEP_TWO });
    expect(missing).toMatchObject({ status: 400, json: { error: { field: 'multipart.parts', message: 'multipart.parts (how many part URLs) is required unless multipart.size is given' } } });
    const past = await ask({ ...STEP_TWO, firstPart: 9999, parts: 5 });
    expect(past).toMatchObject({ status: 400, json: { error: { field: 'multipart.parts', message: 'parts 9999 to 10003 go beyond part 10000, the most OSS allows' } } });
    const upTo = await ask({ ...STEP_TWO, firstPart: 9999, parts: 2 });
    expect([upTo.status, partNumbers(upTo.json)]).toEqual([200, [9999, 10000]]);
  });
});

describe('step 2 (parts): refusals and the answer', () => {
  it('a bucket that is not allowed, and a missing key, are refused naming the multipart. field', async () => {
    const bucket = await ask({ ...STEP_TWO, bucket: 'other-bucket', parts: 1 });
    expect(bucket).toMatchObject({ status: 403, json: { error: { code: 'BucketNotAllowed', field: 'multipart.bucket' } } });
    const keyless = await ask({ uploadId: 'U1', parts: 1 });
    expect(keyless).toMatchObject({ status: 400, json: { error: { code: 'InvalidArgument', field: 'multipart.key', message: 'multipart.key is required (the key the upload was initiated for)' } } });
  });

  it('partSize without size is refused, saying it pins each part URL to its planned length', async () => {
    const answer = await ask({ ...STEP_TWO, parts: 1, partSize: 10 * MIB });
    expect(answer).toMatchObject({
      status: 400,
      json: { error: { field: 'multipart.partSize', message: 'multipart.partSize goes with multipart.size in this step (it pins each part URL to its planned length)' } },
    });
  });

  it('without a size there is no plan, and part URLs carry no size', async () => {
    const answer = await ask({ ...STEP_TWO, parts: 2 });
    expect(answer.status).toBe(200);
    expect(answer.json.plan).toBeNull();
    expect(answer.json.nextPart).toBeNull();
    expect(answer.json.parts).toEqual([expect.not.objectContaining({ size: expect.anything() }), expect.not.objectContaining({ size: expect.anything() })]);
  });

  it('the complete URL says what body it takes: the XML part list, or none with completeAll', async () => {
    const listed = await ask({ ...STEP_TWO, parts: 1 });
    const bodyFormat = (listed.json.complete as { bodyFormat: string }).bodyFormat;
    expect(bodyFormat).toMatch(/^Content-Type: application\/xml; body <CompleteMultipartUpload><Part><PartNumber>1<\/PartNumber><ETag>/);
    expect(bodyFormat).toMatch(/<\/CompleteMultipartUpload>, one Part per uploaded part in ascending PartNumber$/);
    const all = await ask({ ...STEP_TWO, parts: 1, completeAll: true });
    expect((all.json.complete as { bodyFormat: string }).bodyFormat).toBe('no body: OSS completes the upload with every part uploaded so far (x-oss-complete-all: yes)');
  });

  it('the ListParts URL carries part-number-marker only when the caller gave one above 0', async () => {
    const query = (json: Record<string, unknown>) => new URL((json.listParts as { url: string }).url).searchParams;
    const first = await ask({ ...STEP_TWO, parts: 0 });
    expect(query(first.json).has('part-number-marker')).toBe(false);
    expect(query(first.json).get('max-parts')).toBe('1000');
    expect(first.json.listParts).toMatchObject({ maxParts: 1000, partNumberMarker: 0 });
    const zero = await ask({ ...STEP_TWO, parts: 0, listPartsMarker: 0 });
    expect(query(zero.json).has('part-number-marker')).toBe(false);
    const later = await ask({ ...STEP_TWO, parts: 0, listPartsMarker: 1000 });
    expect(query(later.json).get('part-number-marker')).toBe('1000');
  });
});
