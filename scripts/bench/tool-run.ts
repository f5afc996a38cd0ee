// What one run of one load generator measured, whichever tool it was.

export interface ToolRun {
  /** e.g. `sockcap --workers 1`, `autocannon`, `wrk -t1`. */
  tool: string;
  round: number;
  /** Set when the run failed; the figures are then zero. */
  failure?: string;
  /** Requests (HTTP) or echoed messages (WebSocket) completed in the measured window. */
  count: number;
  /** Length of the measured window, s. */
  seconds: number;
  /** Generator CPU (user + system, all threads) over the measured window, s. */
  cpuS: number;
  /** utime + stime of the generator process over its whole life (start-up and warm-up too), from /proc. */
  lifetimeCpuS: number;
  /** Errors the tool itself counted (timeouts, resets, non-2xx). */
  errors: number;
}

export function failedRun(tool: string, round: number, failure: string): ToolRun {
  return { tool, round, failure, count: 0, seconds: 0, cpuS: 0, lifetimeCpuS: 0, errors: 0 };
}

/** Sums runs of one tool: total count over total seconds, total CPU over total count. */
export function combineRuns(tool: string, runs: ToolRun[]): ToolRun | undefined {
  const ok = runs.filter((run) => run.failure === undefined && run.count > 0);
  if (ok.length === 0) return undefined;
  const sum = (pick: (run: ToolRun) => number): number => ok.reduce((total, run) => total + pick(run), 0);
  return {
    tool,
    round: 0,
    count: sum((run) => run.count),
    seconds: sum((run) => run.seconds),
    cpuS: sum((run) => run.cpuS),
    lifetimeCpuS: sum((run) => run.lifetimeCpuS),
    errors: sum((run) => run.errors),
  };
}

export const perSecond = (run: ToolRun): number => (run.seconds > 0 ? run.count / run.seconds : 0);
export const cpuMicrosPerItem = (run: ToolRun): number => (run.count > 0 ? (run.cpuS * 1e6) / run.count : 0);
export const itemsPerCpuSecond = (run: ToolRun): number => (run.cpuS > 0 ? run.count / run.cpuS : 0);
