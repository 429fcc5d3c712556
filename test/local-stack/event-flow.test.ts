/**
 * The event-driven flow end to end, as s.yaml's OSS trigger and asyncInvokeConfig set it up in the cloud: an upload
 * with a presigned URL (PUT, PostObject form, multipart) creates the object in the local OSS, which raises
 * ObjectCreated; the local FC host runs presign-get asynchronously with that event; its result record lands in the
 * `oss-presign-results` queue of the local MNS; a reader takes it with the official MNS client (@alicloud/mns) and the
 * URL in it downloads the object byte-identical.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
// @alicloud/mns ships no types: the part of its Client used here (lib/client.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MNS = require('@alicloud/mns') as new (accountId: string, opts: Record<string, unknown>) => MnsClient;
import { RESULT_QUEUE } from '../../scripts/local-stack';
import { presign, startStack } from './helpers';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

interface MnsClient {
  receiveMessage(queue: string, waitSeconds?: number): Promise<{ code: number; body: { MessageId: string; ReceiptHandle: string; MessageBody: string; MessageBodyMD5: string; DequeueCount: string } }>;
  deleteMessage(queue: string, receiptHandle: string): Promise<{ code: number }>;
}

interface ResultRecord {
  timestamp: number;
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: string;
  responseContext: { statusCode: number; functionError: string };
  responsePayload: string;
}

interface ObjectResult {
  method: string;
  url: string;
  bucket: string;
  key: string;
  expiration: string;
  expiresIn: number;
  size: number;
  etag: string;
  eventName: string;
  eventTime: string;
}

const run = promisify(execFile);
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let mns: MnsClient;

beforeAll(async () => {
  stack = await startStack();
  mns = new MNS(stack.mns.accountId, { ...stack.invokerKey, endpoint: stack.mns.origin });
});

afterAll(async () => {
  await stack?.close();
});

/** Reads the next result with the official client, deletes it, and returns the record and its one object result. */
async function nextResult(): Promise<{ record: ResultRecord; result: ObjectResult }> {
  const received = await mns.receiveMessage(RESULT_QUEUE, 10);
  expect(received.code).toBe(200);
  expect(received.body.MessageBodyMD5).toBe(createHash('md5').update(received.body.MessageBody).digest('hex').toUpperCase());
  expect((await mns.deleteMessage(RESULT_QUEUE, received.body.ReceiptHandle)).code).toBe(204);
  const record = JSON.parse(received.body.MessageBody) as ResultRecord;
  const answer = JSON.parse(record.responsePayload) as { results: ObjectResult[]; skipped: string[]; requestId: string };
  expect(answer.results).toHaveLength(1);
  expect(answer.skipped).toEqual([]);
  expect(answer.requestId).toBe(record.requestContext.requestId);
  return { record, result: answer.results[0] as ObjectResult };
}

async function expectDownloads(result: ObjectResult, bytes: Buffer): Promise<void> {
  const res = await fetch(result.url);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
}

