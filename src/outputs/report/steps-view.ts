// The summary table (one row per step, "-" where a step measured nothing) and, for runs of
// several steps, the steps compared as bars: steps are separate things, not points on a line.
import { summarize, type HistogramSummary } from '../../metrics/histogram.js';
import type { StepResult } from '../../results/run-result.js';
import { primaryMetricOf } from '../../protocols/index.js';
import { barChart, formatMs, formatNumber, table, type Section } from './html.js';
import { errorRate, type ReportRun } from './verdict.js';
import { formatDecimal } from '../../metrics/decimal.js';

const mib = (bytes: number): number => bytes / 1048576;
const percent = (fraction: number): string => `${formatNumber(fraction * 100)}%`;

interface StepFigures {
  label: string;
  perS: number | null;
  latency: HistogramSummary | null;
  errorRate: number | undefined;
}

function figures(result: StepResult): StepFigures {
  const seconds = result.measuredMs / 1000;
  const completed = result.totals.requests + result.totals.messages + result.totals.events;
  const main = summarize(result.histograms.get(primaryMetricOf(result.step)));
  return {
    label: result.step.stepLabel,
    perS: seconds > 0 ? completed / seconds : null,
    latency: main.count > 0 ? main : null,
    errorRate: errorRate(result),
  };
}

export function summarySection(run: ReportRun): Section {
  const rows = run.steps.map((result) => {
    const f = figures(result);
    return [
      result.step.stepLabel,
      `${result.step.protocol} ${result.step.workload}`,
      formatDecimal(result.step.connections, 3),
      f.perS === null ? '-' : `${formatNumber(f.perS)}/s`,
      `${formatDecimal(result.totals.errors, 3)}${f.errorRate === undefined ? '' : ` (${percent(f.errorRate)})`}`,
      primaryMetricOf(result.step),
      formatMs(f.latency?.p50),
      formatMs(f.latency?.p99),
      formatMs(f.latency?.p999),
      formatMs(f.latency?.max),
      `${formatNumber(result.client.cpuPct)}%`,
      result.server ? `${formatNumber(result.server.cpuPct)}%` : '-',
      result.saturationCauses.length > 0 ? 'yes (see warnings)' : 'no',
    ];
  });
  const header = ['step', 'protocol', 'conns', 'completed', 'errors', 'metric', 'p50', 'p99', 'p99.9', 'max', 'gen. cpu', 'target cpu', 'saturated'];
  const html = `${table(header, rows)}\n<p class="note">completed: requests, messages and events per measured second; cpu: 100% is one core; "-": not measured.</p>`;
  return { id: 'summary', title: 'Summary', html: rows.length > 0 ? html : '', charts: [] };
}

export function stepsSection(run: ReportRun): Section {
  if (run.steps.length < 2) return { id: 'steps', title: 'Steps compared', html: '', charts: [] };
  const all = run.steps.map(figures);
  const group = (label: string, values: (number | null | undefined)[]) => ({ label, values: values.map((value) => value ?? null) });
  const html = [
    barChart(
      'Throughput by step',
      'completed per s',
      ['completed per s'],
      all.map((f) => group(f.label, [f.perS])),
      (v) => `${formatNumber(v)}/s`,
    ),
    barChart(
      "Latency by step (each step's main metric)",
      'ms',
      ['p50', 'p99', 'p99.9'],
      all.map((f) => group(f.label, [f.latency?.p50, f.latency?.p99, f.latency?.p999])),
      formatMs,
    ),
    barChart(
      'CPU by step (100% = one core)',
      '%',
      ['generator', 'target'],
      run.steps.map((r) => group(r.step.stepLabel, [r.client.cpuPct, r.server?.cpuPct])),
      (v) => `${formatNumber(v)}%`,
    ),
    barChart(
      'Peak memory by step (RSS)',
      'MiB',
      ['generator', 'target'],
      run.steps.map((r) => group(r.step.stepLabel, [mib(r.client.rssPeakBytes), r.server ? mib(r.server.rssPeakBytes) : null])),
      (v) => `${formatNumber(v)} MiB`,
    ),
    barChart(
      'Error rate by step',
      '% of attempts',
      ['errors'],
      all.map((f) => group(f.label, [f.errorRate === undefined ? null : f.errorRate * 100])),
      (v) => `${formatNumber(v)}%`,
    ),
  ].join('\n');
  return { id: 'steps', title: 'Steps compared', html, charts: [] };
}

export function errorsSection(run: ReportRun): Section {
  const rows = run.steps.flatMap((step) =>
    Object.entries(step.totals.errorsByCode)
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => [step.step.stepLabel, code, formatDecimal(count, 3)]),
  );
  return { id: 'errors', title: 'Errors by code', html: table(['step', 'code', 'count'], rows), charts: [] };
}
