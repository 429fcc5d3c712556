import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import FC3, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';

/**
 * Invokes a deployed function through the Function Compute API, as another service would, with the official clients:
 *
 *   fc3  POST /2023-03-30/functions/{name}/invocations          @alicloud/fc20230330 (ACS3-HMAC-SHA256)
 *   fc2  POST /2016-08-15/services/{service}/functions/{name}/invocations   @alicloud/fc2 2.6.6 (FC <key>:<sig>)
 *
 *   npx tsx scripts/remote-invoke.ts fc3 --function oss-presign-put -f scripts/events/put-direct.json
 *   npx tsx scripts/remote-invoke.ts fc2 --service oss-presign --function presign-put -e '{"key":"uploads/a.txt"}' --async
 *
 * Options: --account-id (or ALIBABA_CLOUD_ACCOUNT_ID), --region (or ALIBABA_CLOUD_REGION_ID, default cn-hangzhou),
 * --endpoint <http(s)://host[:port]> (default https://<account>.<region>.fc.aliyuncs.com), --qualifier, --async
 * (x-fc-invocation-type: Async), --timeout <ms>. Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN.
 * Prints the function's result on stdout (an async call prints {"accepted":true,"requestId":…}); the status line
 * and request id go to stderr. Exits 1 when FC reports a function error (x-fc-error-type) or the API refuses.
 */
export interface InvokeTarget {
  api: 'fc2' | 'fc3';
  functionName: string;
  /** FC 2.0 only. */
  serviceName?: string;
  accountId: string;
  region: string;
  endpoint?: string;
  qualifier?: string;
  async?: boolean;
  timeoutMs?: number;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
}

export interface InvokeResult {
  status: number;
  requestId: string | undefined;
  /** Set when the function failed (FC answers 200 with x-fc-error-type, e.g. UnhandledInvocationError). */
  errorType: string | undefined;
  body: Buffer;
}

/** @alicloud/fc2 ships no types: the part of its Client used here (lib/client.js). */
interface Fc2Client {
  invokeFunction(service: string, fn: string, event: string | Buffer, headers?: Record<string, string>, qualifier?: string, opts?: { rawBuf?: boolean }): Promise<{ headers: Record<string, string | undefined>; data: unknown }>;
}
type Fc2Constructor = new (accountId: string, config: Record<string, unknown>) => Fc2Client;

function defaultEndpoint(t: InvokeTarget): string {
  return `https://${t.accountId}.${t.region}.fc.aliyuncs.com`;
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

export async function invokeFc3(t: InvokeTarget, payload: Buffer): Promise<InvokeResult> {
  const url = new URL(t.endpoint ?? defaultEndpoint(t));
  const client = new FC3(new $OpenApiUtil.Config({
    accessKeyId: t.credentials.accessKeyId,
    accessKeySecret: t.credentials.accessKeySecret,
    securityToken: t.credentials.securityToken,
    regionId: t.region,
    endpoint: url.host,
    protocol: url.protocol.replace(':', ''),
  }));
  const request = new InvokeFunctionRequest({ body: Readable.from([payload]), qualifier: t.qualifier });
  const headers = new InvokeFunctionHeaders({ xFcInvocationType: t.async ? 'Async' : 'Sync' });
  const runtime = new RuntimeOptions({ readTimeout: t.timeoutMs ?? 30000, connectTimeout: 5000 });
  const res = await client.invokeFunctionWithOptions(t.functionName, request, headers, runtime);
  const h = res.headers ?? {};
  return { status: res.statusCode ?? 0, requestId: h['x-fc-request-id'], errorType: h['x-fc-error-type'], body: await readAll(res.body) };
}

export async function invokeFc2(t: InvokeTarget, payload: Buffer): Promise<InvokeResult> {
  if (!t.serviceName) throw new Error('FC 2.0 needs --service: functions there live in a service');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const FC2 = require('@alicloud/fc2') as Fc2Constructor;
  const client = new FC2(t.accountId, {
    accessKeyID: t.credentials.accessKeyId,
    accessKeySecret: t.credentials.accessKeySecret,
    securityToken: t.credentials.securityToken,
    region: t.region,
    endpoint: t.endpoint ?? defaultEndpoint(t),
    timeout: t.timeoutMs ?? 30000,
  });
  const headers: Record<string, string> = t.async ? { 'x-fc-invocation-type': 'Async' } : {};
  const res = await client.invokeFunction(t.serviceName, t.functionName, payload, headers, t.qualifier, { rawBuf: true });
  const body = Buffer.isBuffer(res.data) ? res.data : Buffer.from(typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? ''));
  // fc2 throws on a non-2xx answer; an async call is 202, a sync one 200.
  return { status: t.async ? 202 : 200, requestId: res.headers['x-fc-request-id'], errorType: res.headers['x-fc-error-type'], body };
}

