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

/** A JWT caller for the identity benchmarks: an inline JWKS and a token for `users/<sub>/`, valid for an hour. */
export async function benchJwtCaller(alg: 'RS256' | 'ES256' = 'ES256'): Promise<{ env: Record<string, string>; token: string; key: string }> {
  const { makeKey } = await import('../local-oidc/server');
  const { SignJWT } = await import('jose');
  const key = await makeKey(alg);
  const issuer = 'https://issuer.bench.example';
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: 'bench-user' }).setProtectedHeader({ alg, kid: key.kid }).setIssuer(issuer).setAudience('oss-presign').setIssuedAt(now).setExpirationTime(now + 3600).sign(key.privateKey);
  return {
    env: { ALLOWED_KEY_PREFIXES: 'users/{sub}/', AUTH_ISSUER: issuer, AUTH_AUDIENCE: 'oss-presign', AUTH_JWKS: JSON.stringify({ keys: [key.publicJwk] }) },
    token,
    key: 'users/bench-user/photo.png',
  };
}
