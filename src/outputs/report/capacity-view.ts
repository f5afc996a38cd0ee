// The capacity ladder: what a connection costs as the count grows. Memory per connection
// (client, server, kernel) and the connect rate against connections held, the slope fitted
// across the steps with its standard error, and with --until-slo the SLO's metric per step
// against its limit.
import { pricedHeld } from '../../results/connection-costs.js';
import { metricValue } from '../../results/metric-value.js';
import type { StepResult } from '../../results/run-result.js';
import { formatValue } from '../../scenario/metric-ref.js';
import { holds, parseThresholdExpression, type ThresholdExpression } from '../../scenario/threshold-expression.js';
import { capacityFits, type CapacityFit } from '../capacity-csv.js';
import { connectionWorkloads } from '../../scenario/types.js';
import { primaryMetricOf } from '../../protocols/index.js';
import { chartHolder, formatNumber, palette, table, type ChartSpec, type Section, type Series } from './html.js';
import type { ReportRun } from './verdict.js';
import { formatDecimal } from '../../metrics/decimal.js';

const sides = [
  { label: 'client', quantity: 'client_memory', value: (r: StepResult) => r.costs.clientKibPerConn, color: palette[0]! },
  { label: 'server', quantity: 'server_memory', value: (r: StepResult) => r.costs.serverKibPerConn, color: palette[1]! },
  { label: 'kernel', quantity: 'kernel_memory', value: (r: StepResult) => r.costs.kernelKibPerConn, color: palette[2]! },
] as const;

function fitText(fit: CapacityFit | undefined): string {
  if (!fit) return 'no fit (fewer than 2 steps measured it)';
  const spread = fit.fit.slopeStdError === undefined ? '' : ` ± ${formatNumber(fit.fit.slopeStdError)}`;
  const r2 = fit.fit.r2 === undefined ? '' : `, r² ${fit.fit.r2.toFixed(3)}`;
  return `fitted ${formatNumber(fit.fit.slope)}${spread} ${fit.unit} (${fit.fit.points} steps${r2})`;
}

/** The SLO of --until-slo as run.json recorded it, or undefined. */
function sloOf(text: string | undefined): ThresholdExpression | undefined {
  if (text === undefined) return undefined;
  try {
    return parseThresholdExpression(text);
  } catch {
    return undefined;
  }
}

