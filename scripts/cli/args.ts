import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Every script's command line goes through here, so that they all behave alike: `--help` (or `-h`) prints the usage
 * on stdout and exits 0 before anything starts; an unknown flag, a missing value or a stray argument prints the
 * problem and the usage on stderr and exits 2 (node:util parseArgs in strict mode decides what is unknown).
 */
export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export function parseCli<O extends CliOptions>(usage: string, options: O, argv: string[] = process.argv.slice(2), config: { positionals?: boolean } = {}) {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: withHelp, strict: true, allowPositionals: config.positionals ?? false });
  } catch (error) {
    exitWithUsage(usage, error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exit(0);
  }
  return parsed;
}

export function exitWithUsage(usage: string, problem: string): never {
  process.stderr.write(`${problem}\n\n${usage.trimEnd()}\n`);
  process.exit(2);
}

/** A whole, non-negative number from a flag's value, or a usage error naming the flag. */
export function wholeNumber(usage: string, name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) exitWithUsage(usage, `--${name} needs a number, got "${value}"`);
  return n;
}
