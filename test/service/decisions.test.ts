import { InvocationBudget } from '../../shared/core/budget';
import { readServicePolicy } from '../../shared/config/policy';
import { refusal } from '../support/refusal';
import { contentDispositionFor } from '../../shared/service/presign-get';
import { DEFAULT_FOLDER, generatedFolders as foldersFor, generateKey, isGeneratedKey, sanitiseFilename } from '../../shared/service/generated-key';
import { PLATFORM } from '../../shared/identity/caller';
import type { Rule } from '../../shared/rules/types';
import { chooseBucket, regionFor } from '../../shared/service/target';
import { checkLaterStepKey, chooseUploadKey } from '../../shared/service/upload-key';
import type { ServiceDeps } from '../../shared/service/types';

/** The folders a platform caller (no identity of its own) may have keys generated in. */
const generatedFolders = (rule: Rule) => foldersFor(rule, PLATFORM);

/**
 * The service's own decisions from both sides: which bucket, which region, which key an upload writes (caller's or
 * generated, and only in a folder the operator listed), and the download name a GET URL carries. Written against the
 * mutation report (docs/mutation.md).
 */
const NOW = Date.UTC(2026, 0, 5, 12); // January: the month is padded
const UUID = '0123abcd-4567-89ef-0123-456789abcdef';

function deps(env: Record<string, string>): ServiceDeps {
  return { policy: readServicePolicy({ OSS_BUCKET: 'main-bucket', OSS_REGION: 'cn-hangzhou', ...env }), resolver: undefined as never, now: () => NOW, budget: new InvocationBudget(10, 10_000), caller: PLATFORM };
}

describe('buckets and regions', () => {
  const d = deps({ ALLOWED_BUCKETS: 'other-bucket' });

  it('the default bucket, a listed one, and nothing else', () => {
    expect(chooseBucket(undefined, d.policy)).toBe('main-bucket');
    expect(chooseBucket('other-bucket', d.policy)).toBe('other-bucket');
    expect(refusal(() => chooseBucket('third-bucket', d.policy, 'form.bucket'))).toMatchObject({
      code: 'BucketNotAllowed', status: 403, field: 'form.bucket', message: 'bucket third-bucket is not one this service presigns for (OSS_BUCKET, ALLOWED_BUCKETS)',
    });
    expect(refusal(() => chooseBucket('Bad_Name', d.policy))).toMatchObject({ code: 'InvalidArgument', field: 'bucket' });
    const noDefault = deps({ OSS_BUCKET: '', ALLOWED_BUCKETS: 'other-bucket' });
    expect(refusal(() => chooseBucket(undefined, noDefault.policy, 'multipart.bucket'))).toMatchObject({
      code: 'InvalidArgument', field: 'multipart.bucket', message: 'multipart.bucket is required (this deployment has no OSS_BUCKET default)',
    });
  });

  it('the configured region first, the invocation\'s otherwise, and a 500 naming OSS_REGION when neither is known', () => {
    expect(regionFor(d.policy, 'cn-beijing')).toBe('cn-hangzhou');
    const unset = deps({ OSS_REGION: '' });
    expect(regionFor(unset.policy, 'cn-beijing')).toBe('cn-beijing');
    expect(refusal(() => regionFor(unset.policy, undefined))).toMatchObject({ code: 'InvalidConfiguration', status: 500, message: 'OSS_REGION: not set, and the invocation context carries no region' });
    expect(refusal(() => regionFor(unset.policy, ''))).toMatchObject({ code: 'InvalidConfiguration' });
  });
});

