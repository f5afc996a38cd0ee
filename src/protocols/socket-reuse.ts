// Which requests of one HTTP connection went out on a reused socket and which on a fresh
// one, how long a reused socket had sat idle, and which failures were keep-alive races: the
// server closing an idle socket just as the client sends on it. One tracker per simulated
// connection; its undici Client (or the lean driver) holds one socket at a time, so the socket
// a request is written on is the one the connector handed over last.
import type { buildConnector } from 'undici';
import type { HistogramBins } from '../metrics/histogram-bins.js';
import { now } from '../metrics/clock.js';
import type { Recorder } from '../metrics/recorder.js';

/** Failures that mean the server closed or reset the connection under the request. */
const closedUnderRequest: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'socket_closed']);

/**
 * A request that finds its socket idle for less than this was sent back to back with the
 * previous answer: no server's idle timeout (hundreds of ms at the least in practice) can
 * have run out in between, so a reset then is the server's doing, not a keep-alive race.
 * 1 ms was too little: on a busy machine the generator's own event loop can take a few ms
 * between an answer and the request sent right after it.
 */
const shortestIdleMs = 10;

export const raceCode = 'keepalive_race';

interface SocketState {
  written: number;
  inFlight: number;
  idleSince: number;
}

export interface RequestUse {
  /** Epoch ms, like every time here. */
  startedAt: number;
  socket: SocketState | undefined;
  reused: boolean;
  /** How long the socket had been idle when this request was written; undefined when it was busy or fresh. */
  idleMs: number | undefined;
  answered: boolean;
}

export class SocketReuse {
  private current: SocketState | undefined;
  private readonly latencyReused: HistogramBins;
  private readonly latencyFresh: HistogramBins;

  constructor(private readonly recorder: Recorder) {
    this.latencyReused = recorder.histogram('latency_reused');
    this.latencyFresh = recorder.histogram('latency_fresh');
  }

  /** Wraps a connector so every socket it opens becomes the one requests are written on. */
  watch(connector: buildConnector.connector): buildConnector.connector {
    return (options, callback) =>
      connector(options, (error, socket) => {
        if (socket) this.opened();
        // undici's callback is typed as two overloads; the pair is passed on unchanged.
        (callback as (error: Error | null, socket: unknown) => void)(error, socket);
      });
  }

  /** A new socket is the one requests are written on from now (the lean driver's own connector calls this). */
  opened(): void {
    this.current = { written: 0, inFlight: 0, idleSince: now() };
  }

  /** When a request is handed to undici (`at`), before it has a socket: resets `use` for it. */
  begin(use: RequestUse, at: number): void {
    use.startedAt = at;
    use.socket = undefined;
    use.reused = false;
    use.idleMs = undefined;
    use.answered = false;
  }

  /**
   * undici is writing the request (its onConnect). The socket's idle time is counted to
   * when the request was handed over: undici writes it within the same event-loop turn.
   */
  writing(use: RequestUse): void {
    const socket = this.current;
    if (!socket) return;
    use.socket = socket;
    use.reused = socket.written > 0;
    use.idleMs = use.reused && socket.inFlight === 0 ? use.startedAt - socket.idleSince : undefined;
    socket.written++;
    socket.inFlight++;
    this.recorder.count(use.reused ? 'requestsOnReusedSockets' : 'requestsOnFreshSockets');
  }

  /** Response headers arrived: a failure from now on is not a race. */
  answered(use: RequestUse): void {
    use.answered = true;
  }

  /** Returns when the response completed (epoch ms). */
  completed(use: RequestUse): number {
    const at = this.settle(use);
    if (use.socket) (use.reused ? this.latencyReused : this.latencyFresh).record((at - use.startedAt) * 1000);
    return at;
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
    const at = now();
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
