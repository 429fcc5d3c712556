/**
 * `npm run queue`: reads presign-get's asynchronous results from a queue of the local MNS that `npm start` runs (or of
 * a real one), with the official client, @alicloud/mns. Prints each message's FC result record with its answer
 * parsed, and deletes it (unless --keep). Exits 1 when the queue stayed empty for --wait seconds.
 */
import { parseCli, wholeNumber, exitWithUsage } from './cli/args';
import { LOCAL_INVOKER_KEY, RESULT_QUEUE } from './local-stack/names';

const USAGE = `usage: npm run queue -- --endpoint <mns origin> [--queue <name>] [--wait <seconds>] [--max <n>] [--keep] [--account-id <id>]
  Takes result records from an MNS queue and prints them (the answer in responsePayload parsed).
  --endpoint <url>   the queue service, e.g. the local MNS origin npm start prints (or LOCAL_MNS_PORT)
  --queue <name>     default ${RESULT_QUEUE} (failures: oss-presign-failures)
  --wait <seconds>   long-poll this long for the first message (default 5, at most 30)
  --max <n>          stop after n messages (default 10)
  --keep             do not delete what was read (it shows again after the visibility timeout)
  Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, else the local stack's invoker key.`;

interface MnsClient {
  receiveMessage(queue: string, waitSeconds?: number): Promise<{ body: { MessageId: string; ReceiptHandle: string; MessageBody: string } }>;
  deleteMessage(queue: string, receiptHandle: string): Promise<unknown>;
}

async function main(): Promise<void> {
  const { values } = parseCli(USAGE, {
    endpoint: { type: 'string' }, queue: { type: 'string' }, wait: { type: 'string' }, max: { type: 'string' },
    keep: { type: 'boolean', default: false }, 'account-id': { type: 'string' },
  });
  const port = process.env.LOCAL_MNS_PORT;
  const endpoint = values.endpoint ?? (port ? `http://127.0.0.1:${port}` : undefined);
  if (endpoint === undefined) exitWithUsage(USAGE, 'give --endpoint (the local MNS origin npm start prints) or LOCAL_MNS_PORT');
  const queue = values.queue ?? RESULT_QUEUE;
  const wait = Math.min(30, wholeNumber(USAGE, 'wait', values.wait, 5));
  const max = wholeNumber(USAGE, 'max', values.max, 10);
  const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim() || LOCAL_INVOKER_KEY.accessKeyId;
  const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim() || LOCAL_INVOKER_KEY.accessKeySecret;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const MNS = require('@alicloud/mns') as new (accountId: string, opts: Record<string, unknown>) => MnsClient;
  const client = new MNS(values['account-id'] ?? '1234567890123456', { accessKeyId, accessKeySecret, endpoint });
  let read = 0;
  while (read < max) {
    let message;
    try {
      message = await client.receiveMessage(queue, read === 0 ? wait : 1);
    } catch (error) {
      if (error instanceof Error && error.name === 'MNSMessageNotExistError') break;
      throw error;
    }
    read += 1;
    const body = message.body.MessageBody;
    let shown: unknown = body;
    try {
      const record = JSON.parse(body) as { responsePayload?: string };
      shown = { ...record, responsePayload: typeof record.responsePayload === 'string' ? JSON.parse(record.responsePayload) as unknown : record.responsePayload };
    } catch {
      /* not a result record: print as it is */
    }
    process.stdout.write(`${JSON.stringify({ messageId: message.body.MessageId, record: shown }, null, 2)}\n`);
    if (!values.keep) await client.deleteMessage(queue, message.body.ReceiptHandle);
  }
  if (read === 0) {
    process.stderr.write(`no message in ${queue} after ${wait} s\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`queue: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
