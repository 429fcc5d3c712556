/** What the router hands every operation, and what operations hand back. */
import type { QueryPair } from './encoding';
import type { NotificationContext } from './notifications';
import type { ObjectStorage } from './storage';
import type { AuthResult } from './v4-verify';
import type { AuthContext } from './v4-verify';

export interface OssRequest {
  method: string;
  bucket: string;
  key: string | undefined;
  query: readonly QueryPair[];
  /** Lower-cased names, repeated values joined with ','. */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  auth: AuthResult;
  /** `http://host:port` as the client addressed us, for Location fields. */
  publicOrigin: string;
  /** x-oss-request-id of this request, and the client's address: both go into event notifications. */
  requestId: string;
  sourceIp: string;
}

export interface OssResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface ServerServices {
  storage: ObjectStorage;
  auth: AuthContext;
  /** Set when something listens for ObjectCreated events (the local stack's OSS trigger). */
  notifications?: NotificationContext;
}
