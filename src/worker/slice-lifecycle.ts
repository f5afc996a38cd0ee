// The part of running a slice that does not depend on what the connections do: report
// ready, take the step's clock from the coordinator, post a snapshot at every interval, and
// stop early when asked. The same protocol as runSlice's, for slices that bring their own
// way of driving connections (receive-slice.ts).
import type { MessagePort } from 'node:worker_threads';
import { now, sleepUntil } from '../metrics/clock.js';
import type { CoordinatorToWorker, ReadyReport, Slice, Snapshot, StartRequest } from './messages.js';
import type { Recorder } from '../metrics/recorder.js';
import { snapshotTimes } from './snapshot-times.js';

export interface SliceLifecycle {
  /** Says ready, then waits for the step's clock and writes it into the slice. */
  waitForStart(): Promise<void>;
  /**
   * Posts a snapshot at every interval until the step ends or the coordinator stops it;
   * resolves true at the step's end, false when told to stop before it. `onMeasure` is called
   * once the warm-up's last snapshot is posted (at once without a warm-up), so what it starts
   * counts in the measured part only.
   */
  runIntervals(onMeasure?: () => void): Promise<boolean>;
  /**
   * Posts the final snapshot and closes the port. `connectionsOpen` is what was open when
   * the step ended, taken before the connections were closed, and `clientsHeld` the clients
   * connected then.
   */
  finish(connectionsOpen?: number, clientsHeld?: number): void;
}

/** `clientsHeld`: how many clients are connected now, for slices whose workload establishes them (hold, connect, reconnect-storm). */
export function sliceLifecycle(slice: Slice, port: MessagePort, recorder: Recorder, clientsHeld?: () => number): SliceLifecycle {
  let stoppedEarly = false;
  let stopEarly: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopEarly = resolve));
  void stopped.then(() => (stoppedEarly = true));
  let startNow: ((request: StartRequest) => void) | undefined;
  const started = new Promise<StartRequest>((resolve) => (startNow = resolve));
  port.on('message', (message: CoordinatorToWorker) => {
    if (message.type === 'stop') stopEarly?.();
    else startNow?.(message);
  });

  const post = (endedAt: number, final: boolean, connectionsOpen = recorder.connectionsOpen, clients = clientsHeld?.()): void => {
    const { counters, histograms } = recorder.takeInterval();
    const snapshot: Snapshot = {
      type: 'snapshot',
      workerIndex: slice.workerIndex,
      endedAt,
      warmup: endedAt <= slice.measureFrom && slice.measureFrom > slice.startAt && !final,
      final,
      connectionsOpen,
      ...(clients === undefined ? {} : { clientsHeld: clients }),
      counters,
      histograms,
    };
    port.postMessage(snapshot);
  };

  return {
    async waitForStart() {
      const ready: ReadyReport = { type: 'ready', workerIndex: slice.workerIndex };
      port.postMessage(ready);
      const timing = await Promise.race([started, stopped.then(() => undefined)]);
      if (timing) {
        slice.startAt = timing.startAt;
        slice.measureFrom = timing.measureFrom;
        slice.endAt = timing.endAt;
      } else {
        slice.startAt = slice.measureFrom = slice.endAt = now();
      }
      await sleepUntil(slice.startAt);
    },
    async runIntervals(onMeasure) {
      const times = snapshotTimes(slice.startAt, slice.measureFrom, slice.endAt, slice.scenario.interval);
      const warmup = slice.measureFrom > slice.startAt;
      if (!warmup) onMeasure?.();
      for (const at of times.slice(0, -1)) {
        await Promise.race([sleepUntil(at), stopped]);
        if (stoppedEarly) return false;
        post(at, false);
        if (warmup && at === slice.measureFrom) onMeasure?.();
      }
      await Promise.race([sleepUntil(slice.endAt), stopped]);
      return !stoppedEarly;
    },
    finish(connectionsOpen, clients) {
      post(Math.min(now(), slice.endAt), true, connectionsOpen, clients);
      port.close();
    },
  };
}
