import OSS from 'ali-oss';
import { createHandler, type FcHandler } from '../../shared/core/handler';
import type { LogLine } from '../../shared/core/log';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { BENCH_CREDENTIALS, BENCH_REQUEST, benchJwtCaller } from './fixtures';
import { formatNs, median, nsPerOpAsync, ratio } from './measure';

/**
 * One whole warm invocation in process, as FC calls a handler: a Buffer event in, the answer out, the log line
 * built (and discarded instead of written, so the terminal's speed is not measured). Compared with one ali-oss
 * signatureUrlV4 call on the same request.
 */
const ENV = { OSS_BUCKET: BENCH_REQUEST.bucket, OSS_REGION: BENCH_REQUEST.region };
const CONTEXT = { requestId: 'bench', region: BENCH_REQUEST.region, credentials: BENCH_CREDENTIALS, function: { name: 'bench' } };
const discard = (line: LogLine) => {
  JSON.stringify(line);
};

function httpEvent(method: string, body: string, query: Record<string, string> = {}, token?: string): Buffer {
  return Buffer.from(JSON.stringify({
    version: 'v1', rawPath: '/', body, isBase64Encoded: false,
    headers: { 'Content-Type': 'application/json', Origin: 'https://app.example.com', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) }, queryParameters: query,
    requestContext: { accountId: '1', domainName: 'x.fcapp.run', domainPrefix: 'x', http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench', time: '', timeEpoch: '' },
  }));
}

async function assertAnswers(handler: FcHandler, event: Buffer): Promise<void> {
  const answer = JSON.stringify(await handler(event, CONTEXT));
  if (!answer.includes('x-oss-signature')) throw new Error(`benchmark request did not produce a URL: ${answer.slice(0, 200)}`);
}

export interface InvocationResult { label: string; ns: number }

export async function benchInvocations(): Promise<InvocationResult[]> {
  const put = createHandler(putOperation, { env: ENV, log: discard });
  const get = createHandler(getOperation, { env: ENV, log: discard });
  const putBody = JSON.stringify({ key: BENCH_REQUEST.key, contentType: BENCH_REQUEST.contentType, expires: BENCH_REQUEST.expires });
  // A JWT caller on a warm instance: the issuer's key is imported once (cached), each token is verified in full.
  const jwtCases = await Promise.all((['ES256', 'RS256'] as const).map(async (alg): Promise<[string, FcHandler, Buffer]> => {
    const jwt = await benchJwtCaller(alg);
    const handler = createHandler(putOperation, { env: { ...ENV, ...jwt.env }, log: discard });
    const body = JSON.stringify({ key: jwt.key, contentType: BENCH_REQUEST.contentType, expires: BENCH_REQUEST.expires });
    return [`presign-put, HTTP, JWT ${alg} (cached key)`, handler, httpEvent('POST', body, {}, jwt.token)];
  }));
  const cases: [string, FcHandler, Buffer][] = [
    ['presign-put, direct invocation', put, Buffer.from(putBody)],
    ['presign-put, HTTP trigger', put, httpEvent('POST', putBody)],
    ...jwtCases,
    ['presign-get, direct invocation', get, Buffer.from(JSON.stringify({ key: BENCH_REQUEST.key }))],
    ['presign-get, HTTP trigger GET', get, httpEvent('GET', '', { key: BENCH_REQUEST.key })],
  ];
  const client = new OSS({ region: `oss-${BENCH_REQUEST.region}`, bucket: BENCH_REQUEST.bucket, accessKeyId: BENCH_CREDENTIALS.accessKeyId, accessKeySecret: BENCH_CREDENTIALS.accessKeySecret, stsToken: BENCH_CREDENTIALS.securityToken, secure: true });
  const aliOss = () => client.signatureUrlV4('PUT', BENCH_REQUEST.expires, { headers: { 'content-type': BENCH_REQUEST.contentType }, queries: {} }, BENCH_REQUEST.key);

  for (const [, handler, event] of cases) await assertAnswers(handler, event);
  const samples = new Map<string, number[]>([...cases.map(([label]) => [label, []] as [string, number[]]), ['ali-oss signatureUrlV4 (one URL)', []]]);
  for (let round = 0; round < 3; round++) {
    for (const [label, handler, event] of cases) samples.get(label)?.push(await nsPerOpAsync(() => handler(event, CONTEXT), { iterations: 3000, trials: 5 }));
    samples.get('ali-oss signatureUrlV4 (one URL)')?.push(await nsPerOpAsync(aliOss, { iterations: 2000, trials: 5 }));
  }
  const results = [...samples].map(([label, runs]) => ({ label, ns: Math.min(...runs) }));
  const reference = results.at(-1) as InvocationResult;
  console.log('Whole warm invocation in process (Buffer event in, answer out, log line built)');
  for (const r of results) {
    const vs = r === reference ? '' : `  ${ratio(reference.ns, r.ns)} cheaper than one ali-oss URL`;
    console.log(`  ${r.label.padEnd(36)} ${formatNs(r.ns).padStart(10)}${vs}`);
  }
  console.log('  target: a presign-put invocation costs at most a fifth of one ali-oss signatureUrlV4 call (≥ 5×)');
  return results;
}

export async function benchBatches(): Promise<InvocationResult[]> {
  const put = createHandler(putOperation, { env: { ...ENV, PRESIGN_MAX_BATCH: '1000' }, log: discard });
  const results: InvocationResult[] = [];
  console.log('Batches to presign-put (direct invocation, one answer with every URL)');
  for (const size of [100, 1000]) {
    const requests = Array.from({ length: size }, (_, i) => ({ key: `uploads/batch/${i}-photo.png`, contentType: 'image/png' }));
    const event = Buffer.from(JSON.stringify({ requests }));
    const answer = (await put(event, CONTEXT)) as { results: { url?: string }[] };
    if (answer.results.filter((r) => r.url).length !== size) throw new Error(`batch of ${size} did not sign every request`);
    const runs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const start = process.hrtime.bigint();
      await put(event, CONTEXT);
      runs.push(Number(process.hrtime.bigint() - start));
    }
    const ns = median(runs);
    results.push({ label: `batch of ${size}`, ns });
    console.log(`  batch of ${String(size).padEnd(5)} ${formatNs(ns).padStart(10)}  (${formatNs(ns / size)} per URL)`);
  }
  return results;
}
