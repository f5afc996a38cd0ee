// The scenario's per-protocol sections as sockcap uses them after validation (`http`,
// `websocket`, `poll`, `longPoll`, `sse`, `socketio`) and how events are read from any of them.
import type { HttpMethod } from './http-method.js';
import type { HttpSession, WebSocketSession } from './session-types.js';
import type { Bytes, Millis } from './units.js';

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
