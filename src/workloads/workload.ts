// A workload is a timing plan: it decides *when* each slot sends, never *how*.

/**
 * `responded` is false when the target never answered (refused, reset, timed out);
 * `endedAt` is when the answer (or the failure) came, epoch ms.
 */
export type SlotDone = (responded: boolean, endedAt: number) => void;

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
  dropArrival(): void;
  /** Counts an arrival that was due in the step but still waited for a free connection when it ended. */
  abandonArrival(): void;
  /** Opens the connection of `slot` now and keeps it; `ok` is false when it failed. */
  establish(slot: number, done: (ok: boolean) => void): void;
  /** Closes the connection of `slot`; a later establish opens a new one. */
  drop(slot: number): void;
  /** The connection of `slot` was lost at `at` (epoch ms): each establish of `slot` from now on is a reconnect attempt, and the first that succeeds brings it back. */
  lost(slot: number, at: number): void;
  stopping(): boolean;
}

export interface Workload {
  /**
   * Starts the plan. Workloads that send on connections the worker opens for them (closed
   * without stages, arrival-rate) get no slot here: each comes through `slotOpen` once its
   * connection is open, at the step's `connectRate`.
   */
  start(context: WorkloadContext): void;
  /** The connection of `slot` is open (or failed to open, and its first send will say so): the slot may send. */
  slotOpen?(slot: number): void;
  /** The target closed the connection of `slot` (or it died): workloads that hold connections bring it back. */
  connectionLost?(slot: number, code: string): void;
  /**
   * Stops scheduling; sends already in flight (and those an open model still owes) finish on
   * their own. `early`: stopped before the step's end (a signal), so nothing after now is owed.
   */
  stop(early: boolean): void;
  /** The drain is over: whatever still waits to be sent is counted as never sent. */
  finish?(): void;
}
