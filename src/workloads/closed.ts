// Closed model: each active slot sends its next request when the previous one completes,
// after a pause drawn from `thinkTime`. Throughput is whatever the target allows, and latency is service time
// by construction (a closed loop cannot see a stall it waits behind: use arrival-rate for
// that). With stages, the number of active connections follows the stage profile, like
// k6's ramping VUs; a slot above the current count parks after its request completes.
import { wakeAt } from '../metrics/alarms.js';
import { now } from '../metrics/clock.js';
import { Backoff } from '../scenario/backoff.js';
import type { ReconnectSettings, Stage, ThinkTime } from '../scenario/types.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import { thinkTimeSampler, type ThinkTimeSampler } from './think-time.js';
import type { SlotDone, Workload, WorkloadContext } from './workload.js';

/** How often a staged profile re-reads its connection count. */
const stageCheckMs = 100;

export interface ClosedOptions {
  thinkTime: ThinkTime;
  stages: Stage[];
  /** After a failure the target never answered, a slot waits this backoff (growing, jittered) so a refusing target is not stormed. */
  reconnect: ReconnectSettings;
  /** Connections per slot (HTTP pipelining): slot s belongs to connection s mod connections. */
  connections: number;
  /** This worker's position among all the step's workers, to take its exact share of a staged count. */
  sliceIndex: number;
  sliceCount: number;
  /** Global index of this worker's first connection and the step's total: they seed each slot's pauses. */
  firstConnection: number;
  totalConnections: number;
}

export function closedWorkload(options: ClosedOptions): Workload {
  const profile = options.stages.length > 0 ? new ArrivalSchedule(0, options.stages) : undefined;
  const running = new Set<number>();
  const pauses: ThinkTimeSampler[] = [];
  const pauseFor = (slot: number): number => {
    let sample = pauses[slot];
    if (!sample) {
      const lane = Math.floor(slot / options.connections);
      sample = thinkTimeSampler(options.thinkTime, options.firstConnection + (slot % options.connections) + lane * options.totalConnections);
      pauses[slot] = sample;
    }
    return sample();
  };
  let activeConnections = options.connections;
  let stageTimer: NodeJS.Timeout | undefined;
  let context: WorkloadContext | undefined;

  const isActive = (slot: number): boolean => slot % options.connections < activeConnections;

  // A pause waits on the thread's one timer (metrics/alarms.ts), not a Timeout per slot; each
  // slot's wake-up is made once. A pause that ends after stop() finds the workload stopping.
  const wakes: (() => void)[] = [];
  const later = (ms: number, slot: number): void => {
    wakeAt(now() + ms, (wakes[slot] ??= () => loop(slot)));
  };

  // One callback per slot, made once: a request's answer is the slot's cue to send again.
  const answered: SlotDone[] = [];
  const backoffs: Backoff[] = [];
  const neverPauses = options.thinkTime.distribution === 'fixed' && options.thinkTime.value === 0;
  const answeredFor =
    (slot: number): SlotDone =>
    (responded, endedAt) => {
      const pause = neverPauses ? 0 : pauseFor(slot);
      const backoff = (backoffs[slot] ??= new Backoff(options.reconnect));
      if (!responded) return later(Math.max(pause, backoff.next()), slot);
      backoff.reset();
      if (pause > 0) later(pause, slot);
      else loop(slot, endedAt);
    };

  /** `intendedAt`: when the previous answer came (no pause), else now. */
  function loop(slot: number, intendedAt?: number): void {
    const ctx = context;
    if (!ctx || ctx.stopping() || !isActive(slot)) {
      running.delete(slot);
      return;
    }
    // Only a staged profile asks which slots are running.
    if (profile) running.add(slot);
    ctx.send(slot, intendedAt ?? ctx.now(), (answered[slot] ??= answeredFor(slot)));
  }

  /** This worker's share of the global active count: whole shares that add up exactly across workers. */
  function shareOf(total: number): number {
    const base = Math.floor(total / options.sliceCount);
    const share = base + (options.sliceIndex < total - base * options.sliceCount ? 1 : 0);
    return Math.min(options.connections, share);
  }

  function followProfile(): void {
    const ctx = context;
    if (!ctx || !profile || ctx.stopping()) return;
    activeConnections = shareOf(Math.round(profile.valueAt(ctx.now() - ctx.startAt)));
    for (let slot = 0; slot < ctx.slots; slot++) if (isActive(slot) && !running.has(slot)) loop(slot);
    stageTimer = setTimeout(followProfile, stageCheckMs);
  }

  return {
    start(ctx) {
      context = ctx;
      // A staged profile opens each connection with its first request, as the profile reaches
      // it; without one, every slot starts when its connection is open (slotOpen).
      if (profile) followProfile();
    },
    slotOpen(slot) {
      if (!profile) loop(slot);
    },
    stop() {
      if (stageTimer) clearTimeout(stageTimer);
    },
  };
}
