// Connect: open a connection, close it, open the next, at `connectRate` or as fast as the
// slots allow. What it measures is the cost of *opening* (TCP, TLS, WebSocket upgrade, or
// for HTTP the first request on a new socket) apart from the cost of holding.
import { createPacer, type Pacer } from './pacer.js';
import type { Workload, WorkloadContext } from './workload.js';

export function connectWorkload(connectRate: number): Workload {
  let pacer: Pacer | undefined;
  let context: WorkloadContext | undefined;

  function cycle(slot: number): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    ctx.establish(slot, () => {
      ctx.drop(slot);
      if (!ctx.stopping()) pacer?.schedule(() => cycle(slot));
    });
  }

  return {
    start(ctx) {
      context = ctx;
      pacer = createPacer(connectRate, ctx.startAt, () => ctx.now());
      for (let slot = 0; slot < ctx.slots; slot++) pacer.schedule(() => cycle(slot));
    },
    stop() {
      pacer?.stop();
    },
  };
}
