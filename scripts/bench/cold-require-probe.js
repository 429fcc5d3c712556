// Run as a fresh process's main script: prints the nanoseconds `require(argv[2])` takes, and nothing else.
// The elapsed time is taken before touching process.stdout, whose first use loads the stream modules.
const start = process.hrtime.bigint();
require(process.argv[2]);
const elapsed = process.hrtime.bigint() - start;
process.stdout.write(String(elapsed));
