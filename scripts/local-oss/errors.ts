/**
 * OSS error answers. Every failure in the server is an OssError so the HTTP layer has a single place that turns it
 * into OSS's XML body plus x-oss-request-id / x-oss-ec headers, the shape SDKs parse into their error objects.
 */
import { randomBytes } from 'node:crypto';
import { xmlDocument, type XmlElement } from './xml';

export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements after HostId, e.g. CanonicalRequest; never anything derived from a secret. */
    readonly extra: ReadonlyArray<[string, string]> = [],
    /** OSS's documented "EC" for this failure, when known (help.aliyun.com/…/0002-000002xx pages). */
    readonly ec?: string,
    /** Headers that must accompany this error (e.g. the ETag of an object stored before its callback failed). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function newRequestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

export function errorBody(err: OssError, requestId: string, hostId: string): string {
  const children: XmlElement[] = [
    ['Code', err.code],
    ['Message', err.message],
    ['RequestId', requestId],
    ['HostId', hostId],
    ...err.extra.map(([k, v]): XmlElement => [k, v]),
  ];
  if (err.ec) children.push(['EC', err.ec]);
  return xmlDocument('Error', children);
}

// Constructors for the errors that several modules raise, so messages stay word-for-word identical.
export const Errors = {
  noSuchBucket: (bucket: string) =>
    new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', [['BucketName', bucket]], '0015-00000101'),
  noSuchKey: (key: string) =>
    new OssError(404, 'NoSuchKey', 'The specified key does not exist.', [['Key', key]], '0026-00000001'),
  accessDeniedAnonymous: () =>
    new OssError(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.', [], '0003-00000001'),
  invalidArgument: (message: string, name?: string, value?: string, ec?: string) =>
    new OssError(
      400,
      'InvalidArgument',
      message,
      name !== undefined ? [['ArgumentName', name], ['ArgumentValue', value ?? '']] : [],
      ec,
    ),
  methodNotAllowed: () => new OssError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.'),
  notImplemented: (what: string) => new OssError(501, 'NotImplemented', `The local OSS does not implement ${what}.`),
};
