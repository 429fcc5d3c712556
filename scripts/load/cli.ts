/**
 * `npm run load`: 100,000 valid requests through the local FC host (both real handlers) at a fixed concurrency,
 * then a short report; exits 1 when any request failed or the heap did not stay flat.
 * Options: --amount N (0 = use --duration), --duration S, --connections C, --warmup N, --heap-budget MB.
 */
import { exitWithUsage, parseCli, wholeNumber } from '../cli/args';
import { FULL, type LoadOptions } from './options';

const USAGE = `usage: npm run load -- [--amount N] [--duration S] [--connections C] [--warmup N] [--heap-budget MB] [--max-seconds S]
  Valid requests through the local FC host (both real handlers) at a fixed concurrency, then a report.
  --amount N        requests to send (default ${FULL.amount}; 0: use --duration)
  --duration S      seconds to run instead of an amount
  --connections C   concurrent connections (default ${FULL.connections})
  --warmup N        warm-up requests first (default ${FULL.warmupAmount})
  --heap-budget MB  most the heap may grow (default ${FULL.heapBudgetMb})
  --max-seconds S   stop after this long whatever is left`;

function parseArgs(): LoadOptions {
  const names = { amount: 'amount', duration: 'durationSeconds', connections: 'connections', warmup: 'warmupAmount', 'heap-budget': 'heapBudgetMb', 'max-seconds': 'maxSeconds' } as const;
  const { values } = parseCli(USAGE, Object.fromEntries(Object.keys(names).map((n) => [n, { type: 'string' as const }])));
  const options = { ...FULL };
  for (const [flag, field] of Object.entries(names)) options[field] = wholeNumber(USAGE, flag, (values as Record<string, string | undefined>)[flag], options[field]);
  if (options.amount === 0 && options.durationSeconds === 0) exitWithUsage(USAGE, 'give --amount or --duration');
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs();
  // Loaded after the command line is read, so that --help and a wrong flag answer at once.
  const { formatReport, loadProblems, runLoad } = await import('./index');
  const started = Date.now();
  const report = await runLoad(options);
  process.stdout.write(`${formatReport(report)}\nwall time ${((Date.now() - started) / 1000).toFixed(1)} s (incl. ${options.warmupAmount} warm-up requests and stack start)\n`);
  const problems = loadProblems(report);
  if (problems.length > 0) {
    process.stdout.write(`FAIL: ${problems.join('; ')}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('PASS: zero failed or non-2xx answers, heap flat\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
