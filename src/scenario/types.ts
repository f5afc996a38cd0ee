// The scenario as sockcap uses it after loading and validation. Keys are the words a user
// writes in the scenario file (so `--set http.keepAlive=false`, `steps` and sweeps address
// the same names); values are parsed: durations are milliseconds, sizes are bytes, rates
// are per second.
import type { EventSettings, HttpSettings, LongPollSettings, PollSettings, SocketIoSettings, SseSettings, WebSocketSettings } from './protocol-settings.js';
import type { DataSettings } from './session-types.js';
import type { Bytes, Millis, PerSecond } from './units.js';

export const protocols = ['http', 'websocket', 'poll', 'long-poll', 'sse', 'socketio', 'tcp'] as const;
export type Protocol = (typeof protocols)[number];

export const workloads = ['closed', 'arrival-rate', 'hold', 'connect', 'reconnect-storm'] as const;
export type WorkloadKind = (typeof workloads)[number];

/** The workloads that open connections themselves, at their own pace, and hold or cycle them: what a capacity run uses. */
export const connectionWorkloads: readonly WorkloadKind[] = ['hold', 'connect', 'reconnect-storm'];

/** Where the server's CPU, memory and descriptors are read when it is not a local process: its Prometheus endpoint. */
export interface TargetMetricsSettings {
  /** http(s) URL of the target's /metrics or of `sockcap agent`; "" reads none (the built-in target and --target-pid are read from /proc). */
  url: string;
  /** Put before the standard process metric names (`myapp_` for `myapp_process_cpu_seconds_total`). */
  prefix: string;
}

/** Settings of the built-in target; ignored (with a warning) when `target` is set. */
export interface ServerSettings {
  responseSize: Bytes;
  responseDelay: Millis;
  keepAliveTimeout: Millis;
  headersTimeout: Millis;
  requestTimeout: Millis;
  /** 0 = unlimited. */
  maxRequestsPerSocket: number;
  /** 0 = unlimited. */
  maxConnections: number;
  /** Events published per second for /poll, /longpoll and /events; 0 = no event stream. */
  eventRate: PerSecond;
  /** Events published together at each publish (the publishes come eventRate/eventBurst times a second). */
  eventBurst: number;
  /** How long /longpoll holds a request with nothing new before answering an empty list. */
  longPollTimeout: Millis;
  /** Bytes of filler in each event's `data` field. */
  eventSize: Bytes;
  /** Serve https:// and wss:// (a certificate for 127.0.0.1/localhost is generated unless `cert` is given). */
  tls: boolean;
  /** Absolute path of the PEM certificate (chain) to serve with `tls`; undefined: generate one. */
  cert: string | undefined;
  /** Absolute path of the PEM private key of `cert`. */
  key: string | undefined;
  /** Target processes, each on its own port with its own open-file limit; 0 = as many as the connections need. */
  processes: number;
  /**
   * Speak HTTP/2 only: by ALPN with `tls`, else h2c (prior knowledge). keepAliveTimeout is
   * then the idle time before a GOAWAY, maxRequestsPerSocket the streams before one.
   */
  http2: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS the HTTP/2 target announces. */
  maxConcurrentStreams: number;
}

/** How the generator speaks TLS to https:// and wss:// targets. Paths are absolute after loading. */
export interface TlsSettings {
  /** PEM file of the CA(s) to trust besides Node's bundled ones. */
  ca: string | undefined;
  /** SNI name and the name the certificate must carry; default: the target's host name. */
  servername: string | undefined;
  /** Client certificate (PEM) and its key, for targets that ask for one. */
  cert: string | undefined;
  key: string | undefined;
  /** Accept any certificate: for test servers only; reported on the console and in run.json. */
  insecure: boolean;
  /** Offer the previous connection's session on reconnect (abbreviated handshake). */
  resume: boolean;
}

/** A pause drawn afresh before every request: fixed, or spread so idle gaps vary as real users' do. */
export type ThinkTime =
  { distribution: 'fixed'; value: Millis } | { distribution: 'uniform'; min: Millis; max: Millis } | { distribution: 'exponential'; mean: Millis };

export const thinkTimeDistributions = ['fixed', 'uniform', 'exponential'] as const;

/**
 * `newcomers`: short-lived clients arriving alongside the step's connections, each opening a
 * fresh connection for one request (`Connection: close`) and leaving: the users idle
 * keep-alive sockets can crowd out when the server limits its connections.
 */
