// The reconnect backoff of `reconnect:`, shared by the workloads that hold connections and the
// drivers that reopen one the target closed.
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
