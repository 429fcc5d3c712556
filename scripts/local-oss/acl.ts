/**
 * What OSS lets an anonymous (unsigned) request do, by object ACL. An object's ACL overrides the bucket's
 * (`default` and none mean the bucket's, which is private here): public-read admits anonymous GET and HEAD, and
 * public-read-write also anonymous writes to that object — PutObject over it, DeleteObject
 * (help.aliyun.com/en/oss/developer-reference/putobjectacl). Anything else anonymous is AccessDenied, EC
 * 0003-00000001, the same whether or not the key exists, so a private bucket says nothing about its keys.
 */
import type { QueryPair } from './encoding';
import { Errors } from './errors';
import type { ObjectStorage } from './storage';

const READ = new Set(['public-read', 'public-read-write']);
const WRITE = new Set(['public-read-write']);

export async function admitAnonymous(method: string, bucket: string, key: string | undefined, query: readonly QueryPair[], storage: ObjectStorage): Promise<void> {
  if (key === undefined) throw Errors.accessDeniedAnonymous();
  const acl = (await storage.headObject(bucket, key))?.acl;
  // Sub-resources (multipart, ACL, tagging...) are operations of their own: anonymous access covers only the object.
  const plain = query.every((pair) => pair.key === 'versionId' || pair.key.startsWith('response-'));
  const reading = method === 'GET' || method === 'HEAD';
  const writing = method === 'PUT' || method === 'DELETE';
  const allowed = plain && acl !== undefined && ((reading && READ.has(acl)) || (writing && WRITE.has(acl)));
  if (!allowed) throw Errors.accessDeniedAnonymous();
}
