// "Over time": timeseries.csv drawn against seconds since the run started, every step's
// start marked and labelled, its warm-up shaded, the gap between steps left as a gap, and an
// interval that measured nothing (no latency sample, no target sampled) left out, not drawn as 0.
import { round } from '../../results/number-format.js';
import { readTimeseries, type TimeseriesRecord } from '../../results/stored-timeseries.js';
import { primaryMetricOf } from '../../protocols/index.js';
import type { StepScenario } from '../../scenario/types.js';
import { chartHolder, formatNumber, type ChartSpec, type Section, type Series } from './html.js';
import type { ReportRun } from './verdict.js';
import { formatDecimal } from '../../metrics/decimal.js';

type Record = TimeseriesRecord;

/** A step's rows and where it starts on the run's time axis. */
export interface TimelineStep {
  step: StepScenario;
  /** Seconds from the run's start to the step's. */
  offsetS: number;
  records: Record[];
  /** Its errors, for the errors chart's legend. */
  errors: number;
}

const numberOrNull = (text: string | undefined): number | null =>
  text === undefined || text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text);

type Summary = 'mean' | 'peak' | 'total';

const columns = {
  throughput: (r: Record) => numberOrNull(r.throughput_per_s),
  // A latency maximum of 0 means no sample in the interval (the smallest recorded value is 1 µs).
  p50: (r: Record) => (numberOrNull(r.latency_max_ms) ? numberOrNull(r.latency_p50_ms) : null),
  p99: (r: Record) => (numberOrNull(r.latency_max_ms) ? numberOrNull(r.latency_p99_ms) : null),
  max: (r: Record) => numberOrNull(r.latency_max_ms) || null,
  open: (r: Record) => numberOrNull(r.connections_open),
  errors: (r: Record) => {
    const errors = numberOrNull(r.errors);
    const seconds = numberOrNull(r.interval_s);
    return errors !== null && seconds ? round(errors / seconds, 2) : null;
  },
  clientCpu: (r: Record) => numberOrNull(r.client_cpu_pct),
  serverCpu: (r: Record) => numberOrNull(r.server_cpu_pct),
  clientRss: (r: Record) => numberOrNull(r.client_rss_mib),
  serverRss: (r: Record) => numberOrNull(r.server_rss_mib),
};

export function timelineSection(run: ReportRun): Section {
  const records = readTimeseries(run.dir);
  return timelineOf(
    run.steps.map((step) => ({
      step: step.step,
      offsetS: (step.startedAt.getTime() - run.startedAt.getTime()) / 1000,
      records: records.filter((record) => record.step === step.step.stepLabel),
      errors: step.totals.errors,
    })),
  );
}

/** The charts of "Over time" from each step's rows: report.html's, and the live dashboard's as intervals close. */
export function timelineOf(steps: readonly TimelineStep[]): Section {
  const x: number[] = [];
  const values = Object.fromEntries(Object.keys(columns).map((name) => [name, [] as (number | null)[]])) as { [K in keyof typeof columns]: (number | null)[] };
  const measured: boolean[] = [];
  const markers: ChartSpec['markers'] = [];
  const bands: ChartSpec['bands'] = [];
  for (const step of steps) {
    const offset = step.offsetS;
    const own = step.records;
    if (own.length === 0) continue;
    markers.push({ x: round(offset, 3), label: step.step.stepLabel });
    const warmup = own.filter((record) => record.phase === 'warmup');
    if (warmup.length > 0) bands.push({ from: offset, to: round(offset + (numberOrNull(warmup.at(-1)!.elapsed_s) ?? 0), 3), label: 'warm-up' });
    // The line breaks between steps instead of joining one step's last point to the next one's first.
    if (x.length > 0) {
      x.push(round(offset - 0.001, 3));
      measured.push(false);
      for (const list of Object.values(values)) list.push(null);
    }
    for (const record of own) {
      x.push(round(offset + (numberOrNull(record.elapsed_s) ?? 0), 3));
      measured.push(record.phase !== 'warmup');
      for (const [name, read] of Object.entries(columns)) values[name as keyof typeof columns].push(read(record));
    }
  }
  if (x.length === 0) return { id: 'time', title: 'Over time', html: '', charts: [] };

  /** The series' summary over measured intervals (warm-up left out), or undefined when it measured nothing. */
  const series = (label: string, list: (number | null)[], summary: Summary, unit: string): Series[] => {
    const seen = list.filter((value, i): value is number => value !== null && measured[i]!);
    if (list.every((value) => value === null)) return [];
    let text = 'not measured after warm-up';
    if (seen.length > 0) {
      const figure =
        summary === 'peak' ? Math.max(...seen) : summary === 'total' ? seen.reduce((a, b) => a + b, 0) : seen.reduce((a, b) => a + b, 0) / seen.length;
      text = `${summary} ${formatNumber(figure)}${unit}`;
    }
    return [{ label, summary: text, values: list }];
  };
  let index = 0;
  const chart = (title: string, unit: string, list: Series[]): ChartSpec[] =>
    list.length === 0
      ? []
      : [{ id: `time-${index++}`, title, unit, xKind: 'time', xLabel: 'seconds since the run started', x, series: list, markers, bands, levels: [] }];
  const first = steps.find((step) => step.records.length > 0)?.records[0];
  const intervals = first?.interval_s ? Number(first.interval_s) : undefined;
  const totalErrors = steps.reduce((sum, step) => sum + step.errors, 0);
  const latencyName = [...new Set(steps.map((step) => primaryMetricOf(step.step)))].join(' / ');
  const charts = [
    ...chart('Throughput', 'completed per s', series('completed per s', values.throughput, 'mean', '/s')),
    ...chart(`${latencyName} per interval`, 'ms', [
      ...series('p50', values.p50, 'mean', ' ms'),
      ...series('p99', values.p99, 'peak', ' ms'),
      ...series('max', values.max, 'peak', ' ms'),
    ]),
    ...chart('Connections open', 'connections', series('open', values.open, 'peak', '')),
    ...chart('CPU (100% = one core)', '%', [...series('generator', values.clientCpu, 'mean', '%'), ...series('target', values.serverCpu, 'mean', '%')]),
    ...chart('Memory (RSS)', 'MiB', [...series('generator', values.clientRss, 'peak', ' MiB'), ...series('target', values.serverRss, 'peak', ' MiB')]),
    ...chart('Errors', 'per s', series(`errors per s (${formatDecimal(totalErrors, 3)} in all)`, values.errors, 'peak', '/s')),
  ];
  const note = `<p class="note">One point per ${intervals ? `${intervals} s ` : ''}interval; dashed lines mark where each step starts, shaded spans are warm-up (left out of every summary). A series with nothing measured is not drawn.</p>`;
  return { id: 'time', title: 'Over time', html: `${note}\n${charts.map(chartHolder).join('\n')}`, charts };
}
