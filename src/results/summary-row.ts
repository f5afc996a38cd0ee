// One summary.csv row per step, built from the step's merged histograms and summed
// counters. Column names are a contract: once released, a column keeps its name.
import { summarize, type HistogramSummary, type MetricName } from '../metrics/histogram.js';
import { capacityFields } from './capacity-columns.js';
import { http2Fields } from './http2-columns.js';
import type { StepResult } from './run-result.js';
import { mib, round } from './number-format.js';
import { summaryColumns } from '../metrics/summary-columns.js';
import { hasSession } from '../scenario/session-types.js';

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
    throughput_per_s: seconds > 0 ? round(completed / seconds, 1) : 0,
    errors: totals.errors,
    error_rate: attempts > 0 ? round(totals.errors / attempts, 6) : 0,
    dropped: totals.dropped,
    latency_metric: primary,
    latency_p50_ms: main.p50,
    latency_p90_ms: main.p90,
    latency_p99_ms: main.p99,
    latency_p999_ms: main.p999,
    latency_max_ms: main.max,
    latency_mean_ms: main.mean,
    service_time_p50_ms: serviceTime.p50,
    service_time_p90_ms: serviceTime.p90,
    service_time_p99_ms: serviceTime.p99,
    connect_p50_ms: connect.p50,
    connect_p99_ms: connect.p99,
    handshake_p50_ms: handshake.p50,
    handshake_p99_ms: handshake.p99,
    tls_handshake_p50_ms: tlsHandshake.p50,
    tls_handshake_p99_ms: tlsHandshake.p99,
    new_connections: totals.connectionsOpened,
    connections_peak: result.connectionsPeak,
    connections_failed: totals.connectionsFailed,
    bytes_sent: totals.bytesSent,
    bytes_received: totals.bytesReceived,
    client_cpu_pct: round(result.client.cpuPct, 1),
    client_rss_mib: mib(result.client.rssPeakBytes),
    server_cpu_pct: result.server ? round(result.server.cpuPct, 1) : '',
    server_rss_mib: result.server ? mib(result.server.rssPeakBytes) : '',
    loop_delay_p99_ms: loopDelay.p99,
    generator_saturated: result.saturationCauses.length > 0,
    saturation_cause: result.saturationCauses.join('; '),
    events: totals.events,
    delivery_p50_ms: delivery.count > 0 ? delivery.p50 : '',
    delivery_p99_ms: delivery.count > 0 ? delivery.p99 : '',
    delivery_max_ms: delivery.count > 0 ? delivery.max : '',
    first_event_p50_ms: firstEvent.count > 0 ? firstEvent.p50 : '',
    first_event_p99_ms: firstEvent.count > 0 ? firstEvent.p99 : '',
    upgrade_p50_ms: upgrade.count > 0 ? upgrade.p50 : '',
    upgrade_p99_ms: upgrade.count > 0 ? upgrade.p99 : '',
    lost: totals.lost,
    duplicated: totals.duplicates,
    reordered: totals.reordered,
    empty_responses: totals.emptyResponses,
    sessions_opened: session ? totals.sessionsOpened : '',
    messages_unmatched: session ? totals.messagesUnmatched : '',
    reply_p50_ms: reply.count > 0 ? reply.p50 : '',
    reply_p99_ms: reply.count > 0 ? reply.p99 : '',
    reply_max_ms: reply.count > 0 ? reply.max : '',
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
