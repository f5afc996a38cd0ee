// A sweep: one heatmap per figure over the varied values (rows: the first fields, columns:
// the last one), each cell written out: socket reuse, new connections per 1,000 requests,
// p99 of the main latency, and the keep-alive race errors.
import { summarize } from '../../metrics/histogram.js';
import type { StepResult } from '../../results/run-result.js';
import { primaryMetricOf } from '../../protocols/index.js';
import { keepAliveRow, type ServerTimeout } from '../keepalive-columns.js';
import { formatMs, formatNumber, heatmap, type Section } from './html.js';
import type { ReportRun } from './verdict.js';
import { formatDecimal } from '../../metrics/decimal.js';

/** What run.json keeps under `sweep`. */
export interface SweepRecord {
  dimensions: { path: string; values: string[] }[];
  serverTimeout?: ServerTimeout;
}

const numeric = (value: string | number | boolean | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function sweepSection(run: ReportRun, sweep: SweepRecord | undefined): Section {
  if (!sweep || sweep.dimensions.length === 0 || run.steps.length === 0) return { id: 'sweep', title: 'Sweep', html: '', charts: [] };
  const dimensions = sweep.dimensions;
  const last = dimensions.at(-1)!;
  const leading = dimensions.slice(0, -1);
  // Combinations in step order: the first field changes slowest, so step = row × columns + column.
  const rowLabels = leading.reduce<string[]>(
    (labels, dimension) => labels.flatMap((label) => dimension.values.map((value) => (label ? `${label}, ${value}` : value))),
    [''],
  );
  const columns = last.values;
  const byIndex = new Map(run.steps.map((step) => [step.step.stepIndex, step]));
  const at = (row: number, column: number): StepResult | undefined => byIndex.get(row * columns.length + column);
  const rowsAxis = leading.length > 0 ? leading.map((dimension) => dimension.path).join(', ') : '';
  const axes = { rows: rowsAxis, columns: last.path };
  const rows = leading.length > 0 ? rowLabels : [''];
  const figure =
    (read: (step: StepResult) => number | null) =>
    (row: number, column: number): number | null => {
      const step = at(row, column);
      return step && !step.interrupted ? read(step) : null;
    };
  const keepAlive = (step: StepResult) => keepAliveRow(step, sweep.serverTimeout);
  const p99 = (step: StepResult): number | null => {
    const stats = summarize(step.histograms.get(primaryMetricOf(step.step)));
    return stats.p99 ?? null;
  };
  const maps = [
    {
      title: 'Requests on reused sockets',
      unit: '%',
      read: (s: StepResult) => numeric(keepAlive(s).reuse_pct),
      format: (v: number) => `${formatNumber(v)}%`,
      better: 'high' as const,
    },
    {
      title: 'New connections per 1,000 requests',
      unit: 'connections',
      read: (s: StepResult) => numeric(keepAlive(s).new_conns_per_1k_requests),
      format: formatNumber,
      better: 'low' as const,
    },
    { title: "p99 of each step's main latency", unit: 'ms', read: p99, format: formatMs, better: 'low' as const },
    {
      title: 'Keep-alive race errors (request sent on a socket the server was closing)',
      unit: 'errors',
      read: (s: StepResult) => (s.totals.requestsOnReusedSockets + s.totals.requestsOnFreshSockets > 0 ? s.totals.keepAliveRaceErrors : null),
      format: (v: number) => formatDecimal(v, 3),
      better: 'low' as const,
    },
  ];
  const html = maps
    .filter((map) => rows.some((_, r) => columns.some((__, c) => figure(map.read)(r, c) !== null)))
    .map((map) => heatmap(map.title, map.unit, axes, rows, columns, figure(map.read), map.format, map.better))
    .join('\n');
  const note = `<p class="note">${run.steps.length} of ${rows.length * columns.length} combinations measured; each cell is one combination's measured part. Green is the better end of each map, red the worse; "not measured": the combination did not run, or measured nothing of it.</p>`;
  return { id: 'sweep', title: `Sweep over ${dimensions.map((dimension) => dimension.path).join(' × ')}`, html: `${note}\n${html}`, charts: [] };
}
