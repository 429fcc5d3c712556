import { createFunctionHandler } from '../../shared/core/handler';
import { putOperation } from '../../shared/operations/put';

/** presign-put: presigned PUT URLs (handler: index.handler). Configuration is read once, at cold start. */
export const handler = createFunctionHandler(putOperation);
