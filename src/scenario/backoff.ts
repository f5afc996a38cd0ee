// The reconnect backoff of `reconnect:`, the one rule every retry of a refused or failed
// connection follows: the workloads (closed, connect, hold) and the receive timings (poll,
// long-poll, SSE, Socket.IO, WebSocket subscribe) through `Backoff`, the drivers that reopen a
// connection the target closed (WebSocket, sessions) through `reconnectDelay`.
import type { ReconnectSettings } from './types.js';

/**
 * Wait before reconnect attempt `attempt` (0-based): exponential from `backoff`, capped at
 * `maxBackoff`; with jitter, uniform over [0, wait] ("full jitter"), which spreads a crowd
 * of clients dropped at the same moment instead of sending them back in one wave.
 */
export function reconnectDelay(settings: ReconnectSettings, attempt: number, random: () => number = Math.random): number {
  const wait = Math.min(settings.maxBackoff, settings.backoff * 2 ** Math.min(attempt, 30));
  return settings.jitter ? random() * wait : wait;
}

/** Consecutive failures of one client, and the wait each calls for: longer after every failure in a row, from the first wait again after a success. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly settings: ReconnectSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before retrying after one more failure. */
  next(): number {
    return reconnectDelay(this.settings, this.failures++, this.random);
  }

  reset(): void {
    this.failures = 0;
  }
}