describe('generated keys', () => {
  it('file names are kept readable and URL-safe, never a path', () => {
    expect(sanitiseFilename('Résumé (final).PDF')).toBe('Resume-final-.PDF');
    expect(sanitiseFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFilename('C:\\Users\\a\\photo 1.jpg')).toBe('photo-1.jpg');
    expect(sanitiseFilename('--..x..--')).toBe('x');
    expect(sanitiseFilename('a   b___c')).toBe('a-b___c');
    expect(sanitiseFilename('报告.pdf')).toBe('pdf');
    expect(sanitiseFilename('...')).toBe('file');
    expect(sanitiseFilename(undefined)).toBe('file');
    expect(sanitiseFilename('')).toBe('file');
    expect(sanitiseFilename('a/')).toBe('file');
  });

  it('long names are cut to 100 characters, keeping an extension of up to 16', () => {
    expect(sanitiseFilename('a'.repeat(100))).toBe('a'.repeat(100));
    expect(sanitiseFilename(`${'a'.repeat(120)}.jpeg`)).toBe(`${'a'.repeat(95)}.jpeg`);
    expect(sanitiseFilename(`${'a'.repeat(120)}.${'x'.repeat(15)}`)).toBe(`${'a'.repeat(84)}.${'x'.repeat(15)}`);
    expect(sanitiseFilename(`${'a'.repeat(120)}.${'x'.repeat(16)}`)).toBe('a'.repeat(100));
    expect(sanitiseFilename(`${'a'.repeat(101)}`)).toBe('a'.repeat(100));
  });

  it('<folder>/<yyyy>/<mm>/<uuid>-<name>, the folder without trailing slashes', () => {
    expect(generateKey('uploads/', 'a b.png', NOW, () => UUID)).toBe(`uploads/2026/01/${UUID}-a-b.png`);
    expect(generateKey('photos//', undefined, Date.UTC(2026, 11, 31, 23, 59), () => UUID)).toBe(`photos/2026/12/${UUID}-file`);
    expect(generateKey('', 'x', NOW, () => UUID)).toBe(`2026/01/${UUID}-x`);
    expect(generateKey('uploads/', 'x', NOW)).toMatch(/^uploads\/2026\/01\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-x$/);
    expect(DEFAULT_FOLDER).toBe('uploads/');
  });

  it('hyphens the caller sent collapse like the ones that replace unsafe characters', () => {
    expect(sanitiseFilename('a--b---c.png')).toBe('a-b-c.png');
    expect(sanitiseFilename('a - b.png')).toBe('a-b.png');
  });

  it('a nested folder keeps its inner slashes; only trailing ones go, and a key generated in any folder is recognised in it', () => {
    expect(generateKey('users/alice/', 'a.png', NOW, () => UUID)).toBe(`users/alice/2026/01/${UUID}-a.png`);
    expect(generateKey('users/alice//', 'a.png', NOW, () => UUID)).toBe(`users/alice/2026/01/${UUID}-a.png`);
    for (const folder of ['users/alice/', 'users/alice', 'photos//', 'a/b/c///', '']) {
      const key = generateKey(folder, 'a.png', NOW, () => UUID);
      expect([folder, isGeneratedKey(key, [folder])]).toEqual([folder, true]);
    }
    expect(isGeneratedKey(`usersalice/2026/01/${UUID}-a.png`, ['users/alice/'])).toBe(false);
  });

  it('a generated key is recognised in its folders only, with exactly the generated shape', () => {
    const key = `photos/2026/01/${UUID}-a.png`;
    expect(isGeneratedKey(key, ['photos/'])).toBe(true);
    expect(isGeneratedKey(key, ['docs/', 'photos'])).toBe(true);
    expect(isGeneratedKey(`2026/01/${UUID}-a.png`, [''])).toBe(true);
    for (const other of [`docs/2026/01/${UUID}-a.png`, `photos/2026/1/${UUID}-a.png`, `photos/2026/01/${UUID}-`, `photos/2026/01/${UUID}-a/b`, `photos/x/2026/01/${UUID}-a.png`, `photos/2026/01/${UUID.toUpperCase()}-a.png`, `xphotos/2026/01/${UUID}-a.png`]) {
      expect([other, isGeneratedKey(other, ['photos/'])]).toEqual([other, false]);
    }
  });

  it('the caller names the key, unless the rule generates keys; then only a listed folder', () => {
    const callers = deps({ ALLOWED_KEY_PREFIXES: 'uploads/' });
    expect(chooseUploadKey({ key: 'uploads/a' }, callers, 'put')).toMatchObject({ key: 'uploads/a' });
    expect(refusal(() => chooseUploadKey({}, callers, 'put', 'multipart.'))).toMatchObject({ field: 'multipart.key', message: 'multipart.key is required' });
    expect(refusal(() => chooseUploadKey({ key: 'uploads/a', filename: 'x' }, callers, 'put'))).toMatchObject({ field: 'filename', message: expect.stringMatching(/^filename is only used when the service generates keys/) });
    expect(refusal(() => chooseUploadKey({ prefix: 'uploads/' }, callers, 'put', 'form.'))).toMatchObject({ field: 'form.prefix' });

    const generating = deps({ PUT_KEY_MODE: 'generated', ALLOWED_KEY_PREFIXES: 'photos/,docs/,img*' });
    expect(generatedFolders(generating.policy.rules[0]!)).toEqual(['photos/', 'docs/']);
    expect(chooseUploadKey({ filename: 'a.png' }, generating, 'put').key).toMatch(/^photos\/2026\/01\/[0-9a-f-]{36}-a\.png$/);
    expect(chooseUploadKey({ filename: 'a.png', prefix: 'docs/' }, generating, 'put').key).toMatch(/^docs\/2026\/01\//);
    expect(refusal(() => chooseUploadKey({ filename: 'a.png', prefix: 'admin/' }, generating, 'put'))).toMatchObject({ field: 'prefix', message: 'prefix must be one of: photos/, docs/ (ALLOWED_KEY_PREFIXES)' });
    expect(refusal(() => chooseUploadKey({ key: 'photos/a.png' }, generating, 'put', 'multipart.'))).toMatchObject({ field: 'multipart.key', message: expect.stringMatching(/^multipart\.key is chosen by the service here/) });

    const unlisted = deps({ PUT_KEY_MODE: 'generated' });
    expect(generatedFolders(unlisted.policy.rules[0]!)).toEqual(['uploads/']);
    expect(chooseUploadKey({}, unlisted, 'put').key).toMatch(/^uploads\/2026\/01\/[0-9a-f-]{36}-file$/);
    expect(refusal(() => chooseUploadKey({ filename: 'a', prefix: 'uploads/' }, unlisted, 'put'))).toMatchObject({
      field: 'prefix', message: 'prefix may only name a folder the operator listed (ALLOWED_KEY_PREFIXES), and none is listed: keys go under uploads/',
    });
  });

  it('a generated key is checked like a sent one, and refusals name the key field', () => {
    // A folder long enough that the generated key is over OSS's 1023 bytes.
    const long = deps({ PUT_KEY_MODE: 'generated', ALLOWED_KEY_PREFIXES: `${'f'.repeat(950)}/` });
    expect(refusal(() => chooseUploadKey({ filename: 'a'.repeat(100) }, long, 'put', 'multipart.'))).toMatchObject({
      code: 'InvalidArgument', field: 'multipart.key', message: 'key must be at most 1023 bytes of UTF-8',
    });
    // A more specific rule decides the generated key: here it allows no uploads.
    const rules = { rules: [{ name: 'up', keys: ['uploads/'], actions: ['put'], keyMode: 'generated' }, { name: 'year', keys: ['uploads/2026/'], actions: ['get'] }] };
    const nested = deps({ PRESIGN_RULES: JSON.stringify(rules), OSS_BUCKET: 'main-bucket' });
    expect(refusal(() => chooseUploadKey({ filename: 'a.png' }, nested, 'put', 'form.'))).toMatchObject({ code: 'ActionNotAllowed', status: 403, field: 'form.key' });
  });

  it('a later step of a generated upload takes only a key of the generated shape', () => {
    const generating = deps({ PUT_KEY_MODE: 'generated', ALLOWED_KEY_PREFIXES: 'photos/' });
    expect(checkLaterStepKey(`photos/2026/01/${UUID}-a.png`, generating, 'multipart', 'multipart.key').key).toBe(`photos/2026/01/${UUID}-a.png`);
    expect(refusal(() => checkLaterStepKey('photos/mine.png', generating, 'multipart', 'multipart.key'))).toMatchObject({
      code: 'InvalidArgument', field: 'multipart.key', message: 'multipart.key must be the key the first step generated (PUT_KEY_MODE=generated)',
    });
    expect(checkLaterStepKey('photos/mine.png', deps({ ALLOWED_KEY_PREFIXES: 'photos/' }), 'multipart', 'multipart.key').key).toBe('photos/mine.png');
  });
});

describe('download names', () => {
  it('RFC 6266 with an ASCII fallback and an RFC 5987 filename*', () => {
    expect(contentDispositionFor('a.txt')).toBe('attachment; filename="a.txt"; filename*=UTF-8\'\'a.txt');
    expect(contentDispositionFor('报告 "x"\\(1)*\'.pdf', 'inline')).toBe(
      'inline; filename="__ _x__(1)*\'.pdf"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A%20%22x%22%5C%281%29%2A%27.pdf',
    );
    expect(contentDispositionFor('~!a')).toBe('attachment; filename="~!a"; filename*=UTF-8\'\'~!a');
  });
});
