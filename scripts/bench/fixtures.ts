import { randomBytes } from 'node:crypto';

/** A realistic STS token: FC hands out ~600 base64 characters starting with CAIS, full of `+`, `/` and `=`. */
export function realisticSecurityToken(): string {
  return `CAIS${randomBytes(447).toString('base64')}`.slice(0, 600);
}

export const BENCH_CREDENTIALS = {
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Kvp',
  accessKeySecret: 'ABcd1234EFgh5678IJkl9012MNop3456QRst7890',
  securityToken: realisticSecurityToken(),
};

export const BENCH_REQUEST = {
  bucket: 'examplebucket',
  key: 'uploads/2026/11/6f1c2d9e-photo of a cat+dog.png',
  region: 'cn-hangzhou',
  contentType: 'image/png',
  expires: 900,
};
