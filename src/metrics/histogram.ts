// The one place histograms are built, encoded, decoded and added (the codec and the sum in
// histogram-codec.ts). Every histogram in sockcap is a plain-JS hdr-histogram-js histogram
// with 64-bit buckets, so any two can be added exactly (a WebAssembly one cannot be added to
// a JS one, and 32-bit buckets overflow on long runs). Values are integer microseconds.
import type * as hdr from 'hdr-histogram-js';
import { newHistogram } from './histogram-codec.js';
import { formatDecimal } from './decimal.js';

export { addEncodedCounts, addHistogram, decodeHistogram, encodeHistogram, readEncodedCounts, type EncodedCounts } from './histogram-codec.js';

export type Histogram = hdr.Histogram;

export const metricNames = [
  'latency',
  'service_time',
  'schedule_lag',
  'rtt',
  'connect',
  'handshake',
  'tls_handshake',
  'delivery',
  'first_event',
  'ack',
  'upgrade',
  'loop_delay',
  'reconnect_time',
  'latency_reused',
  'latency_fresh',
  'latency_newcomer',
  'race_idle',
  'reply',
] as const;
/** `reply:<step>`: the reply latency of one named session step, besides `reply` for all of them. */
export type StepReplyMetric = `reply:${string}`;
export type MetricName = (typeof metricNames)[number] | StepReplyMetric;

const stepReply = /^reply:[A-Za-z0-9_-]+$/;

export function isMetricName(name: string): name is MetricName {
  return (metricNames as readonly string[]).includes(name) || stepReply.test(name);
}