export function capacitySection(run: ReportRun, untilSlo: string | undefined): Section {
  const steps = run.steps.filter((step) => connectionWorkloads.includes(step.step.workload));
  if (steps.length === 0) return { id: 'capacity', title: 'Capacity', html: '', charts: [] };
  // One point per step at the connections it held (the clients, where its costs are per client), in the order of that count.
  const ladder = [...steps].sort((a, b) => pricedHeld(a) - pricedHeld(b));
  const x = ladder.map((step) => pricedHeld(step));
  const fits = capacityFits(steps);
  const chart = (id: string, title: string, unit: string, series: Series[], levels: ChartSpec['levels'] = []): ChartSpec => ({
    id,
    title,
    unit,
    xKind: 'linear',
    xLabel: 'connections held',
    x,
    series,
    markers: [],
    bands: [],
    levels,
  });
  const memory: Series[] = sides.flatMap((side) => {
    const values = ladder.map((step) => side.value(step) ?? null);
    if (values.every((value) => value === null)) return [];
    const fit = fits.find((candidate) => candidate.quantity === side.quantity);
    const measured: Series = { label: `${side.label} per connection`, summary: fitText(fit), values, style: 'points', color: side.color };
    // The fitted marginal cost as a dashed level in the side's colour, beside the measured averages.
    const slope: Series[] = fit
      ? [
          {
            label: `${side.label} fitted slope`,
            summary: `${formatNumber(fit.fit.slope)} KiB`,
            values: x.map(() => fit.fit.slope),
            style: 'dashed',
            color: side.color,
          },
        ]
      : [];
    return [measured, ...slope];
  });
  const charts: ChartSpec[] = [];
  if (memory.length > 0) charts.push(chart('capacity-memory', 'Memory per connection against connections', 'KiB per connection', memory));
  const rates = ladder.map((step) => (step.connectRatePeak > 0 ? step.connectRatePeak : null));
  if (rates.some((rate) => rate !== null)) {
    const top = Math.max(...rates.filter((rate): rate is number => rate !== null));
    charts.push(
      chart('capacity-rate', 'Connect rate against connections (fastest interval of each step)', 'new connections per s', [
        { label: 'connect rate', summary: `peak ${formatNumber(top)}/s`, values: rates, style: 'points' },
      ]),
    );
  }
  const slo = sloOf(untilSlo);
  const sloVerdict = (step: StepResult): string => {
    if (!slo) return '';
    const value = metricValue(step, slo.ref, primaryMetricOf(step.step));
    return value === undefined ? 'not measured' : holds(value, slo.operator, slo.limit) ? 'kept' : 'broken';
  };
  if (slo) {
    const values = ladder.map((step) => metricValue(step, slo.ref, primaryMetricOf(step.step)) ?? null);
    const broken = ladder.find((step) => sloVerdict(step) !== 'kept');
    const good = [...ladder].reverse().find((step) => sloVerdict(step) === 'kept');
    const summary = broken
      ? `broken at step ${broken.step.stepLabel} (${formatDecimal(broken.connectionsPeak, 3)} connections); last kept: ${good ? formatDecimal(good.connectionsPeak, 3) : 'none'}`
      : 'kept in every step';
    charts.push(
      chart(
        'capacity-slo',
        `SLO ${slo.text} against connections`,
        slo.ref.kind === 'ms' ? 'ms' : slo.ref.kind,
        [{ label: slo.ref.name, summary, values, style: 'points' }],
        [{ y: slo.limit, label: `SLO: ${slo.text}` }],
      ),
    );
  }
  const kib = (value: number | undefined): string => (value === undefined ? '-' : formatNumber(value));
  const rows = ladder.map((step) => [
    step.step.stepLabel,
    formatDecimal(pricedHeld(step), 3),
    formatDecimal(step.totals.connectionsFailed, 3),
    kib(step.costs.clientKibPerConn),
    kib(step.costs.serverKibPerConn),
    kib(step.costs.kernelKibPerConn),
    kib(step.costs.serverCpuMsPerConn),
    step.connectRatePeak > 0 ? formatNumber(step.connectRatePeak) : '-',
    formatDecimal(step.totals.reconnects, 3),
    formatDecimal(step.totals.reconnectAttempts, 3),
    ...(slo ? [`${formatValue(slo.ref.kind, metricValue(step, slo.ref, primaryMetricOf(step.step)))} (${sloVerdict(step)})`] : []),
  ]);
  const header = [
    'step',
    'held',
    'failed',
    'client KiB/conn',
    'server KiB/conn',
    'kernel KiB/conn',
    'server cpu ms/conn',
    'connects/s',
    'reconnects',
    'reconnect attempts',
    ...(slo ? [slo.text] : []),
  ];
  const fitRows = fits.map((fit) => [fit.quantity, fitText(fit), fit.fit.r2 === undefined ? '-' : fit.fit.r2.toFixed(4)]);
  const html = [
    '<p class="note">Each point is one step: the average cost of a connection it held. The fitted slope is the cost of one more connection (total cost against connections, least squares across the steps), ± its standard error.</p>',
    ...charts.map(chartHolder),
    table(header, rows, (row) => (row.at(-1)?.endsWith('(broken)') ? 'fail' : '')),
    fitRows.length > 0 ? `<h3>Fitted across the steps</h3>\n${table(['quantity', 'slope', 'r²'], fitRows)}` : '',
  ].join('\n');
  return { id: 'capacity', title: 'Capacity: what a connection costs', html, charts };
}
