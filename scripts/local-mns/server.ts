/**
 * The local Simple Message Queue (formerly MNS): the queue model's message operations over MNS's own XML API, so the
 * official client `@alicloud/mns` reads from it exactly as it reads from a real queue. The local FC host delivers
 * asynchronous invocation results here (asyncInvokeConfig destinations `acs:mns:<region>:<account>:/queues/<q>/messages`).
 *
 * What it answers (MNS API 2015-06-06, https://www.alibabacloud.com/help/en/mns/developer-reference/api-mns-2015-06-06-dir,
 * the request shapes as `@alicloud/mns` 1.2.0 lib/client.js sends them):
 *   PUT    /queues/<q>                              CreateQueue (attributes ignored; an existing queue is kept)
 *   POST   /queues/<q>/messages                     SendMessage  → 201 <Message><MessageId/><MessageBodyMD5/>
 *   GET    /queues/<q>/messages[?waitseconds=N]     ReceiveMessage (long poll up to 30 s; invisible for the queue's
 *                                                   VisibilityTimeout, 30 s, until deleted) → 404 MessageNotExist if none
 *   GET    /queues/<q>/messages?peekonly=true       PeekMessage (does not hide the message)
 *   DELETE /queues/<q>/messages?ReceiptHandle=<h>   DeleteMessage → 204
 * Every request is signed as MNS requires: `Authorization: MNS <AccessKeyId>:<base64 HMAC-SHA1(secret, VERB\n
 * Content-MD5\nContent-Type\nDate\n<x-mns-* headers sorted, "k:v\n">/<resource>)>` (lib/client.js sign()), with
 * `security-token` for an STS key, and a Date within 15 minutes. Errors are MNS's XML `<Error><Code>…`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import type { CredentialStore } from '../local-cloud/credential-store';
import { listenOn } from '../local-cloud/tls-server';
import { xmlDocument, type XmlElement } from '../local-oss/xml';

const NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,255}$/;
const VISIBILITY_TIMEOUT_MS = 30_000;
const MAX_WAIT_SECONDS = 30;
const MAX_BODY = 64 * 1024;
const SKEW_MS = 15 * 60_000;

export interface LocalMnsOptions {
  credentials: CredentialStore;
  accountId?: string;
  region?: string;
  host?: string;
  port?: number;
  queues?: string[];
  now?: () => number;
  log?: (line: string) => void;
}

export interface QueueMessage {
  messageId: string;
  body: string;
  enqueueTime: number;
}

export interface LocalMns {
  origin: string;
  port: number;
  accountId: string;
  region: string;
  /** Creates the queue if it does not exist. */
  createQueue(name: string): void;
  /** SendMessage from inside the local cloud (the FC host's destinations): what FC does with mns:SendMessage. */
  send(queue: string, body: string): QueueMessage;
  /** Messages currently in a queue, visible or not (tests and the CLI's `peek`). */
  messages(queue: string): readonly QueueMessage[];
  close(): Promise<void>;
}

class MnsError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

interface StoredMessage extends QueueMessage {
  md5: string;
  visibleAt: number;
  dequeueCount: number;
  firstDequeueTime: number;
  receiptHandle: string;
}

const xmlParser = new XMLParser({ parseTagValue: false, trimValues: false });

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function canonicalMnsHeaders(headers: Record<string, string>): string {
  return Object.keys(headers).filter((k) => k.startsWith('x-mns-')).sort().map((k) => `${k}:${headers[k]}\n`).join('');
}

export function mnsStringToSign(method: string, headers: Record<string, string>, resource: string): string {
  return `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n${canonicalMnsHeaders(headers)}${resource}`;
}

