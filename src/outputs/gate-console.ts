// The gate's verdicts as console tables: thresholds after a run or `sockcap report`, and
// the per-metric comparison of `sockcap compare`.
import { formatNoise, formatChange, type Comparison, type CompareRow, noiseDeviations } from '../results/comparison.js';
import { gateOutcome, type ThresholdVerdict } from '../results/threshold-verdict.js';
import { formatValue } from '../scenario/metric-ref.js';
import { formatTable } from './table.js';

export function thresholdsText(verdicts: readonly ThresholdVerdict[]): string {
  const outcome = gateOutcome(verdicts);
  const rows = verdicts.map((v) => [v.expression, v.step, formatValue(v.kind, v.value), v.verdict === 'fail' ? 'FAIL' : v.verdict]);
  const lines = [formatTable(['threshold', 'step', 'value', 'verdict'], rows)];
  for (const text of outcome.unmeasured) lines.push(`threshold "${text}": no step measured this metric, so it fails`);
  const problems = outcome.failed.length + outcome.unmeasured.length;
  lines.push(problems === 0 ? `thresholds: all ${new Set(verdicts.map((v) => v.expression)).size} passed` : `thresholds: ${problems} failed (exit code 1)`);
  return lines.join('\n');
}

export function compareText(comparison: Comparison): string {
  const baselineNames = comparison.baselineRuns.map((run) => run.runId).join(', ');
  const lines = [
    `baseline: ${baselineNames}${comparison.baselineRuns.length > 1 ? ` (${comparison.baselineRuns.length} runs, merged)` : ''}`,
    `current:  ${comparison.current.runId}`,
    comparison.noiseEstimated
      ? `noise: measured from the runs themselves (${noiseDeviations} standard deviations of each step's interval-to-interval variation${comparison.baselineRuns.length > 1 ? `, and the spread of ${comparison.baselineRuns.length} baseline runs` : ''}); a change inside it, or a latency change under the floor, is "within noise" and does not fail`
      : 'noise: not estimated (too few intervals in the runs; run longer or give several baselines with --baseline)',
    '',
  ];
  const rows = comparison.rows
    .filter((row) => row.headline)
    .map((row) => [row.step, row.metric, ...changeCells(row), row.verdict === 'regression' ? 'REGRESSION' : row.verdict]);
  lines.push(formatTable(['step', 'metric', 'baseline', 'current', 'change', 'allowed', 'noise', 'verdict'], rows));
  for (const note of comparison.notes) lines.push(`note: ${note}`);
  const count = comparison.regressions.length;
  lines.push(
    count === 0
      ? 'compare: no regression beyond the allowances'
      : `compare: ${count} regression${count === 1 ? '' : 's'} beyond the allowance${comparison.noiseEstimated ? ' and the measured noise' : ''} (exit code 1)`,
  );
  return lines.join('\n');
}

/** Baseline, current, change, allowance and noise of a compared metric, as the console and compare.html show them. */
export function changeCells(row: CompareRow): string[] {
  return [
    formatValue(row.ref.kind, row.baseline),
    formatValue(row.ref.kind, row.current),
    formatChange(row),
    row.allowance?.text ?? '-',
    formatNoise(row) || '-',
  ];
}
