// Runs one worker's slice of a step: open its connections, let the workload drive them
// through the protocol driver, and stream a snapshot to the coordinator at every interval.
// Nothing here waits on another worker.
import type { MessagePort } from 'node:worker_threads';
import { driverFor } from '../protocols/index.js';
import type { ConnectionDriver } from '../protocols/driver.js';
import { workloadFor } from '../workloads/index.js';
import { now, sleepUntil } from './clock.js';
import { watchLoopDelay } from './loop-delay.js';
import type { CoordinatorToWorker, Slice, Snapshot } from './messages.js';
import { Recorder } from './recorder.js';
import { snapshotTimes } from './snapshot-times.js';

/** How long in-flight requests may take to finish after the step ends. */
const drainTimeoutMs = 2000;

export async function runSlice(slice: Slice, port: MessagePort): Promise<void> {
  const { scenario } = slice;
  const recorder = new Recorder();
  const createDriver = driverFor(scenario.protocol);
  if (!createDriver) throw new Error(`protocol ${scenario.protocol} has no driver`);
  const target = new URL(slice.target);
  const drivers: ConnectionDriver[] = [];
  for (let i = 0; i < slice.connections; i++) drivers.push(createDriver({ scenario, target, recorder }));

  const primaryMetric = scenario.protocol === 'websocket' ? 'rtt' : 'latency';
  const countAs = scenario.protocol === 'websocket' ? 'messages' : 'requests';
  const openModel = scenario.workload === 'arrival-rate';
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const send = (slot: number, intendedAt: number, done: (responded: boolean) => void): void => {
    const driver = drivers[slot % drivers.length]!;
    const sentAt = now();
    inFlight++;
    driver.send((error, responded) => {
      inFlight--;
      const endedAt = now();
      if (responded) {
        recorder.count(countAs);
        recorder.record(primaryMetric, (endedAt - intendedAt) * 1000);
        if (openModel) {
          recorder.record('service_time', (endedAt - sentAt) * 1000);
          recorder.record('schedule_lag', (sentAt - intendedAt) * 1000);
        }
      }
      if (error) recorder.error(error);
      if (stopping && inFlight === 0) drained?.();
      done(responded);
    });
  };

  const workload = workloadFor(scenario, {
    connections: slice.connections,
    firstConnection: slice.firstConnection,
    totalConnections: slice.totalConnections,
    sliceIndex: slice.workerIndex,
    sliceCount: slice.workerCount,
  });

  const stopWatchingLoop = watchLoopDelay(recorder);
  let stopEarly: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopEarly = resolve));
  port.on('message', (message: CoordinatorToWorker) => {
    if (message.type === 'stop') stopEarly?.();
  });

  const post = (endedAt: number, final: boolean): void => {
    const { counters, histograms } = recorder.takeInterval();
    const snapshot: Snapshot = {
      type: 'snapshot',
      workerIndex: slice.workerIndex,
      endedAt,
      warmup: endedAt <= slice.measureFrom && slice.measureFrom > slice.startAt && !final,
      final,
      connectionsOpen: recorder.connectionsOpen,
      counters,
      histograms,
    };
    port.postMessage(snapshot);
  };

  await sleepUntil(slice.startAt);
  // A staged closed workload opens connections as its profile reaches them, not all at once.
  const openUpFront = !(scenario.workload === 'closed' && scenario.stages.length > 0);
  if (openUpFront) await Promise.all(
    drivers.map(
      (driver) =>
        new Promise<void>((resolve) =>
          driver.open((error) => {
            if (error) recorder.error(error);
            resolve();
          }),
        ),
    ),
  );

  workload.start({
    slots: slice.connections * (scenario.protocol === 'http' ? scenario.http.pipelining : 1),
    now,
    startAt: slice.startAt,
    endAt: slice.endAt,
    send,
    drop: () => recorder.count('dropped'),
    stopping: () => stopping,
  });

  const times = snapshotTimes(slice.startAt, slice.measureFrom, slice.endAt, scenario.interval);
  let stoppedEarly = false;
  void stopped.then(() => (stoppedEarly = true));
  for (const at of times.slice(0, -1)) {
    await Promise.race([sleepUntil(at), stopped]);
    if (stoppedEarly) break;
    post(at, false);
  }
  if (!stoppedEarly) await Promise.race([sleepUntil(slice.endAt), stopped]);

  stopping = true;
  workload.stop();
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, drainTimeoutMs).unref();
    });
  }
  stopWatchingLoop();
  await Promise.all(drivers.map((driver) => driver.close()));
  post(Math.min(now(), slice.endAt), true);
  port.close();
}
