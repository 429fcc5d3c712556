export { startLocalFc, type LocalFc, type LocalFcFunction, type LocalFcOptions, type RecordedInvocation } from './server';
export { roleCredentials, type RoleCredentials, type RoleCredentialsOptions } from './role-credentials';
export { buildHttpEvent, goCanonicalHeaderName } from './http-event';
export { httpAnswerFor } from './http-response';
export { verifyInvokeSignature, fc2StringToSign, InvokeAuthError } from './invoke-auth';
export type { FcContext, FcCredentials, FcHandler, FcLogger, HttpTriggerEvent, CredentialsSource } from './types';
