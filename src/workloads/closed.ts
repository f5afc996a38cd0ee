// Closed model: each slot sends its next request when the previous one completes, after
// `thinkTime`. Throughput is whatever the target allows, and latency is service time by
// construction (a closed loop cannot see a stall it waits behind: use arrival-rate for that).
import type { Workload, WorkloadContext } from './workload.js';

/** After a failure the target never answered, wait a little so a refusing target is not hammered in a hot loop. */
const failureBackoffMs = 10;

export function closedWorkload(thinkTimeMs: number): Workload {
  const timers = new Set<NodeJS.Timeout>();
  let context: WorkloadContext | undefined;

  const later = (ms: number, slot: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      loop(slot);
    }, ms);
    timers.add(timer);
  };

  function loop(slot: number): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    ctx.send(slot, ctx.now(), (responded) => {
      if (!responded) later(Math.max(thinkTimeMs, failureBackoffMs), slot);
      else if (thinkTimeMs > 0) later(thinkTimeMs, slot);
      else loop(slot);
    });
  }

  return {
    start(ctx) {
      context = ctx;
      for (let slot = 0; slot < ctx.slots; slot++) loop(slot);
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
