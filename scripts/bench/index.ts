import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCli } from '../cli/args';

const USAGE = `usage: npm run bench [-- --write]
  Signing, invocations, batches, cold start and RSS, side by side with ali-oss, and the peak RSS of the largest
  requests the budgets allow; prints the report.
  --write   also write the report to BENCHMARKS.md (tracked: only when you mean to update it)`;

/** `npm run bench`: every figure is measured in this run, side by side with its comparison, on this machine. */
async function main(): Promise<void> {
  const { values } = parseCli(USAGE, { write: { type: 'boolean', default: false } });
  // Loaded after the command line is read, so that --help and a wrong flag answer at once.
  const { benchColdImport } = await import('./cold-import');
  const { benchColdHandlers } = await import('./handlers');
  const { benchLargest } = await import('./largest');
  const { buildFunctions } = await import('../build');
  const { benchBatches, benchInvocations } = await import('./invocation');
  const { renderReport, REPORT_FILE } = await import('./report');
  const { benchSigning } = await import('./signing');
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
  const built = await buildFunctions({ log: false });
  const coldHandlers = await benchColdHandlers(built);
  console.log('');
  const largest = benchLargest(built);
  const report = renderReport({ signing, coldImport, invocations, batches, coldHandlers, largest });
  console.log(`\n${report}`);
  if (values.write) {
    writeFileSync(REPORT_FILE, report);
    console.log(`wrote ${path.relative(process.cwd(), REPORT_FILE)}`);
  } else {
    console.log(`${path.basename(REPORT_FILE)} unchanged (npm run bench -- --write updates it)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
