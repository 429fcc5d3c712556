/**
 * oss-presign client: uploads and downloads through presign-put and presign-get, for browsers and Node 20, with no
 * runtime dependency. See README "Client library".
 */
export { upload, abortUpload, choosePartSize } from './upload';
export { download, downloadUrl } from './download';
export { UploadError } from './errors';
export { memoryCheckpointStore, localStorageCheckpointStore } from './checkpoint';
export { DEFAULT_RETRY_DELAYS } from './retry';
export type {
  AbortOutcome, Checkpoint, CheckpointStore, DownloadOptions, DownloadResult, HeaderProvider, Progress, ServiceOptions, TokenProvider,
  UploadBody, UploadOptions, UploadResult, UploadState, UploadStep,
} from './types';
