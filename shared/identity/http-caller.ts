import { ServiceError } from '../errors';
import { ANONYMOUS, MACHINE, PLATFORM, type Caller } from './caller';
import { machineTokenListed, type IdentityPolicy } from './config';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
export const SEND_TOKEN = 'send Authorization: Bearer <token> with a token this service accepts';

/**
 * Who an HTTP request (FC trigger, API Gateway) comes from. No Authorization header: anonymous. A bearer token is a
 * machine token when its digest is listed, else a JWT when an issuer is configured; anything else presented is
 * refused (401), never taken as anonymous. Where the function checks no callers itself, every HTTP caller is one the
 * platform let in (the trigger's authType, API Gateway).
 */
export async function identifyHttpCaller(authorization: string | undefined, identity: IdentityPolicy): Promise<Caller> {
  if (!identity.checksCallers) return PLATFORM;
  if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
  const token = BEARER.exec(authorization)?.[1];
  if (token !== undefined && machineTokenListed(token, identity.tokenDigests)) return MACHINE;
  if (token !== undefined && identity.jwt !== undefined) return identity.jwt.verify(token);
  throw new ServiceError('Unauthorized', 401, SEND_TOKEN);
}
