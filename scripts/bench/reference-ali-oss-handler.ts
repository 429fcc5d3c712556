import OSS from 'ali-oss';

/**
 * The comparison for the cold-start benchmark: the presign handler a typical user writes with the official SDK —
 * parse the event, build a client from the context credentials, sign a V4 URL. Benchmark only; never deployed.
 */
interface Context { credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string } }

export const handler = async (event: Buffer, context: Context) => {
  const request = JSON.parse(event.toString('utf8')) as { key: string; contentType?: string; expires?: number };
  const client = new OSS({
    region: `oss-${process.env.OSS_REGION ?? 'cn-hangzhou'}`,
    bucket: process.env.OSS_BUCKET,
    accessKeyId: context.credentials.accessKeyId,
    accessKeySecret: context.credentials.accessKeySecret,
    stsToken: context.credentials.securityToken,
    secure: true,
    authorizationV4: true,
  } as OSS.Options);
  const headers = request.contentType ? { 'content-type': request.contentType } : {};
  const url = await client.signatureUrlV4('PUT', request.expires ?? 900, { headers }, request.key);
  return { method: 'PUT', url, signedHeaders: headers };
};
