// Thresholds: each one with the value the step measured, its limit and the verdict, failed
// ones first, so the reason a run failed is the first row a reader sees.
import type { ThresholdVerdict } from '../../results/threshold-verdict.js';
import { formatValue } from '../../scenario/metric-ref.js';
import { table, type Section } from './html.js';

const order = { fail: 0, 'no-data': 1, pass: 2 } as const;

export function thresholdsSection(verdicts: readonly ThresholdVerdict[]): Section {
  const rows = [...verdicts]
    .sort((a, b) => order[a.verdict] - order[b.verdict] || a.stepIndex - b.stepIndex)
    .map((v) => [
      v.expression,
      v.step,
      v.value === undefined ? 'not measured' : formatValue(v.kind, v.value),
      `${v.operator} ${formatValue(v.kind, v.limit)}`,
      v.verdict,
      v.detail,
    ]);
  const html = table(['threshold', 'step', 'measured', 'limit', 'verdict', 'why'], rows, (row) => row[4] ?? '');
  return { id: 'thresholds', title: 'Thresholds', html, charts: [] };
}
