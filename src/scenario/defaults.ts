// Every value a scenario file may leave out, in one place, so the README, `sockcap run` with
// no argument and validation agree. Values are already parsed (ms, bytes, per second).

import os from 'node:os';
import type { Scenario } from './types.js';

/** The most worker threads validation accepts; more threads only add contention on one box. */
export const maxWorkers = 64;

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
  // One thread per core the process may use; capped so the default is always valid.
  workers: Math.min(maxWorkers, os.availableParallelism()),
  thinkTime: 0,
  // 0: no fixed rate; only `workload: arrival-rate` uses it.
  rate: 0,
  stages: [],
  maxQueue: 10_000,
  http: {
    method: 'GET',
    path: '/',
    headers: {},
    body: undefined,
    keepAlive: true,
    // undici's own default: below Node's server default of 5s, so the client closes first.
    keepAliveTimeout: 4_000,
    pipelining: 1,
    timeout: 10_000,
  },
  websocket: {
    path: '/ws',
    messageSize: 32,
    binary: false,
    // ws would compress by default; that costs CPU and fragments memory, so it is opt-in.
    perMessageDeflate: false,
    handshakeTimeout: 10_000,
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
  },
});

// Frozen so that no caller can change the defaults of every later load by mutating a result.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
