// The scenario as sockcap uses it after loading and validation. Keys are the words a user
// writes in the scenario file (so `--set http.keepAlive=false`, `steps` and sweeps address
// the same names); values are parsed: durations are milliseconds, sizes are bytes, rates
// are per second.
import type { HttpMethod } from './http-method.js';
import type { DataSettings, HttpSession, WebSocketSession } from './session-types.js';

export type Millis = number;
export type Bytes = number;
export type PerSecond = number;

export const protocols = ['http', 'websocket', 'poll', 'long-poll', 'sse', 'socketio', 'tcp'] as const;
export type Protocol = (typeof protocols)[number];

export const workloads = ['closed', 'arrival-rate', 'hold', 'connect', 'reconnect-storm'] as const;
export type WorkloadKind = (typeof workloads)[number];

/** The workloads that open connections themselves, at their own pace, and hold or cycle them: what a capacity run uses. */
export const connectionWorkloads: readonly WorkloadKind[] = ['hold', 'connect', 'reconnect-storm'];

export interface HttpSettings {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** false: one new TCP connection per request (`Connection: close`). */
  keepAlive: boolean;
  /** How long the client keeps an idle socket before closing it itself. */
  keepAliveTimeout: Millis;
  /**
   * Believe the server's `Keep-Alive: timeout=N` header, as undici (Node's fetch) does: the
   * idle timeout becomes min(N − keepAliveTimeoutThreshold, keepAliveTimeout). false: only
   * keepAliveTimeout counts, as for a proxy or a client that ignores the header.
   */
  honourServerHint: boolean;
  /** Safety margin taken off the server's hint (undici's own default: 2 s). */
  keepAliveTimeoutThreshold: Millis;
  pipelining: number;
  /** Whole-request timeout; 0 disables it. */
  timeout: Millis;
  /** HTTP/1.1; HTTP/2 (h2 by ALPN over TLS, h2c by prior knowledge without); or auto (whatever ALPN picks). */
  version: HttpVersion;
  /** HTTP/2 streams in flight per connection, capped by the server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  streams: number;
  /** Scripted requests (login, then a loop) instead of the one request above. */
  session: HttpSession;
}

export const httpVersions = ['1.1', '2', 'auto'] as const;
export type HttpVersion = (typeof httpVersions)[number];

export const webSocketModes = ['echo', 'subscribe'] as const;
export type WebSocketMode = (typeof webSocketModes)[number];

export interface WebSocketSettings {
  path: string;
  messageSize: Bytes;
  binary: boolean;
  perMessageDeflate: boolean;
  handshakeTimeout: Millis;
  /** echo: send messages and time their echo. subscribe: receive the target's event stream. */
  mode: WebSocketMode;
  /** Where `mode: subscribe` connects. */
  subscribePath: string;
  /** Send a ping this often on every connection; 0 = never. */
  pingInterval: Millis;
  /** A connection whose pong is this late is counted dead (`ping_timeout`) and closed. */
  pingTimeout: Millis;
  /** Sent with the upgrade request; values may hold templates. */
  headers: Record<string, string>;
  /** Offered in Sec-WebSocket-Protocol; the server must pick one of them. */
  subprotocols: string[];
  /** Scripted messages (auth, subscribe, correlated replies, pushed events) instead of the echo. */
  session: WebSocketSession;
}

/** `protocol: poll`: each client asks for new events every `interval`. */
export interface PollSettings {
  /** May hold `{since}`; without it `?<events.sinceParam>=<seq>` is appended. */
  path: string;
  interval: Millis;
  /** Spread the clients' first polls evenly over one interval, so they do not poll in step. */
  jitter: boolean;
}

/** `protocol: long-poll`: each client asks again as soon as the held request answers. */
export interface LongPollSettings {
  /** May hold `{since}`, as poll.path. */
  path: string;
  /** Client-side limit on one held request; must exceed the server's hold time. */
  timeout: Millis;
}

export const sseSequenceSources = ['data', 'id'] as const;

/** `protocol: sse`: each client holds a text/event-stream open and reconnects when it ends. */
export interface SseSettings {
  path: string;
  /** Only events of this `event:` name count; empty: every event. */
  event: string;
  /** Where an event's sequence number is: `data` (events.sequenceField of its JSON data) or `id` (its id). */
  sequenceFrom: (typeof sseSequenceSources)[number];
  /** How long to wait before reconnecting until the server sends `retry:`. */
  retry: Millis;
  /** A stream with no bytes for this long is counted stalled (`sse_stalled`) and reconnected; 0: never (idle held streams). */
  readTimeout: Millis;
  /** The largest event (its data) or line accepted; a larger one is skipped as `sse_event_too_large`. */
  maxEventSize: Bytes;
}

export const socketIoTransports = ['polling', 'websocket'] as const;
export const socketIoModes = ['ack', 'subscribe'] as const;

/** `protocol: socketio`: one Socket.IO client (socket.io-client, Engine.IO 4) per connection. */
export interface SocketIoSettings {
  /** The Engine.IO path on the server. */
  path: string;
  /** `[polling]`, `[websocket]`, or `[polling, websocket]`: start polling, then upgrade. */
  transports: (typeof socketIoTransports)[number][];
  namespace: string;
  /** The auth payload of the namespace's CONNECT packet. */
  auth: Record<string, unknown>;
  /** Query parameters of the handshake. */
  query: Record<string, string>;
  /** ack: emit `ackEvent` and time the acknowledgement. subscribe: receive `event`'s payloads. */
  mode: (typeof socketIoModes)[number];
  event: string;
  ackEvent: string;
  /** Bytes of the string sent with each `ackEvent`. */
  messageSize: Bytes;
  /** Limit on connecting to the namespace and on each acknowledgement. */
  timeout: Millis;
}

/** How events are read from a target's responses and messages (any target, built-in or not). */
export interface EventSettings {
  /** JSON field (dotted path) holding the event's sequence number. */
  sequenceField: string;
  /** JSON field with the publish time (epoch ms or an ISO 8601 string); empty: none, delivery is not measured. */
  timestampField: string;
  /** JSON field holding the array of events in a poll response; empty: the response is the array. */
  eventsField: string;
  /** Query parameter that carries the last sequence number seen. */
  sinceParam: string;
}

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
  /** Arrivals per second across the whole step; 0: none. */
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
