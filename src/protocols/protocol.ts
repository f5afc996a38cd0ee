// What every protocol module declares, so that nothing outside src/protocols/ needs to know
// a protocol by name: how a step of it runs (a send loop through a driver, or receivers
// waiting for the target's events), what it measures and counts, which workloads it
// supports, and the scenario rules of its own. The registry (index.ts) maps names to these.
import type { MetricName } from '../metrics/histogram.js';
import type { ScenarioRule } from '../scenario/rules.js';
import type { Scenario, WorkloadKind } from '../scenario/types.js';
import type { Millis } from '../scenario/units.js';
import type { DriverFactory } from './driver.js';
import type { ReceiverFactory } from './receiver.js';

interface PlanBase {
  /** How messages name this way of running: `protocol: poll`, `protocol: websocket with websocket.mode: subscribe`. */
  label: string;
  /** The workloads it can run. */
  workloads: readonly WorkloadKind[];
  /** Why only those, said in brackets after the list when a scenario asks for another. */
  workloadsWhy: string;
  /** How opening a connection is timed: `connect` (TCP, TLS) or `handshake` (an upgrade on top). */
  connectMetric: 'connect' | 'handshake';
  /**
   * The most TCP sockets one connection holds at once: what the open-file limit and the
   * ports are planned for (Socket.IO over polling holds its long-poll and a POST: 2).
   */
  socketsPerConnection: number;
  /** What one completed exchange is counted as (requests or messages). */
  countsAs: 'requests' | 'messages';
  /** Further metrics of its own, shown on the console after the step (p50 and p99). */
  ownMetrics: readonly MetricName[];
}

/** The client sends and times each answer: a request, an echo, an acknowledgement. */
export interface SendPlan extends PlanBase {
  kind: 'send';
  driver: DriverFactory;
  /** What latency_* reports: the time to the answer. */
  metric: MetricName;
  /** Requests one connection may have in flight (HTTP pipelining). */
  inFlightPerConnection: number;
  /** Opening the connection is itself a request the target counts (HTTP). */
  establishCountsRequest: boolean;
  /** Payload bytes a connection holds in buffers while a message is in flight (the plan's memory estimate). */
  payloadBytes: number;
}

/** The client waits for the target's events; latency_* reports their delivery. */
export interface ReceivePlan extends PlanBase {
  kind: 'receive';
  receiver: ReceiverFactory;
  /** The transport's name in transports.csv: one of its module's `transports`. */
  transport: string;
  /** A fixed polling schedule; undefined: ask again (or reconnect) as soon as the last answer is in. */
  pace: { interval: Millis; jitter: boolean } | undefined;
  /** The scenario field that names the endpoint's path, for messages. */
  pathField: string;
}

export type StepPlan = SendPlan | ReceivePlan;

export interface ProtocolModule {
  /** The scenario section holding the protocol's own settings (`http`, `longPoll`); undefined: it has none. */
  section: keyof Scenario | undefined;
  /** How a step of this protocol runs; a protocol with modes (websocket echo or subscribe) decides by the step. */
  plan(step: Scenario): StepPlan;
  /** Newcomers (one-request HTTP clients arriving beside the step's connections) may run with it. */
  newcomers: boolean;
  /** The built-in target's HTTP/2 mode (server.http2) can serve it. */
  servedOverHttp2: boolean;
  /** Rules of its own between fields, beyond the workloads it supports. */
  rules: readonly ScenarioRule[];
  /**
   * The names its receive-driven steps go by in transports.csv and the report's transports
   * view, every one its plans can give as `transport` (empty when it has none).
   */
  transports: readonly string[];
  /** URL schemes its targets may have (`ws:`); a target URL without protocol takes the first protocol registered for its scheme. */
  urlSchemes: readonly string[];
}
