import os from 'node:os';
import { benchColdImport } from './cold-import';
import { benchColdHandlers } from './handlers';
import { benchBatches, benchInvocations } from './invocation';
import { writeReport } from './report';
import { benchSigning } from './signing';

/** `npm run bench`: every figure is measured in this run, side by side with its comparison, on this machine. */
async function main(): Promise<void> {
  console.log(`oss-presign benchmarks — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log('');
  const signing = await benchSigning();
  console.log('');
  const invocations = await benchInvocations();
  console.log('');
  const batches = await benchBatches();
  console.log('');
  const coldImport = benchColdImport();
  console.log('');
  const coldHandlers = await benchColdHandlers();
  writeReport({ signing, coldImport, invocations, batches, coldHandlers });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
