// compare.csv: one row per step and metric of `sockcap compare`, baseline against current.
import { writeFileSync } from 'node:fs';
import { formatNoise, type Comparison } from '../results/comparison.js';
import { csvText } from './csv.js';

export const compareColumns = [
  'step',
  'metric',
  'unit',
  'baseline',
  'current',
  'change',
  'change_pct',
  'allowance',
  'noise',
  'verdict',
  'baseline_runs',
  'note',
] as const;

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export function writeCompareCsv(file: string, comparison: Comparison): void {
  const rows = comparison.rows.map((row) => ({
    step: row.step,
    metric: row.metric,
    unit: row.unit,
    baseline: round(row.baseline),
    current: round(row.current),
    change: round(row.change),
    change_pct: row.changePct === undefined ? '' : Math.round(row.changePct * 100) / 100,
    allowance: row.allowance?.text ?? '',
    noise: formatNoise(row),
    verdict: row.verdict,
    baseline_runs: comparison.baselineRuns.length,
    note: row.note,
  }));
  writeFileSync(file, csvText(rows, compareColumns));
}
