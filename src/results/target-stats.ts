// What the built-in target counts (requests, connections, sockets, the event stream), as it
// reports it to the run and run.json stores it, and how the counts of several processes add up.

export interface EventStreamStats {
  eventsPublished: number;
  /** Event copies written to clients: one per event per response or WebSocket it went out in. */
  eventsSent: number;
  /** Long-poll requests answered with nothing because `longPollTimeout` passed. */
  longPollTimeouts: number;
}

export interface SocketUsageStats {
  /** Most connections open at once since the target started. */
  connectionsPeak: number;
  /** Connections open with no request in flight (WebSockets excluded), at the last sample. */
  connectionsIdle: number;
  /** Most idle connections seen at one sample. */
  idleConnectionsPeak: number;
  /**
   * Idle connections summed over the sampled time (connection-seconds): read twice, the
   * difference over the difference of `sampledSeconds` is the mean number idle. Both add up
   * across target processes (the sampled seconds once per process).
   */
  idleConnectionSeconds: number;
  sampledSeconds: number;
}

export interface TargetStats extends EventStreamStats, SocketUsageStats {
  /**
   * HTTP requests counted when they start (their headers are parsed), which is what a
   * generator counts as sent; requests Node refuses with 503 past `maxRequestsPerSocket`
   * are included. WebSocket upgrades are not requests: see `webSocketsAccepted`.
   */
  requests: number;
  connectionsAccepted: number;
  connectionsClosed: number;
  connectionsOpen: number;
  /** Connections Node closed at once because `maxConnections` were open. */
  connectionsRejected: number;
  webSocketsAccepted: number;
  /** Messages received (each one is echoed back). */
  webSocketMessages: number;
  /** TCP payload bytes (headers, bodies, frames, TLS records) of closed plus open sockets. */
  bytesReceived: number;
  bytesSent: number;
  /** TLS handshakes completed, and how many of them resumed a session (0 without TLS). */
  tlsHandshakes: number;
  tlsResumed: number;
  /** TLS handshakes that failed (untrusted certificate, plain HTTP sent to the TLS port, ...). */
  tlsFailed: number;
}

/** The counts of several target processes (or of every shard's target) as one; undefined when none reported. */
export function sumTargetStats(stats: readonly (TargetStats | undefined)[]): TargetStats | undefined {
  const known = stats.filter((entry): entry is TargetStats => entry !== undefined);
  if (known.length === 0) return undefined;
  const total = { ...known[0]! };
  for (const entry of known.slice(1)) {
    for (const key of Object.keys(total) as (keyof TargetStats)[]) total[key] += entry[key];
  }
  return total;
}
