export { startLocalOss, type LocalOss, type LocalOssOptions } from './server';
export type { CorsRule } from './cors';
export type { OssEventRecord } from './notifications';
export { CredentialStore, type IssuedCredential } from '../local-cloud/credential-store';
