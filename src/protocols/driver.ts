// The one small interface every protocol implements. A driver says *how* to talk to the
// target over one connection; when to talk is the workload's business.
import type { StepScenario } from '../scenario/types.js';
import type { Recorder } from '../metrics/recorder.js';
import type { EventSink } from './receiver.js';
import type { ClientTls } from './tls-options.js';

/**
 * `error` is null on success or a stable error code (`ECONNRESET`, `timeout`, `http_503`,
 * `ws_close_1006`). `responded` says whether the target answered at all: a non-2xx
 * response is an error that still counts as a request. `endedAt` (epoch ms) is when the
 * answer came, passed by a driver that read the clock then anyway.
 */
export type SendDone = (error: string | null, responded: boolean, endedAt?: number) => void;

export interface ConnectionDriver {
  /** Establishes the connection up front where the protocol has one to hold (WebSocket). */
  open(done: (error: string | null) => void): void;
  /**
   * Opens the connection now and keeps it, for workloads that hold or cycle connections
   * (hold, connect, reconnect-storm). Protocols that connect lazily do it with their first
   * request, which then counts as a request.
   */
  establish(done: SendDone): void;
  /** Closes the current connection but stays usable: the next establish or send opens a new one. */
  drop(): void;
  /**
   * One request or message; `done` is called exactly once. `sentAt` (epoch ms) is now, for
   * a driver that times the request itself: the caller has just read the clock.
   */
  send(done: SendDone, sentAt?: number): void;
  close(): Promise<void>;
}

export interface DriverContext {
  scenario: StepScenario;
  target: URL;
  recorder: Recorder;
  /** How to speak TLS to an https:// or wss:// target; undefined for a plain one. */
  tls: ClientTls | undefined;
  /** Local address to bind this connection to; undefined lets the system pick. */
  localAddress: string | undefined;
  /**
   * Called when the connection closes without the driver being asked to (target drop, ping
   * timeout), with `connection`: one function for every connection of a slice, so holding a
   * connection costs no closure of its own.
   */
  onClosed: (connection: number, code: string) => void;
  /** The connection's index among all of the step's connections: which data row it gets. */
  connection: number;
  /** Where a session's pushed events go; undefined when the session has no `push`. */
  sink: EventSink | undefined;
}

export type DriverFactory = (context: DriverContext) => ConnectionDriver;
