// report.html: one self-contained page per results folder (uPlot and the data inlined, no
// network), rebuilt after every step and at the end of the run, and by `sockcap report`.
// This file gathers the data; html-page.ts lays out the page and draws the charts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { evaluateThresholds, type ThresholdVerdict } from '../gate/evaluate.js';
import type { ThresholdAbort } from '../results/threshold-abort.js';
import { formatValue } from '../scenario/metric-ref.js';
import { metricNames, percentileDistribution } from '../metrics/histogram.js';
import { version } from '../version.js';
import { renderPage, type ChartSpec, type PageData } from './html-page.js';
import type { Output, RunInfo, RunResult, RunStatus, StepResult } from '../results/run-result.js';
import { primaryMetricOf, summaryRow } from '../results/summary-row.js';
import { round } from '../results/number-format.js';

/** A run as far as it got: finished runs have a status and an end. */
export type ReportRun = RunInfo & { steps: readonly StepResult[]; status?: RunStatus; reason?: string; endedAt?: Date };

export class HtmlReport implements Output {
  private run: RunInfo | undefined;
  private readonly steps: StepResult[] = [];

  /** `aborted` tells which threshold stopped the run (abortOnFail), so its verdict reads as such. */
  constructor(private readonly aborted: () => ThresholdAbort | undefined = () => undefined) {}

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  stepFinished(result: StepResult): void {
    this.steps.push(result);
    if (this.run) writeHtmlReport({ ...this.run, steps: this.steps }, evaluateThresholds(this.steps, this.aborted()));
  }

  runFinished(run: RunResult): void {
    writeHtmlReport(run, evaluateThresholds(run.steps, this.aborted()));
  }
}

export function writeHtmlReport(run: ReportRun, verdicts: readonly ThresholdVerdict[]): string {
  const file = join(run.dir, 'report.html');
  writeFileSync(file, renderPage(pageData(run, verdicts)));
  return file;
}

type TimeseriesRecord = Record<string, string>;

function readTimeseries(dir: string): TimeseriesRecord[] {
  const file = join(dir, 'timeseries.csv');
  if (!existsSync(file)) return [];
  return parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true }) as TimeseriesRecord[];
}

const numberOrNull = (text: string | undefined): number | null => (text === undefined || text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));

function pageData(run: ReportRun, verdicts: readonly ThresholdVerdict[]): PageData {
  const rows = run.steps.map((step) => summaryRow(run.runId, run.scenario.base.name, step));
  return {
    title: `sockcap ${run.scenario.base.name} ${run.runId}`,
    facts: [
      ['run', run.runId],
      ['scenario', `${run.scenario.base.name} (${run.scenario.source})`],
      ['status', run.status ? `${run.status}${run.reason ? `: ${run.reason}` : ''}` : 'running'],
      ['started', run.startedAt.toISOString()],
      ['ended', run.endedAt?.toISOString() ?? '-'],
      ['steps', `${run.steps.length} of ${run.scenario.steps.length}`],
      ['sockcap', version],
    ],
    warnings: run.warnings,
    summary: {
      header: ['step', 'protocol', 'workload', 'connections', 'per s', 'errors', 'error rate', 'p50', 'p99', 'p99.9', 'max', 'client cpu', 'server cpu', 'saturated'],
      rows: rows.map((row) => [
        String(row.step),
        String(row.protocol),
        String(row.workload),
        String(row.connections),
        formatValue('per_s', Number(row.throughput_per_s)),
        formatValue('count', Number(row.errors)),
        formatValue('fraction', Number(row.error_rate)),
        formatValue('ms', Number(row.latency_p50_ms)),
        formatValue('ms', Number(row.latency_p99_ms)),
        formatValue('ms', Number(row.latency_p999_ms)),
        formatValue('ms', Number(row.latency_max_ms)),
        `${row.client_cpu_pct}%`,
        row.server_cpu_pct === '' ? '-' : `${row.server_cpu_pct}%`,
        row.generator_saturated ? `yes: ${row.saturation_cause}` : 'no',
      ]),
    },
    thresholds: verdicts.map((v) => ({ expression: v.expression, step: v.step, value: v.detail, verdict: v.verdict })),
    errors: run.steps.flatMap((step) =>
      Object.entries(step.totals.errorsByCode)
        .sort(([, a], [, b]) => b - a)
        .map(([code, count]): [string, string, string] => [step.step.stepLabel, code, count.toLocaleString('en-US')]),
    ),
    charts: [...timelineCharts(run), ...distributionCharts(run), ...stepCharts(run)],
  };
}

