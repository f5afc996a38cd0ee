/** The threshold that stopped a run early (abortOnFail), recorded in run.json. */
export interface ThresholdAbort {
  stepIndex: number;
  step: string;
  expression: string;
  /** Measured seconds into the step when it failed. */
  atS: number;
  value: number;
  reason: string;
}
