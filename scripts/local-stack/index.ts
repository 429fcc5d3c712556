/**
 * The whole local cloud in one call: local STS, local OSS, the local FC host running presign-put and presign-get,
 * and the upload page. `npm start` and the end-to-end tests both use it.
 *
 * Credentials flow as on Alibaba Cloud: a platform key (random, never printed) lives in the CredentialStore; the FC
 * host assumes the functions' runtime role at the local STS with it and passes the temporary key to every
 * invocation as context.credentials; the local OSS checks URLs signed with that key against the same store.
 */
import { randomBytes } from 'node:crypto';
import { CredentialStore } from '../local-cloud/credential-store';
import { startLocalSts, type LocalSts } from '../local-cloud/local-sts';
import { startLocalOss, type LocalOss } from '../local-oss';
import { roleCredentials, startLocalFc, type FcCredentials, type FcHandler, type LocalFc } from '../local-fc';
import { startPageServer } from './page-server';

export interface LocalStackOptions {
  host?: string;
  ports?: { sts?: number; oss?: number; fc?: number; page?: number };
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
  log?: (line: string) => void;
}

export interface LocalStack {
  sts: LocalSts;
  oss: LocalOss;
  fc: LocalFc;
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
  const platformKey = store.add({ accessKeyId: `LTAIplatform${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(24).toString('base64url') }) as { accessKeyId: string; accessKeySecret: string };
  const runtimeRoleArn = `acs:ram::${accountId}:role/oss-presign-runtime`;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let urls = { presignPut: '', presignGet: '' };
    const page = await startPageServer({ host, port: options.ports?.page, config: () => ({ ...urls, bucket }) });
    closers.push(page.close);
    // The page works opened as 127.0.0.1 or as localhost: two origins to a browser, so both are allowed at the
    // functions (CORS_ALLOW_ORIGINS) and at the bucket (its CORS rule).
    const pageOrigins = host === '127.0.0.1' ? [page.origin, page.origin.replace('//127.0.0.1:', '//localhost:')] : [page.origin];
    const sts = await startLocalSts({ store, host, port: options.ports?.sts, roles: [{ arn: runtimeRoleArn, maxSessionDuration: 43200 }] });
    closers.push(sts.close);
    let skew = 0;
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
    const fc = await startLocalFc({
      functions,
      credentials: () => (override ?? runtimeRole)(),
      region,
      accountId,
      host,
      port: options.ports?.fc,
      invokeAuth: store,
      log: (line) => log(`fc   ${line}`),
    });
    closers.push(fc.close);
    urls = { presignPut: fc.triggerUrl('presign-put', '/'), presignGet: fc.triggerUrl('presign-get', '/') };
    return {
      sts, oss, fc, page: { origin: page.origin, origins: pageOrigins }, store, bucket, region, env, platformKey, runtimeRoleArn,
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
