// One summary.csv row per step, built from the step's merged histograms and summed
// counters. Column names are a contract: once released, a column keeps its name.
import { summarize, type HistogramSummary, type MetricName } from '../metrics/histogram.js';
import { capacityFields } from './capacity-columns.js';
import { http2Fields } from './http2-columns.js';
import type { StepResult } from './run-result.js';
import { mib, orBlank, round } from './number-format.js';
import { summaryColumns } from '../metrics/summary-columns.js';
import { hasMessageSession, hasSession, sessionTakesPushes } from '../scenario/session-types.js';

export type SummaryRow = Record<(typeof summaryColumns)[number], string | number | boolean>;

function metric(result: StepResult, name: MetricName): HistogramSummary {
  return summarize(result.histograms.get(name));
}

/**
 * `primary` is what latency_* reports (the protocol registry says which: delivery, rtt,
 * latency); it is passed in because the result model sits below the protocols.
 */
export function summaryRow(runId: string, scenarioName: string, result: StepResult, primary: MetricName): SummaryRow {
  const { totals, step } = result;
  const seconds = result.measuredMs / 1000;
  const completed = totals.requests + totals.messages;
  const failedWithoutAnswer = totals.errors - countHttpErrors(totals.errorsByCode);
  const attempts = completed + failedWithoutAnswer;
  const main = metric(result, primary);
  const serviceTime = metric(result, 'service_time');
  const connect = metric(result, 'connect');
  const handshake = metric(result, 'handshake');
  const tlsHandshake = metric(result, 'tls_handshake');
  const loopDelay = metric(result, 'loop_delay');
  const delivery = metric(result, 'delivery');
  const firstEvent = metric(result, 'first_event');
  const reply = metric(result, 'reply');
  const session = hasSession(step);
  const upgrade = metric(result, 'upgrade');
  // Events, and their losses and duplicates, are counted only where clients receive the target's events.
  const receiving = primary === 'delivery' || sessionTakesPushes(step);
  const tracked = (count: number): number | string => (receiving ? count : '');
  return {
    run_id: runId,
    scenario: scenarioName,
    step: step.stepLabel,
    protocol: step.protocol,
    workload: step.workload,
    target: result.builtInTarget ? `built-in (${result.target})` : result.target,
    started_at: result.startedAt.toISOString(),
    duration_s: round(seconds, 3),
    connections: step.connections,
    requests: totals.requests,
    messages: totals.messages,
    throughput_per_s: seconds > 0 ? round(completed / seconds, 1) : '',
    errors: totals.errors,
    error_rate: attempts > 0 ? round(totals.errors / attempts, 6) : '',
    dropped: totals.dropped,
    latency_metric: primary,
    latency_p50_ms: orBlank(main.p50),
    latency_p90_ms: orBlank(main.p90),
    latency_p99_ms: orBlank(main.p99),
    latency_p999_ms: orBlank(main.p999),
    latency_max_ms: orBlank(main.max),
    latency_mean_ms: orBlank(main.mean),
    service_time_p50_ms: orBlank(serviceTime.p50),
    service_time_p90_ms: orBlank(serviceTime.p90),
    service_time_p99_ms: orBlank(serviceTime.p99),
    connect_p50_ms: orBlank(connect.p50),
    connect_p99_ms: orBlank(connect.p99),
    handshake_p50_ms: orBlank(handshake.p50),
    handshake_p99_ms: orBlank(handshake.p99),
    tls_handshake_p50_ms: orBlank(tlsHandshake.p50),
    tls_handshake_p99_ms: orBlank(tlsHandshake.p99),
    new_connections: totals.connectionsOpened,
    connections_peak: result.connectionsPeak,
    connections_failed: totals.connectionsFailed,
    bytes_sent: totals.bytesSent,
    bytes_received: totals.bytesReceived,
    client_cpu_pct: round(result.client.cpuPct, 1),
    client_rss_mib: mib(result.client.rssPeakBytes),
    server_cpu_pct: result.server ? round(result.server.cpuPct, 1) : '',
    server_rss_mib: result.server ? mib(result.server.rssPeakBytes) : '',
    loop_delay_p99_ms: orBlank(loopDelay.p99),
    generator_saturated: result.saturationCauses.length > 0,
    saturation_cause: result.saturationCauses.join('; '),
    events: tracked(totals.events),
    delivery_p50_ms: orBlank(delivery.p50),
    delivery_p99_ms: orBlank(delivery.p99),
    delivery_max_ms: orBlank(delivery.max),
    first_event_p50_ms: orBlank(firstEvent.p50),
    first_event_p99_ms: orBlank(firstEvent.p99),
    upgrade_p50_ms: orBlank(upgrade.p50),
    upgrade_p99_ms: orBlank(upgrade.p99),
    lost: tracked(totals.lost),
    duplicated: tracked(totals.duplicates),
    reordered: tracked(totals.reordered),
    empty_responses: tracked(totals.emptyResponses),
    sessions_opened: session ? totals.sessionsOpened : '',
    messages_unmatched: hasMessageSession(step) ? totals.messagesUnmatched : '',
    reply_p50_ms: orBlank(reply.p50),
    reply_p99_ms: orBlank(reply.p99),
    reply_max_ms: orBlank(reply.max),
    ...capacityFields(result),
    ...http2Fields(result),
  };
}

/** Non-2xx answers are errors that still completed a request; the rest never got an answer. */
export function countHttpErrors(errorsByCode: Record<string, number>): number {
  let count = 0;
  for (const [code, n] of Object.entries(errorsByCode)) if (/^http_\d+$/.test(code)) count += n;
  return count;
}
