// transports.csv of a run: one row per receive-driven step (poll, long-poll, WebSocket
// subscribe), each transport's cost of delivering the same event stream put side by side:
// how late events arrive, and what each delivered event cost in requests, wire bytes,
// header bytes and server CPU. Written only when a run has such steps, and rewritten after
// every step like the other CSV files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../metrics/histogram.js';
import { stepPlan } from '../protocols/index.js';
import { csvText, type CsvValue } from './csv.js';
import type { Output, RunInfo, StepResult } from '../results/run-result.js';
import { round } from '../results/number-format.js';

export const cometCompareColumns = [
  'step',
  'transport',
  'clients',
  'event_rate_per_s',
  'events_delivered',
  'delivery_p50_ms',
  'delivery_p99_ms',
  'delivery_max_ms',
  'requests_per_event',
  'wire_bytes_per_event',
  'header_bytes_per_event',
  'empty_response_pct',
  'server_cpu_ms_per_1k_events',
  'server_rss_mib',
  'lost',
  'duplicated',
  'reordered',
  'errors',
] as const;

export type CometCompareRow = Record<(typeof cometCompareColumns)[number], CsvValue>;

/** The step's row, or undefined for a step that receives no events. */
export function cometCompareRow(result: StepResult): CometCompareRow | undefined {
  const { step, totals } = result;
  const plan = stepPlan(step);
  if (plan.kind !== 'receive') return undefined;
  const events = totals.events;
  const perEvent = (value: number, digits: number): CsvValue => (events > 0 ? round(value / events, digits) : '');
  const delivery = summarize(result.histograms.get('delivery'));
  const hasDelivery = delivery.count > 0;
  // What one answer of the target is: a WebSocket's events come in pushed messages (its requests are its upgrades).
  const responses = totals[plan.countsAs];
  const serverCpuMs = result.server ? (result.server.cpuPct / 100) * result.measuredMs : undefined;
  return {
    step: step.stepLabel,
    transport: plan.transport,
    clients: step.connections,
    // Only the built-in target's rate is known; an external target's is not guessed.
    event_rate_per_s: step.target === undefined ? step.server.eventRate : '',
    events_delivered: events,
    delivery_p50_ms: hasDelivery ? delivery.p50 : '',
    delivery_p99_ms: hasDelivery ? delivery.p99 : '',
    delivery_max_ms: hasDelivery ? delivery.max : '',
    requests_per_event: perEvent(totals.requests, 3),
    wire_bytes_per_event: perEvent(totals.bytesSent + totals.bytesReceived, 1),
    header_bytes_per_event: perEvent(totals.headerBytes, 1),
    empty_response_pct: responses > 0 ? round((totals.emptyResponses / responses) * 100, 1) : '',
    server_cpu_ms_per_1k_events: serverCpuMs === undefined ? '' : perEvent(serverCpuMs * 1000, 2),
    server_rss_mib: result.server ? round(result.server.rssPeakBytes / 1048576, 1) : '',
    lost: totals.lost,
    duplicated: totals.duplicates,
    reordered: totals.reordered,
    errors: totals.errors,
  };
}

export class CometCompare implements Output {
  private run: RunInfo | undefined;
  private readonly rows: CometCompareRow[] = [];

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  stepFinished(result: StepResult): void {
    const row = cometCompareRow(result);
    if (!row || !this.run) return;
    this.rows.push(row);
    writeFileSync(join(this.run.dir, 'transports.csv'), csvText(this.rows, cometCompareColumns));
  }
}
