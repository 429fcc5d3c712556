import fc from 'fast-check';
import { BUCKET, configs, formatStats, fuzzCase, newStats, policyViolations, runCase, startRig, type Rig } from './engine';

/**
 * The jest-sized fuzz run: a fixed seed, 3,000 generated requests through both real handlers under three
 * configurations, every success checked against the policy in force and used for real against the local OSS.
 * `npm run fuzz` runs 100,000 with a sample of round trips.
 */
const SEED = 20301;
const RUNS = 3000;
let rig: Rig;
beforeAll(async () => { rig = await startRig(); });
afterAll(async () => rig.close());

test(`${RUNS} generated requests (seed ${SEED}): 4xx naming its rule, or a URL the policy allows and the local OSS accepts`, async () => {
  const stats = newStats();
  const started = Date.now();
  await fc.assert(fc.asyncProperty(fuzzCase, (c) => runCase(rig, c, stats, 1)), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  process.stderr.write(`${formatStats(stats, Date.now() - started)}\n`);
  expect(stats.runs).toBe(RUNS);
  // The generator must reach both outcomes, every shape and every kind of refusal it is meant to provoke, or the run proves little.
  expect(stats.successes).toBeGreaterThan(RUNS / 8);
  expect(Object.values(stats.roundTrips).reduce((a, b) => a + b, 0)).toBeGreaterThan(200);
  expect(Object.keys(stats.byShape).sort()).toEqual(['api-gateway', 'batch', 'cloudevent', 'direct', 'forged-wrap', 'garbage', 'http-get', 'http-post', 'mns-batch', 'oversize', 'reserved']);
  expect(Object.keys(stats.rejections)).toEqual(expect.arrayContaining([
    'KeyNotAllowed', 'ContentTypeNotAllowed', 'ContentLengthNotAllowed', 'OverwriteNotAllowed', 'AclNotAllowed', 'StorageClassNotAllowed', 'ProcessNotAllowed',
    'ResponseOverrideNotAllowed', 'BucketNotAllowed', 'Unauthorized', 'UrlBudgetExceeded', 'InvalidArgument',
  ]));
  expect(Object.keys(stats.mustRefuse).length).toBeGreaterThan(8);
}, 120_000);

describe('the policy oracle finds what it is meant to find', () => {
  // Answers as the service gives them, each changed the way a loosened rule would change it: the oracle must object.
  const [open, strict, widened] = configs('http://127.0.0.1:1').map((c) => c.policy) as [ReturnType<typeof configs>[number]['policy'], ReturnType<typeof configs>[number]['policy'], ReturnType<typeof configs>[number]['policy']];
  const url = (query: Record<string, string>) => `http://127.0.0.1:1/${BUCKET}/k?${new URLSearchParams({ 'x-oss-expires': '600', ...query }).toString()}`;
  const put = (key: string, signedHeaders: Record<string, string>) => ({ method: 'PUT', url: url({}), bucket: BUCKET, key, expiresIn: 600, signedHeaders });
  const get = (query: Record<string, string>) => ({ method: 'GET', url: url(query), bucket: BUCKET, key: 'uploads/a.png', expiresIn: 600, signedHeaders: {} });
  const strictPut = { 'content-type': 'image/png', 'content-length': '10', 'x-oss-forbid-overwrite': 'true' };

  it('allowed answers pass', () => {
    expect(policyViolations(strict, put('uploads/a.png', strictPut))).toEqual([]);
    expect(policyViolations(open, put('any/key.bin', {}))).toEqual([]);
    expect(policyViolations(widened, put('imgX/a.svg', { 'content-type': 'image/svg+xml', 'x-oss-object-acl': 'private', 'x-oss-storage-class': 'IA' }))).toEqual([]);
    expect(policyViolations(widened, get({ 'x-oss-process': 'image/resize,w_10', 'response-cache-control': 'no-cache', 'response-content-type': 'image/svg+xml' }))).toEqual([]);
  });

  it.each<[string, () => string[]]>([
    ['a key that contains an allowed prefix without starting with it', () => policyViolations(strict, put('x/uploads/a.png', strictPut))],
    ['imagex/png beside image/*', () => policyViolations(strict, put('uploads/a', { ...strictPut, 'content-type': 'imagex/png' }))],
    ['SVG through image/*', () => policyViolations(strict, put('uploads/a.svg', { ...strictPut, 'content-type': 'image/svg+xml' }))],
    ['SVG with no list at all', () => policyViolations(open, put('uploads/a.svg', { 'content-type': 'image/svg+xml' }))],
    ['a typeless key OSS stores as HTML', () => policyViolations(open, put('uploads/a.html', {}))],
    ['forced no-overwrite dropped', () => policyViolations(strict, put('uploads/a.png', { 'content-type': 'image/png', 'content-length': '10' }))],
    ['a size over the bound', () => policyViolations(strict, put('uploads/a.png', { ...strictPut, 'content-length': '4097' }))],
    ['no size under a bound', () => policyViolations(strict, put('uploads/a.png', { 'content-type': 'image/png', 'x-oss-forbid-overwrite': 'true' }))],
    ['another bucket', () => policyViolations(strict, { ...put('uploads/a.png', strictPut), bucket: 'fuzz-other' })],
    ['an ACL not named', () => policyViolations(open, put('a', { 'x-oss-object-acl': 'public-read-write' }))],
    ['an ACL beside the named ones', () => policyViolations(widened, put('uploads/a.png', { 'content-type': 'image/png', 'x-oss-object-acl': 'public-read-write' }))],
    ['a storage class not named', () => policyViolations(open, put('a', { 'x-oss-storage-class': 'IA' }))],
    ['processing not named', () => policyViolations(open, get({ 'x-oss-process': 'image/resize,w_1' }))],
    ['processing past the named operation', () => policyViolations(widened, get({ 'x-oss-process': 'image/resize,w_1|sys/saveas,o_x' }))],
    ['a cache override not allowed', () => policyViolations(open, get({ 'response-cache-control': 'public' }))],
    ['response expires not allowed', () => policyViolations(open, get({ 'response-expires': '0' }))],
    ['an active response type', () => policyViolations(open, get({ 'response-content-type': 'text/html' }))],
    ['a lifetime over the cap', () => policyViolations(strict, { ...put('uploads/a.png', strictPut), url: url({ 'x-oss-expires': '3601' }) })],
  ])('%s is a violation', (_name, violations) => {
    expect(violations()).not.toEqual([]);
  });
});
