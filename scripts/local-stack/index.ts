/**
 * The whole local cloud in one call: local STS, local OSS, local MNS, the local FC host running presign-put and
 * presign-get, and the upload page. `npm start` and the end-to-end tests both use it.
 *
 * Credentials flow as on Alibaba Cloud: a platform key (random, never printed) lives in the CredentialStore; the FC
 * host assumes the functions' runtime role at the local STS with it and passes the temporary key to every
 * invocation as context.credentials; the local OSS checks URLs signed with that key against the same store.
 * A second, fixed key (LOCAL_INVOKER_KEY, or LOCAL_ACCESS_KEY_ID / LOCAL_ACCESS_KEY_SECRET) stands for the developer's
 * own AccessKey: it signs InvokeFunction calls (scripts/remote-invoke.ts, @alicloud/fc2, @alicloud/fc20230330) and
 * reads the local MNS queues from a shell. It is a local-only key that no cloud knows, so printing it is harmless.
 *
 * Event flow, as s.yaml's commented OSS trigger sets it up: an object created in the local OSS (PutObject, PostObject,
 * CompleteMultipartUpload) invokes presign-get asynchronously with the OSS event; presign-get's asyncInvokeConfig
 * sends the result record to the MNS queue `oss-presign-results` (onSuccess) or `oss-presign-failures` (onFailure).
 */
import { randomBytes } from 'node:crypto';
import { CredentialStore } from '../local-cloud/credential-store';
import { startLocalSts, type LocalSts } from '../local-cloud/local-sts';
import { startLocalMns, type LocalMns } from '../local-mns/server';
import { startLocalOss, type LocalOss, type OssEventRecord } from '../local-oss';
import { roleCredentials, startLocalFc, type AsyncInvokeConfig, type FcCredentials, type FcHandler, type LocalFc } from '../local-fc';
import { startLocalOidc, type LocalOidc } from '../local-oidc/server';
import { LOCAL_AUDIENCE, oidcEnvironment } from './oidc-rules';
import { startPageServer } from './page-server';

import { FAILURE_QUEUE, LOCAL_INVOKER_KEY, RESULT_QUEUE } from './names';

export { FAILURE_QUEUE, LOCAL_INVOKER_KEY, OSS_TRIGGER_EVENTS, RESULT_QUEUE } from './names';

export interface LocalStackOptions {
  host?: string;
  ports?: { sts?: number; oss?: number; fc?: number; page?: number; mns?: number; oidc?: number };
  bucket?: string;
  region?: string;
  accountId?: string;
  /** Where the local OSS keeps objects; default a temp dir removed on close. */
  dataDir?: string;
  /** Runtime role session length (s) and when to renew it (s before expiry). Defaults 10800 / 5400. */
  roleSessionSeconds?: number;
  roleRefreshAheadSeconds?: number;
  /** Extra environment for the handlers (on top of OSS_ENDPOINT, OSS_BUCKET, OSS_REGION, CORS_ALLOW_ORIGINS). */
  env?: Record<string, string>;
  /** Loads the handlers after the environment is set (they read it at import). Default: functions/presign-{put,get}. */
  loadFunctions?: () => Promise<Record<string, FcHandler>>;
  /** The key that may call the InvokeFunction API and read the queues; default LOCAL_INVOKER_KEY. */
  invokerKey?: { accessKeyId: string; accessKeySecret: string };
  /** The OSS trigger's key filter (as `filter.key` in s.yaml); default every key. */
  ossTrigger?: { prefix?: string; suffix?: string };
  /**
   * A local OIDC issuer (scripts/local-oidc) whose JWTs the functions verify, with per-user folders (LOCAL_RULES) and
   * a sign-in on the upload page. `npm start` turns it on; the other suites run the shipped shorthand without it.
   */
  oidc?: boolean;
  log?: (line: string) => void;
}

export interface LocalStack {
  sts: LocalSts;
  oss: LocalOss;
  fc: LocalFc;
  mns: LocalMns;
  /** The local OIDC issuer, when `oidc` was asked for. */
  oidc: LocalOidc | undefined;
  /** The page at 127.0.0.1; `origins` adds the same page as localhost. */
  page: { origin: string; origins: string[] };
  store: CredentialStore;
  bucket: string;
  region: string;
  presignPutUrl: string;
  presignGetUrl: string;
  /** Environment the handlers were started with (contains no secret). */
  env: Record<string, string>;
  /** Moves the local OSS clock relative to the real one (expiry tests). */
  setOssSkewMs(ms: number): void;
  /** Replaces the functions' credentials source (e.g. a short-lived key); undefined restores the runtime role. */
  setCredentials(source: (() => Promise<FcCredentials>) | undefined): void;
  /** The platform identity that assumes roles; tests use it to get extra sessions. Its secret is never printed. */
  platformKey: { accessKeyId: string; accessKeySecret: string };
  runtimeRoleArn: string;
  invokerKey: { accessKeyId: string; accessKeySecret: string };
  close(): Promise<void>;
}

