// One client's connection that was lost, on its way back: every try to open it again counts
// in `reconnectAttempts`, and the try that gets through in `reconnects`, with the time since
// the loss (`reconnect_time`). So 9,000 refused tries that brought 50 connections back read as
// 50 reconnects in 9,000 attempts, not as 9,000 reconnects.
import { now } from './clock.js';
import type { Recorder } from './recorder.js';

export class Reconnection {
  /** When the connection now being brought back was lost (epoch ms); undefined while none is. */
  private lostAt: number | undefined;

  constructor(private readonly recorder: Recorder) {}

  /** The open connection went away (closed by the peer, broken, stalled). A loss while reconnecting keeps the first. */
  lost(at: number = now()): void {
    this.lostAt ??= at;
  }

  /** A connection is being opened: an attempt at bringing back a lost one, if there is one. */
  attempt(): void {
    if (this.lostAt !== undefined) this.recorder.count('reconnectAttempts');
  }

  /** The connection is open: a lost one is back. */
  opened(at: number = now()): void {
    if (this.lostAt === undefined) return;
    this.recorder.count('reconnects');
    this.recorder.record('reconnect_time', (at - this.lostAt) * 1000);
    this.lostAt = undefined;
  }
}
