import OSS from 'ali-oss';
import { createHandler } from '../../shared/core/handler';
import { putOperation } from '../../shared/operations/put';
import { postSignatureFields, signPostPolicy, type PostPolicyDocument } from '../../shared/signing';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/**
 * The form policy and its signature, held against ali-oss's signPostObjectPolicyV4 (which @types/ali-oss does not
 * declare) on the same inputs: the same policy object, the same instant, the same key and region.
 */
type PolicySigner = { signPostObjectPolicyV4(policy: object | string, date: Date): string };
const signerFor = (accessKeyId: string, accessKeySecret: string, region: string): PolicySigner =>
  new OSS({ region, accessKeyId, accessKeySecret, bucket: 'any-bucket' }) as unknown as PolicySigner;

const AK = { accessKeyId: 'LTAI5tExampleId', accessKeySecret: 'side-by-side-secret' };
const STS = { accessKeyId: 'STS.NTExample', accessKeySecret: 'sts-secret-x', securityToken: 'CAIS+tok/en==' };

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('signPostPolicy against ali-oss signPostObjectPolicyV4', () => {
  const instants = ['2024-02-29T23:59:59.999Z', '2023-12-17T02:54:37.000Z', '2030-01-01T00:00:00.500Z'];
  const regions = ['cn-hangzhou', 'oss-ap-southeast-1', 'us-west-1'];

  it.each(instants.flatMap((at) => regions.map((region) => [at, region] as const)))('at %s in %s', (at, region) => {
    jest.setSystemTime(new Date(at));
    const nowMs = Date.now();
    const fields = postSignatureFields({ credentials: AK, region, nowMs });
    const policy: PostPolicyDocument = {
      expiration: new Date(nowMs + 600_000).toISOString(),
      conditions: [
        { bucket: 'my-bucket' },
        ['starts-with', '$key', 'uploads/日本/ +'],
        ['content-length-range', 1, 10485760],
        ['eq', '$content-type', 'image/png'],
        ...Object.entries(fields).map(([k, v]) => ({ [k]: v })),
      ],
    };
    const ours = signPostPolicy(policy, { credentials: AK, region, nowMs });
    expect(ours.policy).toBe(Buffer.from(JSON.stringify(policy)).toString('base64'));
    expect(ours.signature).toBe(signerFor(AK.accessKeyId, AK.accessKeySecret, region).signPostObjectPolicyV4(policy, new Date()));
    const day = at.slice(0, 10).replace(/-/g, '');
    expect(fields).toEqual({
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      'x-oss-credential': `${AK.accessKeyId}/${day}/${region.replace(/^oss-/, '')}/oss/aliyun_v4_request`,
      'x-oss-date': `${day}T${at.slice(11, 13)}${at.slice(14, 16)}${at.slice(17, 19)}Z`,
    });
  });

  it('signs a string policy byte for byte, and a different policy or day gives another signature', () => {
    jest.setSystemTime(new Date('2024-05-01T10:00:00Z'));
    const text = '{"expiration":"2024-05-01T11:00:00.000Z","conditions":[{"bucket":"b-1"}]}';
    const input = { credentials: AK, region: 'cn-hangzhou', nowMs: Date.now() };
    const a = signPostPolicy(text, input);
    expect(a.signature).toBe(signerFor(AK.accessKeyId, AK.accessKeySecret, 'cn-hangzhou').signPostObjectPolicyV4(text, new Date()));
    expect(signPostPolicy(text.replace('b-1', 'b-2'), input).signature).not.toBe(a.signature);
    expect(signPostPolicy(text, { ...input, nowMs: input.nowMs + 86_400_000 }).signature).not.toBe(a.signature);
  });

  it('an STS key adds x-oss-security-token; bad credentials are refused before signing', () => {
    expect(postSignatureFields({ credentials: STS, region: 'cn-hangzhou', nowMs: 0 })['x-oss-security-token']).toBe(STS.securityToken);
    expect(() => postSignatureFields({ credentials: { accessKeyId: 'a/b', accessKeySecret: 'x' }, region: 'cn-hangzhou', nowMs: 0 })).toThrow(/accessKeyId/);
    expect(() => signPostPolicy('{}', { credentials: { accessKeyId: 'a', accessKeySecret: '' }, region: 'cn-hangzhou', nowMs: 0 })).toThrow(/accessKeySecret/);
  });
});

