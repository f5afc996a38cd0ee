// What sockcap publishes live, once for both /metrics (Prometheus) and OTLP: each instrument
// has its OpenTelemetry name and unit, and the Prometheus name that OTLP's translation into
// Prometheus (unit suffix, `_total` on counters) gives it, so a dashboard reads the same
// series whichever way they arrived. Latencies are in seconds, memory in bytes, CPU as the
// share of one core (1 = one core busy). A figure that was not measured (a target whose
// process is not sampled, a latency with no sample yet) has no series at all, never 0.
import type { Counters } from '../../metrics/counters.js';
import type { HistogramSummary } from '../../metrics/histogram.js';
import type { LiveFigures, Phase, StepFigures } from './figures.js';

export type Labels = Record<string, string>;

export interface Reading {
  labels: Labels;
  value: number;
}

export interface LiveInstrument {
  /** OpenTelemetry name (dots, no unit). */
  otelName: string;
  /** Prometheus name (underscores, unit suffix, `_total` for counters). */
  promName: string;
  kind: 'counter' | 'gauge';
  /** UCUM unit, as OpenTelemetry expects it. */
  unit: string;
  help: string;
  labelNames: readonly string[];
  read(figures: LiveFigures): Reading[];
}

const phases: readonly Phase[] = ['warmup', 'measure'];

type CountName = Exclude<keyof Counters, 'errorsByCode' | 'stepFailures'>;

/** A counter per step and phase, read from the step's counts. */
function count(otelName: string, promName: string, unit: string, help: string, field: CountName): LiveInstrument {
  return {
    otelName,
    promName,
    kind: 'counter',
    unit,
    help,
    labelNames: ['step', 'phase'],
    read: (figures) => figures.steps.flatMap((step) => phases.map((phase) => ({ labels: { step: step.label, phase }, value: step.counts[phase][field] }))),
  };
}

/** A gauge per step, from the step's figures; undefined leaves the step out. */
function gauge(otelName: string, promName: string, unit: string, help: string, value: (step: StepFigures) => number | undefined): LiveInstrument {
  return {
    otelName,
    promName,
    kind: 'gauge',
    unit,
    help,
    labelNames: ['step'],
    read: (figures) =>
      figures.steps.flatMap((step) => {
        const figure = value(step);
        return figure === undefined ? [] : [{ labels: { step: step.label }, value: figure }];
      }),
  };
}

const quantiles: [string, keyof HistogramSummary][] = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
];

/** Quantiles (and, apart, the maximum) of the step's main latency metric, in seconds. */
function latency(otelName: string, promName: string, help: string, summary: (step: StepFigures) => HistogramSummary | undefined): LiveInstrument[] {
  return [
    {
      otelName,
      promName,
      kind: 'gauge',
      unit: 's',
      help: `${help}, quantiles`,
      labelNames: ['step', 'metric', 'quantile'],
      read: (figures) =>
        figures.steps.flatMap((step) => {
          const found = summary(step);
          return found
            ? quantiles.flatMap(([quantile, key]) => {
                const ms = found[key];
                return ms === undefined ? [] : [{ labels: { step: step.label, metric: step.metric, quantile }, value: ms / 1000 }];
              })
            : [];
        }),
    },
    {
      otelName: `${otelName}.max`,
      promName: promName.replace(/_seconds$/, '_max_seconds'),
      kind: 'gauge',
      unit: 's',
      help: `${help}, maximum`,
      labelNames: ['step', 'metric'],
      read: (figures) =>
        figures.steps.flatMap((step) => {
          const found = summary(step);
          return found?.max === undefined ? [] : [{ labels: { step: step.label, metric: step.metric }, value: found.max / 1000 }];
        }),
    },
  ];
}

const perSecond = (step: StepFigures, amount: (row: NonNullable<StepFigures['last']>) => number): number | undefined =>
  step.last && step.last.intervalS > 0 ? amount(step.last) / step.last.intervalS : undefined;