export async function startLocalMns(options: LocalMnsOptions): Promise<LocalMns> {
  const accountId = options.accountId ?? '1234567890123456';
  const region = options.region ?? 'cn-hangzhou';
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const queues = new Map<string, StoredMessage[]>();
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);
  const waiting = new Set<() => void>();
  let closed = false;

  function createQueue(name: string): void {
    if (!QUEUE_NAME.test(name)) throw new Error(`invalid MNS queue name: ${name}`);
    if (!queues.has(name)) queues.set(name, []);
  }
  for (const q of options.queues ?? []) createQueue(q);

  function queueOf(name: string): StoredMessage[] {
    const q = queues.get(name);
    if (!q) throw new MnsError(404, 'QueueNotExist', 'The queue name you provided is not exist.');
    return q;
  }

  function send(queue: string, body: string): QueueMessage {
    const q = queueOf(queue);
    const at = now();
    const message: StoredMessage = {
      messageId: randomBytes(16).toString('hex').toUpperCase(),
      body,
      md5: md5Hex(body),
      enqueueTime: at,
      visibleAt: at,
      dequeueCount: 0,
      firstDequeueTime: 0,
      receiptHandle: '',
    };
    q.push(message);
    arrivals.emit(queue);
    return { messageId: message.messageId, body, enqueueTime: at };
  }

  function verify(method: string, resource: string, headers: Record<string, string>): void {
    const m = /^MNS ([^:]+):(.+)$/.exec(headers['authorization'] ?? '');
    if (!m) throw new MnsError(403, 'AccessDenied', 'The request must be signed: Authorization: MNS <AccessKeyId>:<Signature>.');
    const date = Date.parse(headers['date'] ?? '');
    if (!Number.isFinite(date)) throw new MnsError(400, 'InvalidArgument', 'The Date header is missing or invalid.');
    if (Math.abs(date - now()) > SKEW_MS) throw new MnsError(403, 'TimeExpired', 'The http request you sent is expired.');
    const credential = options.credentials.lookup(m[1]!);
    if (!credential) throw new MnsError(403, 'InvalidAccessKeyId', 'The access Id you provided is not exist.');
    if (credential.securityToken !== undefined) {
      const token = headers['security-token'];
      if (token === undefined || !safeEqual(token, credential.securityToken)) throw new MnsError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
      if (credential.expiration && credential.expiration.getTime() <= now()) throw new MnsError(403, 'SecurityTokenExpired', 'The security token you provided has expired.');
    }
    const expected = createHmac('sha1', credential.accessKeySecret).update(mnsStringToSign(method, headers, resource), 'utf8').digest('base64');
    if (!safeEqual(expected, m[2]!)) throw new MnsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }

  function visibleMessage(q: StoredMessage[]): StoredMessage | undefined {
    const at = now();
    return q.find((msg) => msg.visibleAt <= at);
  }

  function messageXml(msg: StoredMessage, withHandle: boolean): string {
    const fields: XmlElement[] = [
      ['MessageId', msg.messageId],
      ...(withHandle ? ([['ReceiptHandle', msg.receiptHandle]] as XmlElement[]) : []),
      ['MessageBodyMD5', msg.md5],
      ['MessageBody', msg.body],
      ['EnqueueTime', msg.enqueueTime],
      ...(withHandle ? ([['NextVisibleTime', msg.visibleAt]] as XmlElement[]) : []),
      ['FirstDequeueTime', msg.firstDequeueTime || msg.enqueueTime],
      ['DequeueCount', msg.dequeueCount],
      ['Priority', 8],
    ];
    return xmlDocument('Message', fields, NAMESPACE);
  }

  async function receive(queue: string, q: StoredMessage[], waitSeconds: number, peek: boolean): Promise<string> {
    const deadline = now() + waitSeconds * 1000;
    for (;;) {
      const msg = visibleMessage(q);
      if (msg) {
        if (peek) return messageXml(msg, false);
        const at = now();
        msg.dequeueCount += 1;
        if (msg.firstDequeueTime === 0) msg.firstDequeueTime = at;
        msg.visibleAt = at + VISIBILITY_TIMEOUT_MS;
        msg.receiptHandle = `${msg.messageId}-${randomBytes(8).toString('hex')}`;
        return messageXml(msg, true);
      }
      const left = deadline - now();
      if (left <= 0 || peek || closed) throw new MnsError(404, 'MessageNotExist', 'Message not exist.');
      // Woken by a new message or at the deadline, whichever comes first (or by close()).
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          arrivals.off(queue, wake);
          waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 1000));
        arrivals.on(queue, wake);
        waiting.add(wake);
      });
    }
  }

  async function handle(req: http.IncomingMessage, body: string): Promise<{ status: number; xml?: string }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const resource = req.url ?? '/';
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values.join(',');
    verify(method, resource, headers);
    const url = new URL(resource, 'http://mns.local');
    const m = /^\/queues\/([^/]+)(\/messages)?$/.exec(url.pathname);
    if (!m) throw new MnsError(404, 'InvalidOperation', `${method} ${url.pathname} is not an operation the local MNS answers`);
    const queue = decodeURIComponent(m[1]!);
    if (m[2] === undefined) {
      if (method !== 'PUT') throw new MnsError(405, 'InvalidOperation', 'only CreateQueue (PUT) is answered on a queue');
      if (!QUEUE_NAME.test(queue)) throw new MnsError(400, 'InvalidArgument', 'The queue name is invalid.');
      const existed = queues.has(queue);
      createQueue(queue);
      return { status: existed ? 204 : 201 };
    }
    const q = queueOf(queue);
    switch (method) {
      case 'POST': {
        if (Buffer.byteLength(body) > MAX_BODY) throw new MnsError(400, 'MessageBodySizeInvalid', 'The message body exceeds 64 KB.');
        const parsed = xmlParser.parse(body) as { Message?: { MessageBody?: unknown } };
        const text = parsed.Message?.MessageBody;
        if (typeof text !== 'string' || text === '') throw new MnsError(400, 'InvalidArgument', 'The MessageBody element is missing.');
        const sent = send(queue, text);
        return { status: 201, xml: xmlDocument('Message', [['MessageId', sent.messageId], ['MessageBodyMD5', md5Hex(text)]], NAMESPACE) };
      }
      case 'GET': {
        const wait = Math.min(MAX_WAIT_SECONDS, Math.max(0, Number(url.searchParams.get('waitseconds') ?? '0') || 0));
        return { status: 200, xml: await receive(queue, q, wait, url.searchParams.get('peekonly') === 'true') };
      }
      case 'DELETE': {
        const handle = url.searchParams.get('ReceiptHandle') ?? url.searchParams.get('receiptHandle') ?? '';
        const index = q.findIndex((msg) => msg.receiptHandle !== '' && msg.receiptHandle === handle);
        if (index === -1) throw new MnsError(400, 'ReceiptHandleError', 'The receipt handle you provided is not valid.');
        q.splice(index, 1);
        return { status: 204 };
      }
      default:
        throw new MnsError(405, 'InvalidOperation', `${method} is not a message operation`);
    }
  }

  const server = http.createServer((req, res) => {
    const requestId = randomBytes(12).toString('hex').toUpperCase();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, xml }) => {
          options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${status}`);
          res.writeHead(status, { 'x-mns-request-id': requestId, 'x-mns-version': '2015-06-06', ...(xml ? { 'content-type': 'text/xml;charset=utf-8' } : {}) });
          res.end(xml);
        },
        (err: unknown) => {
          const e = err instanceof MnsError ? err : new MnsError(500, 'InternalError', 'The local MNS failed.');
          options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${e.status} ${e.code}`);
          const xml = xmlDocument('Error', [['Code', e.code], ['Message', e.message], ['RequestId', requestId], ['HostId', `http://${accountId}.mns.${region}.aliyuncs.com`]], NAMESPACE);
          if (res.headersSent) return;
          res.writeHead(e.status, { 'x-mns-request-id': requestId, 'content-type': 'text/xml;charset=utf-8' });
          res.end(xml);
        },
      );
    });
  });
  const { port, origin } = await listenOn(server, host, options.port);

  return {
    origin,
    port,
    accountId,
    region,
    createQueue,
    send,
    messages: (queue) => queueOf(queue).map(({ messageId, body, enqueueTime }) => ({ messageId, body, enqueueTime })),
    close: async () => {
      closed = true;
      for (const wake of [...waiting]) wake();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
