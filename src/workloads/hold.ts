// Hold: open every connection at `connectRate`, keep it idle (pings aside) until the step
// ends, and bring back any connection the target drops, after a backoff. The same plan runs
// `reconnect-storm`, where the target drops everything at once on purpose: what it costs to
// get everyone back is the measurement.
import type { ReconnectSettings } from '../scenario/types.js';
import { reconnectDelay } from '../scenario/backoff.js';
import { createPacer, type Pacer } from './pacer.js';
import type { Workload, WorkloadContext } from './workload.js';

export interface HoldOptions {
  /** This worker's share of the step's connect rate; 0 = as fast as possible. */
  connectRate: number;
  reconnect: ReconnectSettings;
}

export function holdWorkload(options: HoldOptions): Workload {
  const timers = new Set<NodeJS.Timeout>();
  let pacer: Pacer | undefined;
  let context: WorkloadContext | undefined;

  /** `failures`: of this slot in a row so far, which sets the backoff after one more. */
  function open(slot: number, failures: number): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    ctx.establish(slot, (ok) => {
      if (ok || ctx.stopping()) return;
      retry(slot, failures);
    });
  }

  /** Waits the backoff of failure `failures` (0-based, as every retry does: the first waits `reconnect.backoff` at most), then opens again. */
  function retry(slot: number, failures: number): void {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        open(slot, failures + 1);
      },
      reconnectDelay(options.reconnect, failures),
    );
    timers.add(timer);
  }

  return {
    start(ctx) {
      context = ctx;
      pacer = createPacer(options.connectRate, ctx.startAt, () => ctx.now());
      for (let slot = 0; slot < ctx.slots; slot++) pacer.schedule(() => open(slot, 0));
    },
    connectionLost(slot) {
      const ctx = context;
      if (!ctx || ctx.stopping()) return;
      ctx.lost(slot, ctx.now());
      retry(slot, 0);
    },
    stop() {
      pacer?.stop();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