export const liveInstruments: readonly LiveInstrument[] = [
  count('sockcap.requests', 'sockcap_requests_total', '{request}', 'HTTP requests answered (any status)', 'requests'),
  count('sockcap.messages', 'sockcap_messages_total', '{message}', 'WebSocket messages echoed or pushed', 'messages'),
  count('sockcap.events', 'sockcap_events_total', '{event}', 'events received for the first time (push transports)', 'events'),
  {
    otelName: 'sockcap.errors',
    promName: 'sockcap_errors_total',
    kind: 'counter',
    unit: '{error}',
    help: 'errors by code (errors.csv)',
    labelNames: ['step', 'phase', 'code'],
    read: (figures) =>
      figures.steps.flatMap((step) =>
        phases.flatMap((phase) =>
          Object.entries(step.counts[phase].errorsByCode).map(([code, value]) => ({ labels: { step: step.label, phase, code }, value })),
        ),
      ),
  },
  count('sockcap.dropped_arrivals', 'sockcap_dropped_arrivals_total', '{arrival}', 'arrivals dropped because no connection was free (open models)', 'dropped'),
  count('sockcap.connections.opened', 'sockcap_connections_opened_total', '{connection}', 'connections that completed their connect', 'connectionsOpened'),
  count('sockcap.connections.failed', 'sockcap_connections_failed_total', '{connection}', 'connection attempts that never opened', 'connectionsFailed'),
  count('sockcap.sent', 'sockcap_sent_bytes_total', 'By', 'bytes sent on the wire', 'bytesSent'),
  count('sockcap.received', 'sockcap_received_bytes_total', 'By', 'bytes received on the wire', 'bytesReceived'),
  gauge('sockcap.throughput', 'sockcap_throughput_per_second', '1/s', 'requests and messages completed per second in the last interval', (step) =>
    perSecond(step, (row) => row.counters.requests + row.counters.messages),
  ),
  gauge('sockcap.connect_rate', 'sockcap_connect_rate_per_second', '1/s', 'connections opened per second in the last interval', (step) =>
    perSecond(step, (row) => row.counters.connectionsOpened),
  ),
  gauge(
    'sockcap.connections.open',
    'sockcap_connections_open',
    '{connection}',
    'connections open at the end of the last interval',
    (step) => step.last?.connectionsOpen,
  ),
  ...latency(
    'sockcap.latency.interval',
    'sockcap_latency_interval_seconds',
    "the step's main latency metric in the last interval",
    (step) => step.intervalLatency,
  ),
  ...latency('sockcap.latency', 'sockcap_latency_seconds', "the step's main latency metric over its measured part so far", (step) => step.latency),
  gauge('sockcap.generator.saturated', 'sockcap_generator_saturated', '', '1 when the generator was saturated in the last interval', (step) =>
    step.last ? (step.last.saturationCauses.length > 0 ? 1 : 0) : undefined,
  ),
  gauge('sockcap.client.cpu.utilization', 'sockcap_client_cpu_utilization_ratio', '1', 'generator CPU in the last interval (1 = one core)', (step) =>
    step.last ? step.last.client.cpuPct / 100 : undefined,
  ),
  {
    otelName: 'sockcap.client.cpu',
    promName: 'sockcap_client_cpu_seconds_total',
    kind: 'counter',
    unit: 's',
    help: 'generator CPU time during the step',
    labelNames: ['step'],
    read: (figures) => figures.steps.map((step) => ({ labels: { step: step.label }, value: step.clientCpuSeconds })),
  },
  gauge(
    'sockcap.client.resident_memory',
    'sockcap_client_resident_memory_bytes',
    'By',
    'generator resident memory at the end of the last interval',
    (step) => step.last?.client.rssBytes,
  ),
  gauge(
    'sockcap.server.cpu.utilization',
    'sockcap_server_cpu_utilization_ratio',
    '1',
    'target CPU in the last interval (1 = one core), when its process is sampled',
    (step) => (step.last?.server ? step.last.server.cpuPct / 100 : undefined),
  ),
  {
    otelName: 'sockcap.server.cpu',
    promName: 'sockcap_server_cpu_seconds_total',
    kind: 'counter',
    unit: 's',
    help: 'target CPU time during the step, when its process is sampled',
    labelNames: ['step'],
    read: (figures) =>
      figures.steps.flatMap((step) => (step.serverCpuSeconds === undefined ? [] : [{ labels: { step: step.label }, value: step.serverCpuSeconds }])),
  },
  gauge(
    'sockcap.server.resident_memory',
    'sockcap_server_resident_memory_bytes',
    'By',
    'target resident memory at the end of the last interval, when its process is sampled',
    (step) => step.last?.server?.rssBytes,
  ),
  {
    otelName: 'sockcap.run.finished',
    promName: 'sockcap_run_finished',
    kind: 'gauge',
    unit: '',
    help: '1 once the run has ended and every figure is final',
    labelNames: [],
    read: (figures) => [{ labels: {}, value: figures.finished ? 1 : 0 }],
  },
];
