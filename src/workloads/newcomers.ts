// When newcomers arrive: a fixed rate across the measured part of the step, on a global
// schedule that each worker takes every workerCount-th arrival of, so the workers together
// keep the rate exactly.
// Arrival times come from the arrival's number, never from the previous timer, so a late
// timer does not slow the stream down.

export interface NewcomerScheduleOptions {
  /** Arrivals per second across every worker. */
  rate: number;
  workerIndex: number;
  workerCount: number;
  /** Epoch ms: arrivals run from startAt until endAt. */
  startAt: number;
  endAt: number;
  now(): number;
}

/** Calls `arrive` with each arrival's intended time; returns a function that stops the stream. */
export function newcomerSchedule(options: NewcomerScheduleOptions, arrive: (intendedAt: number) => void): () => void {
  let round = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const intendedAt = (): number => options.startAt + ((round * options.workerCount + options.workerIndex) / options.rate) * 1000;

  const tick = (): void => {
    if (stopped) return;
    const now = options.now();
    for (let at = intendedAt(); at <= now && at < options.endAt; at = intendedAt()) {
      round++;
      arrive(at);
    }
    const next = intendedAt();
    if (next < options.endAt) timer = setTimeout(tick, Math.max(0, next - options.now()));
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
