// What a threshold verdict is: one threshold of one step, judged on that step's result,
// and the gate's outcome over all of them. Outputs write verdicts; src/gate/ makes them.
import type { StepResult } from './run-result.js';
import type { Operator } from '../scenario/threshold-expression.js';
import type { ValueKind } from '../scenario/metric-ref.js';

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

/** Judges every threshold of the steps measured so far: given to the outputs that show verdicts. */
export type ThresholdJudge = (steps: readonly StepResult[]) => ThresholdVerdict[];

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
