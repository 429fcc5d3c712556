/**
 * `npm run load`: 100,000 valid requests through the local FC host (both real handlers) at a fixed concurrency,
 * then a short report; exits 1 when any request failed or the heap did not stay flat.
 * Options: --amount N (0 = use --duration), --duration S, --connections C, --warmup N, --heap-budget MB.
 */
import { FULL, formatReport, loadProblems, runLoad, type LoadOptions } from './index';

function parseArgs(argv: string[]): LoadOptions {
  const options = { ...FULL };
  const names: Record<string, keyof LoadOptions> = {
    '--amount': 'amount', '--duration': 'durationSeconds', '--connections': 'connections', '--warmup': 'warmupAmount', '--heap-budget': 'heapBudgetMb', '--max-seconds': 'maxSeconds',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i] ?? ''];
    const value = Number(argv[i + 1]);
    if (name === undefined || !Number.isFinite(value) || value < 0) throw new Error(`usage: npm run load -- [${Object.keys(names).join(' N] [')} N]`);
    options[name] = value;
  }
  if (options.amount === 0 && options.durationSeconds === 0) throw new Error('give --amount or --duration');
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
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
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
