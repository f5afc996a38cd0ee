import { performance } from 'node:perf_hooks';

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleepUntil(at: number): Promise<void> {
  const wait = at - now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}
