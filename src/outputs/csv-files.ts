// The CSV files of a results folder. timeseries.csv is appended row by row as intervals
// close, so a crash or Ctrl-C loses nothing already measured; the others are rewritten
// whole after every step, so they too are complete up to the last finished step.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { errorMessage } from '../errors.js';
import { compareMetrics, percentileDistribution, summarize } from '../metrics/histogram.js';
import { csvText } from './csv.js';
import type { IntervalRow, Output, RunInfo, StepResult } from '../results/run-result.js';
import { summaryRow } from '../results/summary-row.js';
import { sessionStepColumns, sessionStepFields } from '../results/session-step-columns.js';
import { primaryMetricOf } from '../protocols/index.js';
import { summaryColumns } from '../metrics/summary-columns.js';
import { mib, round } from '../results/number-format.js';
import { timeseriesFile } from '../results/stored-timeseries.js';
import { StoredFileError } from '../results/stored-value.js';

export const timeseriesColumns = [
  'run_id',
  'step',
  'phase',
  'elapsed_s',
  'interval_s',
  'connections_open',
  'requests',
  'messages',
  'throughput_per_s',
  'errors',
  'dropped',
  'new_connections',
  'latency_p50_ms',
  'latency_p99_ms',
  'latency_max_ms',
  'schedule_lag_p99_ms',
  'bytes_sent',
  'bytes_received',
  'client_cpu_pct',
  'client_rss_mib',
  'server_cpu_pct',
  'server_rss_mib',
  'loop_delay_p99_ms',
  'generator_saturated',
  'server_open_fds',
  'clients_held',
] as const;

export const latencyColumns = ['step', 'metric', 'percentile', 'value_ms', 'count'] as const;

export const errorColumns = ['step', 'code', 'count'] as const;

export class CsvFiles implements Output {
  private run: RunInfo | undefined;
  private readonly steps: StepResult[] = [];
  /** A resumed run's steps (by label, unique in a sweep) that have rows from before: a step run again replaces its interrupted rows. */
  private earlier = new Set<string>();

  runStarted(run: RunInfo): void {
    this.run = run;
    const file = this.path(timeseriesFile);
    if (!run.resumed || !existsSync(file)) {
      writeFileSync(file, csvText([], timeseriesColumns));
    } else {
      // The interrupted run may have been killed mid-row: that unfinished row goes, or the next one would be glued to it.
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, text.lastIndexOf('\n') + 1) || csvText([], timeseriesColumns));
      this.earlier = new Set(this.timeseriesRows().rows.map((row) => row.record.step ?? ''));
    }
    this.writeStepFiles();
  }

  interval(row: IntervalRow): void {
    if (!this.run) return;
    const label = row.step.stepLabel;
    if (this.earlier.delete(label)) {
      const { header, rows } = this.timeseriesRows();
      const kept = rows.filter((earlier) => earlier.record.step !== label).map((earlier) => earlier.raw);
      writeFileSync(this.path(timeseriesFile), header + kept.join(''));
    }
    const record = timeseriesRecord(this.run.runId, row);
    appendFileSync(this.path(timeseriesFile), csvText([record], timeseriesColumns, false));
  }

  /** timeseries.csv's header line and each row as written (a cell may hold a quoted line break), with its cells by column. */
  private timeseriesRows(): { header: string; rows: { record: Record<string, string>; raw: string }[] } {
    const file = this.path(timeseriesFile);
    const text = readFileSync(file, 'utf8');
    try {
      const rows = parse(text, { columns: true, raw: true, skip_empty_lines: true, relax_column_count: true }) as {
        record: Record<string, string>;
        raw: string;
      }[];
      return { header: text.slice(0, text.indexOf('\n') + 1), rows };
    } catch (error) {
      throw new StoredFileError(file, `cannot be read as CSV (${errorMessage(error)})`);
    }
  }

  stepFinished(result: StepResult): void {
    this.steps.push(result);
    this.writeStepFiles();
  }

  private writeStepFiles(): void {
    const run = this.run;
    if (run) writeStepCsvFiles(run.dir, run.runId, run.scenario.base.name, this.steps);
  }

  private path(file: string): string {
    return join(this.run!.dir, file);
  }
}

/** summary.csv, latency.csv and errors.csv from step results: what `run` writes after each step and `sockcap report` rebuilds. */
export function writeStepCsvFiles(dir: string, runId: string, scenarioName: string, steps: readonly StepResult[]): void {
  // The fixed columns, then those of each named session step (results/session-step-columns.ts).
  const summaries = steps.map((step) => ({ ...summaryRow(runId, scenarioName, step, primaryMetricOf(step.step)), ...sessionStepFields(step) }));
  writeFileSync(join(dir, 'summary.csv'), csvText(summaries, [...summaryColumns, ...sessionStepColumns(steps)]));

  // Metrics in one fixed order, so a rebuilt latency.csv is identical to the one the run wrote.
  const latencyRows = steps.flatMap((step) =>
    [...step.histograms.entries()]
      .sort(([a], [b]) => compareMetrics(a, b))
      .flatMap(([metric, histogram]) =>
        percentileDistribution(histogram).map((row) => ({
          step: step.step.stepLabel,
          metric,
          percentile: row.percentile,
          value_ms: row.valueMs,
          count: row.count,
        })),
      ),
  );
  writeFileSync(join(dir, 'latency.csv'), csvText(latencyRows, latencyColumns));

  const errorRows = steps.flatMap((step) =>
    Object.entries(step.totals.errorsByCode)
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => ({ step: step.step.stepLabel, code, count })),
  );
  writeFileSync(join(dir, 'errors.csv'), csvText(errorRows, errorColumns));
}

/** One row of timeseries.csv: what is appended as each interval closes, and what the live dashboard draws. */
export function timeseriesRecord(runId: string, row: IntervalRow) {
  const primary = primaryMetricOf(row.step);
  const latency = summarize(row.histograms.get(primary));
  const completed = row.counters.requests + row.counters.messages;
  return {
    run_id: runId,
    step: row.step.stepLabel,
    phase: row.phase,
    elapsed_s: round(row.elapsedS, 3),
    interval_s: round(row.intervalS, 3),
    connections_open: row.connectionsOpen,
    requests: row.counters.requests,
    messages: row.counters.messages,
    throughput_per_s: row.intervalS > 0 ? round(completed / row.intervalS, 1) : '',
    errors: row.counters.errors,
    dropped: row.counters.dropped,
    new_connections: row.counters.connectionsOpened,
    latency_p50_ms: latency.p50,
    latency_p99_ms: latency.p99,
    latency_max_ms: latency.max,
    schedule_lag_p99_ms: summarize(row.histograms.get('schedule_lag')).p99,
    bytes_sent: row.counters.bytesSent,
    bytes_received: row.counters.bytesReceived,
    client_cpu_pct: round(row.client.cpuPct, 1),
    client_rss_mib: mib(row.client.rssBytes),
    server_cpu_pct: row.server ? round(row.server.cpuPct, 1) : '',
    server_rss_mib: row.server ? mib(row.server.rssBytes) : '',
    loop_delay_p99_ms: summarize(row.histograms.get('loop_delay')).p99,
    generator_saturated: row.saturationCauses.length > 0,
    server_open_fds: row.server?.openFds ?? '',
    clients_held: row.clientsHeld ?? '',
  };
}
