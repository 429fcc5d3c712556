import { PLATFORM, type Caller } from './caller';
import type { IdentityPolicy } from './config';

export const SEND_TOKEN = 'send Authorization: Bearer <token> with a token this service accepts';

/**
 * Who an HTTP request (FC trigger, API Gateway) comes from: the deployment's caller check decides from the
 * Authorization header alone. Where the function checks no callers itself, every HTTP caller is one the platform let
 * in (the trigger's authType, API Gateway).
 */
export function identifyHttpCaller(authorization: string | undefined, identity: IdentityPolicy): Promise<Caller> | Caller {
  return identity.check === undefined ? PLATFORM : identity.check.identify(authorization);
}
