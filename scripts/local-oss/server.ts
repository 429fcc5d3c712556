/**
 * The local OSS: a node:http server on loopback that answers like OSS for the operations this project uses, so
 * presigned URLs can be exercised end to end without Alibaba Cloud.
 */
import http from 'node:http';
import { listenOn } from '../local-cloud/tls-server';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CredentialStore } from '../local-cloud/credential-store';
import { resolveAddress } from './addressing';
import type { OssRequest, OssResponse, ServerServices } from './context';
import { actualRequestHeaders, preflight, type CorsRule } from './cors';
import { MalformedEncodingError, hasQuery, parseRawQuery, type QueryPair } from './encoding';
import { Errors, OssError, errorBody, newRequestId } from './errors';
import { abortUpload, completeUpload, initiateUpload, requireUpload, uploadPart } from './multipart';
import { listMultipartUploads, listParts } from './listing';
import { deleteObject, getObject, putObject } from './objects';
import { type OssEventRecord } from './notifications';
import { postObject } from './post-object';
import { ObjectStorage } from './storage';
import { admitAnonymous } from './acl';
import { FaultInjector, requestFacts, type Fault, type LoggedRequest, type RequestFacts } from './faults';
import { authenticate } from './v4-verify';

export interface LocalOssOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where objects live; default a fresh temp dir, removed on close. */
  dataDir?: string;
  credentials: CredentialStore;
  /** Standard region id the credential scope must name. */
  region?: string;
  /** Host suffixes that mean virtual-host addressing; default `oss-<region>.aliyuncs.com` and `localhost`. */
  virtualHostSuffix?: string | string[];
  /** Default CORS rules for every bucket (a bucket's own rules replace them). */
  cors?: CorsRule[];
  buckets?: string[];
  /** Clock in epoch ms; tests freeze or move it to exercise expiry. */
  now?: () => number;
  /** One line per request (method, path without query, status, code); never credentials. */
  log?: (line: string) => void;
  /** Faults armed from the start (tests usually add them later through `faults`). */
  faults?: Fault[];
  /** Receives an ObjectCreated event record for every object created (OSS's event notification). */
  notify?: (record: OssEventRecord) => void;
  /** The bucket owner's account id in event records; default 1234567890123456. */
  accountId?: string;
}

export interface LocalOss {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  host: string;
  region: string;
  dataDir: string;
  createBucket(name: string, options?: { cors?: CorsRule[] }): Promise<void>;
  setBucketCors(name: string, rules: CorsRule[] | undefined): void;
  /** Path-style URL of a bucket or object on this server (no signature). */
  pathStyleUrl(bucket: string, key?: string): string;
  /** Fault knobs (fail the nth request, cut a body, delay, expire URLs early, go offline) and the request log. */
  faults: FaultInjector;
  close(): Promise<void>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const HOST_ID_SUFFIX = 'local-oss';

function joinHeaders(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(',');
  }
  return headers;
}

class IncompleteBodyError extends Error {}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let done = false;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('close', () => {
      if (!done) reject(new IncompleteBodyError());
    });
    req.on('error', () => {
      if (!done) reject(new IncompleteBodyError());
    });
  });
}

