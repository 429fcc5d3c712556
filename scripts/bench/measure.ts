/** Small timing helpers for the benchmarks: medians over repeated trials, so one GC pause does not move a figure. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median nanoseconds per call of a synchronous function. */
export function nsPerOp(fn: () => unknown, { iterations = 20000, trials = 7 } = {}): number {
  for (let i = 0; i < iterations / 4; i++) fn();
  const samples: number[] = [];
  for (let t = 0; t < trials; t++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(samples);
}

/** Median nanoseconds per call of an async function, awaited one at a time. */
export async function nsPerOpAsync(fn: () => Promise<unknown>, { iterations = 5000, trials = 7 } = {}): Promise<number> {
  for (let i = 0; i < iterations / 4; i++) await fn();
  const samples: number[] = [];
  for (let t = 0; t < trials; t++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(samples);
}

export function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

export function ratio(slow: number, fast: number): string {
  return `${(slow / fast).toFixed(1)}×`;
}
