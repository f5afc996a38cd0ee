// The interface of receive-driven protocols (poll, long-poll, WebSocket subscribe). Their
// client does not time a request against its response: it waits for the target's events.
// A receiver runs by itself from `start(timing)` until `close()`, asking again when its
// timing says so, and hands every event it reads to the sink; the sink (the worker's business)
// tracks sequence numbers and records delivery latency.
import type { StepScenario } from '../scenario/types.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ReceiveTiming } from './receive-timing.js';
import type { ReceivedEvent } from './event-json.js';
import type { ClientTls } from './tls-options.js';

export interface EventSink {
  /** The events of one response or message, read at `receivedAt` (epoch ms). An empty list is an empty response. */
  received(events: ReceivedEvent[], receivedAt: number): void;
  /** The client joined the stream at `seq`: events up to it were published before it asked, and count nowhere. */
  positioned(seq: number): void;
  /** The highest sequence number seen: what the next request asks for events after. Undefined until positioned. */
  readonly last: number | undefined;
}

export interface EventReceiver {
  /** Begins at the timing's `firstAt` and keeps receiving, on that timing, until close(). */
  start(timing: ReceiveTiming): void;
  /** Stops asking; a held request or an open WebSocket is cut without counting an error. */
  close(): Promise<void>;
}

export interface ReceiverContext {
  scenario: StepScenario;
  /** The target's origin; the path comes from the transport's own section. */
  target: URL;
  recorder: Recorder;
  /** How to speak TLS to an https:// or wss:// target; undefined for a plain one. */
  tls: ClientTls | undefined;
  /** The local address this client's connections bind to (`sources`); undefined: the system picks. */
  localAddress: string | undefined;
  sink: EventSink;
  /** The client's index among all of the step's clients: which data row it gets. */
  connection: number;
}

export type ReceiverFactory = (context: ReceiverContext) => EventReceiver;
