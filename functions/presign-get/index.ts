import { createFunctionHandler } from '../../shared/core/handler';
import { getOperation } from '../../shared/operations/get';

/** presign-get: presigned GET and HEAD URLs (handler: index.handler). Configuration is read once, at cold start. */
export const handler = createFunctionHandler(getOperation);
