/** Names the local stack and its command-line tools share, apart from the stack so the tools load fast. */

/** The local stand-in for the developer's AccessKey: a local-only key that no cloud knows (see index.ts). */
export const LOCAL_INVOKER_KEY = { accessKeyId: 'LTAI5tLocalStackInvoker', accessKeySecret: 'local-stack-secret-known-to-no-cloud' } as const;
export const RESULT_QUEUE = 'oss-presign-results';
export const FAILURE_QUEUE = 'oss-presign-failures';
/** The object-creating events the local OSS raises, all of which the local OSS trigger subscribes to. */
export const OSS_TRIGGER_EVENTS = ['oss:ObjectCreated:PutObject', 'oss:ObjectCreated:PostObject', 'oss:ObjectCreated:CompleteMultipartUpload'] as const;
