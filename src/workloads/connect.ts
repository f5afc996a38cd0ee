// Connect: open a connection, close it, open the next, at `connectRate` or as fast as the
// slots allow. What it measures is the cost of *opening* (TCP, TLS, WebSocket upgrade, or
// for HTTP the first request on a new socket) apart from the cost of holding.
import { Backoff } from '../scenario/backoff.js';
import type { ReconnectSettings } from '../scenario/types.js';
import { createPacer, type Pacer } from './pacer.js';
import type { Workload, WorkloadContext } from './workload.js';

/** A slot whose connection failed waits the `reconnect` backoff before its next turn: a refusing target is not stormed at `connectRate: 0`. */
export function connectWorkload(connectRate: number, reconnect: ReconnectSettings): Workload {
  let pacer: Pacer | undefined;
  let context: WorkloadContext | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const backoffs: Backoff[] = [];

  function cycle(slot: number): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    ctx.establish(slot, (ok) => {
      ctx.drop(slot);
      if (ctx.stopping()) return;
      const backoff = (backoffs[slot] ??= new Backoff(reconnect));
      if (ok) {
        backoff.reset();
        pacer?.schedule(() => cycle(slot));
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        pacer?.schedule(() => cycle(slot));
      }, backoff.next());
      timers.add(timer);
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
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
