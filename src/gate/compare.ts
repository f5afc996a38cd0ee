// `sockcap compare`: a current run against one or more baseline runs, step by step
// (matched by label), on merged histograms and summed counters. The noise is measured from
// the runs themselves: how much each metric varies from interval to interval of the step,
// in the baseline and in the current run (interval-noise.ts), and with several baseline runs
// how far one run lies from them all. A change inside the noise, or a latency change under the absolute floor,
// is "within noise" and does not fail the gate. Steps of another protocol, workload or
// target are refused: their difference is no regression.
import { metricNames, type MetricName } from '../metrics/histogram.js';
import type { StepResult } from '../results/run-result.js';
import { primaryMetricOf } from '../protocols/index.js';
import type { StoredRun } from '../results/read-results.js';
import { allowanceFor, comparedStats, ruleFor, type AllowanceRule } from './allowance.js';
import { mergeSteps } from '../results/merge-steps.js';
import { parseMetricRef, unitLabel, type MetricRef } from '../scenario/metric-ref.js';
import { metricValue } from '../results/metric-value.js';
import { scenarioDifferences } from './scenario-diff.js';
import { intervalSpread, intervalSteps } from './interval-noise.js';
import { readIntervalLog } from '../results/interval-log.js';
import { UsageError } from '../errors.js';
import { noiseDeviations, type Allowance, type Comparison, type CompareRow, type CompareVerdict } from '../results/comparison.js';

/**
 * A percentile decided by a handful of samples moves with every run: a default allowance
 * gates it only when this many samples lie beyond it in both runs (so p99 needs 10,000
 * samples and p999 100,000). An allowance the user names gates it regardless.
 */
export const minSamplesBeyond = 100;

export interface CompareOptions {
  /** A latency (ms) must also rise by more than this to be a regression; 0: no floor. */
  latencyFloorMs: number;
  /** Compare steps of different protocol, workload or target anyway (with a note) instead of refusing. */
  force: boolean;
}

/** 1 ms: sub-millisecond jitter on a fast target is not a regression, a slower backend is. */
export const defaultLatencyFloorMs = 1;

export function compareRuns(
  baselines: readonly StoredRun[],
  current: StoredRun,
  rules: readonly AllowanceRule[],
  options: CompareOptions = { latencyFloorMs: defaultLatencyFloorMs, force: false },
): Comparison {
  const notes: string[] = [];
  const intervals = new Map([...baselines, current].map((run) => [run, readIntervalLog(run.dir)]));
  for (const run of [...baselines, current]) {
    if (run.status !== 'completed') notes.push(`${run.dir} ended ${run.status}${run.reason ? ` (${run.reason})` : ''}: its numbers cover less than planned`);
  }
  const rows: CompareRow[] = [];
  for (const step of current.steps) {
    const label = step.step.stepLabel;
    const matches = baselines.map((run) => run.steps.find((candidate) => candidate.step.stepLabel === label));
    const found = matches.filter((match): match is StepResult => match !== undefined);
    if (found.length === 0) {
      notes.push(`step ${label} is not in the baseline: not compared`);
      continue;
    }
    if (found.length < baselines.length) notes.push(`step ${label} is in ${found.length} of ${baselines.length} baseline runs: compared with those`);
    const differences = scenarioDifferences(found[0]!.step, step.step);
    if (differences.length > 0) notes.push(`step ${label} was run with different settings: ${differences.join(', ')}`);
    const apart = kindDifferences(found[0]!, step);
    if (apart.length > 0 && !options.force) {
      throw new UsageError(
        `compare: step ${label} differs in ${apart.join(', ')}: that is a different measurement, not a regression (compare runs of the same protocol, workload and target, or add --force)`,
      );
    }
    if (apart.length > 0) notes.push(`step ${label} differs in ${apart.join(', ')} (compared because of --force)`);
    const perInterval = [
      ...baselines.flatMap((run, i) => {
        const match = matches[i];
        return match ? [intervalSteps(match, intervals.get(run) ?? [])] : [];
      }),
      intervalSteps(step, intervals.get(current) ?? []),
    ];
    const stepRows = compareStep(found, step, rules, perInterval, options.latencyFloorMs);
    const ungated = stepRows.filter((row) => row.note !== '').map((row) => row.metric);
    if (ungated.length > 0) {
      notes.push(
        `step ${label}: ${ungated.join(', ')} not gated, too few samples beyond ${ungated.length === 1 ? 'it' : 'them'} ` +
          `(fewer than ${minSamplesBeyond}; run longer, or name ${ungated.length === 1 ? 'it' : 'them'} in --max-regression)`,
      );
    }
    rows.push(...stepRows);
  }
  for (const run of baselines) {
    for (const step of run.steps) {
      const label = step.step.stepLabel;
      if (!current.steps.some((candidate) => candidate.step.stepLabel === label) && !notes.some((note) => note.startsWith(`step ${label} is missing`))) {
        notes.push(`step ${label} is missing from the current run: not compared`);
      }
    }
  }
  const noiseEstimated = baselines.length > 1 || rows.some((row) => row.noise !== undefined);
  return {
    baselineRuns: [...baselines],
    current,
    rows,
    regressions: rows.filter((row) => row.verdict === 'regression'),
    notes,
    noiseEstimated,
  };
}