function timelineCharts(run: ReportRun): ChartSpec[] {
  const records = readTimeseries(run.dir);
  const x: number[] = [];
  const columns = {
    throughput: [] as (number | null)[],
    p50: [] as (number | null)[],
    p99: [] as (number | null)[],
    max: [] as (number | null)[],
    open: [] as (number | null)[],
    errors: [] as (number | null)[],
    clientCpu: [] as (number | null)[],
    serverCpu: [] as (number | null)[],
    clientRss: [] as (number | null)[],
    serverRss: [] as (number | null)[],
  };
  const markers: { x: number; label: string }[] = [];
  for (const step of run.steps) {
    const offset = (step.startedAt.getTime() - run.startedAt.getTime()) / 1000;
    const own = records.filter((record) => record.step === step.step.stepLabel);
    if (own.length === 0) continue;
    markers.push({ x: round(offset, 3), label: step.step.stepLabel });
    // A gap between steps: the line breaks instead of joining the last point of one step to the next.
    if (x.length > 0) {
      x.push(round(offset - 0.001, 3));
      for (const column of Object.values(columns)) column.push(null);
    }
    for (const record of own) {
      const intervalS = numberOrNull(record.interval_s) ?? 0;
      const errors = numberOrNull(record.errors);
      x.push(round(offset + (numberOrNull(record.elapsed_s) ?? 0), 3));
      columns.throughput.push(numberOrNull(record.throughput_per_s));
      columns.p50.push(numberOrNull(record.latency_p50_ms));
      columns.p99.push(numberOrNull(record.latency_p99_ms));
      columns.max.push(numberOrNull(record.latency_max_ms));
      columns.open.push(numberOrNull(record.connections_open));
      columns.errors.push(errors !== null && intervalS > 0 ? round(errors / intervalS, 2) : null);
      columns.clientCpu.push(numberOrNull(record.client_cpu_pct));
      columns.serverCpu.push(numberOrNull(record.server_cpu_pct));
      columns.clientRss.push(numberOrNull(record.client_rss_mib));
      columns.serverRss.push(numberOrNull(record.server_rss_mib));
    }
  }
  if (x.length === 0) return [];
  const time = (title: string, unit: string, series: ChartSpec['series']): ChartSpec => ({ section: 'time', title, unit, axis: 'time', x, series, markers });
  const latencyName = new Set(run.steps.map((step) => primaryMetricOf(step.step)));
  return [
    time('Throughput', 'per s', [{ label: 'completed per s', values: columns.throughput }]),
    time(`${[...latencyName].join(' / ')} percentiles per interval`, 'ms', [
      { label: 'p50', values: columns.p50 },
      { label: 'p99', values: columns.p99 },
      { label: 'max', values: columns.max },
    ]),
    time('Connections open', 'connections', [{ label: 'open', values: columns.open }]),
    time('CPU (100% = one core)', '%', [
      { label: 'generator', values: columns.clientCpu },
      { label: 'target', values: columns.serverCpu },
    ]),
    time('Memory (RSS)', 'MiB', [
      { label: 'generator', values: columns.clientRss },
      { label: 'target', values: columns.serverRss },
    ]),
    time('Errors', 'per s', [{ label: 'errors per s', values: columns.errors }]),
  ];
}

/** HDR style: x is 1/(1-p), on a log scale, so 90%, 99%, 99.9% are evenly spaced. */
function distributionCharts(run: ReportRun): ChartSpec[] {
  // Each step's main metric first, then the rest in the order summary.csv names them.
  const measured = new Set(run.steps.flatMap((step) => [...step.histograms.keys()]));
  const mains = new Set(run.steps.map((step) => primaryMetricOf(step.step)));
  const metrics = [...metricNames].filter((metric) => measured.has(metric)).sort((a, b) => Number(mains.has(b)) - Number(mains.has(a)));
  return metrics.flatMap((metric): ChartSpec[] => {
    const perStep = run.steps
      .map((step) => ({ label: step.step.stepLabel, rows: step.histograms.get(metric) ? percentileDistribution(step.histograms.get(metric)!) : [] }))
      .filter((entry) => entry.rows.length > 0);
    if (perStep.length === 0) return [];
    const points = perStep.map((entry) => {
      const byX = new Map<number, number>();
      for (const row of entry.rows) if (row.percentile < 100) byX.set(round(100 / (100 - row.percentile), 6), row.valueMs);
      return byX;
    });
    const x = [...new Set(points.flatMap((byX) => [...byX.keys()]))].sort((a, b) => a - b);
    return [
      {
        section: 'distribution',
        title: `${metric} percentile distribution`,
        unit: 'ms',
        axis: 'percentile',
        x,
        series: perStep.map((entry, i) => ({ label: entry.label, values: x.map((value) => points[i]!.get(value) ?? null) })),
        markers: [],
      },
    ];
  });
}

function stepCharts(run: ReportRun): ChartSpec[] {
  if (run.steps.length < 2) return [];
  const rows = run.steps.map((step) => summaryRow(run.runId, run.scenario.base.name, step));
  const x = rows.map((_, i) => i);
  const labels = rows.map((row) => String(row.step));
  const column = (name: keyof (typeof rows)[number]): (number | null)[] => rows.map((row) => numberOrNull(String(row[name])));
  const chart = (title: string, unit: string, series: ChartSpec['series']): ChartSpec => ({ section: 'steps', title, unit, axis: 'step', x, series, markers: [], stepLabels: labels });
  return [
    chart('Throughput by step', 'per s', [{ label: 'completed per s', values: column('throughput_per_s') }]),
    chart('Latency by step', 'ms', [
      { label: 'p50', values: column('latency_p50_ms') },
      { label: 'p99', values: column('latency_p99_ms') },
      { label: 'p99.9', values: column('latency_p999_ms') },
    ]),
    chart('CPU by step (100% = one core)', '%', [
      { label: 'generator', values: column('client_cpu_pct') },
      { label: 'target', values: column('server_cpu_pct') },
    ]),
    chart('Peak memory by step (RSS)', 'MiB', [
      { label: 'generator', values: column('client_rss_mib') },
      { label: 'target', values: column('server_rss_mib') },
    ]),
    chart('Error rate by step', '%', [{ label: 'errors', values: rows.map((row) => round(Number(row.error_rate) * 100, 4)) }]),
  ];
}
