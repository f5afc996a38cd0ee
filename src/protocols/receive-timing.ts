// The contract between a receive-driven driver (poll, long-poll, WebSocket subscribe) and
// the timing plan it follows: the driver asks *when* to request or reconnect next, and the
// plan (src/workloads/receive-timing.ts, chosen by the worker) answers. The driver knows
// nothing of intervals or back-off.
export interface ReceiveTiming {
  /** Epoch ms of the client's first request or connection. */
  firstAt: number;
  /** Epoch ms of the next request, given the time now and whether the last one was answered; called once per request. */
  nextAt(now: number, answered: boolean): number;
}
