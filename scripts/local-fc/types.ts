/**
 * The shapes the local Function Compute host hands to and takes from a handler, as FC 3.0's Node.js runtime does
 * (see ../../../shared/reference/fc-runtime.md §1.1, §1.2, §2.1).
 */

/** `context.credentials`: FC gives the three fields for a function with a role and `{}` for one without. */
export interface FcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
}

export type FcLogFn = (...args: unknown[]) => void;

export interface FcLogger {
  debug: FcLogFn;
  info: FcLogFn;
  warn: FcLogFn;
  error: FcLogFn;
  log: FcLogFn;
  requestId: string;
  logLevel: string;
}

export interface FcContext {
  requestId: string;
  credentials: FcCredentials | Record<string, never>;
  function: { name: string; handler: string; memory: number; timeout: number };
  service: { logProject: string; logStore: string; qualifier: string; versionId: string };
  region: string;
  accountId: string;
  logger: FcLogger;
  retryCount: number;
  tracing: { openTracingSpanContext: string; openTracingSpanBaggages: Record<string, string>; jaegerEndpoint: string };
}

/** An FC 3.0 event handler: `event` is a Buffer; async, or the FC 2.0 callback style `(event, context, callback)`. */
export type FcHandler = (event: Buffer, context: FcContext, callback?: (err: unknown, result?: unknown) => void) => unknown;

/** The FC 3.0 HTTP trigger request struct (`version: "v1"`). */
export interface HttpTriggerEvent {
  version: 'v1';
  rawPath: string;
  headers: Record<string, string>;
  queryParameters: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  requestContext: {
    accountId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    time: string;
    timeEpoch: string;
  };
}

/** Where the host gets a function's role credentials: a value, a provider called per invocation, or none (`{}`). */
export type CredentialsSource = FcCredentials | (() => FcCredentials | Promise<FcCredentials>) | null | undefined;
