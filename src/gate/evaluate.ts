// Threshold verdicts: every threshold of a step, evaluated on that step's whole measured
// result (merged histograms, summed counters), one verdict per step and threshold. A
// threshold passes when it holds in every step that measured its metric and at least one
// step did: a gate on a metric nobody measured fails rather than passing in silence.
import type { StepResult } from '../results/run-result.js';
import { holds, parseThresholdExpression, type Operator } from '../scenario/threshold-expression.js';
import { formatValue, unitLabel, type ValueKind } from '../scenario/metric-ref.js';
import { metricValue } from '../results/metric-value.js';
import { primaryMetricOf } from '../protocols/index.js';
import type { ThresholdAbort } from '../results/threshold-abort.js';

export type Verdict = 'pass' | 'fail' | 'no-data';

export interface ThresholdVerdict {
  stepIndex: number;
  step: string;
  expression: string;
  metric: string;
  operator: Operator;
  /** In the metric's unit (ms for histogram statistics). */
  limit: number;
  value: number | undefined;
  unit: string;
  kind: ValueKind;
  verdict: Verdict;
  /** The value as a person reads it, and why the verdict is what it is. */
  detail: string;
  abortOnFail: boolean;
}

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

export interface GateOutcome {
  failed: ThresholdVerdict[];
  /** Expressions no step measured: they fail the gate too. */
  unmeasured: string[];
  passed: boolean;
}

export function gateOutcome(verdicts: readonly ThresholdVerdict[]): GateOutcome {
  const failed = verdicts.filter((verdict) => verdict.verdict === 'fail');
  const expressions = [...new Set(verdicts.map((verdict) => verdict.expression))];
  const unmeasured = expressions.filter((text) => verdicts.every((verdict) => verdict.expression !== text || verdict.verdict === 'no-data'));
  return { failed, unmeasured, passed: failed.length === 0 && unmeasured.length === 0 };
}
