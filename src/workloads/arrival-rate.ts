// Open model: arrivals come on a fixed global schedule whatever the target does. An
// arrival takes a free slot, or waits in a queue when every slot is busy, and its latency
// counts from when it was *meant* to be sent (as wrk2 does), so a stall shows in the
// numbers instead of silently slowing the generator down. Past `maxQueue`, arrivals are
// counted as dropped, never skipped quietly.
import type { Stage } from '../scenario/types.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import type { Workload, WorkloadContext } from './workload.js';

const maxArrivalsPerTick = 5000;

export interface ArrivalRateOptions {
  rate: number;
  stages: Stage[];
  maxQueue: number;
  /** This worker's connections and where they sit among all of the step's connections. */
  connections: number;
  firstConnection: number;
  totalConnections: number;
}

export function arrivalRateWorkload(options: ArrivalRateOptions): Workload {
  const schedule = new ArrivalSchedule(options.rate, options.stages);
  const share = options.connections / options.totalConnections;
  const maxQueue = Math.ceil(options.maxQueue * share);
  const freeSlots: number[] = [];
  const queue: number[] = [];
  let round = 0;
  let member = 0;
  let timer: NodeJS.Timeout | undefined;
  let context: WorkloadContext | undefined;

  // Global arrival k belongs to the worker owning connection (k mod total): each worker
  // keeps the global intended times of its own arrivals, across workers and shards.
  const nextArrivalIndex = (): number => round * options.totalConnections + options.firstConnection + member;
  const advance = (): void => {
    member++;
    if (member === options.connections) {
      member = 0;
      round++;
    }
  };

  function dispatch(slot: number, intendedAt: number): void {
    const ctx = context;
    if (!ctx) return;
    ctx.send(slot, intendedAt, () => {
      const waiting = queue.shift();
      if (waiting !== undefined && !ctx.stopping()) dispatch(slot, waiting);
      else freeSlots.push(slot);
    });
  }

  function tick(): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    const now = ctx.now();
    for (let handled = 0; ; handled++) {
      // A generator far behind its schedule still yields to I/O now and then.
      if (handled === maxArrivalsPerTick) {
        timer = setTimeout(tick, 0);
        return;
      }
      const offset = schedule.offsetOf(nextArrivalIndex());
      if (offset === undefined) return;
      const intendedAt = ctx.startAt + offset;
      if (intendedAt >= ctx.endAt) return;
      if (intendedAt > now) {
        timer = setTimeout(tick, Math.max(0, intendedAt - now));
        return;
      }
      advance();
      const slot = freeSlots.pop();
      if (slot !== undefined) dispatch(slot, intendedAt);
      else if (queue.length < maxQueue) queue.push(intendedAt);
      else ctx.dropArrival();
    }
  }

  return {
    start(ctx) {
      context = ctx;
      for (let slot = ctx.slots - 1; slot >= 0; slot--) freeSlots.push(slot);
      tick();
    },
    stop() {
      if (timer) clearTimeout(timer);
      queue.length = 0;
    },
  };
}
