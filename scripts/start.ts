/**
 * `npm start`: the whole product on loopback with no cloud account — local STS, local OSS (V4 signatures checked),
 * the local Function Compute host running presign-put and presign-get, and the upload page — then prints a
 * ready-to-paste example. `npm start -- --check` (or START_CHECK=1) runs presign → upload → download once with curl
 * and exits 0 or 1. Ports: free ones, or LOCAL_STS_PORT, LOCAL_OSS_PORT, LOCAL_FC_PORT, LOCAL_PAGE_PORT.
 * Bucket: LOCAL_BUCKET (default local-bucket). No AccessKeySecret is ever printed; example URLs carry the
 * temporary key's security token, as OSS requires.
 */
import { parseArgs } from 'node:util';
import { runCheck, presign } from './local-stack/check';
import { startLocalStack } from './local-stack';

function portFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return Number(raw);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } } });
  const check = values.check || process.env.START_CHECK === '1';
  const verbose = values.verbose || process.env.START_VERBOSE === '1';
  const stack = await startLocalStack({
    ports: { sts: portFromEnv('LOCAL_STS_PORT'), oss: portFromEnv('LOCAL_OSS_PORT'), fc: portFromEnv('LOCAL_FC_PORT'), page: portFromEnv('LOCAL_PAGE_PORT') },
    bucket: process.env.LOCAL_BUCKET || undefined,
    log: verbose ? (line) => console.log(line) : undefined,
  });

  if (check) {
    try {
      for (const line of await runCheck(stack)) console.log(`check: ${line}`);
      console.log('check: OK');
      return 0;
    } catch (err) {
      console.error(`check: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      await stack.close();
    }
  }

  const sample = await presign(stack.presignPutUrl, { key: 'hello.txt', contentType: 'text/plain' });
  const put = stack.presignPutUrl;
  const get = stack.presignGetUrl;
  const pick = `node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).url))'`;
  console.log(`
oss-presign local stack is up (region ${stack.region}, bucket ${stack.bucket})
  upload page   ${stack.page.origins.map((o) => `${o}/`).join('  or  ')}   (?mode=uppy: Uppy's Dashboard)
  presign-put   ${put}      (FC 3.0 HTTP trigger; InvokeFunction API: ${stack.fc.origin}/2023-03-30/functions/presign-put/invocations)
  presign-get   ${get}
  local OSS     ${stack.oss.origin}   (path-style; V4 signatures verified)
  local STS     ${stack.sts.origin}   (runtime role ${stack.runtimeRoleArn}, renewed before expiry)

1. Presign an upload:
   curl -s -X POST ${put} -H 'content-type: application/json' -d '{"key":"hello.txt","contentType":"text/plain"}'

2. Upload with the URL it answered (send the signedHeaders it lists, here content-type):
   echo 'hello from oss-presign' > hello.txt
   curl -X PUT -T hello.txt -H 'content-type: text/plain' "$(curl -s -X POST ${put} -H 'content-type: application/json' -d '{"key":"hello.txt","contentType":"text/plain"}' | ${pick})"

   or paste this URL, presigned just now (expires ${sample.expiration}):
   curl -X PUT -T hello.txt -H 'content-type: text/plain' ${shellQuote(sample.url)}

3. Download:
   curl -s "$(curl -s -X POST ${get} -H 'content-type: application/json' -d '{"key":"hello.txt"}' | ${pick})"
   curl -s "$(curl -s '${get}?key=hello.txt' | ${pick})"

Ctrl-C stops everything.`);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await stack.close();
  console.log('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
