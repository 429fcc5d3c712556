import OSS from 'ali-oss';
import { presignExplained } from '../../shared/signing';
import { CNAME_ORIGIN, PATH_STYLE_ORIGIN, sampleCorpus, type CorpusCase } from '../support/presign-corpus';

/**
 * ali-oss (the SDK most Node users sign with today) is an independent oracle: on a generated corpus, under a
 * frozen clock, both implementations must produce the same signature and a URL that means the same request.
 *
 * ali-oss departs from the spec in two ways, which the official-vector tests cover instead:
 * - it signs an empty query value as `k=` unless the value is null (so the corpus uses null for bare keys);
 * - it sorts the canonical query with localeCompare on raw keys instead of bytewise on encoded keys (so cases
 *   whose query names would sort differently are set aside, and counted, below).
 */

const CASES = 5200;

function hostFor(c: CorpusCase): string {
  const region = c.ossRegion;
  switch (c.style) {
    case 'public':
      return `${c.input.bucket}.${region}.aliyuncs.com`;
    case 'internal':
      return `${c.input.bucket}.${region}-internal.aliyuncs.com`;
    case 'accelerate':
      return `${c.input.bucket}.oss-accelerate.aliyuncs.com`;
    case 'cname':
      return new URL(CNAME_ORIGIN).host;
    case 'path':
      return new URL(PATH_STYLE_ORIGIN).host;
  }
}

function aliOssClient(c: CorpusCase): OSS {
  const { credentials, bucket } = c.input;
  const base = {
    region: c.ossRegion,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { stsToken: credentials.securityToken } : {}),
    bucket,
    secure: true,
  };
  switch (c.style) {
    case 'public':
      return new OSS(base);
    case 'internal':
      return new OSS({ ...base, internal: true });
    case 'accelerate':
      return new OSS({ ...base, endpoint: 'https://oss-accelerate.aliyuncs.com' });
    case 'cname':
      return new OSS({ ...base, endpoint: CNAME_ORIGIN, cname: true });
    case 'path':
      return new OSS({ ...base, endpoint: PATH_STYLE_ORIGIN, sldEnable: true } as OSS.Options);
  }
}

const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** True when ali-oss's localeCompare order of the query names equals the spec's bytewise order of encoded names. */
function aliOssSortsLikeSpec(c: CorpusCase): boolean {
  const names = [...Object.keys(c.input.query), 'x-oss-signature-version', 'x-oss-date', 'x-oss-expires', 'x-oss-credential', 'x-oss-security-token', 'x-oss-additional-headers'];
  const byLocale = [...names].sort((a, b) => a.localeCompare(b));
  const byBytes = [...names].sort((a, b) => bytewise(encodeURIComponent(a), encodeURIComponent(b)));
  return byLocale.join('\n') === byBytes.join('\n');
}

function decodedQuery(url: URL): [string, string][] {
  return [...url.searchParams].sort(([a], [b]) => bytewise(a, b));
}

describe(`ali-oss signatureUrlV4 side by side on ${CASES} generated cases`, () => {
  const corpus = sampleCorpus(CASES);
  const comparable = corpus.filter(aliOssSortsLikeSpec);
  const outcomes: { ours: URL; theirs: URL; c: CorpusCase }[] = [];

  beforeAll(async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // ali-oss warns on stsToken without refresh
    for (const c of comparable) {
      const now = (c.input.now as () => number)();
      jest.setSystemTime(now);
      const { input } = c;
      const signHost = input.additionalHeaders?.includes('host') ?? false;
      const host = hostFor(c);
      const ourInput = signHost && !c.hostFromUrl ? { ...input, headers: { ...input.headers, host } } : input;
      const ours = new URL(presignExplained(ourInput).presigned.url);
      const theirHeaders = signHost ? { ...input.headers, host } : input.headers;
      const theirs = new URL(
        await aliOssClient(c).signatureUrlV4(input.method as OSS.HTTPMethods, input.expires, { headers: theirHeaders, queries: { ...input.query } }, input.key, [...(input.additionalHeaders ?? [])]),
      );
      outcomes.push({ ours, theirs, c });
    }
    warn.mockRestore();
    jest.useRealTimers();
  });

  it('compares at least 5,000 cases (only query-order disagreements are set aside)', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(5000);
  });

  it('the corpus exercises the hard parts', () => {
    const keys = comparable.map((c) => c.input.key);
    expect(keys.filter((k) => k.includes('+')).length).toBeGreaterThan(100);
    expect(keys.filter((k) => k.includes(' ')).length).toBeGreaterThan(100);
    expect(keys.filter((k) => /\p{Extended_Pictographic}/u.test(k)).length).toBeGreaterThan(100);
    expect(keys.filter((k) => /[%#?~!'()*]/.test(k)).length).toBeGreaterThan(500);
    expect(comparable.filter((c) => /[+/=]/.test(c.input.credentials.securityToken ?? '')).length).toBeGreaterThan(1000);
    expect(comparable.filter((c) => (c.input.additionalHeaders ?? []).length > 0).length).toBeGreaterThan(1000);
    expect(comparable.filter((c) => 'x-oss-process' in c.input.query && 'versionId' in c.input.query).length).toBeGreaterThan(200);
    expect(comparable.filter((c) => Object.keys(c.input.headers).some((h) => h.startsWith('x-oss-meta-'))).length).toBeGreaterThan(1000);
  });

  it('every signature is identical', () => {
    const mismatches = outcomes.filter(({ ours, theirs }) => ours.searchParams.get('x-oss-signature') !== theirs.searchParams.get('x-oss-signature'));
    expect(mismatches.map(({ c }) => c.input.key).slice(0, 5)).toEqual([]);
  });

  it('every URL names the same host, object and query values', () => {
    for (const { ours, theirs } of outcomes) {
      expect(ours.protocol).toBe(theirs.protocol);
      expect(ours.host).toBe(theirs.host);
      expect(decodeURIComponent(ours.pathname)).toBe(decodeURIComponent(theirs.pathname));
      expect(decodedQuery(ours)).toEqual(decodedQuery(theirs));
    }
  });

  it('never puts a raw + in our URLs, where ali-oss and OSS would read a space', () => {
    for (const { ours } of outcomes) expect(ours.href.includes('+')).toBe(false);
  });
});
