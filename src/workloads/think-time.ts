// Draws a connection's pauses from its `thinkTime` distribution. Each connection has its own
// seeded generator, keyed by its global index, so a run repeated with the same scenario
// replays the same idle gaps on every connection whatever the worker split.
import type { ThinkTime } from '../scenario/types.js';

/** Milliseconds to pause before the next request. */
export type ThinkTimeSampler = () => number;

export function thinkTimeSampler(think: ThinkTime, connectionIndex: number): ThinkTimeSampler {
  switch (think.distribution) {
    case 'fixed':
      return () => think.value;
    case 'uniform': {
      const random = mulberry32(seedFor(connectionIndex));
      return () => think.min + (think.max - think.min) * random();
    }
    case 'exponential': {
      const random = mulberry32(seedFor(connectionIndex));
      // 1 − u lies in (0, 1], so the logarithm is finite.
      return () => -think.mean * Math.log(1 - random());
    }
  }
}

/** Spreads neighbouring indexes far apart so their sequences do not start alike. */
function seedFor(connectionIndex: number): number {
  return Math.imul(connectionIndex + 1, 0x9e3779b1) >>> 0;
}

/** A small, fast 32-bit PRNG with good statistical quality for timing jitter; values in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
