// When many clients of a thread each wait for their own moment (a poll's next tick, a first
// connection paced by connectRate, a reconnect after its backoff), one timer serves them all:
// clients are kept in one bucket per millisecond they are due in, and the buckets in a heap
// by that millisecond. Adding a client to a millisecond others wait for costs a push onto an
// array, never a Timeout object of its own, and a thread of 100,000 polling clients arms one
// timer rather than 100,000. There is no cancelling: a client that no longer wants its turn
// (it was closed) returns at once when its turn comes.
import { now } from './clock.js';

type Wake = () => void;

class Alarms {
  private readonly buckets = new Map<number, Wake[]>();
  /** The milliseconds that have a bucket, as a binary min-heap. */
  private readonly due: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  /** Calls `wake` at epoch ms `at` (or up to a millisecond later), never before. */
  at(at: number, wake: Wake): void {
    const ms = Math.ceil(at);
    let bucket = this.buckets.get(ms);
    if (!bucket) {
      this.buckets.set(ms, (bucket = []));
      this.push(ms);
    }
    bucket.push(wake);
    if (ms < this.armedFor) this.arm(ms);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.armedFor = ms;
    this.timer = setTimeout(this.ring, Math.max(0, ms - now()));
    // The clients keep their thread alive (a step under way), not their turns.
    this.timer.unref();
  }

  private readonly ring = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const current = now();
    while (this.due.length > 0 && this.due[0]! <= current) {
      const ms = this.pop();
      const bucket = this.buckets.get(ms)!;
      this.buckets.delete(ms);
      for (const wake of bucket) wake();
    }
    // A wake may have added to a bucket already due: it rings on the next turn of the loop.
    if (this.due.length > 0) this.arm(this.due[0]!);
  };

  private push(ms: number): void {
    const heap = this.due;
    let at = heap.push(ms) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (heap[parent]! <= ms) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = ms;
  }

  private pop(): number {
    const heap = this.due;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const child = left + 1 < heap.length && heap[left + 1]! < heap[left]! ? left + 1 : left;
      if (heap[child]! >= last) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = last;
    return top;
  }
}

const alarms = new Alarms();

/** Calls `wake` at epoch ms `at` (now, if that has passed): one timer for every client of the thread. */
export function wakeAt(at: number, wake: Wake): void {
  alarms.at(at, wake);
}
