import { runUpload } from './upload';
import type { Operation } from './types';

export const putOperation: Operation = {
  name: 'presign-put',
  action: 'put',
  httpMethods: ['POST'],
  integerFields: new Set(['expires', 'minExpires', 'contentLength']),
  booleanFields: new Set(['forbidOverwrite']),
  acceptsOssEvents: false,
  async run(body, context, deps) {
    return runUpload(body, context, deps);
  },
};
