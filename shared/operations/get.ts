import { parseGetRequest } from '../request/get';
import { presignGet } from '../service/presign-get';
import type { Operation } from './types';

export const getOperation: Operation = {
  name: 'presign-get',
  action: 'get',
  httpMethods: ['GET', 'POST'],
  integerFields: new Set(['expires', 'minExpires', 'trafficLimit']),
  booleanFields: new Set(),
  acceptsOssEvents: true,
  async run(body, context, deps) {
    return { ...(await presignGet(parseGetRequest(body), context, deps)) };
  },
};
