// What a comparison of runs is (`sockcap compare`, `--until-slo`): its rows, verdicts and
// allowances, and how a change and its noise read. src/gate/ makes them; outputs write them.
import type { StoredRun } from './read-results.js';
import { formatValue, type MetricRef } from '../scenario/metric-ref.js';

export interface Allowance {
  /** Which way is worse. */
  worse: 'up' | 'down';
  /** Percent of the baseline when relative, else in the metric's unit. */
  amount: number;
  relative: boolean;
  /** As a person writes it: `+10%`, `-10%`, `+0.1pp`, `+5 ms`. */
  text: string;
}

export type CompareVerdict = 'ok' | 'regression' | 'improvement' | 'within noise' | 'not gated';

export interface CompareRow {
  step: string;
  metric: string;
  unit: string;
  baseline: number;
  current: number;
  change: number;
  /** Undefined when the baseline is 0. */
  changePct: number | undefined;
  allowance: Allowance | undefined;
  /** The baseline runs' spread, in the allowance's terms (percent when relative); undefined with one baseline run. */
  noise: number | undefined;
  verdict: CompareVerdict;
  /** Why a metric gated by default is not gated here (too few samples beyond a percentile). */
  note: string;
  /** The step's main latency metric or a gated metric: what the console shows. */
  headline: boolean;
  ref: MetricRef;
}

export interface Comparison {
  baselineRuns: StoredRun[];
  current: StoredRun;
  rows: CompareRow[];
  regressions: CompareRow[];
  /** Steps, scenario changes and run states the reader should know about. */
  notes: string[];
  noiseEstimated: boolean;
}

/** Two standard deviations: about 95 % of the differences noise alone makes. */
export const noiseDeviations = 2;

/** `+12.5%` or `+1.2 ms`: the change as the table and compare.csv show it. */
export function formatChange(row: CompareRow): string {
  if (row.changePct !== undefined && (row.allowance?.relative ?? true)) {
    const pct = row.changePct;
    return `${pct >= 0 ? '+' : ''}${Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1)}%`;
  }
  if (row.ref.kind === 'fraction') return `${row.change >= 0 ? '+' : ''}${Number((row.change * 100).toFixed(4))}pp`;
  return `${row.change >= 0 ? '+' : '-'}${formatValue(row.ref.kind, Math.abs(row.change))}`;
}

/** `±4.2%` (or `±0.05pp`), in the terms of the row's allowance. */
export function formatNoise(row: CompareRow): string {
  if (row.noise === undefined || !row.allowance) return '';
  if (row.allowance.relative) return `±${row.noise.toFixed(1)}%`;
  if (row.ref.kind === 'fraction') return `±${Number((row.noise * 100).toFixed(4))}pp`;
  return `±${formatValue(row.ref.kind, row.noise)}`;
}

export interface SloResult {
  expression: string;
  /** The label of the first step that broke it, if one did. */
  brokenAt: string | undefined;
  lastGoodConnections: number | undefined;
}
