// The run's figures as they stand now, per step: what the live outputs (/metrics, OTLP, the
// dashboard) read. It consumes the same stream as the result files, first among the live
// outputs, so a scrape or a push reads the interval just closed. Counts are kept per phase
// (warm-up, measure), so the measured ones add up to summary.csv; when a step finishes, its
// step result (the numbers summary.csv is written from) replaces what the intervals summed.
import { addCounters, emptyCounters, peakCounters, type Counters } from '../../metrics/counters.js';
import { addHistogram, createHistogram, summarize, type Histogram, type HistogramSummary, type MetricName } from '../../metrics/histogram.js';
import { primaryMetricOf } from '../../protocols/index.js';
import type { IntervalRow, Output, RunInfo, RunResult, StepResult } from '../../results/run-result.js';

export type Phase = IntervalRow['phase'];

export interface StepFigures {
  label: string;
  /** The step's main latency metric (latency, rtt, delivery, connect …), as summary.csv's latency columns. */
  metric: MetricName;
  counts: Record<Phase, Counters>;
  /** The interval that closed last. */
  last: IntervalRow | undefined;
  /** Percentiles of the last interval and of the whole measured part so far; undefined when nothing was recorded. */
  intervalLatency: HistogramSummary | undefined;
  latency: HistogramSummary | undefined;
  /** CPU time of the generator and the target during the step, from each interval's CPU share. */
  clientCpuSeconds: number;
  serverCpuSeconds: number | undefined;
  finished: boolean;
}

const measured = (summary: HistogramSummary): HistogramSummary | undefined => (summary.count > 0 ? summary : undefined);

/** Raises every count of `into` to at least the one of `to` (a counter never goes down). */
function raiseTo(into: Counters, to: Counters): void {
  for (const key of Object.keys(into) as (keyof Counters)[]) {
    if (key === 'errorsByCode' || key === 'stepFailures' || (peakCounters as readonly string[]).includes(key)) continue;
    into[key] = Math.max(into[key], to[key]);
  }
  for (const [code, count] of Object.entries(to.errorsByCode)) into.errorsByCode[code] = Math.max(into.errorsByCode[code] ?? 0, count);
  for (const [name, count] of Object.entries(to.stepFailures)) into.stepFailures[name] = Math.max(into.stepFailures[name] ?? 0, count);
}

export class LiveFigures implements Output {
  run: RunInfo | undefined;
  result: RunResult | undefined;
  private readonly byLabel = new Map<string, StepFigures>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly listeners: (() => void)[] = [];

  get steps(): StepFigures[] {
    return [...this.byLabel.values()];
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  /** Called after every change (an interval, a finished step, the end of the run). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  interval(row: IntervalRow): void {
    const figures = this.figuresOf(row.step.stepLabel, primaryMetricOf(row.step));
    addCounters(figures.counts[row.phase], row.counters);
    figures.last = row;
    const histogram = row.histograms.get(figures.metric);
    figures.intervalLatency = measured(summarize(histogram));
    if (row.phase === 'measure' && histogram) {
      const cumulative = this.histograms.get(figures.label) ?? createHistogram();
      addHistogram(cumulative, histogram);
      this.histograms.set(figures.label, cumulative);
      figures.latency = measured(summarize(cumulative));
    }
    figures.clientCpuSeconds += (row.client.cpuPct / 100) * row.intervalS;
    if (row.server) figures.serverCpuSeconds = (figures.serverCpuSeconds ?? 0) + (row.server.cpuPct / 100) * row.intervalS;
    this.changed();
  }

  stepFinished(result: StepResult): void {
    const figures = this.figuresOf(result.step.stepLabel, primaryMetricOf(result.step));
    raiseTo(figures.counts.warmup, result.warmupTotals);
    // The step's totals count the connections opened during the warm-up too (opening them belongs to the step).
    const measuredTotals = structuredClone(result.totals);
    measuredTotals.connectionsOpened -= result.warmupTotals.connectionsOpened;
    measuredTotals.connectionsFailed -= result.warmupTotals.connectionsFailed;
    measuredTotals.sessionsOpened -= result.warmupTotals.sessionsOpened;
    raiseTo(figures.counts.measure, measuredTotals);
    figures.latency = measured(summarize(result.histograms.get(figures.metric)));
    figures.finished = true;
    this.histograms.delete(figures.label);
    this.changed();
  }

  runFinished(run: RunResult): void {
    this.result = run;
    this.changed();
  }

  private figuresOf(label: string, metric: MetricName): StepFigures {
    let figures = this.byLabel.get(label);
    if (!figures) {
      figures = {
        label,
        metric,
        counts: { warmup: emptyCounters(), measure: emptyCounters() },
        last: undefined,
        intervalLatency: undefined,
        latency: undefined,
        clientCpuSeconds: 0,
        serverCpuSeconds: undefined,
        finished: false,
      };
      this.byLabel.set(label, figures);
    }
    return figures;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
