// When is the generator, not the target, the bottleneck? An interval is saturated when the
// workers' event loops ran late (they sent and read late), when the generator's CPU is
// close to every core the machine has, or when an open model had to drop arrivals.
import { availableParallelism } from 'node:os';
import type { Counters } from '../metrics/counters.js';
import type { Histogram, MetricName } from '../metrics/histogram.js';
import type { StepResult } from '../results/run-result.js';

export const loopDelayLimitMs = 50;
export const cpuLimitShare = 0.9;

export function saturationCauses(histograms: Map<MetricName, Histogram>, counters: Counters, clientCpuPct: number): string[] {
  const causes: string[] = [];
  const loopDelay = histograms.get('loop_delay');
  if (loopDelay && loopDelay.totalCount > 0) {
    const p99Ms = loopDelay.getValueAtPercentile(99) / 1000;
    if (p99Ms > loopDelayLimitMs) causes.push(`event-loop delay p99 ${p99Ms.toFixed(0)} ms > ${loopDelayLimitMs} ms`);
  }
  const cpuLimit = availableParallelism() * 100 * cpuLimitShare;
  if (clientCpuPct > cpuLimit) causes.push(`generator CPU ${clientCpuPct.toFixed(0)}% > ${cpuLimit.toFixed(0)}%`);
  if (counters.dropped > 0) causes.push(`${counters.dropped} arrivals dropped (more than maxQueue waiting for a free connection)`);
  return causes;
}

/**
 * The run's warnings for steps whose generator was saturated: the console says so the moment
 * it happens, run.json and report.html keep it, so a reader of the files learns it too.
 */
export function saturationWarnings(steps: readonly StepResult[]): string[] {
  return steps
    .filter((result) => result.saturationCauses.length > 0)
    .map(
      (result) =>
        `generator saturated in step ${result.step.stepLabel}: ${result.saturationCauses.join('; ')} (its numbers describe the generator as much as the target)`,
    );
}
