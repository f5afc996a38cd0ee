// Releases actions at a steady rate (new connections per second), from one timer however
// many are waiting: holding 100,000 connections must not mean 100,000 pending timers.
// Release times come from the count released so far, not from the previous release, so a
// late timer catches up instead of pushing every later connection back.

const maxBatch = 100;

export interface Pacer {
  schedule(action: () => void): void;
  stop(): void;
}

export function createPacer(ratePerSecond: number, startAt: number, now: () => number): Pacer {
  const queue: (() => void)[] = [];
  let head = 0;
  let released = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const dueAt = (): number => startAt + (released / ratePerSecond) * 1000;

  function drain(): void {
    timer = undefined;
    if (stopped) return;
    const current = now();
    // Opening a connection costs a fraction of a millisecond: release a small batch and let
    // I/O run before the next, so a generator behind schedule stays responsive.
    for (let batch = 0; head < queue.length && batch < maxBatch; batch++) {
      if (ratePerSecond > 0 && dueAt() > current) break;
      const action = queue[head]!;
      queue[head++] = noop;
      released++;
      action();
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      return;
    }
    const wait = ratePerSecond > 0 ? Math.max(0, dueAt() - now()) : 0;
    timer = setTimeout(drain, wait);
  }

  return {
    schedule(action) {
      queue.push(action);
      if (!timer && !stopped) timer = setTimeout(drain, ratePerSecond > 0 ? Math.max(0, dueAt() - now()) : 0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      queue.length = 0;
      head = 0;
    },
  };
}

function noop(): void {}
