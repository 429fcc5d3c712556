import { call, startRig, xmlField, type UploadRig } from '../upload/helpers';

/**
 * Where OSS itself decides the outcome: object ACLs and PostObject fields, end to end against the local OSS, which
 * answers anonymous requests by object ACL as OSS does (public-read: anyone reads; public-read-write: anyone also
 * overwrites; anything else anonymous: 403 AccessDenied, EC 0003-00000001). First the harm an ACL does once it is
 * signed (with the operator's say-so), then that a caller cannot get there without it.
 */
let rig: UploadRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.h.oss.close();
});

type Signed = { method: string; url: string; signedHeaders: Record<string, string> };
const objectUrl = (key: string) => rig.h.oss.pathStyleUrl('presign-bucket', key);

async function anonymous(method: 'GET' | 'PUT', key: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(objectUrl(key), { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, text: await res.text() };
}

describe('the local OSS answers anonymous requests by object ACL', () => {
  it('private (the default): 403 AccessDenied for an anonymous GET or PUT, as for a key that does not exist', async () => {
    const answer = (await rig.put({ key: 'acl/private.txt' })) as unknown as Signed;
    expect((await call(answer, Buffer.from('mine'))).status).toBe(200);
    for (const attempt of [await anonymous('GET', 'acl/private.txt'), await anonymous('PUT', 'acl/private.txt', 'x'), await anonymous('GET', 'acl/never-was.txt')]) {
      expect(attempt.status).toBe(403);
      expect(xmlField(attempt.text, 'Code')).toBe('AccessDenied');
      expect(xmlField(attempt.text, 'EC')).toBe('0003-00000001');
    }
  });

  it('once an operator allows public-read-write, the harm is real: anyone overwrites the object, any size and type, for ever', async () => {
    const env = { ALLOWED_ACLS: 'public-read-write' };
    const answer = (await rig.put({ key: 'acl/open.png', contentType: 'image/png', acl: 'public-read-write' }, env)) as unknown as Signed;
    expect(answer.signedHeaders['x-oss-object-acl']).toBe('public-read-write');
    expect((await call(answer, 'a real image')).status).toBe(200);
    expect((await anonymous('GET', 'acl/open.png')).text).toBe('a real image');
    const hijack = await anonymous('PUT', 'acl/open.png', '<script>alert(1)</script>', { 'content-type': 'text/html', 'x-oss-object-acl': 'public-read-write' });
    expect(hijack.status).toBe(200);
    const read = await rig.download('acl/open.png');
    expect(read.body.toString()).toBe('<script>alert(1)</script>');
    expect(read.contentType).toBe('text/html');
  });

  it('public-read lets anyone read, not write', async () => {
    const answer = (await rig.put({ key: 'acl/read.txt', acl: 'public-read' }, { ALLOWED_ACLS: 'public-read' })) as unknown as Signed;
    expect((await call(answer, Buffer.from('readable'))).status).toBe(200);
    expect(await anonymous('GET', 'acl/read.txt')).toMatchObject({ status: 200, text: 'readable' });
    expect((await anonymous('PUT', 'acl/read.txt', 'x')).status).toBe(403);
  });
});

describe('without the operator naming an ACL, no caller gets there', () => {
  it('the request is refused; a URL signed without an ACL cannot be given one by its holder', async () => {
    expect(await rig.put({ key: 'acl/try.txt', acl: 'public-read-write' })).toMatchObject({ error: { code: 'AclNotAllowed', field: 'acl' } });
    const answer = (await rig.put({ key: 'acl/try.txt' })) as unknown as Signed;
    // x-oss-* headers are always signed in V4: adding one breaks the signature.
    const res = await fetch(answer.url, { method: 'PUT', headers: { 'x-oss-object-acl': 'public-read-write' }, body: new Uint8Array(Buffer.from('x')) });
    expect(res.status).toBe(403);
    expect(xmlField(await res.text(), 'Code')).toBe('SignatureDoesNotMatch');
    expect((await call(answer, Buffer.from('x'))).status).toBe(200);
    expect((await anonymous('PUT', 'acl/try.txt', 'y')).status).toBe(403);
  });

  it('a form holder cannot change or drop the ACL, storage class or type the policy requires', async () => {
    const answer = (await rig.put({ form: { key: 'acl/form.png', contentType: 'image/png' } })) as unknown as { url: string; fields: Record<string, string>; fileField: string };
    const post = async (change: (fields: Record<string, string>) => void) => {
      const fields = { ...answer.fields };
      change(fields);
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append(answer.fileField, new Blob([new Uint8Array(Buffer.from('<svg onload=alert(1)>'))], { type: 'image/svg+xml' }), 'x.svg');
      const res = await fetch(answer.url, { method: 'POST', body: form });
      return { status: res.status, code: xmlField(await res.text(), 'Code') };
    };
    const edits: [string, (f: Record<string, string>) => void][] = [
      ['ACL edited', (f) => (f['x-oss-object-acl'] = 'public-read-write')],
      ['ACL dropped', (f) => delete f['x-oss-object-acl']],
      ['storage class edited', (f) => (f['x-oss-storage-class'] = 'Archive')],
      ['type edited to SVG', (f) => (f['x-oss-content-type'] = 'image/svg+xml')],
      ['type dropped (the file part says SVG)', (f) => delete f['x-oss-content-type']],
    ];
    for (const [, edit] of edits) expect(await post(edit)).toEqual({ status: 403, code: 'AccessDenied' });
    // As answered, the form works, and the object is what the policy said, whatever the file part claimed.
    expect((await post(() => undefined)).status).toBe(204);
    const stored = await rig.download('acl/form.png');
    expect(stored.contentType).toBe('image/png');
    expect((await anonymous('GET', 'acl/form.png')).status).toBe(403);
  });
});
