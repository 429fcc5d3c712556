import { randomBytes } from 'node:crypto';
import { call, startCallbackTarget, startRig, xmlField, type CallbackTarget, type UploadRig } from './helpers';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

/** PostObject forms and upload callbacks, end to end: presign-put answers, the local OSS enforces. */
let rig: UploadRig;
let target: CallbackTarget;
beforeAll(async () => {
  rig = await startRig();
  target = await startCallbackTarget();
});
afterAll(async () => {
  await rig.h.oss.close();
  await target.close();
});

interface FormAnswer {
  url: string;
  fields: Record<string, string>;
  fileField: string;
}

async function formFor(form: Record<string, unknown>, env?: Record<string, string>): Promise<FormAnswer> {
  const answer = await rig.put({ form }, env);
  expect(answer.error).toBeUndefined();
  return answer as unknown as FormAnswer;
}

async function post(answer: FormAnswer, file: Buffer, options: { filename?: string; override?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...answer.fields, ...options.override })) form.append(name, value);
  form.append(answer.fileField, new Blob([new Uint8Array(file)]), options.filename ?? 'upload.bin');
  const res = await fetch(answer.url, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}

describe('PostObject V4 form', () => {
  it('a form within its limits uploads under the prefix with the bound content type', async () => {
    const answer = await formFor({ keyPrefix: 'forms/', contentType: 'text/plain', maxSize: 1024, successActionStatus: 201 });
    expect(answer.url).toBe(`${rig.h.oss.origin}/presign-bucket/`);
    expect(answer.fields['x-oss-security-token']).toBe('tok/en+with=odd/chars');
    const res = await post(answer, Buffer.from('hello form'), { filename: 'note.txt' });
    expect(res.status).toBe(201);
    expect(xmlField(res.text, 'Key')).toBe('forms/note.txt');
    const download = await rig.download('forms/note.txt');
    expect(download.body.toString()).toBe('hello form');
    expect(download.contentType).toBe('text/plain');
  });

  it('a file over maxSize is refused by OSS with EntityTooLarge; under minSize with EntityTooSmall', async () => {
    const answer = await formFor({ keyPrefix: 'forms/', minSize: 10, maxSize: 1024 });
    const big = await post(answer, randomBytes(1025));
    expect({ status: big.status, code: xmlField(big.text, 'Code') }).toEqual({ status: 400, code: 'EntityTooLarge' });
    const small = await post(answer, randomBytes(9));
    expect({ status: small.status, code: xmlField(small.text, 'Code') }).toEqual({ status: 400, code: 'EntityTooSmall' });
    expect((await post(answer, randomBytes(1024))).status).toBe(204);
  });

  it('MAX_CONTENT_LENGTH bounds the range when maxSize is left out', async () => {
    const answer = await formFor({ keyPrefix: 'forms/' }, { MAX_CONTENT_LENGTH: '2048' });
    const big = await post(answer, randomBytes(2049));
    expect(xmlField(big.text, 'Code')).toBe('EntityTooLarge');
  });

  it('a key outside the prefix, or another exact key, is refused by OSS with AccessDenied', async () => {
    const prefixed = await formFor({ keyPrefix: 'forms/' });
    const outside = await post(prefixed, Buffer.from('x'), { override: { key: 'elsewhere/x.txt' } });
    expect(outside.status).toBe(403);
    expect(xmlField(outside.text, 'Code')).toBe('AccessDenied');
    expect(xmlField(outside.text, 'Message')).toContain('["starts-with", "$key", "forms/"]');

    const exact = await formFor({ key: 'forms/exact.txt' });
    expect(exact.fields.key).toBe('forms/exact.txt');
    const other = await post(exact, Buffer.from('x'), { override: { key: 'forms/other.txt' } });
    expect(xmlField(other.text, 'Code')).toBe('AccessDenied');
    expect((await post(exact, Buffer.from('x'))).status).toBe(204);
  });

  it('a browser that edits a bound field (content type) or the policy is refused', async () => {
    const answer = await formFor({ keyPrefix: 'forms/', contentType: 'image/png' });
    const edited = await post(answer, Buffer.from('x'), { override: { 'content-type': 'text/html' } });
    expect({ status: edited.status, code: xmlField(edited.text, 'Code') }).toEqual({ status: 403, code: 'AccessDenied' });
    const policy = JSON.parse(Buffer.from(answer.fields.policy ?? '', 'base64').toString()) as { conditions: unknown[] };
    const loosened = Buffer.from(JSON.stringify({ ...policy, conditions: policy.conditions.filter((c) => !Array.isArray(c) || c[0] !== 'content-length-range') })).toString('base64');
    const forged = await post(answer, Buffer.from('x'), { override: { policy: loosened } });
    expect(xmlField(forged.text, 'Code')).toBe('SignatureDoesNotMatch');
  });

  it('FORCE_FORBID_OVERWRITE binds x-oss-forbid-overwrite: a second upload to the key is refused', async () => {
    const env = { FORCE_FORBID_OVERWRITE: 'true' };
    const answer = await formFor({ key: 'forms/once.txt' }, env);
    expect(answer.fields['x-oss-forbid-overwrite']).toBe('true');
    expect((await post(answer, Buffer.from('first'))).status).toBe(204);
    const second = await post(answer, Buffer.from('second'));
    expect({ status: second.status, code: xmlField(second.text, 'Code') }).toEqual({ status: 409, code: 'FileAlreadyExists' });
    const dropped = await post(answer, Buffer.from('second'), { override: { 'x-oss-forbid-overwrite': 'false' } });
    expect(xmlField(dropped.text, 'Code')).toBe('AccessDenied');
  });
});