export async function startLocalOss(options: LocalOssOptions): Promise<LocalOss> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'cn-hangzhou';
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'local-oss-')));
  const suffixes = options.virtualHostSuffix === undefined
    ? [`oss-${region}.aliyuncs.com`, 'localhost']
    : ([] as string[]).concat(options.virtualHostSuffix);
  const storage = new ObjectStorage(dataDir);
  const faults = new FaultInjector();
  for (const fault of options.faults ?? []) faults.add(fault);
  const services: ServerServices = {
    storage,
    auth: { credentials: options.credentials, region, now: options.now ?? (() => Date.now()), urlLifetimeCap: () => faults.urlLifetimeCap() },
    ...(options.notify ? { notifications: { accountId: options.accountId ?? '1234567890123456', region, notify: options.notify } } : {}),
  };
  const bucketCors = new Map<string, CorsRule[] | undefined>();
  const corsFor = (bucket: string): CorsRule[] => bucketCors.get(bucket) ?? options.cors ?? [];

  async function createBucket(name: string, bucketOptions?: { cors?: CorsRule[] }): Promise<void> {
    if (!BUCKET_NAME.test(name)) throw new Error(`invalid OSS bucket name: ${name}`);
    await storage.createBucket(name);
    if (bucketOptions?.cors) bucketCors.set(name, bucketOptions.cors);
  }
  for (const bucket of options.buckets ?? []) await createBucket(bucket);

  async function handle(req: http.IncomingMessage, publicOrigin: string, requestId: string, injected: Fault[]): Promise<{ response: OssResponse; cors: Record<string, string> }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    // The body is read from the first tick (a listener attached after a delay would miss it), then the delay runs.
    const reading = readBody(req);
    reading.catch(() => undefined);
    for (const fault of injected) {
      if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    }
    let body: Buffer;
    try {
      body = await reading;
    } catch {
      throw new OssError(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    }
    let query: QueryPair[];
    let address;
    try {
      query = parseRawQuery(q === -1 ? '' : rawUrl.slice(q + 1));
      address = resolveAddress(req.headers.host, rawPath, suffixes);
    } catch (err) {
      if (err instanceof MalformedEncodingError) throw new OssError(400, 'InvalidURI', 'Could not parse the specified URI.');
      throw err;
    }
    const { bucket, key } = address;
    if (bucket === undefined) throw Errors.notImplemented('service-level operations such as ListBuckets');
    if (!BUCKET_NAME.test(bucket) || !(await storage.bucketExists(bucket))) throw Errors.noSuchBucket(bucket);
    const headers = joinHeaders(req);

    if (method === 'OPTIONS') {
      const allowed = preflight(corsFor(bucket), headers['origin'], headers['access-control-request-method'], headers['access-control-request-headers']);
      return { response: { status: 200, headers: {} }, cors: allowed };
    }
    const cors = actualRequestHeaders(corsFor(bucket), headers['origin'], method);
    const failure = injected.find((f) => f.kind === 'fail');
    if (failure) {
      throw Object.assign(new OssError(failure.status ?? 503, failure.code ?? 'ServiceUnavailable', failure.message ?? 'Please reduce your request rate.'), { cors });
    }
    try {
      const base = { method, bucket, key, query, headers, body, publicOrigin, requestId, sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '') };
      if (method === 'POST' && key === undefined && (headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        return { response: await postObject({ ...base, auth: { kind: 'anonymous' } }, services), cors };
      }
      const auth = authenticate(base, services.auth);
      if (auth.kind === 'anonymous') await admitAnonymous(method, bucket, key, query, storage);
      const ossReq: OssRequest = { ...base, auth };
      return { response: await route(ossReq), cors };
    } catch (err) {
      if (err instanceof OssError) throw Object.assign(err, { cors });
      throw err;
    }
  }

  async function route(req: OssRequest): Promise<OssResponse> {
    const { method, key } = req;
    const has = (name: string): boolean => hasQuery(req.query, name);
    if (key === undefined) {
      if ((method === 'GET' || method === 'HEAD') && has('uploads')) return listMultipartUploads(req, services);
      throw Errors.notImplemented('bucket-level operations other than ListMultipartUploads');
    }
    switch (method) {
      case 'PUT':
        return has('uploadId') && has('partNumber') ? uploadPart(req, services, key) : putObject(req, services, key);
      case 'GET':
      case 'HEAD':
        return has('uploadId') ? listParts(req, services, await requireUpload(req, services, key)) : getObject(req, services, key);
      case 'DELETE':
        return has('uploadId') ? abortUpload(req, services, key) : deleteObject(req, services, key);
      case 'POST':
        if (has('uploads')) return initiateUpload(req, services, key);
        if (has('uploadId')) return completeUpload(req, services, key);
        throw Errors.notImplemented('this POST operation');
      default:
        throw Errors.methodNotAllowed();
    }
  }

  /** What the fault knobs need to know before the body is read; a request the router would refuse counts as Other. */
  function factsOf(req: http.IncomingMessage): RequestFacts {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    try {
      const address = resolveAddress(req.headers.host, q === -1 ? rawUrl : rawUrl.slice(0, q), suffixes);
      return requestFacts(method, address.key, parseRawQuery(q === -1 ? '' : rawUrl.slice(q + 1)));
    } catch {
      return { operation: 'Other', method, key: undefined, partNumber: undefined };
    }
  }

  /** Applies a cut: the body is read up to afterBytes, then the connection is reset without an answer. */
  function armCut(req: http.IncomingMessage, entry: LoggedRequest, afterBytes: number): void {
    entry.status = 'cut';
    const cut = (): void => {
      req.socket.destroy();
    };
    if (afterBytes <= 0) return cut();
    req.on('data', () => {
      if (entry.bytes >= afterBytes) cut();
    });
    req.on('end', cut);
  }

  // Requests still being handled when close() is called: their storage writes would otherwise land after the data
  // folder is removed and create it again.
  const inFlight = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const facts = factsOf(req);
    const entry: LoggedRequest = { ...facts, status: 0, bytes: 0 };
    faults.log.push(entry);
    if (faults.isOffline()) {
      entry.status = 'refused';
      req.socket.destroy();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
    });
    const injected = faults.take(facts);
    const cut = injected.find((f) => f.kind === 'cut');
    if (cut) {
      armCut(req, entry, cut.afterBytes);
      req.resume();
      return;
    }
    const requestId = newRequestId();
    const publicOrigin = `http://${req.headers.host ?? `${host}:${port}`}`;
    const send = (response: OssResponse, extra: Record<string, string>): void => {
      const body = response.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, 'utf8');
      const headers: Record<string, string> = {
        server: 'AliyunOSS',
        date: new Date(services.auth.now()).toUTCString(),
        'x-oss-request-id': requestId,
        ...extra,
        ...response.headers,
      };
      if (headers['content-length'] === undefined) headers['content-length'] = String(body.length);
      entry.status = response.status;
      res.writeHead(response.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const handled = handle(req, publicOrigin, requestId, injected).then(
      ({ response, cors }) => {
        options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${response.status}`);
        send(response, cors);
      },
      (err: unknown) => {
        const ossErr = err instanceof OssError ? err : new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.');
        if (!(err instanceof OssError)) options.log?.(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${ossErr.status} ${ossErr.code}`);
        const cors = (err as { cors?: Record<string, string> }).cors ?? {};
        const headers: Record<string, string> = { 'content-type': 'application/xml', ...ossErr.headers };
        if (ossErr.ec) headers['x-oss-ec'] = ossErr.ec;
        if (res.headersSent || res.destroyed) return;
        send({ status: ossErr.status, headers, body: errorBody(ossErr, requestId, `${req.headers.host ?? host}.${HOST_ID_SUFFIX}`) }, cors);
      },
    );
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });

  // Node's parser, not our handler, sees a body cut short of its Content-Length; answer it the way OSS does.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const incomplete = err.code === 'HPE_INVALID_EOF_STATE' || err.code === 'ECONNRESET';
    const ossErr = incomplete
      ? new OssError(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.')
      : new OssError(400, 'InvalidRequest', 'The request could not be parsed as HTTP.');
    const requestId = newRequestId();
    const body = Buffer.from(errorBody(ossErr, requestId, `${host}.${HOST_ID_SUFFIX}`), 'utf8');
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nServer: AliyunOSS\r\nContent-Type: application/xml\r\nx-oss-request-id: ${requestId}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('utf8')}`,
    );
  });

  // While offline, connections are reset as they arrive, before any byte of a request is read.
  server.on('connection', (socket) => {
    if (faults.isOffline()) socket.destroy();
  });

  const { port, origin } = await listenOn(server, host, options.port);

  return {
    origin,
    port,
    host,
    region,
    dataDir,
    createBucket,
    setBucketCors: (name, rules) => {
      bucketCors.set(name, rules);
    },
    faults,
    pathStyleUrl: (bucket, key) => `${origin}/${bucket}/${key === undefined ? '' : key.split('/').map(encodeURIComponent).join('/')}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      // A handler whose socket was cut still finishes (or fails) its storage work; bounded, so close never hangs.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
