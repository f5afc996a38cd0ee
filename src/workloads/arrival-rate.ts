// Open model: arrivals come on a fixed global schedule whatever the target does. An
// arrival takes a free slot, or waits in a queue when every slot is busy, and its latency
// counts from when it was *meant* to be sent (as wrk2 does), so a stall shows in the
// numbers instead of silently slowing the generator down. Past `maxQueue`, arrivals are
// counted as dropped, never skipped quietly.
import type { Stage } from '../scenario/types.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import type { SlotDone, Workload, WorkloadContext } from './workload.js';

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

  // One callback per slot, made once: an answer frees the slot for the next arrival.
  const answered: SlotDone[] = [];
  const answeredFor =
    (slot: number): SlotDone =>
    () =>
      free(slot);

  /**
   * A slot whose connection just opened or answered takes the oldest queued arrival, or waits
   * for the next. Queued arrivals are still sent after the step's end, during the drain: they
   * were due inside the step, and their latency counts from when they were due.
   */
  function free(slot: number): void {
    const waiting = queue.shift();
    if (waiting !== undefined) dispatch(slot, waiting);
    else freeSlots.push(slot);
  }

  function dispatch(slot: number, intendedAt: number): void {
    context?.send(slot, intendedAt, (answered[slot] ??= answeredFor(slot)));
  }

  /** Takes every arrival due before `until` (and not after `now`): a free slot, the queue, or a drop. */
  function admit(ctx: WorkloadContext, now: number, until: number): number | undefined {
    for (let handled = 0; handled < maxArrivalsPerTick; handled++) {
      const offset = schedule.offsetOf(nextArrivalIndex());
      if (offset === undefined) return undefined;
      const intendedAt = ctx.startAt + offset;
      if (intendedAt >= until) return undefined;
      if (intendedAt > now) return intendedAt;
      advance();
      const slot = freeSlots.pop();
      if (slot !== undefined) dispatch(slot, intendedAt);
      else if (queue.length < maxQueue) queue.push(intendedAt);
      else ctx.dropArrival();
    }
    // A generator far behind its schedule still yields to I/O now and then.
    return now;
  }

  function tick(): void {
    const ctx = context;
    if (!ctx || ctx.stopping()) return;
    const now = ctx.now();
    const next = admit(ctx, now, ctx.endAt);
    if (next !== undefined) timer = setTimeout(tick, Math.max(0, next - now));
  }

  return {
    start(ctx) {
      context = ctx;
      // Arrivals due before any connection is open wait in the queue (or are dropped past it).
      tick();
    },
    slotOpen(slot) {
      if (context?.stopping()) return;
      free(slot);
    },
    stop(early) {
      if (timer) clearTimeout(timer);
      // Arrivals due inside the step that a late timer had not reached yet are taken now,
      // so the step sends exactly what its schedule owed (or counts the drops). Stopped early
      // (a signal), only the ones already due: the rest of the step never happened.
      const ctx = context;
      if (!ctx) return;
      const until = early ? Math.min(ctx.now(), ctx.endAt) : ctx.endAt;
      while (admit(ctx, until, until) !== undefined);
    },
    finish() {
      // Not a generator failure: every connection was still busy (a slow or hung target).
      for (let i = 0; i < queue.length; i++) context?.abandonArrival();
      queue.length = 0;
    },
  };
}