describe('upload callback', () => {
  const callback = () => ({
    url: `http://127.0.0.1:${target.port}/uploaded`,
    body: 'bucket=${bucket}&object=${object}&size=${size}&mimeType=${mimeType}&user=${x:user}',
    vars: { 'x:user': 'ana & bo' },
  });

  it('a PUT with a callback: OSS calls the loopback server and its answer comes back to the uploader', async () => {
    const answer = await rig.put({ key: 'cb/put one.txt', contentType: 'text/plain', callback: callback() });
    expect(answer.error).toBeUndefined();
    const signed = answer.signedHeaders as Record<string, string>;
    expect(JSON.parse(Buffer.from(signed['x-oss-callback'] ?? '', 'base64').toString())).toEqual({
      callbackUrl: `http://127.0.0.1:${target.port}/uploaded`,
      callbackBody: callback().body,
    });
    expect(JSON.parse(Buffer.from(signed['x-oss-callback-var'] ?? '', 'base64').toString())).toEqual({ 'x:user': 'ana & bo' });

    const before = target.received.length;
    const res = await call(answer as { method: string; url: string; signedHeaders: Record<string, string> }, 'callback me');
    expect(res.status).toBe(200);
    expect(target.received).toHaveLength(before + 1);
    expect(target.received.at(-1)).toMatchObject({
      path: '/uploaded',
      body: 'bucket=presign-bucket&object=cb%2Fput%20one.txt&size=11&mimeType=text%2Fplain&user=ana%20%26%20bo',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(JSON.parse(res.text)).toEqual({ stored: true, seen: before + 1 });
  });

  it('the holder cannot change or drop the signed callback', async () => {
    const answer = (await rig.put({ key: 'cb/locked.txt', callback: callback() })) as { method: string; url: string; signedHeaders: Record<string, string> };
    const other = Buffer.from(JSON.stringify({ callbackUrl: 'http://127.0.0.2:1/', callbackBody: 'x' })).toString('base64');
    const changed = await call({ ...answer, signedHeaders: { ...answer.signedHeaders, 'x-oss-callback': other } }, 'x');
    expect(xmlField(changed.text, 'Code')).toBe('SignatureDoesNotMatch');
    const rest = Object.fromEntries(Object.entries(answer.signedHeaders).filter(([name]) => name !== 'x-oss-callback'));
    const dropped = await call({ ...answer, signedHeaders: rest }, 'x');
    expect(xmlField(dropped.text, 'Code')).toBe('SignatureDoesNotMatch');
  });

  it('a JSON callback on multipart complete, with callbackHost', async () => {
    const key = 'cb/multi.bin';
    const init = await rig.put({ multipart: { key } });
    const uploadId = xmlField((await call(init as { method: string; url: string; signedHeaders: Record<string, string> })).text, 'UploadId');
    const parts = (await rig.put({
      multipart: { key, uploadId, parts: 1, callback: { url: `http://127.0.0.1:${target.port}/mp`, body: '{"object":"${object}","size":${size}}', bodyType: 'application/json', host: 'hooks.example.com' } },
    })) as unknown as { parts: Array<{ method: string; url: string; signedHeaders: Record<string, string> }>; complete: { method: string; url: string; signedHeaders: Record<string, string> } };
    const part = await call(parts.parts[0]!, randomBytes(2000));
    expect(parts.complete.signedHeaders['x-oss-callback']).toBeDefined();
    const done = await call(parts.complete, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.get('etag')}</ETag></Part></CompleteMultipartUpload>`);
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text)).toMatchObject({ stored: true });
    expect(target.received.at(-1)).toMatchObject({ path: '/mp', contentType: 'application/json', host: 'hooks.example.com' });
    expect(JSON.parse(target.received.at(-1)?.body ?? '')).toEqual({ object: key, size: 2000 });
  });

  it('a form with a callback: the callback and its x: variables are posted fields bound by the policy', async () => {
    const answer = await formFor({ keyPrefix: 'cb/forms/', callback: callback() });
    expect(answer.fields['x:user']).toBe('ana & bo');
    const res = await post(answer, Buffer.from('formed'), { filename: 'f.txt' });
    expect(res.status).toBe(200);
    expect(target.received.at(-1)?.body).toContain('object=cb%2Fforms%2Ff.txt&size=6');
    expect(target.received.at(-1)?.body).toContain('user=ana%20%26%20bo');
    const rerouted = await post(answer, Buffer.from('x'), { override: { callback: Buffer.from(JSON.stringify({ callbackUrl: 'http://127.0.0.1:9/', callbackBody: 'a=b' })).toString('base64') } });
    expect(xmlField(rerouted.text, 'Code')).toBe('AccessDenied');
  });
});
