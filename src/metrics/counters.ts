// Counters travel from workers to the coordinator as deltas per interval and are summed
// there; a counter, unlike a percentile, adds up exactly across workers and shards.

export interface Counters {
  /** HTTP requests that got a complete response (any status). */
  requests: number;
  /** WebSocket messages whose echo came back. */
  messages: number;
  /** Failed attempts and non-2xx responses, also listed by code in `errorsByCode`. */
  errors: number;
  /** Arrivals dropped because the queue for a free connection was full (open models). */
  dropped: number;
  bytesSent: number;
  bytesReceived: number;
  /** TCP connections that completed their connect. */
  connectionsOpened: number;
  connectionsClosed: number;
  /** Connection attempts that never opened (refused, timed out, handshake rejected). */
  connectionsFailed: number;
  /** Connections opened again after the previous one on the same slot closed unexpectedly. */
  reconnects: number;
  errorsByCode: Record<string, number>;
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    messages: 0,
    errors: 0,
    dropped: 0,
    bytesSent: 0,
    bytesReceived: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    connectionsFailed: 0,
    reconnects: 0,
    errorsByCode: {},
  };
}

export function addCounters(into: Counters, from: Counters): void {
  into.requests += from.requests;
  into.messages += from.messages;
  into.errors += from.errors;
  into.dropped += from.dropped;
  into.bytesSent += from.bytesSent;
  into.bytesReceived += from.bytesReceived;
  into.connectionsOpened += from.connectionsOpened;
  into.connectionsClosed += from.connectionsClosed;
  into.connectionsFailed += from.connectionsFailed;
  into.reconnects += from.reconnects;
  for (const [code, count] of Object.entries(from.errorsByCode)) {
    into.errorsByCode[code] = (into.errorsByCode[code] ?? 0) + count;
  }
}
