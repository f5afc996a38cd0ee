// Transports delivering the same event stream (poll, long-poll, SSE, WebSocket subscribe,
// Socket.IO): their delivery latency distributions overlaid and what each delivered event
// cost, side by side, every transport in its own colour throughout. The colours come from
// one table over every transport the protocols declare, so a transport has the same colour
// in every chart of every run, whichever other transports the run has.
import { stepPlan, transportNames } from '../../protocols/index.js';
import { cometCompareRow, type CometCompareRow } from '../comet-compare.js';
import { barChart, chartHolder, formatMs, formatNumber, palette, table, type Section } from './html.js';
import { percentileChart } from './distribution-view.js';
import type { ReportRun } from './verdict.js';

/** The palette's grey reads as "other": no transport gets it. */
const otherColor = '#4b5563';
const transportPalette = palette.filter((color) => color !== otherColor);
const transportColors = new Map(transportNames.map((name, i) => [name, transportPalette[i % transportPalette.length]!]));

/** A transport's colour in every report; undefined for a name no protocol declares. */
export function transportColor(name: string): string | undefined {
  return transportColors.get(name);
}

const numeric = (value: CometCompareRow[keyof CometCompareRow]): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function transportsSection(run: ReportRun): Section {
  const steps = run.steps.flatMap((step) => {
    const plan = stepPlan(step.step);
    return plan.kind === 'receive' ? [{ step, transport: plan.transport }] : [];
  });
  if (steps.length === 0) return { id: 'transports', title: 'Transports', html: '', charts: [] };
  const entries = steps.map(({ step, transport }) => {
    const label = step.step.stepLabel === transport ? transport : `${step.step.stepLabel} (${transport})`;
    return { label, color: transportColor(transport) ?? otherColor, row: cometCompareRow(step)!, step };
  });
  const delivery = percentileChart(
    'transports-delivery',
    'Delivery latency (event published to event received) percentile distribution',
    entries.map((entry) => ({ label: entry.label, histogram: entry.step.histograms.get('delivery'), color: entry.color })),
  );
  const costs: { title: string; unit: string; value: (row: CometCompareRow) => number | null; format: (v: number) => string }[] = [
    { title: 'Requests per delivered event', unit: 'requests', value: (r) => numeric(r.requests_per_event), format: formatNumber },
    {
      title: 'Wire bytes per delivered event (headers included)',
      unit: 'bytes',
      value: (r) => numeric(r.wire_bytes_per_event),
      format: (v) => `${formatNumber(v)} B`,
    },
    { title: 'Header bytes per delivered event', unit: 'bytes', value: (r) => numeric(r.header_bytes_per_event), format: (v) => `${formatNumber(v)} B` },
    { title: 'Target CPU per 1,000 delivered events', unit: 'ms', value: (r) => numeric(r.server_cpu_ms_per_1k_events), format: formatMs },
    { title: 'Empty responses', unit: '% of responses', value: (r) => numeric(r.empty_response_pct), format: (v) => `${formatNumber(v)}%` },
  ];
  // One bar chart per cost, one bar per transport in its colour: the costs have different units.
  const bars = costs
    .filter((cost) => entries.some((entry) => cost.value(entry.row) !== null))
    .map((cost) =>
      barChart(
        cost.title,
        cost.unit,
        entries.map((entry) => entry.label),
        [{ label: 'per event', values: entries.map((entry) => cost.value(entry.row)) }],
        cost.format,
        entries.map((entry) => entry.color),
      ),
    );
  const cell = (value: CometCompareRow[keyof CometCompareRow], format: (v: number) => string = formatNumber): string => {
    const number = numeric(value);
    return number === null ? '-' : format(number);
  };
  const rows = entries.map(({ label, row }) => [
    label,
    cell(row.clients),
    cell(row.events_delivered),
    cell(row.delivery_p50_ms, formatMs),
    cell(row.delivery_p99_ms, formatMs),
    cell(row.delivery_max_ms, formatMs),
    cell(row.lost),
    cell(row.duplicated),
    cell(row.reordered),
    cell(row.errors),
  ]);
  const html = [
    '<p class="note">The same event stream delivered by each transport; "-": not measured (an external target\'s events carry no publish time, or the step delivered none).</p>',
    delivery ? chartHolder(delivery) : '<p class="unmeasured">Delivery latency not measured in any step.</p>',
    ...bars,
    table(['transport', 'clients', 'events', 'delivery p50', 'p99', 'max', 'lost', 'duplicated', 'reordered', 'errors'], rows),
  ].join('\n');
  return { id: 'transports', title: 'Transports compared: delivery latency and cost per event', html, charts: delivery ? [delivery] : [] };
}
