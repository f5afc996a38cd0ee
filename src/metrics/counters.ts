// Counters travel from workers to the coordinator as deltas per interval and are summed
// there; a counter, unlike a percentile, adds up exactly across workers and shards.

export interface Counters {
  /** HTTP requests that got a complete response (any status); for WebSocket subscribe, its upgrades. */
  requests: number;
  /** WebSocket messages whose echo came back (echo), or that the target pushed (subscribe). */
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
  /**
   * Clients a hold, connect or reconnect-storm workload got connected at the protocol level
   * (a WebSocket's upgrade, an event stream's answer, a Socket.IO namespace's CONNECT),
   * however many sockets each took.
   */
  clientsOpened: number;
  /** Connections brought back: lost (closed by the target, broken) and opened again. */
  reconnects: number;
  /** Tries to open a lost connection again, those that failed included. */
  reconnectAttempts: number;
  /** Events received for the first time (poll, long-poll, WebSocket subscribe), each client counted apart. */
  events: number;
  /** Events received again by a client that already had them. */
  duplicates: number;
  /** Sequence numbers a client skipped; one that arrives later moves from here to `reordered`. */
  lost: number;
  /** Events that arrived after a later one. */
  reordered: number;
  /** Poll and long-poll responses (or pushed messages) that carried no event. */
  emptyResponses: number;
  /** HTTP request lines and headers sent plus status lines and headers received, in bytes. */
  headerBytes: number;
  /** HTTP requests written on a socket that had carried a request before (keep-alive reuse). */
  requestsOnReusedSockets: number;
  /** HTTP requests written on a socket opened for them. */
  requestsOnFreshSockets: number;
  /** Requests on a reused socket that the server closed under them: also counted as errors, code keepalive_race. */
  keepAliveRaceErrors: number;
  /** One-request newcomer clients that arrived, got their answer, were refused (connection refused, reset or closed unanswered), or gave up waiting. */
  newcomers: number;
  newcomersServed: number;
  newcomersRefused: number;
  newcomersTimedOut: number;
  /** Connections of protocol: http that spoke HTTP/2 and HTTP/1.1 (`http_version` is read from these). */
  connectionsHttp2: number;
  connectionsHttp1: number;
  /** Streams the server refused (RST_STREAM REFUSED_STREAM, or past a GOAWAY's last stream id); also errors. */
  streamsRefused: number;
  /** Streams the server reset with any other code; also errors, `h2_rst_<code>`. */
  streamResets: number;
  goaways: number;
  /** Peaks, merged by taking the larger (see peakCounters): the most streams in flight on one connection, */
  streamsPeakPerConn: number;
  /** the server's SETTINGS_MAX_CONCURRENT_STREAMS, and the last stream id of a GOAWAY received. */
  serverMaxStreams: number;
  goawayLastStreamId: number;
  /** Session connections that got through every `open` step. */
  sessionsOpened: number;
  /** Messages a session neither expected nor took as a pushed event (unrelated to a correlated reply). */
  messagesUnmatched: number;
  errorsByCode: Record<string, number>;
  /**
   * Named session steps whose reply is timed (`reply:<name>`) that ended without the right
   * reply (timeout, mismatch, an error status, the connection lost while waiting), by name.
   */
  stepFailures: Record<string, number>;
}

/** Counters that hold a peak: merged by the larger value, not summed. */
export const peakCounters = ['streamsPeakPerConn', 'serverMaxStreams', 'goawayLastStreamId'] as const;
export type PeakCounter = (typeof peakCounters)[number];

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
    clientsOpened: 0,
    reconnects: 0,
    reconnectAttempts: 0,
    events: 0,
    duplicates: 0,
    lost: 0,
    reordered: 0,
    emptyResponses: 0,
    headerBytes: 0,
    requestsOnReusedSockets: 0,
    requestsOnFreshSockets: 0,
    keepAliveRaceErrors: 0,
    newcomers: 0,
    newcomersServed: 0,
    newcomersRefused: 0,
    newcomersTimedOut: 0,
    connectionsHttp2: 0,
    connectionsHttp1: 0,
    streamsRefused: 0,
    streamResets: 0,
    goaways: 0,
    streamsPeakPerConn: 0,
    serverMaxStreams: 0,
    goawayLastStreamId: 0,
    sessionsOpened: 0,
    messagesUnmatched: 0,
    errorsByCode: {},
    stepFailures: {},
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
  into.clientsOpened += from.clientsOpened;
  into.reconnects += from.reconnects;
  into.reconnectAttempts += from.reconnectAttempts;
  into.events += from.events;
  into.duplicates += from.duplicates;
  into.lost += from.lost;
  into.reordered += from.reordered;
  into.emptyResponses += from.emptyResponses;
  into.headerBytes += from.headerBytes;
  into.requestsOnReusedSockets += from.requestsOnReusedSockets;
  into.requestsOnFreshSockets += from.requestsOnFreshSockets;
  into.keepAliveRaceErrors += from.keepAliveRaceErrors;
  into.newcomers += from.newcomers;
  into.newcomersServed += from.newcomersServed;
  into.newcomersRefused += from.newcomersRefused;
  into.newcomersTimedOut += from.newcomersTimedOut;
  into.connectionsHttp2 += from.connectionsHttp2;
  into.connectionsHttp1 += from.connectionsHttp1;
  into.streamsRefused += from.streamsRefused;
  into.streamResets += from.streamResets;
  into.goaways += from.goaways;
  for (const peak of peakCounters) into[peak] = Math.max(into[peak], from[peak]);
  into.sessionsOpened += from.sessionsOpened;
  into.messagesUnmatched += from.messagesUnmatched;
  addByName(into.errorsByCode, from.errorsByCode);
  addByName(into.stepFailures, from.stepFailures);
}

function addByName(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, count] of Object.entries(from)) into[name] = (into[name] ?? 0) + count;
}