function metricsToCompare(baseline: StepResult, current: StepResult, rules: readonly AllowanceRule[]): MetricRef[] {
  const refs: MetricRef[] = [];
  for (const metric of metricNames) {
    const measured = (result: StepResult): boolean => (result.histograms.get(metric)?.totalCount ?? 0) > 0;
    if (!measured(baseline) || !measured(current)) continue;
    for (const stat of comparedStats) refs.push(parseMetricRef(`${metric}.${stat}`, () => undefined));
  }
  refs.push(
    parseMetricRef('throughput_per_s', () => undefined),
    parseMetricRef('error_rate', () => undefined),
  );
  // Anything else a rule names (`client_cpu_pct`, `latency.p75`) is compared too.
  for (const rule of rules) {
    if ((metricNames as readonly string[]).includes(rule.target) || refs.some((ref) => ref.name === rule.target)) continue;
    refs.push(parseMetricRef(rule.target, () => undefined));
  }
  return refs;
}

/** Protocol, workload or target: what makes two steps different measurements rather than two runs of one. */
function kindDifferences(baseline: StepResult, current: StepResult): string[] {
  const differences: string[] = [];
  if (baseline.step.protocol !== current.step.protocol) differences.push(`protocol (${baseline.step.protocol} → ${current.step.protocol})`);
  if (baseline.step.workload !== current.step.workload) differences.push(`workload (${baseline.step.workload} → ${current.step.workload})`);
  // The built-in target listens on a new port each run: it is the same target.
  const target = (result: StepResult): string => (result.builtInTarget ? 'the built-in target' : result.target);
  if (target(baseline) !== target(current)) differences.push(`target (${target(baseline)} → ${target(current)})`);
  return differences;
}

function compareStep(
  baselineSteps: StepResult[],
  current: StepResult,
  rules: readonly AllowanceRule[],
  perInterval: readonly StepResult[][],
  latencyFloorMs: number,
): CompareRow[] {
  const merged = mergeSteps(baselineSteps);
  const primary = primaryMetricOf(current.step);
  const rows: CompareRow[] = [];
  for (const ref of metricsToCompare(merged, current, rules)) {
    const baseline = metricValue(merged, ref, primaryMetricOf(merged.step));
    const now = metricValue(current, ref, primaryMetricOf(current.step));
    if (baseline === undefined || now === undefined) continue;
    const beyond = samplesBeyond(merged, current, ref);
    const tooFew = beyond !== undefined && beyond < minSamplesBeyond && ruleFor(ref, rules) === undefined;
    const allowance = tooFew ? undefined : allowanceFor(ref, primary, rules);
    const note =
      tooFew && allowanceFor(ref, primary, rules) !== undefined
        ? `${Math.floor(beyond)} samples beyond ${ref.name.slice(ref.name.indexOf('.') + 1)}, fewer than ${minSamplesBeyond}: too few to judge (run longer, or name it in --max-regression)`
        : '';
    const perRun = baselineSteps.map((step) => metricValue(step, ref, primaryMetricOf(step.step))).filter((value): value is number => value !== undefined);
    const noises = allowance
      ? [
          perRun.length > 1 ? spread(perRun, baseline, allowance.relative) : undefined,
          intervalNoise(perInterval, ref, primary, baseline, allowance.relative),
        ].filter((value): value is number => value !== undefined)
      : [];
    const noise = noises.length > 0 ? Math.max(...noises) : undefined;
    const change = now - baseline;
    rows.push({
      step: current.step.stepLabel,
      metric: ref.name,
      unit: unitLabel(ref.kind),
      baseline,
      current: now,
      change,
      changePct: baseline !== 0 ? (change / Math.abs(baseline)) * 100 : undefined,
      allowance,
      noise,
      verdict: allowance
        ? judge(baseline, now, allowance, noise, ref.kind === 'ms' ? Math.max(latencyFloorMs, generatorDelay(merged, current, ref)) : 0)
        : 'not gated',
      note,
      headline: allowance !== undefined || (ref.type === 'histogram' && ref.metric === primary),
      ref,
    });
  }
  return rows;
}

