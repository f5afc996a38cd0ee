// The scenario as sockcap uses it after loading and validation. Keys are the words a user
// writes in the scenario file (so `--set http.keepAlive=false`, `steps` and sweeps address
// the same names); values are parsed: durations are milliseconds, sizes are bytes, rates
// are per second.

export type Millis = number;
export type Bytes = number;
export type PerSecond = number;

export const protocols = ['http', 'websocket', 'poll', 'long-poll'] as const;
export type Protocol = (typeof protocols)[number];

export const workloads = ['closed', 'arrival-rate'] as const;
export type WorkloadKind = (typeof workloads)[number];

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface HttpSettings {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** false: one new TCP connection per request (`Connection: close`). */
  keepAlive: boolean;
  /** How long the client keeps an idle socket before closing it itself. */
  keepAliveTimeout: Millis;
  pipelining: number;
  /** Whole-request timeout; 0 disables it. */
  timeout: Millis;
}

export interface WebSocketSettings {
  path: string;
  messageSize: Bytes;
  binary: boolean;
  perMessageDeflate: boolean;
  handshakeTimeout: Millis;
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
  /** Worker threads. */
  workers: number;
  /** Pause between a response and the next request on one connection (closed workload). */
  thinkTime: Millis;
  /** Arrival rate for `workload: arrival-rate`, across all connections. */
  rate: PerSecond;
  stages: Stage[];
  /** Arrivals allowed to wait for a free connection before new ones are dropped. */
  maxQueue: number;
  http: HttpSettings;
  websocket: WebSocketSettings;
  server: ServerSettings;
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
