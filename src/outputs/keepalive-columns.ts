// The keep-alive figures of one step: how often sockets were reused, what a reused and a
// fresh socket cost in latency, the reset races, and what the built-in target held idle and
// turned away. sweep.csv puts them beside the summary columns.
import { summarize } from '../metrics/histogram.js';
import { meanThinkTime } from '../scenario/think-time.js';
import type { StepScenario } from '../scenario/types.js';
import type { StepResult } from '../results/run-result.js';
import { orBlank, round } from '../results/number-format.js';

export const keepAliveColumns = [
  'server_keepalive_timeout_ms',
  'server_timeout_source',
  'client_keepalive_timeout_ms',
  'honour_server_hint',
  'client_idle_timeout_ms',
  'client_minus_server_ms',
  'think_time_mean_ms',
  'requests_on_reused_sockets',
  'requests_on_fresh_sockets',
  'new_conns_per_1k_requests',
  'reuse_pct',
  'keepalive_race_errors',
  'race_error_pct',
  'race_idle_p50_ms',
  'race_idle_max_ms',
  'latency_reused_p50_ms',
  'latency_reused_p99_ms',
  'latency_fresh_p50_ms',
  'latency_fresh_p99_ms',
  'peak_server_sockets',
  'idle_server_sockets',
  'idle_server_sockets_peak',
  'rejected_connections',
  'newcomers',
  'newcomers_served',
  'newcomers_refused',
  'newcomers_timed_out',
  'newcomers_turned_away_pct',
  'latency_newcomer_p50_ms',
  'latency_newcomer_p99_ms',
] as const;

export type KeepAliveRow = Record<(typeof keepAliveColumns)[number], string | number | boolean>;

/** Where the server's idle timeout in a row comes from. */
export interface ServerTimeout {
  ms: number;
  source: 'built-in setting' | 'probe' | '--server-timeout';
  /** ± of a probed timeout, and the probe's finding in words. */
  resolutionMs?: number | undefined;
  found?: string | undefined;
}

const pct = (part: number, whole: number): number | string => (whole > 0 ? round((part / whole) * 100, 3) : '');

/** The built-in target's idle timeout, or the external one's as probed or given; undefined when unknown. */
export function serverTimeoutOf(step: StepScenario, external: ServerTimeout | undefined): ServerTimeout | undefined {
  return step.target === undefined ? { ms: step.server.keepAliveTimeout, source: 'built-in setting' } : external;
}

/**
 * How long the client keeps an idle socket. Honouring the hint it is undici's
 * min(hint − threshold, keepAliveTimeout), 0 when that is not positive (undici then closes
 * after every response). The hint is known for the built-in target: Node advertises
 * `timeout=` the whole seconds of its keepAliveTimeout. Elsewhere the configured value.
 */
export function clientIdleTimeout(step: StepScenario): number {
  const { http } = step;
  if (!http.keepAlive) return 0;
  if (!http.honourServerHint || step.target !== undefined || step.server.keepAliveTimeout === 0) return http.keepAliveTimeout;
  const hint = Math.floor(step.server.keepAliveTimeout / 1000) * 1000;
  return Math.max(0, Math.min(hint - http.keepAliveTimeoutThreshold, http.keepAliveTimeout));
}

export function keepAliveRow(result: StepResult, external: ServerTimeout | undefined): KeepAliveRow {
  const { totals, step } = result;
  const server = serverTimeoutOf(step, external);
  const clientIdle = clientIdleTimeout(step);
  const sent = totals.requestsOnReusedSockets + totals.requestsOnFreshSockets;
  const raceIdle = summarize(result.histograms.get('race_idle'));
  const reused = summarize(result.histograms.get('latency_reused'));
  const fresh = summarize(result.histograms.get('latency_fresh'));
  const newcomer = summarize(result.histograms.get('latency_newcomer'));
  const measured = result.targetMeasured;
  // Several target processes each sample the whole window: their idle sockets add up, their sampled seconds count once.
  const sampled = measured ? (measured.to.sampledSeconds - measured.from.sampledSeconds) / Math.max(1, result.targetProcesses) : 0;
  const idleMean = measured && sampled > 0 ? (measured.to.idleConnectionSeconds - measured.from.idleConnectionSeconds) / sampled : undefined;
  const rejected = measured ? measured.to.connectionsRejected - measured.from.connectionsRejected : result.targetStats?.connectionsRejected;
  return {
    server_keepalive_timeout_ms: server?.ms ?? '',
    server_timeout_source: server?.source ?? '',
    client_keepalive_timeout_ms: step.http.keepAliveTimeout,
    honour_server_hint: step.http.honourServerHint,
    client_idle_timeout_ms: clientIdle,
    client_minus_server_ms: server ? clientIdle - server.ms : '',
    think_time_mean_ms: round(meanThinkTime(step.thinkTime), 1),
    requests_on_reused_sockets: totals.requestsOnReusedSockets,
    requests_on_fresh_sockets: totals.requestsOnFreshSockets,
    new_conns_per_1k_requests: sent > 0 ? round((totals.requestsOnFreshSockets / sent) * 1000, 1) : '',
    reuse_pct: pct(totals.requestsOnReusedSockets, sent),
    keepalive_race_errors: totals.keepAliveRaceErrors,
    race_error_pct: pct(totals.keepAliveRaceErrors, sent),
    race_idle_p50_ms: orBlank(raceIdle.p50),
    race_idle_max_ms: orBlank(raceIdle.max),
    latency_reused_p50_ms: orBlank(reused.p50),
    latency_reused_p99_ms: orBlank(reused.p99),
    latency_fresh_p50_ms: orBlank(fresh.p50),
    latency_fresh_p99_ms: orBlank(fresh.p99),
    peak_server_sockets: result.targetStats?.connectionsPeak ?? '',
    idle_server_sockets: idleMean === undefined ? '' : round(idleMean, 1),
    idle_server_sockets_peak: result.targetStats?.idleConnectionsPeak ?? '',
    rejected_connections: rejected ?? '',
    newcomers: totals.newcomers,
    newcomers_served: totals.newcomersServed,
    newcomers_refused: totals.newcomersRefused,
    newcomers_timed_out: totals.newcomersTimedOut,
    newcomers_turned_away_pct: pct(totals.newcomersRefused + totals.newcomersTimedOut, totals.newcomers),
    latency_newcomer_p50_ms: orBlank(newcomer.p50),
    latency_newcomer_p99_ms: orBlank(newcomer.p99),
  };
}
