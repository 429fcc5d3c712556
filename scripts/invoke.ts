import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exitWithUsage, parseCli } from './cli/args';
import { callHandler, credentialsFromEnv, fcContext, fcSystemEnv } from './fc/context';
import { environmentOf, loadSYaml, resourceFor } from './fc/s-yaml';

/**
 * `npm run invoke -- presign-put -f scripts/events/put-direct.json` — the offline twin of
 * `s presign_put invoke -f scripts/events/put-direct.json`: runs the BUILT handler (dist/<function>/index.js, so
 * `npm run build` first) as FC would: the event file's bytes as a Buffer, an FC-shaped context, the function's
 * environment from s.yaml (a variable already set in this shell wins, e.g. OSS_BUCKET=mine npm run invoke …) plus
 * FC's system variables. Prints the handler's result as JSON on stdout; the function's logs go to stderr.
 *
 * Options: -f <file> | -e '<payload>' ; --dist <dir> (default dist) ; --no-s-yaml (only this shell's environment).
 * Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, else a labelled local demo key.
 */
const ROOT = path.resolve(__dirname, '..');
const USAGE = `usage: npm run invoke -- <presign-put|presign-get> (-f <event.json> | -e '<payload>') [--dist <dir>] [--no-s-yaml]
  Runs the BUILT handler (npm run build first) as FC would, with s.yaml's environment; prints the result as JSON.
  -f, --event-file <file>   the event (e.g. scripts/events/put-direct.json)
  -e, --event <payload>     the event as text
  --dist <dir>              where the bundles are (default dist)
  --no-s-yaml               only this shell's environment, not s.yaml's`;

interface Args { fn: string; payload: Buffer; dist: string; useSYaml: boolean }

function parseArgs(argv: string[]): Args {
  const { values, positionals } = parseCli(USAGE, {
    'event-file': { type: 'string', short: 'f' },
    event: { type: 'string', short: 'e' },
    dist: { type: 'string' },
    'no-s-yaml': { type: 'boolean', default: false },
  }, argv, { positionals: true });
  const [fn, ...extra] = positionals;
  if (fn === undefined) exitWithUsage(USAGE, 'name the function: presign-put or presign-get');
  if (extra.length > 0) exitWithUsage(USAGE, `unexpected argument ${extra[0]}`);
  const payload = values['event-file'] !== undefined ? readFileSync(path.resolve(values['event-file'])) : values.event !== undefined ? Buffer.from(values.event, 'utf8') : undefined;
  if (payload === undefined) exitWithUsage(USAGE, 'give the event with -f <file> or -e <payload>');
  return { fn, payload, dist: values.dist !== undefined ? path.resolve(values.dist) : path.join(ROOT, 'dist'), useSYaml: !values['no-s-yaml'] };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const bundle = path.join(args.dist, args.fn, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${path.relative(process.cwd(), bundle)} does not exist: run npm run build first`);

  const s = args.useSYaml ? loadSYaml() : undefined;
  const resource = s ? resourceFor(s, args.fn)[1] : undefined;
  const identity = {
    name: resource?.props.functionName ?? args.fn,
    region: process.env.FC_REGION ?? resource?.props.region ?? 'cn-hangzhou',
    memory: Number(resource?.props.memorySize ?? 128),
    timeout: Number(resource?.props.timeout ?? 5),
    handler: resource?.props.handler ?? 'index.handler',
  };
  const { credentials, label } = credentialsFromEnv(process.env);
  // s.yaml's environment under this shell's, then what FC itself sets: the handler reads it all at cold start.
  const shell = { ...process.env };
  Object.assign(process.env, resource ? environmentOf(resource) : {}, shell, fcSystemEnv(identity, credentials, path.dirname(bundle)));

  const context = fcContext(identity, credentials);
  process.stderr.write(`invoking ${path.relative(ROOT, bundle)} as ${identity.name} (${identity.region}); credentials: ${label}\n`);
  const started = process.hrtime.bigint();
  // What the function prints is its log (FC ships stdout to the logstore): to stderr here, so stdout is the result.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let result: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(bundle) as { handler?: (...a: unknown[]) => unknown };
    if (typeof mod.handler !== 'function') throw new Error(`${bundle} does not export handler`);
    result = await callHandler(mod.handler, args.payload, context);
  } finally {
    process.stdout.write = stdoutWrite;
  }
  process.stderr.write(`done in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms (cold: bundle load included)\n`);
  process.stdout.write(`${Buffer.isBuffer(result) ? result.toString('utf8') : JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
