// summary.csv's columns for each named session step whose reply is timed (a WebSocket loop
// `expect`, an HTTP loop `request`), after the fixed columns, as k6 reports a submetric per
// tag: `reply:<name>_count`, `_failures`, `_p50_ms`, `_p99_ms`, `_max_ms`. They are named
// after the step's metric (`reply:<name>` in latency.csv and thresholds), so the fixed
// columns keep their names and places whatever a session calls its steps.
import { summarize } from '../metrics/histogram.js';
import { timedStepNames } from '../scenario/session-types.js';
import type { StepResult } from './run-result.js';

export const sessionStepSuffixes = ['count', 'failures', 'p50_ms', 'p99_ms', 'max_ms'] as const;

function columnsOf(name: string): string[] {
  return sessionStepSuffixes.map((suffix) => `reply:${name}_${suffix}`);
}

/** The columns of every step's named steps, in the order the steps and their sessions list them. */
export function sessionStepColumns(results: readonly StepResult[]): string[] {
  const names = new Set(results.flatMap((result) => timedStepNames(result.step)));
  return [...names].flatMap(columnsOf);
}

/**
 * `count`: replies that came and passed the step's checks (each timed); `failures`: times the
 * step ended without one. Percentiles are empty when no reply was timed.
 */
export function sessionStepFields(result: StepResult): Record<string, number | ''> {
  const fields: Record<string, number | ''> = {};
  for (const name of timedStepNames(result.step)) {
    const reply = summarize(result.histograms.get(`reply:${name}`));
    const values: (number | '')[] = [reply.count, result.totals.stepFailures[name] ?? 0, reply.p50 ?? '', reply.p99 ?? '', reply.max ?? ''];
    columnsOf(name).forEach((column, i) => (fields[column] = values[i]!));
  }
  return fields;
}
