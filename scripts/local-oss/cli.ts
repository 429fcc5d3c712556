/**
 * Runs the local OSS by hand: `npx tsx scripts/local-oss/cli.ts --port 9000 --bucket demo`.
 * Keys come from the environment (LOCAL_OSS_ACCESS_KEY_ID / LOCAL_OSS_ACCESS_KEY_SECRET) and are never printed.
 */
import { parseCli } from '../cli/args';

const USAGE = `usage: npx tsx scripts/local-oss/cli.ts [--port 9000] [--host 127.0.0.1] [--region cn-hangzhou] [--data-dir <dir>]
                                      [--bucket <name>]... [--cors-origin <origin>]...
  The local OSS alone. Keys: LOCAL_OSS_ACCESS_KEY_SECRET (required) and LOCAL_OSS_ACCESS_KEY_ID (default LTAIlocaldev).`;
import { CredentialStore } from '../local-cloud/credential-store';
import { startLocalOss } from './server';

async function main(): Promise<void> {
  const { values } = parseCli(USAGE, {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      region: { type: 'string', default: 'cn-hangzhou' },
      'data-dir': { type: 'string' },
      bucket: { type: 'string', multiple: true, default: ['demo-bucket'] },
      'cors-origin': { type: 'string', multiple: true },
  });
  const accessKeyId = process.env['LOCAL_OSS_ACCESS_KEY_ID'] ?? 'LTAIlocaldev';
  const accessKeySecret = process.env['LOCAL_OSS_ACCESS_KEY_SECRET'];
  if (!accessKeySecret) throw new Error('set LOCAL_OSS_ACCESS_KEY_SECRET (and optionally LOCAL_OSS_ACCESS_KEY_ID)');
  const credentials = new CredentialStore();
  credentials.add({ accessKeyId, accessKeySecret });
  const origins = values['cors-origin'];
  const oss = await startLocalOss({
    credentials,
    host: values.host,
    port: Number(values.port),
    region: values.region,
    dataDir: values['data-dir'],
    buckets: values.bucket,
    cors: origins ? [{ allowedOrigins: origins, allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], allowedHeaders: ['*'], exposeHeaders: ['ETag', 'x-oss-request-id'], maxAgeSeconds: 600 }] : undefined,
    log: (line) => console.log(line),
  });
  console.log(`local OSS on ${oss.origin} (region ${oss.region}, key id ${accessKeyId}, buckets ${(values.bucket ?? []).join(', ')}, data ${oss.dataDir})`);
  const stop = (): void => {
    void oss.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
