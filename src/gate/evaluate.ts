// Threshold verdicts: every threshold of a step, evaluated on that step's whole measured
// result (merged histograms, summed counters), one verdict per step and threshold. A
// threshold passes when it holds in every step that measured its metric and at least one
// step did: a gate on a metric nobody measured fails rather than passing in silence.
import type { StepResult } from '../results/run-result.js';
import { holds, parseThresholdExpression } from '../scenario/threshold-expression.js';
import { formatValue, unitLabel } from '../scenario/metric-ref.js';
import { metricValue } from '../results/metric-value.js';
import { primaryMetricOf } from '../protocols/index.js';
import type { ThresholdAbort } from '../results/threshold-abort.js';
import type { ThresholdVerdict, Verdict } from '../results/threshold-verdict.js';

export function evaluateThresholds(steps: readonly StepResult[], aborted?: ThresholdAbort): ThresholdVerdict[] {
  const verdicts: ThresholdVerdict[] = [];
  for (const result of steps) {
    for (const threshold of result.step.thresholds ?? []) {
      const expression = parseThresholdExpression(threshold.expression);
      const value = metricValue(result, expression.ref, primaryMetricOf(result.step));
      const stoppedHere = aborted?.stepIndex === result.step.stepIndex && aborted.expression === expression.text;
      const shown = formatValue(expression.ref.kind, value);
      let verdict: Verdict;
      let detail: string;
      if (stoppedHere) {
        verdict = 'fail';
        detail = `${formatValue(expression.ref.kind, aborted.value)} at ${aborted.atS.toFixed(1)} s: stopped the run (abortOnFail)`;
      } else if (value === undefined) {
        verdict = 'no-data';
        detail = `step ${result.step.stepLabel} measured no ${expression.ref.name}`;
      } else {
        verdict = holds(value, expression.operator, expression.limit) ? 'pass' : 'fail';
        detail = `${shown} ${verdict === 'pass' ? 'meets' : 'breaks'} ${expression.operator} ${expression.limitText}`;
      }
      verdicts.push({
        stepIndex: result.step.stepIndex,
        step: result.step.stepLabel,
        expression: expression.text,
        metric: expression.ref.name,
        operator: expression.operator,
        limit: expression.limit,
        value,
        unit: unitLabel(expression.ref.kind),
        kind: expression.ref.kind,
        verdict,
        detail,
        abortOnFail: threshold.abortOnFail,
      });
    }
  }
  return verdicts;
}
