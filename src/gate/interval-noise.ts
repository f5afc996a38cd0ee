// Run-to-run noise estimated from the runs themselves: the metric measured on each interval
// of a step on its own. On a shared machine two runs of one setup drift apart about as much
// as two intervals of one run do (both are the machine's interference on a scale of
// seconds), so a change within `noiseDeviations` standard deviations of the intervals'
// variation (baseline and current added in quadrature) is noise, and `sockcap compare`
// needs no second baseline run to stop crying wolf.
import type { MetricName } from '../metrics/histogram.js';
import { decodeIntervalHistograms, type IntervalRecord } from '../results/interval-log.js';
import { metricValue } from '../results/metric-value.js';
import type { StepResult } from '../results/run-result.js';
import type { MetricRef } from '../scenario/metric-ref.js';
import { noiseDeviations } from '../results/comparison.js';

/** A step's measured intervals, each as a step result of its own (counters, histograms, seconds). */
export function intervalSteps(step: StepResult, records: readonly IntervalRecord[]): StepResult[] {
  return records
    .filter((record) => record.stepIndex === step.step.stepIndex && record.phase === 'measure' && record.intervalS > 0)
    .map((record) => ({ ...step, totals: record.counters, histograms: decodeIntervalHistograms(record), measuredMs: record.intervalS * 1000 }));
}

/** A metric's level (mean over the intervals) and its standard deviation from interval to interval; undefined with fewer than two intervals measuring it. */
export function intervalSpread(intervals: readonly StepResult[], ref: MetricRef, primary: MetricName): Spread | undefined {
  return spreadOf(intervals.map((interval) => metricValue(interval, ref, primary)).filter((value): value is number => value !== undefined));
}

export interface Spread {
  mean: number;
  deviation: number;
}

/** The mean of `values` and their sample standard deviation; undefined for fewer than two. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length < 2) return undefined;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { mean, deviation: Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1)) };
}

/**
 * How far two steps' levels may lie apart by noise alone, in the unit of `level`: as
 * `sockcap compare` judges a change, `noiseDeviations` standard deviations of their
 * interval-to-interval variation added in quadrature, each relative to its own level (and
 * in the metric's own unit when a level is 0).
 */
export function noiseBetween(a: Spread, b: Spread, level: number): number {
  if (a.mean !== 0 && b.mean !== 0) return noiseDeviations * Math.hypot(a.deviation / Math.abs(a.mean), b.deviation / Math.abs(b.mean)) * Math.abs(level);
  return noiseDeviations * Math.hypot(a.deviation, b.deviation);
}