/** The fixed metrics in their listed order, then the per-step ones by name. */
export function compareMetrics(a: string, b: string): number {
  const rank = (name: string): number => {
    const index = (metricNames as readonly string[]).indexOf(name);
    return index < 0 ? metricNames.length : index;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** 1 hour in microseconds: anything slower is recorded as 1 hour. */
export const highestMicros = 3_600_000_000;

export function createHistogram(): Histogram {
  return newHistogram(1, highestMicros, 3);
}

/** The whole microseconds a duration is recorded as: clamped to 0..1 hour. */
export function clampMicros(micros: number): number {
  return micros < 0 ? 0 : micros > highestMicros ? highestMicros : Math.round(micros);
}

export function microsToMillis(micros: number): number {
  return Math.round(micros) / 1000;
}

export interface PercentileRow {
  percentile: number;
  valueMs: number;
  /** Values recorded at or below valueMs. */
  count: number;
}

/**
 * What was worked out from a histogram, kept while it holds the same values: a step's
 * histograms are read by every output (summary.csv, run.json, the report, the console), and
 * each reading walks tens of thousands of buckets. A histogram that gained values since
 * (its count or its maximum moved) is worked out again.
 */
function remembered<T>(memo: WeakMap<Histogram, { count: number; max: number; value: T }>, histogram: Histogram, work: () => T): T {
  const kept = memo.get(histogram);
  if (kept && kept.count === histogram.totalCount && kept.max === histogram.maxValue) return kept.value;
  const value = work();
  memo.set(histogram, { count: histogram.totalCount, max: histogram.maxValue, value });
  return value;
}

const distributions = new WeakMap<Histogram, { count: number; max: number; value: PercentileRow[] }>();
const summaries = new WeakMap<Histogram, { count: number; max: number; value: HistogramSummary }>();

/** The HDR percentile distribution (5 ticks per half distance), values in milliseconds. */
export function percentileDistribution(histogram: Histogram): PercentileRow[] {
  if (histogram.totalCount === 0) return [];
  return remembered(distributions, histogram, () => distributionOf(histogram));
}

/**
 * A fraction as hdr-histogram-js writes it in its CSV distribution, read back: Intl.NumberFormat
 * with 12 fraction digits, which rounds the shortest decimal form, not the exact binary value
 * as toFixed does (metrics/decimal.ts writes it without Intl).
 */
export function percentileFraction(fraction: number): number {
  return Number(formatDecimal(fraction, 12, false));
}

/** Rows per half of the distance left to 100 %, as outputPercentileDistribution(5, …) asks. */
const ticksPerHalfDistance = 5;

/**
 * The rows of hdr-histogram-js's outputPercentileDistribution(5, 1, true): what its
 * percentile iterator yields, worked out in one pass over the buckets that hold values. The
 * iterator steps through every bucket up to the largest value with a few method calls each,
 * and at the end of a run, when latency.csv is written, that code has not been compiled yet:
 * 16 ms of the coordinator's 40 for four metrics. Same levels (the same arithmetic, in the same
 * order), values and counts; the percentile keeps the text's rounding (percentileFraction).
 */
function distributionOf(histogram: Histogram): PercentileRow[] {
  const buckets = histogram as unknown as Buckets;
  const total = histogram.totalCount;
  const rows: PercentileRow[] = [];
  const row = (level: number, value: number, count: number): void => {
    rows.push({ percentile: percentileFraction(level / 100) * 100, valueMs: microsToMillis(value), count });
  };
  let level = 0;
  let seen = 0;
  const counts = buckets._counts;
  for (let index = 0; index < counts.length && seen < total; index++) {
    const count = counts[index]!;
    if (count === 0) continue;
    seen += count;
    const value = buckets.highestEquivalentValue(buckets.valueFromIndex(index));
    // The iterator gives a bucket every level it reaches, but the last bucket only its first:
    // it has then counted every value and ends with that bucket at 100 %.
    while ((100 * seen) / total >= level) {
      row(level, value, seen);
      level += 100 / (ticksPerHalfDistance * Math.pow(2, Math.floor(Math.log2(100 / (100 - level))) + 1));
      if (seen === total) break;
    }
    if (seen === total) row(100, value, seen);
  }
  return rows;
}

/** Percentiles in milliseconds; each undefined when nothing was recorded (not measured is not 0 ms). */
export interface HistogramSummary {
  count: number;
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
  p999: number | undefined;
  max: number | undefined;
  mean: number | undefined;
}

export function summarize(histogram: Histogram | undefined): HistogramSummary {
  if (!histogram || histogram.totalCount === 0)
    return { count: 0, p50: undefined, p90: undefined, p99: undefined, p999: undefined, max: undefined, mean: undefined };
  return remembered(summaries, histogram, () => summaryOf(histogram));
}

/** The parts of hdr-histogram-js's JsHistogram the one-pass summary and distribution read (public methods its own getters use, and its counts). */
interface Buckets {
  /** The counts themselves (a Float64Array: every histogram here has 64-bit buckets), read without a method call per bucket. */
  _counts: Float64Array;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
}

const summaryPercentiles = [50, 90, 99, 99.9] as const;

/**
 * The percentiles and the mean in one walk over the buckets, stopping at the last recorded
 * value: hdr-histogram-js walks them once per percentile and again for the mean, and a
 * timeseries row summarizes every metric of every interval. Same rounding as its
 * getValueAtPercentile (the count at a percentile rounded up, less one ulp) and its mean.
 */
function summaryOf(histogram: Histogram): HistogramSummary {
  const buckets = histogram as unknown as Buckets;
  const total = histogram.totalCount;
  const wanted = summaryPercentiles.map((percentile) => {
    const fp = (percentile / 100) * total;
    return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
  });
  const values: number[] = [];
  let seen = 0;
  let sum = 0;
  const counts = buckets._counts;
  for (let index = 0; index < counts.length && seen < total; index++) {
    const count = counts[index]!;
    if (count === 0) continue;
    seen += count;
    const value = buckets.valueFromIndex(index);
    sum += buckets.medianEquivalentValue(value) * count;
    while (values.length < wanted.length && seen >= wanted[values.length]!) values.push(buckets.highestEquivalentValue(value));
  }
  const [p50, p90, p99, p999] = values;
  return {
    count: total,
    p50: microsToMillis(p50 ?? 0),
    p90: microsToMillis(p90 ?? 0),
    p99: microsToMillis(p99 ?? 0),
    p999: microsToMillis(p999 ?? 0),
    max: microsToMillis(histogram.maxValue),
    mean: Math.round(sum / total) / 1000,
  };
}
