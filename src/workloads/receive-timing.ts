// When a receive-driven client (poll, long-poll, SSE, Socket.IO, WebSocket subscribe) asks the
// target again. Like every workload it says *when*, never *how*: the drivers in
// src/protocols/ follow it.
import { Backoff } from '../scenario/backoff.js';
import type { ReconnectSettings } from '../scenario/types.js';

/** The shape of `ReceiveTiming` in src/protocols/receive-timing.ts, which the drivers follow; workloads sit beside protocols and do not import them. */
interface ReceiveSchedule {
  firstAt: number;
  nextAt(now: number, answered: boolean): number;
}

/** After a request the target never answered (refused, reset, timed out), the client waits the `reconnect` backoff, growing with each failure in a row. */
function failureWait(reconnect: ReconnectSettings): (now: number, answered: boolean) => number {
  const backoff = new Backoff(reconnect);
  return (now, answered) => {
    if (!answered) return now + backoff.next();
    backoff.reset();
    return now;
  };
}

/**
 * Polling on a fixed schedule: first at `startAt` plus the client's offset, then every
 * `interval`. A response that comes back after the next tick is due skips the missed ticks
 * rather than sending a burst to catch up, so one client never has two polls in flight. The
 * tick is counted, not read off the clock alone: a timer may fire a little before its tick,
 * and the answer must not then be taken for one to that same tick's predecessor.
 * With `jitter` the offsets spread the clients evenly over one interval (by their index
 * among all the step's clients, so workers and shards agree); without it every client polls
 * at the same moments.
 */
export function pollTiming(
  interval: number,
  jitter: boolean,
  client: number,
  clients: number,
  startAt: number,
  reconnect: ReconnectSettings,
  /** When `connectRate` lets this client open: it starts at its first tick from then, keeping its phase. */
  openAt = startAt,
): ReceiveSchedule {
  let firstAt = startAt + (jitter ? (client / clients) * interval : 0);
  if (openAt > firstAt) firstAt += Math.ceil((openAt - firstAt) / interval) * interval;
  const wait = failureWait(reconnect);
  let tick = 0;
  return {
    firstAt,
    nextAt(now, answered) {
      // A failed poll waits its backoff too: the next tick after it, not the next tick alone.
      const earliest = wait(now, answered);
      tick = Math.max(tick + 1, Math.floor((earliest - firstAt) / interval) + 1);
      return firstAt + tick * interval;
    },
  };
}

/** Long-polling and reconnects of streams and WebSockets: first at `openAt`, then again at once, after the backoff on failure. */
export function immediateTiming(openAt: number, reconnect: ReconnectSettings): ReceiveSchedule {
  return { firstAt: openAt, nextAt: failureWait(reconnect) };
}

/**
 * When the `index`-th of a worker's clients first connects: `ratePerSecond` is the worker's
 * share of `connectRate` (0: every client at `startAt`).
 */
export function openingTime(startAt: number, index: number, ratePerSecond: number): number {
  return ratePerSecond > 0 ? startAt + (index / ratePerSecond) * 1000 : startAt;
}
