// What a threshold or a regression allowance measures: a statistic of a histogram metric
// (`latency.p99`, `rtt.max`) or a numeric summary.csv column (`error_rate`,
// `throughput_per_s`). Both read the same step result, so a gate and summary.csv never
// disagree about a number.
import { isMetricName, metricNames, type MetricName } from '../metrics/histogram.js';
import { summaryColumns } from '../metrics/summary-columns.js';
import { closest } from './parsers.js';
import { formatDecimal, formatInteger } from '../metrics/decimal.js';

/** How a value is measured, which decides how its limits are written. */
export type ValueKind = 'ms' | 'fraction' | 'pct' | 'bytes' | 'kib' | 'mib' | 'per_s' | 'count' | 'boolean';

export type HistogramStat = { kind: 'percentile'; percentile: number } | { kind: 'min' | 'mean' | 'max' };

export type MetricRef =
  { type: 'histogram'; name: string; metric: MetricName; stat: HistogramStat; kind: 'ms' } | { type: 'column'; name: string; column: string; kind: ValueKind };

/** Columns that hold text: a threshold compares numbers. */
const textColumns: ReadonlySet<string> = new Set([
  'run_id',
  'scenario',
  'step',
  'protocol',
  'workload',
  'target',
  'started_at',
  'latency_metric',
  'saturation_cause',
]);
const booleanColumns: ReadonlySet<string> = new Set(['generator_saturated']);

export const statNames = 'p50, p90, p99, p999, max, mean, min, or any percentile as pNN.N (p95, p99.9, p9999)';
export const metricsAllowed =
  `a histogram metric (${metricNames.join(', ')}, or reply:<step> for a named session step) with .p50, .p90, .p99, .p999, .max, .mean, .min or .pNN.N, ` +
  'or a numeric summary.csv column like error_rate, throughput_per_s or latency_p99_ms';

export class MetricRefError extends Error {
  /** Offset into the metric text where the problem starts. */
  readonly offset: number;
  constructor(offset: number, problem: string) {
    super(problem);
    this.offset = offset;
  }
}

/** Every name a user may write, for "did you mean". */
export function knownMetricNames(): string[] {
  return [...metricNames, ...summaryColumns.filter((column) => !textColumns.has(column))];
}

/** The known name a mistyped or shortened one most likely meant (`latncy` → latency, `throughput` → throughput_per_s). */
export function suggestMetric(name: string): string | undefined {
  const known = knownMetricNames();
  return closest(name, known) ?? known.find((candidate) => candidate.startsWith(`${name}_`));
}

export function columnKind(column: string): ValueKind {
  if (booleanColumns.has(column)) return 'boolean';
  const parts = column.split('_');
  if (column.endsWith('_per_s')) return 'per_s';
  if (parts.includes('ms')) return 'ms';
  if (parts.includes('pct')) return 'pct';
  if (parts[parts.length - 1] === 'rate') return 'fraction';
  if (parts.includes('kib')) return 'kib';
  if (parts.includes('mib')) return 'mib';
  if (parts.includes('bytes')) return 'bytes';
  return 'count';
}

/** `p99` → 99, `p999` → 99.9, `p9999` → 99.99, `p99.9` → 99.9, `p5` → 5, `p100` → 100. */
export function parsePercentile(stat: string): number | undefined {
  const match = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (!match) return undefined;
  const digits = match[1]!;
  const value = digits.includes('.') || digits.length <= 2 || digits === '100' ? Number(digits) : Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
  return value > 0 && value <= 100 ? value : undefined;
}

export function parseStat(stat: string): HistogramStat | undefined {
  if (stat === 'min' || stat === 'mean' || stat === 'max') return { kind: stat };
  const percentile = parsePercentile(stat);
  return percentile === undefined ? undefined : { kind: 'percentile', percentile };
}

/** Reads `latency.p99` or `error_rate`; throws MetricRefError with the offset of what is wrong. */
export function parseMetricRef(text: string, guess: (name: string) => string | undefined): MetricRef {
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  if (isMetricName(head)) {
    const metric = head;
    if (dot < 0) throw new MetricRefError(text.length, `expected a statistic after ${metric}, like ${metric}.p99 (allowed: ${statNames})`);
    const statText = text.slice(dot + 1);
    const stat = parseStat(statText);
    if (!stat) throw new MetricRefError(dot + 1, `unknown statistic ${statText} of ${metric} (allowed: ${statNames}; percentiles from p0.1 to p100)`);
    return { type: 'histogram', name: text, metric, stat, kind: 'ms' };
  }
  if (textColumns.has(text)) {
    throw new MetricRefError(0, `${text} is a text column and thresholds compare numbers (allowed: ${metricsAllowed})`);
  }
  if ((summaryColumns as readonly string[]).includes(text)) return { type: 'column', name: text, column: text, kind: columnKind(text) };
  const suggestion = guess(text) ?? (dot > 0 ? guess(head) : undefined);
  throw new MetricRefError(0, `unknown metric ${text}${suggestion ? `; did you mean ${suggestion}?` : ''} (allowed: ${metricsAllowed})`);
}

const unitLabels: Record<ValueKind, string> = {
  ms: 'ms',
  fraction: 'fraction',
  pct: '%',
  bytes: 'bytes',
  kib: 'KiB',
  mib: 'MiB',
  per_s: 'per s',
  count: 'count',
  boolean: 'boolean',
};

export function unitLabel(kind: ValueKind): string {
  return unitLabels[kind];
}

/** A value as a person reads it: `12.3 ms`, `0.12%`, `45%`, `10,000/s`. */
export function formatValue(kind: ValueKind, value: number | undefined): string {
  if (value === undefined) return '-';
  const short = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : String(Number(n.toFixed(3))));
  switch (kind) {
    case 'ms':
      return value >= 1000 ? `${short(value / 1000)} s` : `${short(value)} ms`;
    case 'fraction':
      return `${String(Number((value * 100).toFixed(4)))}%`;
    case 'pct':
      return `${short(value)}%`;
    case 'per_s':
      return `${formatInteger(value)}/s`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bytes':
    case 'count':
      return Number.isInteger(value) ? formatDecimal(value, 3) : short(value);
    case 'kib':
      return `${short(value)} KiB`;
    case 'mib':
      return `${short(value)} MiB`;
  }
}