export function invoke(t: InvokeTarget, payload: Buffer): Promise<InvokeResult> {
  return t.api === 'fc3' ? invokeFc3(t, payload) : invokeFc2(t, payload);
}

const USAGE = `usage: npx tsx scripts/remote-invoke.ts <fc3|fc2> --function <name> [--service <name>] (-e <payload> | -f <file>)
         [--account-id <id>] [--region <id>] [--endpoint <url>] [--qualifier <q>] [--async] [--timeout <ms>]
  Calls a function through the FC InvokeFunction API with the official client (fc3: @alicloud/fc20230330,
  fc2: @alicloud/fc2, which also needs --service). Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN.
  --endpoint (or FC_INVOKE_ENDPOINT) points either client elsewhere, e.g. npm start's local FC host, with
  --account-id 1234567890123456 and the local key npm start prints.`;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): { target: InvokeTarget; payload: Buffer } {
  const api = argv[0];
  if (api !== 'fc2' && api !== 'fc3') throw new Error(`the first argument must be fc3 or fc2, not ${api ?? 'nothing'}\n${USAGE}`);
  const opts: Record<string, string> = {};
  let payload: Buffer | undefined;
  let async = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--async') {
      async = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
    if (a === '-e' || a === '--event') payload = Buffer.from(v, 'utf8');
    else if (a === '-f' || a === '--event-file') payload = readFileSync(path.resolve(v));
    else if (['--function', '--service', '--account-id', '--region', '--endpoint', '--qualifier', '--timeout'].includes(a)) opts[a.slice(2)] = v;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  if (!accessKeyId || !accessKeySecret) throw new Error('set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and _SECURITY_TOKEN for an STS key) to a key allowed fc:InvokeFunction');
  const accountId = opts['account-id'] ?? env.ALIBABA_CLOUD_ACCOUNT_ID;
  if (!accountId) throw new Error('--account-id (or ALIBABA_CLOUD_ACCOUNT_ID) is required: it names the FC endpoint and is signed by FC 2.0');
  if (!opts.function || payload === undefined) throw new Error(USAGE);
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim();
  return {
    payload,
    target: {
      api,
      functionName: opts.function,
      serviceName: opts.service,
      accountId,
      region: opts.region ?? env.ALIBABA_CLOUD_REGION_ID ?? 'cn-hangzhou',
      endpoint: opts.endpoint ?? (env.FC_INVOKE_ENDPOINT?.trim() || undefined),
      qualifier: opts.qualifier,
      async,
      timeoutMs: opts.timeout === undefined ? undefined : Number(opts.timeout),
      credentials: token ? { accessKeyId, accessKeySecret, securityToken: token } : { accessKeyId, accessKeySecret },
    },
  };
}

/** The OpenAPI client throws on a 4xx/5xx answer, keeping the parsed body (openapi-core client.js): that is an answer too. */
function answerFromError(error: unknown): InvokeResult | undefined {
  const e = error as { statusCode?: unknown; data?: unknown; requestId?: unknown };
  if (typeof e.statusCode !== 'number' || e.data === undefined) return undefined;
  // FC's own refusals ({ Code, Message, RequestId }: a bad signature, no such function) are errors, not answers.
  if (typeof (e.data as { Code?: unknown } | null)?.Code === 'string') return undefined;
  return { status: e.statusCode, requestId: typeof e.requestId === 'string' && e.requestId !== 'undefined' ? e.requestId : undefined, errorType: undefined, body: Buffer.from(JSON.stringify(e.data)) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { target, payload } = parseArgs(argv, process.env);
  let result: InvokeResult;
  try {
    result = await invoke(target, payload);
  } catch (error) {
    const answer = answerFromError(error);
    if (!answer) throw error;
    // An HTTP-triggered function answers InvokeFunction with its HTTP status: a refused request is 4xx, with its body.
    result = answer;
    process.exitCode = 1;
  }
  process.stderr.write(`${target.api} ${target.async ? 'Async' : 'Sync'} ${target.functionName}: HTTP ${result.status}, x-fc-request-id ${result.requestId ?? '-'}${result.errorType ? `, x-fc-error-type ${result.errorType}` : ''}\n`);
  if (target.async) {
    process.stdout.write(`${JSON.stringify({ accepted: result.status === 202, requestId: result.requestId })}\n`);
    return;
  }
  const text = result.body.toString('utf8');
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: print as is */
  }
  process.stdout.write(`${pretty}\n`);
  if (result.errorType) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
