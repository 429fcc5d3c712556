/**
 * Every example in README.md and docs/operations.md, run as written against the local stack (what `npm start` runs),
 * with s.yaml's shipped vars. The examples' placeholders are set as a reader would set them for a deployment:
 * PUT_TRIGGER_URL / GET_TRIGGER_URL (the HTTP triggers), TOKEN (the bearer token of the documented browser setup:
 * anonymous trigger + AUTH_TOKEN_SHA256), the ALIBABA_CLOUD_* key (the local invoker key), and FC_INVOKE_ENDPOINT
 * pointing remote-invoke at the local FC host. `s <resource> invoke` is Serverless Devs' InvokeFunction call: a shim
 * makes the same call with the official client. A token is in force for the trigger examples, so an example that
 * leaves out the authentication it needs fails here; the event examples go to functions with exactly the shipped vars.
 * A failing example fails with its file, line and text.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildFunctions } from '../../scripts/build';
import { environmentOf, loadSYaml, resourceFor } from '../../scripts/fc/s-yaml';
import type { FcHandler } from '../../scripts/local-fc';
import { invoke } from '../../scripts/remote-invoke';
import { createFunctionHandler } from '../../shared/core/handler';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { startStack } from '../local-stack/helpers';
import { tempDir } from '../support/temp';
import { classify, codeBlocks, commandsOf, describeExample, DOC_FILES, looksLikeEvent, promisedPairs, type CodeBlock, type Command } from './examples';
import '../support/frozen-prototypes'; // after the imports: some test-only libraries assign to prototypes as they load

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'docs-example-token-9f2c';
const TSX = require.resolve('tsx/cli');

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let shellEnv: Record<string, string>;

const blocks = DOC_FILES.flatMap((file) => codeBlocks(ROOT, file));
const commands = blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash').flatMap(commandsOf);
const runnable = commands.filter((c) => classify(c.text) === 'run');
const events = blocks.filter((b) => b.lang === 'json' && b.marker?.startsWith('event '));

beforeAll(async () => {
  await buildFunctions({ log: false }); // `npm run invoke` runs the built bundles
  const shipped = environmentOf(resourceFor(loadSYaml(), 'presign-put')[1]);
  // The stack decides where OSS is and which bucket; everything else is as s.yaml ships it, plus the token.
  for (const name of ['OSS_ENDPOINT', 'OSS_CUSTOM_DOMAIN', 'OSS_BUCKET', 'OSS_REGION']) delete shipped[name];
  const env = { ...shipped, AUTH_TOKEN_SHA256: createHash('sha256').update(TOKEN).digest('hex'), AUTH_TRUST_INVOKE_FUNCTION: 'true' };
  stack = await startStack({
    bucket: String(loadSYaml().vars.ossBucket),
    env,
    loadFunctions: async () => {
      const withToken = (await import('../../functions/presign-put/index')) as { handler: FcHandler };
      const getWithToken = (await import('../../functions/presign-get/index')) as { handler: FcHandler };
      // The event examples' functions: exactly the shipped vars, no token (an event source sends none).
      const plain = { ...process.env, AUTH_TOKEN_SHA256: '', AUTH_TRUST_INVOKE_FUNCTION: 'false' };
      // The deployed names too (s.yaml: functionPrefix + name), which the remote-invoke examples use.
      const prefix = String(loadSYaml().vars.functionPrefix);
      return {
        'presign-put': withToken.handler,
        'presign-get': getWithToken.handler,
        [`${prefix}presign-put`]: withToken.handler,
        [`${prefix}presign-get`]: getWithToken.handler,
        'presign-put-events': createFunctionHandler(putOperation, { env: plain, log: () => undefined }) as unknown as FcHandler,
        'presign-get-events': createFunctionHandler(getOperation, { env: plain, log: () => undefined }) as unknown as FcHandler,
      };
    },
  });
  const bin = tempDir('oss-presign-docs-bin-');
  // Serverless Devs' `s <resource> invoke -e|-f`: an FC 3.0 InvokeFunction call of the resource's function.
  writeFileSync(path.join(bin, 's'), `#!/usr/bin/env bash
set -euo pipefail
resource="$1"; shift
[ "$1" = invoke ] || { echo "the shim only knows invoke" >&2; exit 64; }
shift
exec "${process.execPath}" "${TSX}" "${ROOT}/scripts/remote-invoke.ts" fc3 --function "${String(loadSYaml().vars.functionPrefix)}\${resource/_/-}" "$@"
`);
  chmodSync(path.join(bin, 's'), 0o755);
  const origin = stack.fc.origin;
  shellEnv = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? ROOT,
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    PUT_TRIGGER_URL: `${origin}/presign-put`,
    GET_TRIGGER_URL: `${origin}/presign-get`,
    TOKEN,
    ALIBABA_CLOUD_ACCESS_KEY_ID: stack.invokerKey.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.invokerKey.accessKeySecret,
    ALIBABA_CLOUD_ACCOUNT_ID: stack.fc.accountId,
    FC_INVOKE_ENDPOINT: origin,
    LOCAL_MNS_PORT: String(new URL(stack.mns.origin).port),
  };
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-o', 'pipefail', '-c', command], { cwd: ROOT, env: shellEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Compact JSON when the text is JSON, without the escapes of nested JSON strings, so pairs compare as written. */
function normalised(text: string): string {
  let out = text.trim();
  try {
    out = JSON.stringify(JSON.parse(out));
  } catch {
    /* not JSON */
  }
  return out.replace(/\\"/g, '"');
}

function checkAnswer(where: string, output: string, promise: string): void {
  const text = normalised(output);
  const { pairs, error } = promisedPairs(promise.replace(/\\"/g, '"'));
  const missing = pairs.filter(([k, v]) => !text.includes(`"${k}":"${v}"`));
  if (missing.length > 0) throw new Error(`${where}\nthe answer lacks ${missing.map(([k, v]) => `"${k}": "${v}"`).join(', ')}\nanswer: ${output.slice(0, 1500)}`);
  if (!error && /"error":\{/.test(text)) throw new Error(`${where}\nthe example shows no error, the answer has one:\n${output.slice(0, 1500)}`);
}

it('the examples were found, and every shell command is either run or named as not runnable here', () => {
  expect(runnable.length).toBeGreaterThanOrEqual(8);
  expect(events.length).toBeGreaterThanOrEqual(3);
  const unclassified = commands.filter((c) => classify(c.text) === undefined).map((c) => describeExample(c.block, c.text));
  expect(unclassified).toEqual([]);
  const unmarked = blocks.filter((b) => b.lang === 'json' && b.marker === undefined && looksLikeEvent(b.text)).map((b) => describeExample(b));
  expect(unmarked).toEqual([]);
});

// The examples do not depend on each other: they run three at a time (each is a process start or two).
const outputs = new Map<Command, Promise<{ code: number; stdout: string; stderr: string }>>();
function outputOf(command: Command): Promise<{ code: number; stdout: string; stderr: string }> {
  if (outputs.size === 0) {
    const queue = [...runnable];
    const started = new Map<Command, (r: { code: number; stdout: string; stderr: string }) => void>();
    for (const c of runnable) outputs.set(c, new Promise((resolve) => started.set(c, resolve)));
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) started.get(c)?.(await sh(c.text));
    };
    void Promise.all([worker(), worker(), worker()]);
  }
  return outputs.get(command) as Promise<{ code: number; stdout: string; stderr: string }>;
}

describe('shell examples', () => {
  it.each(runnable.map((c): [string, Command] => [`${c.block.file}:${c.line} ${c.text.slice(0, 70)}`, c]))('%s', async (_label, command) => {
    const where = describeExample(command.block, command.text);
    const result = await outputOf(command);
    if (result.code !== 0) throw new Error(`${where}\nexited ${result.code}\n${result.stderr.slice(0, 1500)}${result.stdout.slice(0, 500)}`);
    checkAnswer(where, result.stdout, command.expect);
  });
});

function answerFor(block: CodeBlock): string {
  const next = blocks[blocks.indexOf(block) + 1];
  if (next && next.file === block.file && next.marker === 'answer') return next.text;
  if (block.after.trim().startsWith('→')) return block.after;
  throw new Error(`${describeExample(block)}\nsays no answer: follow it with a \`→ …\` line or a json block marked <!-- example: answer -->`);
}

describe('event examples, sent through the InvokeFunction API to functions with the shipped vars', () => {
  it.each(events.map((b): [string, CodeBlock] => [`${b.file}:${b.line} ${b.marker}`, b]))('%s', async (_label, block) => {
    const fn = (block.marker as string).replace(/^event /, '');
    const target = { api: 'fc3' as const, functionName: `${fn}-events`, accountId: stack.fc.accountId, region: stack.region, endpoint: stack.fc.origin, credentials: stack.invokerKey };
    let output: string;
    try {
      output = (await invoke(target, Buffer.from(block.text))).body.toString('utf8');
    } catch (error) {
      const e = error as { data?: unknown };
      if (e.data === undefined) throw error;
      output = JSON.stringify(e.data);
    }
    checkAnswer(describeExample(block), output, answerFor(block));
  });
});