export interface NewcomerSettings {
  /** Arrivals per second over the measured part of the step (after the warm-up); 0: none. */
  rate: PerSecond;
  /** How long a newcomer waits for its answer, connect included, before giving up. */
  timeout: Millis;
}

/** One segment of a load profile: move linearly to `target` over `duration`. */
export interface Stage {
  duration: Millis;
  /** Arrival rate per second (arrival-rate) or connection count (closed). */
  target: number;
}

export interface Scenario {
  name: string;
  /** Absolute URL; undefined means the built-in target, started by sockcap. */
  target: string | undefined;
  protocol: Protocol;
  workload: WorkloadKind;
  connections: number;
  duration: Millis;
  warmup: Millis;
  /** Snapshot period. */
  interval: Millis;
  /** Worker threads per generator process; 0 = auto: the cores left after a target on this machine, every core for a remote one. */
  workers: number;
  /** Pause between a response and the next request on one connection (closed workload). */
  thinkTime: ThinkTime;
  /** Arrival rate for `workload: arrival-rate`, across all connections. */
  rate: PerSecond;
  stages: Stage[];
  /** Arrivals allowed to wait for a free connection before new ones are dropped. */
  maxQueue: number;
  newcomers: NewcomerSettings;
  http: HttpSettings;
  websocket: WebSocketSettings;
  poll: PollSettings;
  longPoll: LongPollSettings;
  sse: SseSettings;
  socketio: SocketIoSettings;
  events: EventSettings;
  server: ServerSettings;
  targetMetrics: TargetMetricsSettings;
  tls: TlsSettings;
  /** Generator processes, each with its own open-file limit; 0 = as many as the connections need. */
  processes: number;
  /** Local addresses to bind connections to, round-robin; empty = the system picks. */
  sources: string[];
  /** New connections per second while opening (hold, connect, reconnects); 0 = as fast as possible. */
  connectRate: PerSecond;
  reconnect: ReconnectSettings;
  /** Per-connection rows for session templates (`{{data.column}}`). */
  data: DataSettings;
  /** Pass/fail checks on each step's results, like `latency.p99 < 50ms` (src/gate/expression.ts). */
  thresholds: Threshold[];
  /** Header names whose values are secret besides authorization, cookie, proxy-authorization and x-api-key. */
  redact: string[];
  /** The checks every step gets without asking: a step that measured nothing or mostly errors fails the run. */
  verdict: VerdictSettings;
}

/**
 * The default verdict. A load test whose target refused everything must not pass in CI, so
 * these hold unless the scenario says errors are expected (a reconnect storm, a fault test).
 */
export interface VerdictSettings {
  /** A step whose error rate (errors per attempt) is above this fails the run; 'off': any rate passes. */
  maxErrorRate: number | 'off';
  /** A step in which no request, message or connection succeeded fails the run. */
  requireSuccess: boolean;
}

/** A threshold on a step's results; a failed one makes the run exit 1. */
export interface Threshold {
  /** `<metric> <comparison> <limit>`, checked at load: `latency.p99 < 50ms`, `error_rate < 0.1%`. */
  expression: string;
  /** Stop the run as soon as the step so far fails it (after gracePeriod of measured time). */
  abortOnFail: boolean;
  gracePeriod: Millis;
}

/** How clients come back after the target dropped them (reconnect-storm, and WebSocket reconnects). */
export interface ReconnectSettings {
  /** First wait before reconnecting; doubles on each failed attempt up to maxBackoff. */
  backoff: Millis;
  maxBackoff: Millis;
  /** Spread each wait uniformly over [0, wait] so clients do not come back in one wave. */
  jitter: boolean;
  /** reconnect-storm: when, after the measured part starts, the built-in target drops every connection. */
  dropAt: Millis;
}

/** A scenario file after loading: the base scenario and the steps to run, at least one. */
export interface ResolvedScenario {
  /** The file the scenario came from, or "(built-in quickstart)". */
  source: string;
  base: Scenario;
  /** Each step is the base with that step's overrides applied; one step when the file has none. */
  steps: StepScenario[];
  /** The raw object as loaded (after --set), recorded in run.json. */
  raw: Record<string, unknown>;
}

export interface StepScenario extends Scenario {
  /** 0-based position in `steps`. */
  stepIndex: number;
  /** A short label for this step: the step's `name`, or its overrides (`http.keepAlive=false`). */
  stepLabel: string;
}
