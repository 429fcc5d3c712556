/**
 * The page's Uppy mode (?mode=uppy): Uppy's Dashboard uploading through @uppy/aws-s3 v6, signed by presign-put via
 * the adapter in shared/client/uppy.ts. Loaded only in this mode (its own bundle, uppy.js, with uppy.css).
 */
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { downloadUrl } from '../../shared/client';
import { ossPresignForUppy } from '../../shared/client/uppy';

interface ModeConfig {
  presignPut: string;
  presignGet: string;
  multipartAbove: number;
}

export function startUppy(config: ModeConfig, token: () => string | undefined, addLink: (key: string, url: string, expiration: string) => void): Uppy {
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = 'uppy.css';
  document.head.append(css);
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(Dashboard, { inline: true, target: '#dashboard', height: 420, proudlyDisplayPoweredByUppy: false });
  uppy.use(AwsS3, { ...ossPresignForUppy({ endpoint: config.presignPut, token, multipartThreshold: config.multipartAbove }), limit: 3 });
  uppy.on('upload-success', (file, response) => {
    const key = (response.body as { key?: string } | undefined)?.key ?? file?.name ?? '';
    void downloadUrl(key, { endpoint: config.presignPut, getEndpoint: config.presignGet, token }).then(({ url, expiration }) => addLink(key, url, expiration));
  });
  (window as unknown as { uppy: Uppy }).uppy = uppy;
  return uppy;
}