/**
 * `noiseDeviations` standard deviations of the interval-to-interval variation, baseline and
 * current added in quadrature; undefined unless the current run and at least one baseline run
 * had two intervals or more. Each run's variation is taken relative to its own level: a
 * target that got 30 ms slower also varies by more milliseconds, and that variation set
 * against the fast baseline's level would hide the very slowdown it comes from (it did, 6 times
 * in 10 on a busy machine). Two runs of one setup have one level, so for them nothing changes.
 */
function intervalNoise(perInterval: readonly StepResult[][], ref: MetricRef, primary: MetricName, baseline: number, relative: boolean): number | undefined {
  const spreads = perInterval.map((set) => intervalSpread(set, ref, primary));
  const current = spreads.at(-1);
  const baselines = spreads.slice(0, -1).filter((spread) => spread !== undefined);
  if (current === undefined || baselines.length === 0) return undefined;
  // Several baseline runs: their typical variation (root mean square).
  const rms = (values: number[]): number => Math.sqrt(values.reduce((sum, value) => sum + value ** 2, 0) / values.length);
  if ([current, ...baselines].every((spread) => spread.mean !== 0)) {
    const share = (spread: { mean: number; deviation: number }): number => spread.deviation / Math.abs(spread.mean);
    const noise = noiseDeviations * Math.sqrt(rms(baselines.map(share)) ** 2 + share(current) ** 2);
    return relative ? noise * 100 : noise * Math.abs(baseline);
  }
  // A level of 0 (no error in any interval) has no relative variation: the milliseconds or points themselves.
  const noise = noiseDeviations * Math.sqrt(rms(baselines.map((spread) => spread.deviation)) ** 2 + current.deviation ** 2);
  if (!relative) return noise;
  return baseline !== 0 ? (noise / Math.abs(baseline)) * 100 : noise === 0 ? 0 : Infinity;
}

/**
 * What the generator's own event loop added to a latency at the same percentile: the larger
 * loop_delay of the two runs (0 when none was recorded). A client-timed latency includes it, so
 * a change smaller than it may be the generator's stalls alone: on a machine busy enough that
 * the loop is delayed by 15 ms at p50, two identical runs' p50 moved from 1 to 10 ms.
 */
function generatorDelay(baseline: StepResult, current: StepResult, ref: MetricRef): number {
  if (ref.type !== 'histogram' || ref.metric === 'loop_delay') return 0;
  const stat = ref.name.slice(ref.name.indexOf('.') + 1);
  const loop = parseMetricRef(`loop_delay.${stat}`, () => undefined);
  const delays = [baseline, current].map((result) => metricValue(result, loop, 'loop_delay') ?? 0);
  return Math.max(...delays);
}

/** Samples beyond a percentile in the smaller of the two, or undefined when `ref` is not a percentile. */
function samplesBeyond(baseline: StepResult, current: StepResult, ref: MetricRef): number | undefined {
  if (ref.type !== 'histogram' || ref.stat.kind !== 'percentile') return undefined;
  const count = (result: StepResult): number => result.histograms.get(ref.metric)?.totalCount ?? 0;
  return Math.min(count(baseline), count(current)) * (1 - ref.stat.percentile / 100);
}

/** The largest distance of one baseline run from the merged baseline: percent of it when relative. */
function spread(values: number[], baseline: number, relative: boolean): number {
  const farthest = Math.max(...values.map((value) => Math.abs(value - baseline)));
  if (!relative) return farthest;
  return baseline !== 0 ? (farthest / Math.abs(baseline)) * 100 : farthest === 0 ? 0 : Infinity;
}

function judge(baseline: number, current: number, allowance: Allowance, noise: number | undefined, floor: number): CompareVerdict {
  const sign = allowance.worse === 'up' ? 1 : -1;
  const change = current - baseline;
  let worse: number;
  if (!allowance.relative) worse = sign * change;
  else if (baseline !== 0) worse = (sign * change * 100) / Math.abs(baseline);
  else worse = change === 0 ? 0 : sign * Math.sign(change) * Infinity;
  const limit = Math.max(allowance.amount, noise ?? 0);
  // A latency must also move by more than the absolute floor: 0.1 ms on a 0.2 ms p50 is jitter.
  if (worse > limit) return Math.abs(change) > floor ? 'regression' : 'within noise';
  if (worse > allowance.amount) return 'within noise';
  if (-worse > limit) return 'improvement';
  return 'ok';
}