describe('upload → ObjectCreated → presign-get (async) → result queue → download', () => {
  it('PutObject: the record is FC\'s, the result names the object, its size and ETag, and its URL downloads it', async () => {
    const bytes = randomBytes(70_001);
    const key = `events/put ${Date.now()} ✓.bin`;
    const put = await presign(stack.presignPutUrl, { key, contentType: 'application/octet-stream' });
    const up = await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: new Uint8Array(bytes) });
    expect(up.status).toBe(200);

    const { record, result } = await nextResult();
    expect(record.requestContext).toMatchObject({ functionArn: `acs:fc:${stack.region}:${stack.fc.accountId}:functions/presign-get`, condition: '', approximateInvokeCount: 1 });
    expect(record.responseContext).toEqual({ statusCode: 200, functionError: '' });
    expect(JSON.parse(record.requestPayload)).toMatchObject({ events: [{ eventName: 'ObjectCreated:PutObject', eventSource: 'acs:oss' }] });
    expect(result).toMatchObject({ method: 'GET', bucket: stack.bucket, key, size: bytes.length, eventName: 'ObjectCreated:PutObject' });
    // The ETag is the object's own, as OSS computes it for a simple upload: the MD5 of its bytes.
    expect(result.etag).toBe(createHash('md5').update(bytes).digest('hex').toUpperCase());
    expect(up.headers.get('etag')).toBe(`"${result.etag}"`);
    expect(Date.parse(result.expiration) - Date.now()).toBeGreaterThan(0);
    await expectDownloads(result, bytes);
  });

  it('PostObject: a browser form upload raises ObjectCreated:PostObject and its result downloads the file', async () => {
    const bytes = randomBytes(4096);
    const answer = (await presign(stack.presignPutUrl, { form: { key: 'events/forms/shot.png', contentType: 'image/png', maxSize: 10_000 } })) as unknown as { url: string; fields: Record<string, string>; fileField: string };
    const form = new FormData();
    for (const [name, value] of Object.entries(answer.fields)) form.append(name, value);
    form.append(answer.fileField, new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'shot.png');
    const res = await fetch(answer.url, { method: 'POST', body: form });
    expect(res.status).toBe(204);

    const { result } = await nextResult();
    expect(result).toMatchObject({ key: 'events/forms/shot.png', size: bytes.length, eventName: 'ObjectCreated:PostObject' });
    await expectDownloads(result, bytes);
  });

  it('CompleteMultipartUpload: a two-part upload raises one event, after the complete, with the multipart ETag', async () => {
    const bytes = randomBytes(150_000 + 1234);
    const key = `events/multi-${Date.now()}.bin`;
    type Url = { method: string; url: string; signedHeaders: Record<string, string> };
    const init = (await presign(stack.presignPutUrl, { multipart: { key, size: bytes.length, partSize: 150_000 } })) as unknown as Url;
    const initRes = await fetch(init.url, { method: init.method, headers: init.signedHeaders });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await initRes.text())?.[1] ?? '';
    expect(uploadId).toMatch(/^[0-9A-F]{32}$/);
    const plan = (await presign(stack.presignPutUrl, { multipart: { key, uploadId, size: bytes.length, partSize: 150_000 } })) as unknown as { parts: (Url & { size: number })[]; complete: Url };
    const etags: string[] = [];
    let offset = 0;
    for (const part of plan.parts) {
      const headers = Object.fromEntries(Object.entries(part.signedHeaders).filter(([name]) => name !== 'content-length'));
      const r = await fetch(part.url, { method: part.method, headers, body: new Uint8Array(bytes.subarray(offset, offset + part.size)) });
      expect(r.status).toBe(200);
      etags.push(r.headers.get('etag') ?? '');
      offset += part.size;
    }
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const done = await fetch(plan.complete.url, { method: plan.complete.method, headers: plan.complete.signedHeaders, body: xml });
    expect(done.status).toBe(200);

    const { result } = await nextResult();
    expect(result).toMatchObject({ key, size: bytes.length, eventName: 'ObjectCreated:CompleteMultipartUpload' });
    expect(result.etag).toMatch(/^[0-9A-F]{32}-2$/);
    await expectDownloads(result, bytes);
  });

  it('npm run queue (scripts/queue.ts) prints the next result record with its answer parsed, and takes it', async () => {
    const key = `events/cli-${Date.now()}.txt`;
    const put = await presign(stack.presignPutUrl, { key, contentType: 'text/plain' });
    expect((await fetch(put.url, { method: 'PUT', headers: put.signedHeaders, body: 'for the queue script' })).status).toBe(200);
    await stack.fc.idle();
    const { stdout } = await run(process.execPath, [require.resolve('tsx/cli'), 'scripts/queue.ts', '--endpoint', stack.mns.origin, '--max', '1', '--wait', '5'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp', ALIBABA_CLOUD_ACCESS_KEY_ID: stack.invokerKey.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.invokerKey.accessKeySecret },
    });
    const printed = JSON.parse(stdout) as { record: { responsePayload: { results: { key: string; url: string }[] } } };
    expect(printed.record.responsePayload.results[0]?.key).toBe(key);
    expect(await (await fetch(printed.record.responsePayload.results[0]?.url ?? '')).text()).toBe('for the queue script');
  });

  it('the queue is read and emptied by the client: nothing else is waiting', async () => {
    await stack.fc.idle();
    expect(stack.mns.messages(RESULT_QUEUE)).toEqual([]);
    await expect(mns.receiveMessage(RESULT_QUEUE)).rejects.toMatchObject({ name: 'MNSMessageNotExistError' });
  });
});