describe('the form answer of presign-put, checked with ali-oss under a frozen clock', () => {
  const env = { OSS_BUCKET: 'my-bucket', OSS_REGION: 'cn-hangzhou', MAX_CONTENT_LENGTH: '5000000', PRESIGN_MAX_EXPIRES: '1800', ALLOW_FORM_KEY_PREFIX: 'true' };
  const context = { requestId: 'r-1', region: 'cn-hangzhou', credentials: { ...STS } };
  // Built per call, after the clock is frozen: the handler keeps the Date.now it is given at cold start.
  const ask = async (form: object) =>
    (await createHandler(putOperation, { env, log: () => undefined })(Buffer.from(JSON.stringify({ form })), context)) as Record<string, unknown>;

  it('policy, fields and signature match ali-oss; the expiration is capped like a URL', async () => {
    jest.setSystemTime(new Date('2024-06-30T23:59:30.250Z'));
    const answer = await ask({ keyPrefix: 'uploads/', contentType: 'image/png', minSize: 10, maxSize: 1000, successActionStatus: 201, expires: 7200 });
    const fields = answer.fields as Record<string, string>;
    const policy = JSON.parse(Buffer.from(fields.policy ?? '', 'base64').toString('utf8')) as PostPolicyDocument;
    expect(answer).toMatchObject({ method: 'POST', url: 'https://my-bucket.oss-cn-hangzhou.aliyuncs.com/', keyPrefix: 'uploads/', expiresIn: 1800, expiration: '2024-07-01T00:29:30Z' });
    expect(answer.cap).toMatchObject({ requested: 7200, applied: 1800, by: 'max' });
    expect(policy).toEqual({
      expiration: '2024-07-01T00:29:30.000Z',
      conditions: [
        { bucket: 'my-bucket' },
        ['starts-with', '$key', 'uploads/'],
        ['content-length-range', 10, 1000],
        ['eq', '$content-type', 'image/png'],
        ['eq', '$x-oss-content-type', 'image/png'],
        ['eq', '$x-oss-object-acl', 'default'],
        ['eq', '$x-oss-storage-class', 'Standard'],
        ['eq', '$success_action_status', '201'],
        { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
        { 'x-oss-credential': 'STS.NTExample/20240630/cn-hangzhou/oss/aliyun_v4_request' },
        { 'x-oss-date': '20240630T235930Z' },
        { 'x-oss-security-token': STS.securityToken },
      ],
    });
    expect(answer.policyDocument).toEqual(policy);
    expect(fields['x-oss-signature']).toBe(signerFor(STS.accessKeyId, STS.accessKeySecret, 'cn-hangzhou').signPostObjectPolicyV4(policy, new Date()));
    expect(Buffer.from(JSON.stringify(policy)).toString('base64')).toBe(fields.policy);
    expect(fields).toEqual({
      key: 'uploads/${filename}',
      'content-type': 'image/png',
      'x-oss-content-type': 'image/png',
      'x-oss-object-acl': 'default',
      'x-oss-storage-class': 'Standard',
      success_action_status: '201',
      policy: fields.policy,
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      'x-oss-credential': 'STS.NTExample/20240630/cn-hangzhou/oss/aliyun_v4_request',
      'x-oss-date': '20240630T235930Z',
      'x-oss-security-token': STS.securityToken,
      'x-oss-signature': fields['x-oss-signature'],
    });
    expect(JSON.stringify(answer)).not.toContain(STS.accessKeySecret);
  });

  it('an exact key is bound with eq; without maxSize the range stops at MAX_CONTENT_LENGTH', async () => {
    jest.setSystemTime(new Date('2024-01-02T03:04:05Z'));
    const answer = await ask({ key: 'docs/a b.pdf' });
    const policy = answer.policyDocument as PostPolicyDocument;
    expect(policy.conditions.slice(0, 3)).toEqual([{ bucket: 'my-bucket' }, ['eq', '$key', 'docs/a b.pdf'], ['content-length-range', 0, 5000000]]);
    expect((answer.fields as Record<string, string>).key).toBe('docs/a b.pdf');
    expect((answer.fields as Record<string, string>)['x-oss-signature']).toBe(
      signerFor(STS.accessKeyId, STS.accessKeySecret, 'cn-hangzhou').signPostObjectPolicyV4(policy, new Date()),
    );
    expect(answer.expiresIn).toBe(900);
  });
});
