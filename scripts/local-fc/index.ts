export { startLocalFc, tailLog, type LocalFc, type LocalFcFunction, type LocalFcOptions, type QueueSink, type RecordedInvocation } from './server';
export { parseDestination, type AsyncInvokeConfig, type DestinationRecord } from './destinations';
export { buildInvokeWrap, type InvokeWrapEvent } from './invoke-wrap';
export { roleCredentials, type RoleCredentials, type RoleCredentialsOptions } from './role-credentials';
export { buildHttpEvent, goCanonicalHeaderName } from './http-event';
export { httpAnswerFor } from './http-response';
export { verifyInvokeSignature, fc2StringToSign, InvokeAuthError } from './invoke-auth';
export type { FcContext, FcCredentials, FcHandler, FcLogger, HttpTriggerEvent, CredentialsSource } from './types';
