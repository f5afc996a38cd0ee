// A workload is a timing plan: it decides *when* each slot sends, never *how*.

/** `responded` is false when the target never answered (refused, reset, timed out). */
export type SlotDone = (responded: boolean) => void;

export interface WorkloadContext {
  /** Concurrent send loops in this worker (connections × pipelining). */
  slots: number;
  /** Epoch milliseconds, sub-millisecond resolution. */
  now(): number;
  /** Epoch ms at which this worker's part of the load starts and stops. */
  startAt: number;
  endAt: number;
  /** Sends once on `slot`; latency counts from `intendedAt`. */
  send(slot: number, intendedAt: number, done: SlotDone): void;
  /** Counts an arrival that found no free slot and no room in the queue. */
  drop(): void;
  stopping(): boolean;
}

export interface Workload {
  start(context: WorkloadContext): void;
  /** Stops scheduling; sends already in flight finish on their own. */
  stop(): void;
}
