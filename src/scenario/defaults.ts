// Every value a scenario file may leave out, in one place, so the README, `sockcap run` with
// no argument and validation agree. Values are already parsed (ms, bytes, per second).

import { emptyWebSocketSession } from './session-fields.js';
import { emptyHttpSession } from './http-session-fields.js';
import { noData } from './data-field.js';
import type { Scenario } from './types.js';

/** The most worker threads validation accepts; more threads only add contention on one box. */
export const maxWorkers = 64;
/** The most generator or target processes validation accepts. */
export const maxProcesses = 64;

export const defaults: Scenario = deepFreeze({
  // Replaced by the scenario file's basename (`http-keepalive-off.yaml` → `http-keepalive-off`).
  name: 'quickstart',
  // undefined: sockcap starts its built-in target, so a first run needs no server.
  target: undefined,
  protocol: 'http',
  // closed: each connection sends its next request when the previous one answered.
  workload: 'closed',
  connections: 10,
  duration: 10_000,
  warmup: 0,
  interval: 1_000,
  // auto: the cores this machine can spare from a target on it (src/coordinator/workers.ts).
  workers: 0,
  thinkTime: { distribution: 'fixed', value: 0 },
  // 0: no fixed rate; only `workload: arrival-rate` uses it.
  rate: 0,
  stages: [],
  maxQueue: 10_000,
  // 0: no newcomers; set a rate to see idle keep-alive sockets turn new clients away.
  newcomers: { rate: 0, timeout: 5_000 },
  http: {
    method: 'GET',
    path: '/',
    headers: {},
    body: undefined,
    keepAlive: true,
    // undici's own default: below Node's server default of 5s, so the client closes first.
    keepAliveTimeout: 4_000,
    // As undici does by default: a server saying `Keep-Alive: timeout=5` is believed, minus 2 s.
    honourServerHint: true,
    keepAliveTimeoutThreshold: 2_000,
    pipelining: 1,
    version: '1.1',
    streams: 1,
    timeout: 10_000,
    session: emptyHttpSession,
  },
  websocket: {
    path: '/ws',
    messageSize: 32,
    binary: false,
    // ws would compress by default; that costs CPU and fragments memory, so it is opt-in.
    perMessageDeflate: false,
    handshakeTimeout: 10_000,
    mode: 'echo',
    subscribePath: '/events',
    pingInterval: 0,
    pingTimeout: 10_000,
    headers: {},
    subprotocols: [],
    session: emptyWebSocketSession,
  },
  poll: {
    path: '/poll',
    interval: 1_000,
    jitter: true,
  },
  longPoll: {
    path: '/longpoll',
    // Above server.longPollTimeout, so the server, not the client, ends an idle hold.
    timeout: 35_000,
  },
  sse: {
    path: '/sse',
    event: '',
    sequenceFrom: 'data',
    // What a browser's EventSource waits before reconnecting, give or take: servers usually send their own.
    retry: 3_000,
    readTimeout: 30_000,
    maxEventSize: 1_048_576,
  },
  socketio: {
    path: '/socket.io/',
    transports: ['polling', 'websocket'],
    namespace: '/',
    auth: {},
    query: {},
    mode: 'ack',
    event: 'tick',
    ackEvent: 'echo',
    messageSize: 32,
    timeout: 10_000,
  },
  events: {
    sequenceField: 'seq',
    timestampField: 'publishedAt',
    // Empty: a poll response is the JSON array of events itself.
    eventsField: '',
    sinceParam: 'since',
  },
  server: {
    responseSize: 64,
    responseDelay: 0,
    // Node's http.Server defaults, so the built-in target behaves like an untuned Node server.
    keepAliveTimeout: 5_000,
    headersTimeout: 60_000,
    requestTimeout: 300_000,
    maxRequestsPerSocket: 0,
    maxConnections: 0,
    // 0: no event stream; poll, long-poll and WebSocket subscribe steps must set a rate.
    eventRate: 0,
    eventBurst: 1,
    longPollTimeout: 30_000,
    eventSize: 32,
    tls: false,
    cert: undefined,
    key: undefined,
    // auto: as many target processes as the connections need (one per ~19,800).
    processes: 0,
    http2: false,
    // nginx's http2_max_concurrent_streams default (Node's own is 2^32 - 1: no limit).
    maxConcurrentStreams: 128,
  },
  targetMetrics: { url: '', prefix: '' },
  tls: {
    ca: undefined,
    servername: undefined,
    cert: undefined,
    key: undefined,
    insecure: false,
    // Clients that reconnect resume their session, as browsers and HTTP libraries do.
    resume: true,
  },
  // auto: one process per ~19,800 connections, since the open-file limit is per process.
  processes: 0,
  sources: [],
  connectRate: 0,
  reconnect: {
    backoff: 100,
    maxBackoff: 10_000,
    jitter: true,
    dropAt: 2_000,
  },
  data: noData,
  // No thresholds: a run passes unless the scenario or --threshold asks for something.
  thresholds: [],
  redact: [],
  // Without these a run against a dead target "passes": 1 % is more errors than a healthy
  // service gives under any load sockcap sends, and well below a target refusing all of it.
  verdict: { maxErrorRate: 0.01, requireSuccess: true },
});

// Frozen so that no caller can change the defaults of every later load by mutating a result.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