async function defaultFunctions(): Promise<Record<string, FcHandler>> {
  const put = (await import('../../functions/presign-put/index')) as { handler: FcHandler };
  const get = (await import('../../functions/presign-get/index')) as { handler: FcHandler };
  return { 'presign-put': put.handler, 'presign-get': get.handler };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const bucket = options.bucket ?? 'local-bucket';
  const region = options.region ?? 'cn-hangzhou';
  const accountId = options.accountId ?? '1234567890123456';
  const log = options.log ?? (() => undefined);
  const store = new CredentialStore();
  const invokerKey = { ...(options.invokerKey ?? LOCAL_INVOKER_KEY) };
  store.add({ ...invokerKey });
  const platformKey = store.add({ accessKeyId: `LTAIplatform${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(24).toString('base64url') }) as { accessKeyId: string; accessKeySecret: string };
  const runtimeRoleArn = `acs:ram::${accountId}:role/oss-presign-runtime`;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let urls = { presignPut: '', presignGet: '' };
    let signIn: { tokenUrl: string } | undefined;
    const page = await startPageServer({ host, port: options.ports?.page, config: () => ({ ...urls, bucket, ...(signIn ? { signIn } : {}) }) });
    closers.push(page.close);
    // The page works opened as 127.0.0.1 or as localhost: two origins to a browser, so both are allowed at the
    // functions (CORS_ALLOW_ORIGINS) and at the bucket (its CORS rule).
    const pageOrigins = host === '127.0.0.1' ? [page.origin, page.origin.replace('//127.0.0.1:', '//localhost:')] : [page.origin];
    const oidc = options.oidc ? await startLocalOidc({ host, port: options.ports?.oidc, audience: LOCAL_AUDIENCE, allowedOrigins: pageOrigins }) : undefined;
    if (oidc) {
      closers.push(oidc.close);
      signIn = { tokenUrl: `${oidc.origin}/token` };
    }
    const sts = await startLocalSts({ store, host, port: options.ports?.sts, roles: [{ arn: runtimeRoleArn, maxSessionDuration: 43200 }] });
    closers.push(sts.close);
    const mns = await startLocalMns({ credentials: store, host, port: options.ports?.mns, region, accountId, queues: [RESULT_QUEUE, FAILURE_QUEUE], log: (line) => log(`mns  ${line}`) });
    closers.push(mns.close);
    let skew = 0;
    // The OSS trigger: set once the FC host is up; objects created before that raise nothing.
    let ossTrigger: ((record: OssEventRecord) => void) | undefined;
    const oss = await startLocalOss({
      credentials: store,
      host,
      port: options.ports?.oss,
      region,
      dataDir: options.dataDir,
      buckets: [bucket],
      now: () => Date.now() + skew,
      cors: [{ allowedOrigins: pageOrigins, allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], allowedHeaders: ['*'], exposeHeaders: ['ETag', 'x-oss-request-id'], maxAgeSeconds: 600 }],
      log: (line) => log(`oss  ${line}`),
      accountId,
      notify: (record) => ossTrigger?.(record),
    });
    closers.push(oss.close);
    const runtimeRole = roleCredentials({
      stsEndpoint: sts.origin,
      caller: platformKey,
      roleArn: runtimeRoleArn,
      roleSessionName: 'local-fc-runtime',
      durationSeconds: options.roleSessionSeconds ?? 10800,
      refreshAheadSeconds: options.roleRefreshAheadSeconds ?? 5400,
    });
    let override: (() => Promise<FcCredentials>) | undefined;
    const env: Record<string, string> = {
      OSS_ENDPOINT: oss.origin,
      OSS_BUCKET: bucket,
      OSS_REGION: region,
      CORS_ALLOW_ORIGINS: pageOrigins.join(','),
      ...(oidc ? oidcEnvironment(oidc) : {}),
      ...options.env,
    };
    // The handlers read their configuration at import (cold start), so the environment goes in first.
    const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]] as const));
    Object.assign(process.env, env);
    closers.push(async () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const functions = await (options.loadFunctions ?? defaultFunctions)();
    const queueArn = (queue: string): string => `acs:mns:${region}:${accountId}:/queues/${queue}/messages`;
    const presignGetAsync: AsyncInvokeConfig = {
      destinationConfig: { onSuccess: { destination: queueArn(RESULT_QUEUE) }, onFailure: { destination: queueArn(FAILURE_QUEUE) } },
      maxAsyncRetryAttempts: 3,
    };
    // Both functions have an HTTP trigger in s.yaml, so InvokeFunction calls reach them wrapped, as on FC 3.0.
    const hosted = Object.fromEntries(Object.entries(functions).map(([name, handler]) => [
      name,
      { handler, httpTrigger: true, ...(name === 'presign-get' ? { asyncInvokeConfig: presignGetAsync } : {}) },
    ]));
    const fc = await startLocalFc({
      functions: hosted,
      queues: mns,
      credentials: () => (override ?? runtimeRole)(),
      region,
      accountId,
      host,
      port: options.ports?.fc,
      invokeAuth: store,
      log: (line) => log(`fc   ${line}`),
    });
    closers.push(fc.close);
    // Closed first (closers run in reverse): no new event reaches a host that is shutting down.
    closers.push(async () => {
      ossTrigger = undefined;
    });
    const prefix = options.ossTrigger?.prefix ?? '';
    const suffix = options.ossTrigger?.suffix ?? '';
    if ('presign-get' in functions) {
      ossTrigger = (record) => {
        const key = record.oss.object.key;
        if (!key.startsWith(prefix) || !key.endsWith(suffix)) return;
        fc.invokeAsync('presign-get', Buffer.from(JSON.stringify({ events: [record] }), 'utf8'));
      };
    }
    urls = { presignPut: fc.triggerUrl('presign-put', '/'), presignGet: fc.triggerUrl('presign-get', '/') };
    return {
      sts, oss, fc, mns, oidc, page: { origin: page.origin, origins: pageOrigins }, store, bucket, region, env, platformKey, runtimeRoleArn, invokerKey,
      presignPutUrl: urls.presignPut,
      presignGetUrl: urls.presignGet,
      setOssSkewMs: (ms) => {
        skew = ms;
      },
      setCredentials: (source) => {
        override = source;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
