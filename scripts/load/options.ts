/** What a load run may be asked for: apart from the runner so the command line is read without loading it. */
export interface LoadOptions {
  /** Requests in the measured run; when 0, the run lasts `durationSeconds`. */
  amount: number;
  durationSeconds: number;
  connections: number;
  /** Requests sent before the baseline memory reading. */
  warmupAmount: number;
  /** Hard stop for each autocannon run. */
  maxSeconds: number;
  heapBudgetMb: number;
}

export const FULL: LoadOptions = { amount: 100_000, durationSeconds: 0, connections: 32, warmupAmount: 10_000, maxSeconds: 300, heapBudgetMb: 20 };
