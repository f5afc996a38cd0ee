// thresholds.csv: one row per step and threshold, with the measured value and the verdict.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ThresholdVerdict } from '../results/threshold-verdict.js';
import { csvText } from './csv.js';

export const thresholdColumns = ['step', 'threshold', 'metric', 'operator', 'limit', 'value', 'unit', 'verdict', 'abort_on_fail', 'detail'] as const;

export function writeThresholdsCsv(dir: string, verdicts: readonly ThresholdVerdict[]): string {
  const file = join(dir, 'thresholds.csv');
  const rows = verdicts.map((verdict) => ({
    step: verdict.step,
    threshold: verdict.expression,
    metric: verdict.metric,
    operator: verdict.operator,
    limit: verdict.limit,
    value: verdict.value ?? '',
    unit: verdict.unit,
    verdict: verdict.verdict,
    abort_on_fail: verdict.abortOnFail,
    detail: verdict.detail,
  }));
  writeFileSync(file, csvText(rows, thresholdColumns));
  return file;
}
