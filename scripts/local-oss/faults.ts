/**
 * Faults the local OSS can be told to inject, so clients are tested against the failures real networks have: a
 * request that fails, a connection cut in the middle of a body, a slow answer, URLs that expire early, and a server
 * that cannot be reached at all. Tests (and LocalOssOptions.faults) set them; they act on real sockets, so the
 * client under test sees exactly what it would see from OSS or from a broken network.
 *
 * Every request is also written to a log (operation, key, part number, status, bytes received), so a test can count
 * what reached the server, e.g. which parts a resumed upload sent again.
 */
import { hasQuery, queryValue, type QueryPair } from './encoding';

export type OssOperation =
  | 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'PostObject'
  | 'InitiateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts'
  | 'ListMultipartUploads' | 'Preflight' | 'Other';

/** Which OSS operation a request is, from its method and query alone (what the router also decides on). */
export function operationOf(method: string, key: string | undefined, query: readonly QueryPair[]): OssOperation {
  const has = (name: string): boolean => hasQuery(query, name);
  if (method === 'OPTIONS') return 'Preflight';
  if (key === undefined) {
    if (method === 'GET' && has('uploads')) return 'ListMultipartUploads';
    return method === 'POST' ? 'PostObject' : 'Other';
  }
  switch (method) {
    case 'PUT':
      return has('uploadId') && has('partNumber') ? 'UploadPart' : 'PutObject';
    case 'GET':
      return has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'InitiateMultipartUpload';
      return has('uploadId') ? 'CompleteMultipartUpload' : 'Other';
    default:
      return 'Other';
  }
}

export interface RequestFacts {
  operation: OssOperation;
  method: string;
  key: string | undefined;
  partNumber: number | undefined;
}

export function requestFacts(method: string, key: string | undefined, query: readonly QueryPair[]): RequestFacts {
  const raw = queryValue(query, 'partNumber');
  return { operation: operationOf(method, key, query), method, key, partNumber: raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined };
}

/** Which requests a fault applies to: every field given must match. */
export interface FaultMatch {
  operation?: OssOperation;
  partNumber?: number;
  key?: string;
}

interface FaultBase {
  match?: FaultMatch;
  /** Fires on the nth matching request counted from when the fault was added (default 1). */
  nth?: number;
  /** How many matching requests in a row it fires for, from the nth (default 1; Infinity for all). */
  times?: number;
}

/** Answer an OSS error (default 503 ServiceUnavailable) after reading the body. */
export interface FailFault extends FaultBase {
  kind: 'fail';
  status?: number;
  code?: string;
  message?: string;
}

/** Read this many body bytes, then reset the connection: the client sees a network error mid-upload. */
export interface CutFault extends FaultBase {
  kind: 'cut';
  afterBytes: number;
}

/** Wait before handling the request (a slow network or a slow OSS). */
export interface DelayFault extends FaultBase {
  kind: 'delay';
  ms: number;
}

export type Fault = FailFault | CutFault | DelayFault;

export interface LoggedRequest extends RequestFacts {
  status: number | 'cut' | 'refused';
  bytes: number;
}

interface ArmedFault {
  fault: Fault;
  seen: number;
  fired: number;
}

export class FaultInjector {
  private armed: ArmedFault[] = [];
  private offline = false;
  private expireAfter: number | undefined;
  /** Every request that reached the server, in arrival order. */
  readonly log: LoggedRequest[] = [];

  add(fault: Fault): void {
    this.armed.push({ fault, seen: 0, fired: 0 });
  }

  /** Removes every fault, ends an offline spell and the early expiry; the log is kept. */
  clear(): void {
    this.armed = [];
    this.offline = false;
    this.expireAfter = undefined;
  }

  /** While offline, every connection is reset as soon as it arrives, as when the network is gone. */
  setOffline(offline: boolean): void {
    this.offline = offline;
  }

  isOffline(): boolean {
    return this.offline;
  }

  /** URLs signed more than this many seconds ago answer "Request has expired." whatever their x-oss-expires says. */
  expireUrlsAfter(seconds: number | undefined): void {
    this.expireAfter = seconds;
  }

  urlLifetimeCap(): number | undefined {
    return this.expireAfter;
  }

  /** The faults that apply to this request, in the order they were added (each counted once per request). */
  take(facts: RequestFacts): Fault[] {
    const due: Fault[] = [];
    for (const entry of this.armed) {
      const m = entry.fault.match ?? {};
      if (m.operation !== undefined && m.operation !== facts.operation) continue;
      if (m.partNumber !== undefined && m.partNumber !== facts.partNumber) continue;
      if (m.key !== undefined && m.key !== facts.key) continue;
      entry.seen += 1;
      const nth = entry.fault.nth ?? 1;
      const times = entry.fault.times ?? 1;
      if (entry.seen >= nth && entry.fired < times) {
        entry.fired += 1;
        due.push(entry.fault);
      }
    }
    return due;
  }

  /** Requests of one operation (and part number) that the server saw, whatever their outcome. */
  count(operation: OssOperation, partNumber?: number): number {
    return this.log.filter((r) => r.operation === operation && (partNumber === undefined || r.partNumber === partNumber)).length;
  }
}
