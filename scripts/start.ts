/**
 * `npm start`: the whole product on loopback with no cloud account — local STS, local OSS (V4 signatures checked),
 * local MNS, the local Function Compute host running presign-put and presign-get, and the upload page — then prints a
 * ready-to-paste example. `npm start -- --check` (or START_CHECK=1) runs presign → upload → download once with curl
 * and exits 0 or 1. Ports: free ones, or LOCAL_STS_PORT, LOCAL_OSS_PORT, LOCAL_FC_PORT, LOCAL_PAGE_PORT,
 * LOCAL_MNS_PORT. Bucket: LOCAL_BUCKET (default local-bucket). `--data <dir>` keeps the objects there across restarts.
 * The only secret printed is the local invoker key, which no cloud knows (scripts/local-stack/index.ts).
 * SIGINT, SIGTERM or SIGHUP to any process of npm start's chain stops every server (local-stack/process-chain.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseCli } from './cli/args';
import { FAILURE_QUEUE, RESULT_QUEUE } from './local-stack/names';
import { watchChain } from './local-stack/process-chain';

const USAGE = `usage: npm start [-- --check] [--verbose] [--data <dir>]
  The whole service on loopback: local STS, OSS, MNS, the FC host with both functions, and the upload page.
  --check        run presign → curl upload → curl download once, then exit 0 or 1
  --verbose      print every request the local servers answer
  --data <dir>   keep the local OSS's objects in <dir>, across restarts (default: a temporary folder, removed)
  Environment: LOCAL_STS_PORT, LOCAL_OSS_PORT, LOCAL_FC_PORT, LOCAL_PAGE_PORT, LOCAL_MNS_PORT, LOCAL_OIDC_PORT, LOCAL_BUCKET.`;

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
  const { values } = parseCli(USAGE, { check: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, data: { type: 'string' } });
  const check = values.check || process.env.START_CHECK === '1';
  const verbose = values.verbose || process.env.START_VERBOSE === '1';
  const dataDir = values.data === undefined ? undefined : path.resolve(values.data);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  // Stop requests that arrive while the stack is still starting are kept and honoured once it is up.
  let stopRequested: string | undefined;
  let onStop = (why: string): void => {
    stopRequested ??= why;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onStop(signal));
  watchChain('scripts/start.ts', (who) => onStop(`${who} is gone`));
  // Loaded after the command line is read, so that --help and a wrong flag answer at once.
  const { startLocalStack } = await import('./local-stack');
  const { runCheck, presign } = await import('./local-stack/check');
  const stack = await startLocalStack({
    ports: { sts: portFromEnv('LOCAL_STS_PORT'), oss: portFromEnv('LOCAL_OSS_PORT'), fc: portFromEnv('LOCAL_FC_PORT'), page: portFromEnv('LOCAL_PAGE_PORT'), mns: portFromEnv('LOCAL_MNS_PORT'), oidc: portFromEnv('LOCAL_OIDC_PORT') },
    // A local OIDC issuer and per-user folders: sign in on the page as alice or bob (scripts/local-stack/oidc-rules.ts).
    oidc: true,
    bucket: process.env.LOCAL_BUCKET || undefined,
    dataDir,
    // Function logs always (on FC they go to the logstore); each request the servers answer with --verbose.
    log: (line) => {
      if (verbose || (!check && /^fc {3}(?![A-Z]+ \/)/.test(line))) console.log(line);
    },
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
  if (stopRequested !== undefined) {
    await stack.close();
    console.log(`stopped (${stopRequested})`);
    return 0;
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
  local OSS     ${stack.oss.origin}   (path-style; V4 signatures verified)${dataDir ? `, objects kept in ${dataDir}` : ''}
  local MNS     ${stack.mns.origin}   (queues ${RESULT_QUEUE}, ${FAILURE_QUEUE}: presign-get's async results)
  local STS     ${stack.sts.origin}   (runtime role ${stack.runtimeRoleArn}, renewed before expiry)
  local OIDC    ${stack.oidc?.origin}   (issuer of the page's sign-in: users/<name>/ is each user's own folder)

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

4. Every upload also runs presign-get asynchronously (the OSS trigger); read its result from the queue:
   npm run queue -- --endpoint ${stack.mns.origin}

5. Sign in as alice (a JWT from the local issuer), then presign into her folder; bob's folder answers 403:
   TOKEN=$(curl -s -X POST ${stack.oidc?.origin}/token -d '{"username":"alice"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
   curl -s -X POST ${put} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"key":"users/alice/notes.txt"}'
   curl -s -X POST ${put} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"key":"users/bob/notes.txt"}'

6. Call a function through the InvokeFunction API, as another service would (the local key below):
   export ALIBABA_CLOUD_ACCESS_KEY_ID=${stack.invokerKey.accessKeyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${stack.invokerKey.accessKeySecret}
   npx tsx scripts/remote-invoke.ts fc3 --endpoint ${stack.fc.origin} --account-id ${stack.fc.accountId} --function presign-get -e '{"key":"hello.txt"}'

Ctrl-C (or SIGTERM to any process of npm start) stops everything.`);

  const why = await new Promise<string>((resolve) => {
    if (stopRequested !== undefined) resolve(stopRequested);
    onStop = resolve;
  });
  await stack.close();
  console.log(`stopped (${why})`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
