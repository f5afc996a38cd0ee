// `--threshold 'latency.p99 < 50ms'` on `sockcap run` and `sockcap report`: the same
// expressions as the scenario's `thresholds`, added to every step.
import { ScenarioError } from '../errors.js';
import type { Threshold } from '../scenario/types.js';
import { ExpressionError, parseThresholdExpression } from '../scenario/threshold-expression.js';

export function thresholdsFromFlags(flags: readonly string[]): Threshold[] {
  return flags.map((flag) => {
    try {
      return { expression: parseThresholdExpression(flag).text, abortOnFail: false, gracePeriod: 0 };
    } catch (error) {
      if (error instanceof ExpressionError) throw new ScenarioError('--threshold', '', error.message);
      throw error;
    }
  });
}

/** Appends `extra` to each step's thresholds (a step may already have its own). */
export function addThresholds(steps: readonly { thresholds: Threshold[] }[], extra: readonly Threshold[]): void {
  if (extra.length === 0) return;
  for (const step of steps) step.thresholds = [...(step.thresholds ?? []), ...extra];
}
