// Which requests of one HTTP connection went out on a reused socket and which on a fresh
// one, how long a reused socket had sat idle, and which failures were keep-alive races: the
// server closing an idle socket just as the client sends on it. One tracker per simulated
// connection; its undici Client holds one socket at a time, so the socket undici writes a
// request on is the one the connector handed over last.
import { performance } from 'node:perf_hooks';
import type { buildConnector } from 'undici';
import type { Recorder } from '../worker/recorder.js';

/** Failures that mean the server closed or reset the connection under the request. */
const closedUnderRequest: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'socket_closed']);

/**
 * A request that finds its socket idle for less than this was sent back to back with the
 * previous answer: no idle timer (Node's, nginx's: millisecond timers) can have fired in
 * between, so a reset then is the server's doing, not a keep-alive race.
 */
const shortestIdleMs = 1;

export const raceCode = 'keepalive_race';

interface SocketState {
  written: number;
  inFlight: number;
  idleSince: number;
}

export interface RequestUse {
  startedAt: number;
  socket: SocketState | undefined;
  reused: boolean;
  /** How long the socket had been idle when this request was written; undefined when it was busy or fresh. */
  idleMs: number | undefined;
  answered: boolean;
}

export class SocketReuse {
  private current: SocketState | undefined;

  constructor(private readonly recorder: Recorder) {}

  /** Wraps a connector so every socket it opens becomes the one requests are written on. */
  watch(connector: buildConnector.connector): buildConnector.connector {
    return (options, callback) =>
      connector(options, (error, socket) => {
        if (socket) this.current = { written: 0, inFlight: 0, idleSince: performance.now() };
        // undici's callback is typed as two overloads; the pair is passed on unchanged.
        (callback as (error: Error | null, socket: unknown) => void)(error, socket);
      });
  }

  /** When a request is handed to undici, before it has a socket: resets `use` for it. */
  begin(use: RequestUse): void {
    use.startedAt = performance.now();
    use.socket = undefined;
    use.reused = false;
    use.idleMs = undefined;
    use.answered = false;
  }

  /** undici is writing the request (its onConnect). */
  writing(use: RequestUse): void {
    const socket = this.current;
    if (!socket) return;
    const at = performance.now();
    use.socket = socket;
    use.reused = socket.written > 0;
    use.idleMs = use.reused && socket.inFlight === 0 ? at - socket.idleSince : undefined;
    socket.written++;
    socket.inFlight++;
    this.recorder.count(use.reused ? 'requestsOnReusedSockets' : 'requestsOnFreshSockets');
  }

  /** Response headers arrived: a failure from now on is not a race. */
  answered(use: RequestUse): void {
    use.answered = true;
  }

  completed(use: RequestUse): void {
    const at = this.settle(use);
    if (use.socket) this.recorder.record(use.reused ? 'latency_reused' : 'latency_fresh', (at - use.startedAt) * 1000);
  }

  /** The error code to report: `keepalive_race` for a reused idle socket closed under the request, else `code`. */
  failed(use: RequestUse, code: string): string {
    this.settle(use);
    const race = use.idleMs !== undefined && use.idleMs >= shortestIdleMs && !use.answered && closedUnderRequest.has(code);
    if (!race) return code;
    this.recorder.count('keepAliveRaceErrors');
    this.recorder.record('race_idle', use.idleMs! * 1000);
    return raceCode;
  }

  private settle(use: RequestUse): number {
    const at = performance.now();
    const socket = use.socket;
    if (socket && socket.inFlight > 0 && --socket.inFlight === 0) socket.idleSince = at;
    return at;
  }
}

/**
 * undici's keepAliveTimeoutThreshold for the scenario. It sets the idle timeout to
 * min(hint − threshold, keepAliveTimeout) when a response says `Keep-Alive: timeout=hint`;
 * a threshold of −keepAliveTimeout makes that min always keepAliveTimeout, which is how the
 * hint is ignored (undici has no switch for it).
 */
export function hintThreshold(http: { honourServerHint: boolean; keepAliveTimeout: number; keepAliveTimeoutThreshold: number }): number {
  return http.honourServerHint ? http.keepAliveTimeoutThreshold : -http.keepAliveTimeout;
}
