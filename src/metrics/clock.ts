import { performance } from 'node:perf_hooks';

// Fixed for the life of a thread; read once, since now() runs on every request.
const timeOrigin = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export function now(): number {
  return timeOrigin + performance.now();
}

export function sleepUntil(at: number): Promise<void> {
  const wait = at - now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}
